"""End to end: simulator → exporter → Prometheus (generated rules) → Alertmanager → a webhook.

The rules come from a test-only time scale (every duration × 0.02) so an alert that waits 5 minutes
in production waits 6 seconds here; everything else is the generated configuration as shipped.
"""

from __future__ import annotations

import pytest
import requests

from launchwatch.alerting.journeys import journey_alert
from launchwatch.plan import builtin_plan_path, load_plan
from launchwatch.stack import start_alertmanager, start_prometheus, wait_ready
from tests.conftest import binary, free_port, wait_for
from tests.webhook import Webhook, quiz_stack_config

pytestmark = pytest.mark.e2e


def test_error_spike_alert_reaches_the_webhook_and_resolves(tmp_path, processes, simulator_factory):
    binary("prometheus"), binary("prometheus-alertmanager")
    hook = Webhook()
    try:
        # the user journey's trial activation is broken from the start: its first run fails
        journey = load_plan(builtin_plan_path("whatsapp-quiz")).journeys[0]
        sim = simulator_factory("whatsapp-quiz", faults=["trial-fails"])
        prom_port, am_port = free_port(), free_port()
        out = quiz_stack_config(tmp_path, processes, sim.url, hook, [f"127.0.0.1:{am_port}"])
        am = start_alertmanager(out / "alertmanager/alertmanager.yml", f"127.0.0.1:{am_port}", tmp_path / "am",
                                tmp_path / "alertmanager.log")
        processes.procs.append(am)
        prom = start_prometheus(out / "prometheus/prometheus.yml", f"127.0.0.1:{prom_port}", tmp_path / "prom",
                                tmp_path / "prometheus.log")
        processes.procs.append(prom)
        assert wait_ready(f"http://127.0.0.1:{am_port}/-/ready", proc=am), (tmp_path / "alertmanager.log").read_text()
        assert wait_ready(f"http://127.0.0.1:{prom_port}/-/ready", proc=prom), (tmp_path / "prometheus.log").read_text()
        prom_url = f"http://127.0.0.1:{prom_port}"

        def up() -> bool:
            r = requests.get(f"{prom_url}/api/v1/query", params={"query": "launchwatch_target_up"}, timeout=5).json()
            return len(r["data"]["result"]) == 6 and all(x["value"][1] == "1" for x in r["data"]["result"])

        wait_for(up, timeout=60, what="every target up in Prometheus")
        assert not hook.seen("ErrorRateRed", "firing")
        requests.post(f"{sim.url}/-/fault", params={"fault": "error-spike"}, timeout=5).raise_for_status()
        wait_for(lambda: hook.seen("ErrorRateRed", "firing"), timeout=120, interval=0.5,
                 what="ErrorRateRed firing at the webhook")
        # meanwhile the broken journey step fired the journey's alert at the document's tier, same routing
        wait_for(lambda: hook.seen(journey_alert(journey.name), "firing"), timeout=60, interval=0.5,
                 what=f"{journey_alert(journey.name)} firing at the webhook")
        broken = next(a for n in hook.notifications for a in n["alerts"]
                      if a["labels"]["alertname"] == journey_alert(journey.name))
        assert broken["labels"]["journey"] == journey.name and broken["labels"]["tier"] == journey.tier
        assert broken["annotations"]["runbook_url"].endswith("#" + journey_alert(journey.name).lower())
        firing = next(a for n in hook.notifications for a in n["alerts"]
                      if a["labels"]["alertname"] == "ErrorRateRed" and a["status"] == "firing")
        assert firing["labels"]["severity"] == "critical" and firing["labels"]["tier"] == "RED"
        assert firing["labels"]["plan"] == "whatsapp-quiz"
        assert firing["annotations"]["runbook_url"].endswith("#errorratered")
        assert "%" in firing["annotations"]["description"]
        requests.delete(f"{sim.url}/-/fault", timeout=5).raise_for_status()
        wait_for(lambda: hook.seen("ErrorRateRed", "resolved"), timeout=120, interval=0.5,
                 what="ErrorRateRed resolved at the webhook")
    finally:
        hook.stop()
