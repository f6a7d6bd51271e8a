"""The exporter against real local servers: one broken source never takes the others down."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port, launchwatch_cmd, parse_metrics, wait_for
from tests.upstream import Reply, Upstream

GOOD_DOC = json.dumps({"orders": 42, "status": "ok"}).encode()


def two_source_plan(bad_url: str, *, bad_timeout: str = "1s", extra: str = "") -> str:
    return (
        "plan: pair\ntitle: Pair\nsources:\n"
        "  - name: good\n    url: {good}\n    timeout: 2s\n    metrics:\n"
        "      - {name: orders_total, help: Orders., type: counter, path: $.orders}\n"
        f"  - name: bad\n    url: {bad_url}\n    timeout: {bad_timeout}\n    max_response_bytes: 1KiB\n"
        f"{extra}    metrics:\n"
        "      - {name: widgets, help: Widgets., type: gauge, path: $.widgets}\n"
    )


@pytest.fixture
def upstream():
    up = Upstream()
    up.set("/good", Reply(body=GOOD_DOC))
    yield up
    up.stop()


BAD_REPLIES = {
    "http_status": Reply(status=500, body=b'{"error": "boom"}'),
    "timeout": Reply(body=b'{"widgets": 1}', delay=3.0),
    "invalid_json": Reply(body=b'{"widgets": 1'),
    "too_large": Reply(body=b'{"widgets": 1, "pad": "' + b"x" * 4096 + b'"}'),
    "invalid_value": Reply(body=b'{"widgets": {"count": 1}}'),
}


@pytest.mark.parametrize("reason", [*BAD_REPLIES, "connection_refused"])
def test_one_failing_source_leaves_the_other_alone(reason, upstream, exporter_factory):
    if reason == "connection_refused":
        bad_url = f"http://127.0.0.1:{free_port()}/bad"
    else:
        upstream.set("/bad", BAD_REPLIES[reason])
        bad_url = upstream.url + "/bad"
    exp = exporter_factory(two_source_plan(bad_url).replace("{good}", upstream.url + "/good"))
    m = exp.metrics()
    assert m['launchwatch_target_up{target="good"}'] == 1
    assert m["orders_total"] == 42
    assert m['launchwatch_target_up{target="bad"}'] == 0
    assert "widgets" not in m
    metric = "widgets" if reason == "invalid_value" else ""  # the mapping that failed, if one did
    errors = f'launchwatch_target_scrape_errors_total{{metric="{metric}",reason="{reason}",target="bad"}}'
    assert m[errors] == 1
    m2 = exp.metrics()  # the exporter keeps serving, and counts again
    assert m2[errors] == 2
    assert m2["orders_total"] == 42
    landing = requests.get(exp.url + "/", timeout=5).text
    assert f"down ({reason})" in landing


def test_wrong_types_recover_when_fixed(upstream, exporter_factory):
    upstream.set("/bad", Reply(body=b'{"widgets": "many"}'))
    exp = exporter_factory(two_source_plan(upstream.url + "/bad").replace("{good}", upstream.url + "/good"))
    assert exp.metrics()['launchwatch_target_up{target="bad"}'] == 0
    upstream.set("/bad", Reply(body=b'{"widgets": 7}'))
    m = exp.metrics()
    assert m['launchwatch_target_up{target="bad"}'] == 1 and m["widgets"] == 7


def test_missing_values_are_counted_not_exported(upstream, exporter_factory):
    upstream.set("/bad", Reply(body=b'{"widgets": null}'))
    exp = exporter_factory(two_source_plan(upstream.url + "/bad").replace("{good}", upstream.url + "/good"))
    m = exp.metrics()
    assert m['launchwatch_target_up{target="bad"}'] == 1
    assert "widgets" not in m
    assert m['launchwatch_target_missing_values_total{metric="widgets",target="bad"}'] == 1


def test_prometheus_scrape_timeout_header_is_honoured(upstream, exporter_factory):
    upstream.set("/bad", Reply(body=b'{"widgets": 1}', delay=2.5))
    plan = two_source_plan(upstream.url + "/bad", bad_timeout="10s").replace("{good}", upstream.url + "/good")
    exp = exporter_factory(plan)
    m = exp.metrics(**{"X-Prometheus-Scrape-Timeout-Seconds": "1.5"})
    assert m['launchwatch_target_up{target="bad"}'] == 0
    assert m['launchwatch_target_scrape_errors_total{metric="",reason="timeout",target="bad"}'] == 1
    assert m["orders_total"] == 42


def test_concurrent_scrapes_share_one_fetch(upstream, exporter_factory):
    upstream.set("/bad", Reply(body=b'{"widgets": 1}', delay=0.8))
    exp = exporter_factory(two_source_plan(upstream.url + "/bad", bad_timeout="5s")
                           .replace("{good}", upstream.url + "/good"))
    results = exp.metrics_at_once(4)
    assert len(results) == 4 and all(r["widgets"] == 1 for r in results)
    assert upstream.hits["/bad"] == 1


def test_min_interval_limits_fetches_and_is_stated_in_help(upstream, exporter_factory):
    upstream.set("/bad", Reply(body=b'{"widgets": 3}'))
    plan = two_source_plan(upstream.url + "/bad", extra="    min_interval: 1m\n").replace(
        "{good}", upstream.url + "/good")
    exp = exporter_factory(plan)
    for _ in range(3):
        exp.metrics()
    assert upstream.hits["/bad"] == 1
    assert upstream.hits["/good"] == 3
    text = requests.get(exp.url + "/metrics", timeout=5).text
    assert "# HELP widgets Widgets. (refreshed at most every 1m)" in text


def test_openmetrics_and_gzip_negotiation(upstream, exporter_factory):
    exp = exporter_factory(two_source_plan(upstream.url + "/good").replace("{good}", upstream.url + "/good"))
    om = requests.get(exp.url + "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"},
                      timeout=5)
    assert om.headers["Content-Type"].startswith("application/openmetrics-text")
    assert om.text.rstrip().endswith("# EOF")
    raw = requests.get(exp.url + "/metrics", headers={"Accept-Encoding": "gzip"}, timeout=5, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert b"orders_total 42.0" in gzip.decompress(raw.raw.read())
    plain = requests.get(exp.url + "/metrics", headers={"Accept-Encoding": "identity"}, timeout=5)
    assert "Content-Encoding" not in plain.headers


def test_landing_health_and_ready(upstream, exporter_factory):
    exp = exporter_factory(two_source_plan(upstream.url + "/good").replace("{good}", upstream.url + "/good"))
    exp.metrics()
    page = requests.get(exp.url + "/", timeout=5)
    assert page.status_code == 200 and "Pair" in page.text and "good" in page.text and ">up<" in page.text
    assert requests.get(exp.url + "/-/healthy", timeout=5).status_code == 200
    assert requests.get(exp.url + "/-/ready", timeout=5).status_code == 200
    assert requests.get(exp.url + "/-/reload", timeout=5).status_code == 405
    assert requests.head(exp.url + "/metrics", timeout=5).status_code == 200
    for method in ("POST", "DELETE", "TRACE", "PUT"):
        resp = requests.request(method, exp.url + "/metrics", timeout=5)
        assert resp.status_code == 405 and resp.headers["Allow"] == "GET, HEAD", method


def test_reload_over_http_only_with_the_lifecycle_flag(upstream, exporter_factory):
    """As Prometheus: POST /-/reload is refused unless enabled; SIGHUP (app.reload) always works."""
    exp = exporter_factory(two_source_plan(upstream.url + "/good").replace("{good}", upstream.url + "/good"),
                           lifecycle=False)
    resp = requests.post(exp.url + "/-/reload", timeout=5)
    assert resp.status_code == 403 and "--web.enable-lifecycle" in resp.text
    assert exp.app.reload() == (True, "reloaded plan pair")


def test_reload_keeps_last_good_plan_and_names_the_problem(tmp_path, upstream, exporter_factory):
    plan = two_source_plan(upstream.url + "/good").replace("{good}", upstream.url + "/good")
    exp = exporter_factory(plan)
    path = exp.app.plan_path
    path.write_text(plan.replace("    timeout: 2s", "    timeot: 2s"))
    resp = requests.post(exp.url + "/-/reload", timeout=5)
    assert resp.status_code == 500
    assert f"{path}:6: sources[0].timeot: unknown key (did you mean 'timeout'?)" in resp.text
    m = exp.metrics()
    assert m["launchwatch_config_last_reload_successful"] == 0
    assert m["orders_total"] == 42  # the old plan still serves
    assert "timeot" in requests.get(exp.url + "/", timeout=5).text
    path.write_text(plan.replace("name: bad", "name: renamed"))
    assert requests.post(exp.url + "/-/reload", timeout=5).status_code == 200
    m = exp.metrics()
    assert m["launchwatch_config_last_reload_successful"] == 1
    assert 'launchwatch_target_up{target="renamed"}' in m


def test_secrets_come_from_env_and_files_and_stay_secret(tmp_path, upstream, exporter_factory, monkeypatch):
    monkeypatch.setenv("LW_TEST_TOKEN", "tok-7d1e5f")
    (tmp_path / "key").write_text("key-93ab2c\n")
    upstream.set("/bad", Reply(body=b'{"widgets": 5}'))
    extra = ("    auth: {bearer: {env: LW_TEST_TOKEN}}\n"
             f"    headers: {{X-Api-Key: {{file: {tmp_path / 'key'}}}}}\n")
    exp = exporter_factory(two_source_plan(upstream.url + "/bad", extra=extra).replace(
        "{good}", upstream.url + "/good"))
    assert exp.metrics()["widgets"] == 5
    seen = upstream.seen_headers["/bad"]
    assert seen["Authorization"] == "Bearer tok-7d1e5f" and seen["X-Api-Key"] == "key-93ab2c"
    for page in ("/metrics", "/"):
        text = requests.get(exp.url + page, timeout=5).text
        assert "tok-7d1e5f" not in text and "key-93ab2c" not in text


def test_missing_secret_marks_only_that_target_down(upstream, exporter_factory):
    extra = "    auth: {bearer: {env: LW_TEST_UNSET_TOKEN}}\n"
    exp = exporter_factory(two_source_plan(upstream.url + "/good", extra=extra).replace(
        "{good}", upstream.url + "/good"))
    m = exp.metrics()
    assert m['launchwatch_target_up{target="bad"}'] == 0
    assert m['launchwatch_target_scrape_errors_total{metric="",reason="secret",target="bad"}'] == 1
    assert m['launchwatch_target_up{target="good"}'] == 1


def test_sighup_reload_in_a_running_process(tmp_path, upstream, processes):
    plan = two_source_plan(upstream.url + "/good").replace("{good}", upstream.url + "/good")
    path = tmp_path / "plan.yml"
    path.write_text(plan)
    port = free_port()
    proc = processes.start(launchwatch_cmd("run", "--config", str(path), "--listen", f"127.0.0.1:{port}"),
                           tmp_path / "run.log")
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(url + "/-/ready", timeout=1).ok, what="exporter ready")
    path.write_text(plan.replace("type: counter", "type: countr"))
    os.kill(proc.pid, signal.SIGHUP)
    wait_for(lambda: parse_metrics(requests.get(url + "/metrics", timeout=5).text)[
        "launchwatch_config_last_reload_successful"] == 0, what="failed reload reported")
    assert parse_metrics(requests.get(url + "/metrics", timeout=5).text)["orders_total"] == 42
    where = f"{path}:8: sources[0].metrics[0].type: Input should be"
    assert where in requests.get(url + "/", timeout=5).text.replace("&#x27;", "'")
    path.write_text(plan)
    os.kill(proc.pid, signal.SIGHUP)
    wait_for(lambda: parse_metrics(requests.get(url + "/metrics", timeout=5).text)[
        "launchwatch_config_last_reload_successful"] == 1, what="good reload reported")
    assert proc.poll() is None
    log = Path(tmp_path / "run.log").read_text()
    assert "reload failed" in log and "Traceback" not in log


def test_bad_plan_at_start_exits_1_with_location(tmp_path):
    path = tmp_path / "plan.yml"
    path.write_text("plan: x\ntitle: X\nsourcs: []\n")
    res = subprocess.run(launchwatch_cmd("run", "--config", str(path), "--listen", f"127.0.0.1:{free_port()}"),
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert f"{path}:3: sourcs: unknown key (did you mean 'sources'?)" in res.stderr


def test_reloads_during_scrapes_never_fail_a_scrape(upstream, exporter_factory):
    """A reload swaps the engine while scrapes are in flight; none of them may error."""
    upstream.set("/bad", Reply(body=b'{"widgets": 2}', delay=0.05))
    plan = two_source_plan(upstream.url + "/bad").replace("{good}", upstream.url + "/good")
    # one fetch at a time, so a scrape is often waiting on a queued fetch when the engine is swapped
    exp = exporter_factory(plan.replace("sources:\n", "max_concurrency: 1\nsources:\n", 1))
    statuses: list[int] = []
    stop = threading.Event()

    def scrape() -> None:
        session = requests.Session()
        while not stop.is_set() and len(statuses) < 400:
            statuses.append(session.get(exp.url + "/metrics", timeout=10).status_code)

    threads = [threading.Thread(target=scrape) for _ in range(4)]
    for t in threads:
        t.start()
    for _ in range(20):
        assert requests.post(exp.url + "/-/reload", timeout=10).status_code == 200
    stop.set()
    for t in threads:
        t.join(30)
    assert statuses and set(statuses) == {200}


def test_a_slow_upstream_does_not_starve_healthy_sources(upstream, exporter_factory):
    """More slow sources than workers: once their slowness is known, healthy ones go first and stay up."""
    slow = [f"slow{i}" for i in range(6)]
    fast = [f"fast{i}" for i in range(4)]
    lines = ["plan: busy", "title: Busy", "max_concurrency: 2", "sources:"]
    for name in slow + fast:  # the slow ones first in the plan: the worst order for a first scrape
        upstream.set(f"/{name}", Reply(body=b'{"n": 1}', delay=0.6 if name in slow else 0.0))
        lines += [f"  - name: {name}", f"    url: {upstream.url}/{name}", "    timeout: 1s", "    metrics:",
                  f"      - {{name: {name}_n, help: N., type: gauge, path: $.n}}"]
    exp = exporter_factory("\n".join(lines) + "\n")
    exp.metrics()  # the first scrape learns who is slow
    wait_for(lambda: all(t.last is not None for t in exp.app.engine.targets), what="first round finished")
    m = exp.metrics()
    assert all(m[f'launchwatch_target_up{{target="{name}"}}'] == 1 for name in fast)


def test_a_busy_port_is_one_line_for_run_demo_and_simulate() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for args in (["run", "--plan", "whatsapp-quiz"], ["demo", "--plan", "whatsapp-quiz", "--no-stack"],
                     ["simulate", "--plan", "whatsapp-quiz"]):
            res = subprocess.run(launchwatch_cmd(*args, "--listen", f"127.0.0.1:{port}"), capture_output=True,
                                 text=True, timeout=60)
            assert res.returncode == 1 and "Traceback" not in res.stderr, res.stderr
            assert f"127.0.0.1:{port}: cannot listen: Address already in use" in res.stderr, res.stderr
