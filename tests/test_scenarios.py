"""The scenario suites and the guards, on real promtool: they pass on the generated rules (test_alerting runs
every suite of every plan and phase), and they fail when the behaviour they hold breaks."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from launchwatch.alerting.guards import business_hours_expr, in_business_hours, utc_offsets
from launchwatch.generate import GenerateOptions, generate
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from launchwatch.plan.thresholds import BusinessHours
from launchwatch.plan.units import format_duration
from tests.conftest import binary


def _promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary("promtool"), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def _generated(tmp_path: Path, name: str) -> Path:
    generate([load_plan(builtin_plan_path(name))], tmp_path, GenerateOptions())
    return tmp_path / "prometheus"


def _rule_expr(rules: Path, alert: str) -> str:
    groups = yaml.safe_load(rules.read_text())["groups"]
    return next(r["expr"] for g in groups for r in g["rules"] if r.get("alert") == alert)


def _rewrite(rules: Path, edit) -> None:
    doc = yaml.safe_load(rules.read_text())
    for group in doc["groups"]:
        group["rules"] = [r for r in (edit(dict(r)) for r in group["rules"]) if r is not None]
    rules.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_quiet_night_catches_a_zero_activity_rule_without_guards(tmp_path):
    prom = _generated(tmp_path, "post-launch")
    rules = prom / "rules/post-launch.yml"
    bare = _rule_expr(rules, "CheckoutFailure").split("\nand\n")[0].strip("()")

    def unguarded(rule):
        if rule.get("alert") == "CheckoutFailure":
            rule["expr"] = bare
        return rule

    night = "tests/post-launch-scenarios-step-2m.yml"
    assert _promtool("test", "rules", night, cwd=prom).returncode == 0
    _rewrite(rules, unguarded)
    res = _promtool("test", "rules", night, cwd=prom)
    assert res.returncode != 0 and "CheckoutFailure" in res.stdout + res.stderr


def test_exporter_and_source_scenarios_catch_missing_monitoring_alerts(tmp_path):
    prom = _generated(tmp_path, "whatsapp-quiz")
    suite = "tests/whatsapp-quiz-scenarios.yml"
    assert _promtool("test", "rules", suite, cwd=prom).returncode == 0
    _rewrite(prom / "rules/whatsapp-quiz.yml",
             lambda r: None if str(r.get("alert", "")).startswith(("LaunchwatchExporterDown", "LaunchwatchSourceDown"))
             else r)
    out = _promtool("test", "rules", suite, cwd=prom)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "LaunchwatchExporterDown" in text and "LaunchwatchSourceDownPayments" in text


def test_lull_scenario_catches_a_clock_that_restarts(tmp_path):
    prom = _generated(tmp_path, "ecommerce-support")
    suite = "tests/ecommerce-support-scenarios-step-2m.yml"  # the 4-hour stages
    assert _promtool("test", "rules", suite, cwd=prom).returncode == 0

    def no_bridge(rule):
        rule.pop("keep_firing_for", None)
        return rule

    _rewrite(prom / "rules/ecommerce-support.yml", no_bridge)
    res = _promtool("test", "rules", suite, cwd=prom)
    assert res.returncode != 0
    assert re.search(r"alertname: \w+Escalated\w+", res.stdout + res.stderr)


@pytest.mark.parametrize("name", builtin_plans())
def test_rules_of_every_phase_pass_the_duplicate_rule_lint(name, tmp_path):
    generate([load_plan(builtin_plan_path(name))], tmp_path, GenerateOptions(phase="all", dashboards=False))
    res = _promtool("check", "rules", "--lint=duplicate-rules", "--lint-fatal",
                    *map(str, (tmp_path / "prometheus/rules").glob("*.yml")), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("location", ["UTC", "America/Argentina/Buenos_Aires", "Europe/Berlin", "Asia/Kolkata"])
def test_business_hours_expression_agrees_with_its_python_twin_on_real_promtool(location, tmp_path):
    """Over a week at a 37-minute grid, PromQL's business hours (every UTC offset of the zone) are
    exactly the moments ``in_business_hours`` accepts for some offset."""
    bh = BusinessHours(weekdays=["monday:friday", "sunday"], start="08:30", end="17:00", location=location)
    after = 1800.0
    expr = f"count({business_hours_expr(bh, after)})"
    offsets = utc_offsets(location)
    tests = []
    for t in range(0, 7 * 86400, 37 * 60):
        inside = any(in_business_hours(bh, t, o, after) for o in offsets)
        tests.append({"expr": expr, "eval_time": format_duration(t) if t else "0s",
                      "exp_samples": [{"labels": "{}", "value": 1}] if inside else []})
    assert any(c["exp_samples"] for c in tests) and not all(c["exp_samples"] for c in tests)
    rules = tmp_path / "empty.yml"
    rules.write_text("groups: []\n")
    suite = tmp_path / "bh.yml"
    suite.write_text(yaml.safe_dump({"rule_files": ["empty.yml"], "evaluation_interval": "1m",
                                     "tests": [{"interval": "1m", "input_series": [], "promql_expr_test": tests}]}))
    res = _promtool("test", "rules", "bh.yml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert len(offsets) == (2 if location == "Europe/Berlin" else 1)


@pytest.mark.parametrize(("edit", "within"), [({"for": "15m"}, "17m"), ({"window": "15m"}, "18m")],
                         ids=["held-15m", "averaged-15m"])
def test_the_scenarios_hold_for_a_plan_that_watches_its_source_longer(tmp_path, edit, within):
    """A plan may hold its source-down page 15 minutes, or average it over 15: its generated scenarios expect
    the page within that hold (they expected 10 minutes, and failed on a valid plan), and a gauge averaged over
    a window gets no 6-minute-lull scenario (the window smooths the lull away)."""
    doc = yaml.safe_load(builtin_plan_path("ecommerce-support").read_text())
    next(t for t in doc["thresholds"] if t["alert"] == "SiteDown").update(edit)
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    generate([load_plan(tmp_path / "plan.yml")], tmp_path / "out", GenerateOptions())
    tests = tmp_path / "out/prometheus/tests"
    suites = sorted(p.name for p in tests.glob("*scenarios*.yml"))
    text = "".join((tests / s).read_text() for s in suites)
    assert f"SiteDown fires within {within}" in text  # its hold (1m, or 15m) + its window (15m, or none) + 2m
    res = _promtool("test", "rules", *suites, cwd=tests)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr
