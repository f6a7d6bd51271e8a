"""/probe?module=NAME&target=URL: json_exporter's multi-target pattern, restricted to a module's allowed targets.

One real Prometheus scrapes it with the relabel_configs json_exporter's README shows; the rest talk HTTP to
an in-process exporter."""

from __future__ import annotations

import time

import pytest
import requests

from launchwatch.stack import free_port, start_prometheus, stop_process, wait_ready
from tests.conftest import ROOT, binary
from tests.upstream import Reply, Upstream

DATA = (ROOT.parent / "shared" / "json_exporter-fixtures" / "examples" / "data.json").read_bytes()

PLAN = """plan: probes
title: Probes
modules:
  - name: default
    allowed_targets: ["{allowed}", "127.0.0.2"]
    isolation: metric
    metrics:
      - {{name: example_global_value, help: G., type: gauge, path: $.counter,
         labels: {{location: "planet-{{$.location}}"}}, const_labels: {{environment: beta}}}}
      - {{name: example_value_count_total, help: C., type: counter, path: '$.values[?@.state == "ACTIVE"]',
         value: "@.count", labels: {{id: "@.id"}}}}
"""


@pytest.fixture
def upstream():
    up = Upstream()
    up.set("/examples/data.json", Reply(body=DATA))
    up.set("/secret.json", Reply(body=b'{"counter": 666}'))
    up.set("/examples/moved", Reply(status=302, headers={"Location": "/secret.json", "Content-Length": "0"},
                                    body=b""))
    yield up
    up.stop()


def probe(exp, **params: str) -> requests.Response:
    return requests.get(exp.url + "/probe", params=params, timeout=30)


def test_allowed_targets_are_probed_and_others_refused_unfetched(upstream, exporter_factory):
    exp = exporter_factory(PLAN.format(allowed=upstream.url + "/examples/"))
    ok = probe(exp, module="default", target=upstream.url + "/examples/data.json")
    assert ok.status_code == 200
    assert 'example_global_value{environment="beta",location="planet-mars"} 1234.0' in ok.text
    assert 'example_value_count_total{id="id-C"} 3.0' in ok.text
    refused = {
        "outside": upstream.url + "/secret.json",
        "dot segments": upstream.url + "/examples/../secret.json",
        "credentials": upstream.url.replace("http://", "http://user:pw@") + "/examples/data.json",
        "other port": f"http://127.0.0.1:{free_port()}/examples/data.json",
        "other scheme": "file:///etc/passwd",
    }
    for why, target in refused.items():
        resp = probe(exp, module="default", target=target)
        assert resp.status_code == 400 and resp.text.startswith("target refused: "), why
    assert probe(exp, module="nope", target=upstream.url + "/examples/data.json").status_code == 400
    assert probe(exp, module="default").status_code == 400
    # an allowed URL that redirects elsewhere is not followed: it could lead past the allow-list
    moved = probe(exp, module="default", target=upstream.url + "/examples/moved")
    assert moved.status_code == 503 and moved.text.startswith("http_status:")
    assert upstream.hits["/secret.json"] == 0 and upstream.hits["/examples/data.json"] == 1


def test_a_reload_that_narrows_allowed_targets_refuses_a_target_accepted_before(upstream, exporter_factory):
    """Accepted /probe queries are remembered per plan: the next plan judges them afresh."""
    exp = exporter_factory(PLAN.format(allowed=upstream.url + "/examples/"))
    target = upstream.url + "/examples/data.json"
    assert probe(exp, module="default", target=target).status_code == 200
    exp.app.plan_path.write_text(PLAN.format(allowed=upstream.url + "/other/"))
    assert requests.post(exp.url + "/-/reload", timeout=30).status_code == 200
    refused = probe(exp, module="default", target=target)
    assert refused.status_code == 400 and refused.text.startswith("target refused: ")
    assert upstream.hits["/examples/data.json"] == 1


def test_prometheus_relabels_targets_onto_probe_as_json_exporters_readme_shows(upstream, exporter_factory, tmp_path):
    binary("prometheus")
    exp = exporter_factory(PLAN.format(allowed=upstream.url + "/examples/"))
    allowed, outside = upstream.url + "/examples/data.json", upstream.url + "/secret.json"
    exporter_address = exp.url.removeprefix("http://")
    (tmp_path / "prometheus.yml").write_text(f"""
global: {{scrape_interval: 1s, scrape_timeout: 1s}}
scrape_configs:
  - job_name: json
    metrics_path: /probe
    params:
      module: [default]
    static_configs:
      - targets: ["{allowed}", "{outside}"]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: {exporter_address}
""")
    port = free_port()
    prom = start_prometheus(tmp_path / "prometheus.yml", f"127.0.0.1:{port}", tmp_path / "data",
                            tmp_path / "prometheus.log")
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_ready(base + "/-/ready", 30, prom), (tmp_path / "prometheus.log").read_text()[-2000:]

        def query(expr: str) -> dict[str, float]:
            r = requests.get(base + "/api/v1/query", params={"query": expr}, timeout=10).json()
            return {s["metric"].get("instance", ""): float(s["value"][1]) for s in r["data"]["result"]}

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ups = query('up{job="json"}')
            if len(ups) == 2 and query("example_global_value"):
                break
            time.sleep(0.5)
        assert query('up{job="json"}') == {allowed: 1.0, outside: 0.0}  # 400: Prometheus marks the target down
        assert query('example_global_value{location="planet-mars"}') == {allowed: 1234.0}
        assert query("example_value_count_total") == {allowed: 3.0}
    finally:
        stop_process(prom)
    assert upstream.hits["/secret.json"] == 0 and upstream.hits["/examples/data.json"] >= 1
