"""The five built-in plans: listed, valid, and fully served by the simulator under every fault."""

from __future__ import annotations

import subprocess

import pytest
import requests

from launchwatch.exporter import Exporter
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from launchwatch.simulator import FAULTS
from tests.conftest import RunningExporter, launchwatch_cmd, parse_metrics

PLANS = ["ecommerce-support", "post-launch", "video-sessions", "whatsapp-quiz", "whatsapp-rollout"]


def test_five_plans_are_listed():
    assert builtin_plans() == PLANS
    out = subprocess.run(launchwatch_cmd("plans"), capture_output=True, text=True, check=True).stdout
    assert [line.split()[0] for line in out.splitlines()] == PLANS


@pytest.mark.parametrize("name", PLANS)
def test_check_passes_and_show_round_trips(name, tmp_path):
    res = subprocess.run(launchwatch_cmd("check", "--plan", name), capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    shown = subprocess.run(launchwatch_cmd("plans", "--show", name), capture_output=True, text=True,
                           check=True).stdout
    copy = tmp_path / f"{name}.yml"
    copy.write_text(shown)
    assert load_plan(copy) == load_plan(builtin_plan_path(name))


def test_check_fails_on_a_typo_in_a_builtin_plan(tmp_path):
    text = builtin_plan_path("whatsapp-quiz").read_text().replace("    timeout: 5s", "    timeuot: 5s", 1)
    lineno = next(i for i, line in enumerate(text.splitlines(), 1) if "timeuot" in line)
    path = tmp_path / "typo.yml"
    path.write_text(text)
    res = subprocess.run(launchwatch_cmd("check", str(path)), capture_output=True, text=True)
    assert res.returncode == 1
    assert f"{path}:{lineno}: sources[0].timeuot: unknown key (did you mean 'timeout'?)" in res.stderr


def declared_series(plan) -> set[str]:
    return set(plan.metrics)


def exported_names(metrics: dict[str, float]) -> set[str]:
    return {key.partition("{")[0] for key in metrics}


@pytest.mark.parametrize("name", PLANS)
def test_simulator_serves_every_declared_metric(name, simulator_factory):
    sim = simulator_factory(name)
    exp = RunningExporter(Exporter(builtin_plan_path(name), base_url=sim.url))
    try:
        m = exp.metrics()
        plan = exp.app.plan
        down = {k: v for k, v in m.items() if k.startswith("launchwatch_target_up") and v != 1}
        assert not down, f"targets down: {down}"
        names = exported_names(m)
        info = {n.removesuffix("_info") + "_info" for n in names}
        missing = {n for n in declared_series(plan) if n not in names and n not in info}
        assert not missing, f"declared but not exported: {sorted(missing)}"
        assert not [k for k in m if k.startswith("launchwatch_target_missing_values_total")]
        probes = {k: v for k, v in m.items() if k.startswith("launchwatch_probe_success")}
        assert probes and all(v == 1 for v in probes.values()), probes
    finally:
        exp.close()


@pytest.mark.parametrize("name", PLANS)
def test_every_fault_keeps_the_exporter_serving(name, simulator_factory):
    sim = simulator_factory(name, slow_delay=0.3)
    exp = RunningExporter(Exporter(builtin_plan_path(name), base_url=sim.url))
    try:
        plan = exp.app.plan
        cached = {s.name for s in plan.sources if s.min_interval}  # a fresh-enough copy still serves
        json_sources = {s.name for s in plan.sources if s.needs_json}
        for fault in FAULTS:
            sim.faults.clear()
            sim.faults.set(fault)
            m = exp.metrics()
            up = {s.name: m[f'launchwatch_target_up{{target="{s.name}"}}'] for s in plan.sources}
            if fault == "down":
                assert {n for n, v in up.items() if v == 1} <= cached, up
            elif fault == "malformed-json":
                assert {n for n, v in up.items() if v == 1} <= cached | (set(up) - json_sources), up
            else:
                assert set(up.values()) == {1.0}, (fault, up)
    finally:
        exp.close()


def test_stopping_one_endpoint_downs_only_its_target(simulator_factory):
    plan = load_plan(builtin_plan_path("whatsapp-quiz"))
    sim = simulator_factory("whatsapp-quiz")
    exp = RunningExporter(Exporter(builtin_plan_path("whatsapp-quiz"), base_url=sim.url))
    try:
        payments = plan.source("payments").url
        for fault in ("down", "malformed-json"):
            sim.faults.clear()
            assert exp.metrics()['launchwatch_target_up{target="payments"}'] == 1
            requests.post(f"{sim.url}/-/fault", json={"fault": fault, "endpoint": payments}, timeout=5)
            m = exp.metrics()  # the very next scrape
            ups = {k: v for k, v in m.items() if k.startswith("launchwatch_target_up")}
            assert ups.pop('launchwatch_target_up{target="payments"}') == 0
            assert set(ups.values()) == {1.0}
            assert "payments_total" not in exported_names(m)
            assert "quiz_starts_total" in m
    finally:
        exp.close()


def test_simulator_fault_endpoint(simulator_factory):
    sim = simulator_factory("whatsapp-quiz")
    assert requests.post(f"{sim.url}/-/fault?fault=nonsense", timeout=5).status_code == 400
    requests.post(f"{sim.url}/-/fault?fault=slow&endpoint=/api/health", timeout=5).raise_for_status()
    assert requests.get(f"{sim.url}/-/fault", timeout=5).json()["faults"] == {"slow": ["/api/health"]}
    requests.delete(f"{sim.url}/-/fault", timeout=5).raise_for_status()
    assert requests.get(f"{sim.url}/-/fault", timeout=5).json()["faults"] == {}


def test_counters_grow_and_the_funnel_holds(simulator_factory):
    sim = simulator_factory("whatsapp-quiz", speed=200.0)
    exp = RunningExporter(Exporter(builtin_plan_path("whatsapp-quiz"), base_url=sim.url))
    try:
        first = exp.metrics()
        import time

        time.sleep(1.0)
        second = exp.metrics()
        assert second["whatsapp_interactions_total"] > first["whatsapp_interactions_total"]
        for m in (first, second):
            assert m["whatsapp_interactions_total"] >= m["quiz_starts_total"] >= m["quiz_completions_total"]
            assert m["quiz_completions_total"] >= m["trial_activations_total"] >= m["paid_conversions_total"]
        assert 0.6 < second["quiz_completions_total"] / max(second["quiz_starts_total"], 1) < 0.95
    finally:
        exp.close()


def test_zero_completions_fault_stops_completions(simulator_factory):
    sim = simulator_factory("whatsapp-quiz", speed=200.0, faults=["zero-completions"])
    exp = RunningExporter(Exporter(builtin_plan_path("whatsapp-quiz"), base_url=sim.url))
    try:
        import time

        exp.metrics()
        time.sleep(0.5)
        m = exp.metrics()
        assert m["quiz_starts_total"] > 0 and m["quiz_completions_total"] == 0
    finally:
        exp.close()


def test_metrics_parse(simulator_factory):
    sim = simulator_factory("whatsapp-quiz")
    assert parse_metrics("a 1\n# HELP x\nb{c=\"d\"} 2.5\n") == {"a": 1.0, 'b{c="d"}': 2.5}
    assert sim.url.startswith("http://127.0.0.1:")
