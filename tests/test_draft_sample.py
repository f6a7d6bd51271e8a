"""`launchwatch draft DOC --from-json SAMPLE --url URL`: the document's metrics fed by the product's fields.

A team with a launch document and an endpoint gets a plan whose exporter serves every metric the thresholds
name, in base units, without mapping each JSON path by hand; what the words cannot settle stays TODO."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from launchwatch.draft.plan import draft_from_text, draft_plan
from launchwatch.draft.sample import fill_source
from launchwatch.plan.starter import read_sample
from tests.upstream import Reply, Upstream

FIXTURES = Path(__file__).parent / "fixtures" / "drafts"
SAMPLE = {
    "checkout": {"errorRate": 0.004, "latency": {"p50Ms": 120, "p95Ms": 640, "p99Ms": 1400}, "requests": 88231},
    "payments": {"authorisation": {"successRate": 0.991, "declined": 31}},
    "queues": {"orders": {"depth": 12, "oldestAgeSeconds": 4}},
    "database": {"connections": {"used": 41, "max": 100, "usedRatio": 0.41}},
    "disks": [{"name": "order-store", "usedPct": 61.5}, {"name": "logs", "usedPct": 20.1}],
    "version": "2.3.1",
}


def test_each_draft_metric_takes_the_field_with_its_words_in_its_unit(tmp_path: Path) -> None:
    sample = tmp_path / "api.json"
    sample.write_text(json.dumps(SAMPLE))
    plan, _ = draft_plan(FIXTURES / "runbook-table.md", "rb")
    filled = fill_source(plan, read_sample(sample, "http://127.0.0.1:9/v1/status?verbose=1"))
    metrics = {m["name"]: m for m in plan["sources"][0]["metrics"]}
    assert dict(filled.matched) == {
        "checkout_error_rate_ratio": "$.checkout.errorRate",
        "checkout_p95_latency_seconds": "$.checkout.latency.p95Ms",  # not p50 or p99: the words say p95
        "payment_authorisation_success_ratio": "$.payments.authorisation.successRate",
        "queue_depth_orders": "$.queues.orders.depth",
        "database_connections_used_ratio": "$.database.connections.usedRatio",  # the ratio, not the count
        "disk_used_order_store_ratio": "$.disks[*]",
    }
    assert metrics["checkout_p95_latency_seconds"]["scale"] == 0.001  # milliseconds → seconds
    assert metrics["disk_used_order_store_ratio"]["scale"] == 0.01  # percent → ratio
    assert metrics["disk_used_order_store_ratio"]["labels"] == {"name": "@.name"}
    assert "$.checkout.requests" in filled.unused and not filled.todo
    assert (plan["base_url"], plan["sources"][0]["url"]) == ("http://127.0.0.1:9", "/v1/status?verbose=1")
    # a latency is never fed from a field that is not a duration, and a tie is the user's to settle
    plan2, _ = draft_from_text("# Alerts\n- Login latency > 2s\n- Signup errors > 5%\n", "t")
    two = tmp_path / "two.json"
    two.write_text(json.dumps({"login": {"latency": 3}, "signup": {"webErrors": 2, "appErrors": 4}}))
    filled2 = fill_source(plan2, read_sample(two))
    assert dict(filled2.todo) == {"login_latency_seconds": "no field of the sample has its words",
                                  "signup_errors_ratio": "$.signup.webErrors and $.signup.appErrors match it equally"}
    assert plan2["sources"][0]["url"].endswith("/TODO/metrics")  # no --url: still the user's to say


def test_drafted_with_a_sample_the_exporter_serves_every_metric_the_thresholds_name(tmp_path: Path,
                                                                                  exporter_factory) -> None:
    upstream = Upstream()
    try:
        upstream.set("/v1/status", Reply(body=json.dumps(SAMPLE).encode()))
        sample = tmp_path / "status.json"
        sample.write_text(json.dumps(SAMPLE))
        out = tmp_path / "rb.yml"
        proc = subprocess.run([sys.executable, "-m", "launchwatch", "draft", str(FIXTURES / "runbook-table.md"),
                               "--plan", "rb", "-o", str(out), "--from-json", str(sample),
                               "--url", f"{upstream.url}/v1/status"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "6 of 6 metrics mapped" in proc.stdout
        check = subprocess.run([sys.executable, "-m", "launchwatch", "check", str(out)], capture_output=True,
                               text=True, timeout=60)
        assert check.returncode == 0 and "sources[0]" not in check.stderr, check.stderr  # no TODO left there
        scraped = exporter_factory(out.read_text()).metrics()
        plan = yaml.safe_load(out.read_text())
        served = {key.split("{")[0] for key in scraped}
        assert {t["metric"] for t in plan["thresholds"]} <= served
        assert scraped['checkout_p95_latency_seconds{percentile="p95"}'] == 0.64
        assert scraped['disk_used_order_store_ratio{name="order-store"}'] == 0.615
        assert scraped['launchwatch_target_up{target="status"}'] == 1
    finally:
        upstream.stop()
