"""Inhibition never hides an incident from a rung's audience: on a real Alertmanager holding the
generated configuration of every built-in plan, a firing tier mutes a less severe tier's alert on
the same signal only when it notifies every channel that tier notifies."""

from __future__ import annotations

import pytest
import requests

from launchwatch.alerting.alertmanager import build_alertmanager
from launchwatch.output import dump_yaml
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from launchwatch.plan.thresholds import SEVERITIES
from launchwatch.stack import start_alertmanager, wait_ready
from tests.conftest import binary, free_port, wait_for


def ladders(plans):
    """(plan, signal, tiers) for every signal whose thresholds sit in two tiers or more."""
    for plan in plans:
        by_signal: dict[str, list] = {}
        for th in plan.thresholds:
            tier = plan.tier(th.tier)
            if tier not in by_signal.setdefault(th.signal_name, []):
                by_signal[th.signal_name].append(tier)
        for signal, tiers in by_signal.items():
            if len(tiers) > 1:
                yield plan, signal, tiers


@pytest.mark.e2e
def test_a_higher_tier_mutes_a_lower_one_only_when_it_reaches_the_same_people(tmp_path):
    binary("amtool")  # installed with the Debian package that brings Alertmanager
    plans = [load_plan(builtin_plan_path(n)) for n in builtin_plans()]
    config, _ = build_alertmanager(plans)
    (tmp_path / "am.yml").write_text(dump_yaml(config))
    listen = f"127.0.0.1:{free_port()}"
    proc = start_alertmanager(tmp_path / "am.yml", listen, tmp_path / "data", tmp_path / "am.log")
    try:
        assert wait_ready(f"http://{listen}/-/ready", proc=proc), (tmp_path / "am.log").read_text()
        posted, expected = [], {}
        for plan, signal, tiers in ladders(plans):
            for tier in tiers:
                name = f"Ladder{len(posted)}"
                posted.append({"labels": {"alertname": name, "plan": plan.plan, "signal": signal,
                                          "tier": tier.name, "severity": tier.severity}})
                louder = [t for t in tiers if SEVERITIES.index(t.severity) < SEVERITIES.index(tier.severity)]
                expected[name] = any(set(tier.channels) <= set(t.channels) for t in louder)
        assert any(expected.values()) and not all(expected.values())
        requests.post(f"http://{listen}/api/v2/alerts", json=posted, timeout=10).raise_for_status()

        got: dict[str, bool] = {}

        def settled() -> bool:
            alerts = requests.get(f"http://{listen}/api/v2/alerts", timeout=10).json()
            got.update({a["labels"]["alertname"]: bool(a["status"]["inhibitedBy"]) for a in alerts})
            return got == expected

        try:
            wait_for(settled, timeout=20, what="inhibition as expected")
        finally:
            wrong = {a: (got.get(a), expected[a]) for a in expected if got.get(a) != expected[a]}
            print("muted (got, expected):", wrong)
    finally:
        proc.terminate()
        proc.wait(10)
