"""Generated rules, tests and routing for all five plans pass promtool and amtool, every phase."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from launchwatch.alerting.humanize import humanize, humanize_duration, humanize_percentage
from launchwatch.alerting.promtool_tests import expected_alert, input_series
from launchwatch.alerting.rules import build_rules
from launchwatch.generate import GenerateOptions, generate
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from tests.conftest import binary
from tests.promtool_suites import run_promtool_tests

PLANS = builtin_plans()


def phases_of(name: str) -> list[str | None]:
    plan = load_plan(builtin_plan_path(name))
    return list(plan.phases.names) if plan.phases else [None]


CASES = [(name, phase) for name in PLANS for phase in phases_of(name)]


def run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[tuple[str, str | None], Path]:
    out = {}
    for name, phase in CASES:
        d = tmp_path_factory.mktemp(f"{name}-{phase}")
        generate([load_plan(builtin_plan_path(name))], d, GenerateOptions(phase=phase))
        out[(name, phase)] = d
    return out


_RAN: dict[str, set[str]] = {}  # per plan: the test groups (with the rules they read) promtool already passed


@pytest.mark.parametrize(("name", "phase"), CASES)
def test_promtool_checks_and_unit_tests_pass(name, phase, generated):
    d = generated[(name, phase)]
    res = run([binary("promtool"), "check", "rules", *map(str, (d / "prometheus/rules").glob("*.yml"))])
    assert res.returncode == 0, res.stdout + res.stderr
    res = run([binary("promtool"), "check", "config", "prometheus.yml"], cwd=d / "prometheus")
    assert res.returncode == 0, res.stdout + res.stderr
    tests = sorted(str(p.relative_to(d / "prometheus")) for p in (d / "prometheus/tests").glob("*.yml"))
    assert tests, "no promtool tests generated"
    # every group, one balanced promtool per core; a group an earlier phase ran on the same rules, once
    failed = run_promtool_tests(d / "prometheus", tests, seen=_RAN.setdefault(name, set()))
    assert not failed, "\n".join(failed)


def test_the_balanced_promtool_run_runs_every_group_and_reports_a_failing_one(tmp_path):
    (tmp_path / "rules.yml").write_text("groups:\n- name: g\n  rules:\n  - alert: High\n    expr: x > 1\n")
    group = ("- interval: 1m\n  input_series: [{{series: x, values: '{v}+0x10'}}]\n"
             "  alert_rule_test: [{{eval_time: 5m, alertname: High{fired}}}]\n")
    fired = ", exp_alerts: [{exp_labels: {alertname: High}}]"
    for name, groups in {"a.yml": group.format(v=2, fired=fired) + group.format(v=0, fired=""),
                         "b.yml": group.format(v=0, fired=fired)}.items():  # b's expectation is wrong
        (tmp_path / name).write_text("rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n" + groups)
    failed = run_promtool_tests(tmp_path, ["a.yml", "b.yml"], workers=2)
    assert len(failed) == 1 and "b.part" in failed[0], failed
    assert run_promtool_tests(tmp_path, ["a.yml"], workers=2) == []  # a's two groups, one per promtool
    seen: set[str] = set()
    assert run_promtool_tests(tmp_path, ["a.yml"], seen=seen) == [] and len(seen) == 2
    (tmp_path / "rules.yml").write_text("groups:\n- name: g\n  rules:\n  - alert: High\n    expr: x > 5\n")
    # the same groups on a changed rule are not the same test: they run again (and the firing one now fails)
    assert len(run_promtool_tests(tmp_path, ["a.yml"], seen=seen)) == 1
    # a group that expects silence does not see the alert's labels (another phase's): it is not run again
    (tmp_path / "c.yml").write_text("rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n"
                                    + group.format(v=0, fired=""))
    assert run_promtool_tests(tmp_path, ["c.yml"], seen=seen) == []
    (tmp_path / "rules.yml").write_text("groups:\n- name: g\n  rules:\n  - alert: High\n    expr: x > 5\n"
                                        "    labels: {phase: ongoing}\n")
    for part in tmp_path.glob("*.part*.yml"):
        part.unlink()
    assert run_promtool_tests(tmp_path, ["c.yml"], seen=seen) == [] and not list(tmp_path.glob("*.part*.yml"))


def test_across_drafted_plans_a_group_of_the_same_shape_runs_once(tmp_path):
    """Plans drafted from many documents: a group that differs from one already run only in its names and the
    document's numbers is skipped (with same_shape); one with another comparison, or any group without
    same_shape, runs."""
    rules = {"a": "High\n    expr: x{job=\"a\"} > 2\n", "b": "Big\n    expr: orders{job=\"b\"} > 3\n",
             "c": "Low\n    expr: y{job=\"c\"} < 5\n"}
    group = ("- interval: 1m\n  input_series: [{{series: '{m}{{job=\"{p}\"}}', values: '{v}+0x10'}}]\n"
             "  alert_rule_test: [{{eval_time: 5m, alertname: {a}, exp_alerts: [{{exp_labels: {{job: {p}}}}}]}}]\n")
    for plan, (metric, alert, value) in {"a": ("x", "High", 3), "b": ("orders", "Big", 3),
                                         "c": ("y", "Low", 6)}.items():  # b's and c's values do not fire
        (tmp_path / f"{plan}.rules.yml").write_text(f"groups:\n- name: {plan}\n  rules:\n  - alert: {rules[plan]}")
        (tmp_path / f"{plan}.yml").write_text(f"rule_files: [{plan}.rules.yml]\nevaluation_interval: 1m\ntests:\n"
                                              + group.format(m=metric, p=plan, v=value, a=alert))
    seen: set[str] = set()
    assert run_promtool_tests(tmp_path, ["a.yml"], seen=seen, same_shape=True) == []
    assert run_promtool_tests(tmp_path, ["b.yml"], seen=seen, same_shape=True) == []  # a's shape: not run
    assert len(run_promtool_tests(tmp_path, ["b.yml"], seen=set())) == 1  # (it fails when it runs)
    assert len(run_promtool_tests(tmp_path, ["c.yml"], seen=seen, same_shape=True)) == 1  # "<": a shape of its own


@pytest.mark.parametrize(("name", "phase"), CASES)
def test_alertmanager_config_and_routes(name, phase, generated):
    d = generated[(name, phase)]
    config = d / "alertmanager/alertmanager.yml"
    res = run([binary("amtool"), "check-config", str(config)])
    assert res.returncode == 0, res.stdout + res.stderr
    cases = yaml.safe_load((d / "alertmanager/route-tests.yml").read_text())["tests"]
    severities = {c["labels"].get("severity") for c in cases}
    assert {t.severity for t in load_plan(builtin_plan_path(name)).tiers} <= severities
    for case in cases:
        labels = [f"{k}={v}" for k, v in case["labels"].items()]
        res = run([binary("amtool"), "config", "routes", "test", f"--config.file={config}",
                   f"--verify.receivers={','.join(case['receivers'])}", *labels])
        assert res.returncode == 0, (case, res.stdout, res.stderr)


def test_a_group_runs_against_the_rules_its_alert_reads_and_no_others(tmp_path):
    """The reduced rules keep what an alert reads (a recording rule in another group, the alert an escalation
    reads through ALERTS): without them these groups could not fire. Nothing else is kept."""
    (tmp_path / "rules.yml").write_text(
        "groups:\n- name: records\n  rules:\n  - record: x:doubled\n    expr: x * 2\n"
        "- name: alerts\n  rules:\n  - alert: High\n    expr: x:doubled > 3\n"
        "  - alert: Other\n    expr: y > 1\n"
        "  - alert: Escalated\n    expr: ALERTS{alertname=\"High\", alertstate=\"firing\"} == 1\n    for: 2m\n")
    group = ("- interval: 1m\n  input_series: [{{series: x, values: '2+0x10'}}]\n"
             "  alert_rule_test: [{{eval_time: 5m, alertname: {name}, exp_alerts: [{{exp_labels: {labels}}}]}}]\n")
    (tmp_path / "t.yml").write_text(
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ngroup_eval_order: [records, alerts]\ntests:\n"
        + group.format(name="High", labels="{}")
        + group.format(name="Escalated", labels="{alertstate: firing}"))  # (the ALERTS series' label it keeps)
    assert run_promtool_tests(tmp_path, ["t.yml"], workers=1) == []
    kept = {tuple(r.get("alert") or r["record"] for g in yaml.safe_load(f.read_text())["groups"] for r in g["rules"])
            for f in (tmp_path / ".reduced").glob("*.rules.yml")}
    assert kept == {("x:doubled", "High"), ("x:doubled", "High", "Escalated")}
    (tmp_path / "rules.yml").write_text((tmp_path / "rules.yml").read_text().replace("x * 2", "x"))
    assert len(run_promtool_tests(tmp_path, ["t.yml"], workers=1)) == 1  # the recording rule is really read


@pytest.mark.parametrize("name", PLANS)
def test_every_threshold_becomes_a_tested_rule(name, generated):
    plan = load_plan(builtin_plan_path(name))
    tested: set[str] = set()
    rules: set[str] = set()
    for phase in phases_of(name):
        d = generated[(name, phase)]
        for f in (d / "prometheus/tests").glob("*.yml"):
            for case in yaml.safe_load(f.read_text())["tests"]:
                for check in case.get("alert_rule_test", []):
                    if check["exp_alerts"]:
                        tested.add(check["alertname"])
        groups = yaml.safe_load((d / "prometheus/rules" / f"{name}.yml").read_text())["groups"]
        rules |= {r["alert"] for g in groups for r in g["rules"] if "alert" in r}
    for th in plan.thresholds:
        assert th.alert in rules and th.alert in tested, th.alert
    assert len(plan.thresholds) >= 10, "a plan should carry its document's thresholds"


@pytest.mark.parametrize("name", PLANS)
def test_generation_is_byte_identical(name, tmp_path):
    plan = load_plan(builtin_plan_path(name))
    generate([plan], tmp_path / "a")
    generate([load_plan(builtin_plan_path(name))], tmp_path / "b")
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_generated_tests_catch_a_wrong_threshold(tmp_path):
    """A rule whose number drifts from the plan fails its generated test: the tests can fail."""
    generate([load_plan(builtin_plan_path("whatsapp-quiz"))], tmp_path)
    rules = tmp_path / "prometheus/rules/whatsapp-quiz.yml"
    text = rules.read_text()
    assert "app_request_errors_per_app_requests:ratio_rate5m{job=\"whatsapp-quiz\"} > 0.05" in text
    drifted = text.replace('ratio_rate5m{job="whatsapp-quiz"} > 0.05', 'ratio_rate5m{job="whatsapp-quiz"} > 0.06')
    rules.write_text(drifted)
    res = run([binary("promtool"), "test", "rules", "tests/whatsapp-quiz.yml"], cwd=tmp_path / "prometheus")
    assert res.returncode != 0
    assert "ErrorRateRed" in res.stdout + res.stderr


def test_rules_carry_labels_and_annotations():
    plan = load_plan(builtin_plan_path("whatsapp-quiz"))
    rules = build_rules(plan, "launch-day")
    for alert in rules.alerts + rules.slo_alerts:
        rule = alert.rule
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", str(rule["alert"]))
        assert rule["labels"]["severity"] in ("critical", "high", "medium", "low")
        assert rule["labels"]["plan"] == "whatsapp-quiz" and rule["labels"]["tier"]
        assert {"summary", "description", "runbook_url"} <= set(rule["annotations"])
        assert "{{ $value" in rule["annotations"]["description"]
    for rec in rules.recording + rules.slo_recording:
        assert re.fullmatch(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", str(rec["record"])), rec["record"]


def test_phase_selects_thresholds():
    plan = load_plan(builtin_plan_path("whatsapp-quiz"))
    launch = {a.rule["alert"] for a in build_rules(plan, "launch-day").alerts}
    week = {a.rule["alert"] for a in build_rules(plan, "week-1").alerts}
    assert "QuizCompletionBelowLaunchTarget" in launch and "QuizCompletionBelowLaunchTarget" not in week
    assert "QuizCompletionBelowTarget" in week and "QuizCompletionBelowTarget" not in launch


@pytest.mark.parametrize(("fn", "value", "text"), [
    (humanize, 0, "0"), (humanize, 1234.5, "1.234k"), (humanize, 0.0012, "1.2m"), (humanize, 10.1, "10.1"),
    (humanize_percentage, 0.0505, "5.05%"), (humanize_percentage, 1, "100%"),
    (humanize_duration, 10.1, "10.1s"), (humanize_duration, 7272, "2h 1m 12s"), (humanize_duration, 0.25, "250ms"),
    (humanize_duration, 90000, "1d 1h 0m 0s"),
])
def test_humanize_matches_prometheus(fn, value, text):
    assert fn(value) == text


def test_docs_are_up_to_date(tmp_path):
    """docs/ is generated from the plans (`make docs`); a stale page fails here."""
    from tests.conftest import ROOT, launchwatch_cmd

    res = subprocess.run(launchwatch_cmd("docs", "--out", str(tmp_path)), capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    for page in sorted(tmp_path.rglob("*.md")):
        committed = ROOT / "docs" / page.relative_to(tmp_path)
        assert committed.exists() and committed.read_text() == page.read_text(), f"run `make docs`: {committed}"


def test_runbook_urls_point_at_catalogue_headings():
    from tests.conftest import ROOT

    for name in PLANS:
        plan = load_plan(builtin_plan_path(name))
        page = (ROOT / "docs" / "alerts" / f"{name}.md").read_text().lower()
        for phase in phases_of(name):
            rules = build_rules(plan, phase)
            for alert in rules.alerts + rules.escalations + rules.slo_alerts + rules.monitoring + rules.absent:
                anchor = str(alert.rule["annotations"]["runbook_url"]).split("#")[1]
                assert f"### {anchor}\n" in page, (name, anchor)


def test_business_hours_escalations_notify_in_business_hours_only():
    """post-launch's ongoing phase: Tier 2-4 alerts, and their escalation e-mails, wait for business hours."""
    from launchwatch.alerting.alertmanager import build_alertmanager

    plan = load_plan(builtin_plan_path("post-launch"))
    config, _ = build_alertmanager([plan])
    routes = config["route"]["routes"][0]["routes"]
    gated = [r for r in routes if 'business_hours="true"' in r["matchers"]]
    assert any(m.startswith("escalation=") and m != 'escalation=""' for r in gated for m in r["matchers"])
    assert all(r.get("active_time_intervals") for r in gated)
    assert not any(r.get("active_time_intervals") for r in routes if 'business_hours="true"' not in r["matchers"])


def test_an_opsgenie_pager_is_an_opsgenie_receiver_amtool_accepts(tmp_path):
    """A pager channel with ``service: opsgenie`` (a document that pages through Opsgenie drafts one) is an
    ``opsgenie_configs`` receiver reading its API key from the channel's secret file, not a PagerDuty one; a
    service on a channel that is no pager is refused."""
    from launchwatch.alerting.alertmanager import build_alertmanager
    from launchwatch.plan.loader import PlanError

    doc = yaml.safe_load(builtin_plan_path("video-sessions").read_text())
    pager = next(c for c in doc["channels"] if c["type"] == "pager")
    pager["service"] = "opsgenie"
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    config, _ = build_alertmanager([load_plan(tmp_path / "plan.yml")])
    [receiver] = [r for r in config["receivers"] if r["name"] == pager["name"]]
    assert receiver == {"name": pager["name"], "opsgenie_configs": [{
        "api_key_file": f"/etc/alertmanager/secrets/video-sessions/{pager['name']}", "send_resolved": True}]}
    (tmp_path / "am.yml").write_text(yaml.safe_dump(config))
    am = subprocess.run([binary("amtool"), "check-config", str(tmp_path / "am.yml")], capture_output=True, text=True,
                        timeout=60)
    assert am.returncode == 0, am.stdout + am.stderr
    chat = next(c for c in doc["channels"] if c["type"] == "chat")
    chat["service"], pager["service"] = "opsgenie", None
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(PlanError, match="is a pager's"):
        load_plan(tmp_path / "plan.yml")


def test_a_gauge_with_a_window_is_judged_on_its_average(tmp_path):
    """"Response time above 10 s over 15 minutes": one slow sample does not fire, a quarter hour that averages
    above does; the catalogue has always said "over 15m", the rule must compare the average too."""
    doc = yaml.safe_load(builtin_plan_path("whatsapp-quiz").read_text())
    th = next(t for t in doc["thresholds"] if t["alert"] == "ResponseTimeRed")
    th["window"], th["for"] = "15m", "0s"
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    plan = load_plan(tmp_path / "plan.yml")
    generate([plan], tmp_path / "out", GenerateOptions(phase="launch-day"))
    rule_file = tmp_path / "out/prometheus/rules/whatsapp-quiz.yml"
    assert 'avg_over_time(app_response_time_average_seconds{job="whatsapp-quiz"}[15m]) > 10' in rule_file.read_text()
    alert = next(a for a in build_rules(plan, "launch-day").alerts if a.rule["alert"] == "ResponseTimeRed")
    series = input_series(plan, "app_response_time_average_seconds", {}, {})
    suite = {"rule_files": [str(rule_file)], "evaluation_interval": "1m", "tests": [{
        "interval": "1m",
        # 2 s, one sample at 40 s (the 15-minute average 4.5 s), 2 s again, then 12 s for 20 minutes
        "input_series": [{"series": series, "values": "2x14 40 2x14 12x20"}],
        "alert_rule_test": [
            {"eval_time": "15m", "alertname": "ResponseTimeRed", "exp_alerts": []},
            {"eval_time": "29m", "alertname": "ResponseTimeRed", "exp_alerts": []},
            {"eval_time": "50m", "alertname": "ResponseTimeRed", "exp_alerts": [expected_alert(plan, alert, 12)]}]}]}
    (tmp_path / "suite.yml").write_text(yaml.safe_dump(suite))
    res = run([binary("promtool"), "test", "rules", "suite.yml"], cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_a_count_s_tested_value_prints_the_same_through_float_error():
    """A generated test expects the description Prometheus renders: "<= 500" in 1h was tested at 499.5, which
    Python's %.0f prints "500" and Prometheus, from its increase 499.4999…, "499" (a drafted traffic-light table)."""
    from types import SimpleNamespace

    from launchwatch.alerting.humanize import count
    from launchwatch.alerting.promtool_tests import fire_and_silent_values
    for value in (5, 50, 500, 2500, 12345):  # (an increase of 0 is exact: a counter that did not move)
        for op in ("<=", ">="):
            fire, _ = fire_and_silent_values(SimpleNamespace(kind="increase", op=op, value=float(value)))
            assert count(fire) == count(fire - 1e-6) == count(fire + 1e-6), (op, value, fire)


def test_an_age_takes_no_window(tmp_path):
    doc = yaml.safe_load(builtin_plan_path("video-sessions").read_text())
    th = next(t for t in doc["thresholds"] if t.get("kind") == "age")
    th["window"] = "1h"
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    proc = subprocess.run([sys.executable, "-m", "launchwatch", "check", str(tmp_path / "plan.yml")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "kind 'age' takes no 'window'" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_windows_of_weeks_get_suites_promtool_can_run(tmp_path):
    """"Latency 99% over 28 days" and "zero orders in 28 days" (whose guard reads the 112 days before): at a
    4-minute step their ranges hold more samples than promtool's engine loads (10,000), and the plan's own
    generated suites failed with "query processing would load too many samples"."""
    from launchwatch.draft.plan import draft_from_text
    from launchwatch.output import dump_yaml

    doc, _ = draft_from_text("# Long windows\n## Targets\n- Latency: 99% of requests within 300 ms over 28 days\n"
                             "## Alerts\n- Zero orders in 28 days\n- Refunds > 500 in 30 days\n", "long")
    (tmp_path / "long.yml").write_text(dump_yaml(doc))
    plan = load_plan(tmp_path / "long.yml")
    assert {t.window for t in plan.thresholds} == {28 * 86400, 30 * 86400}
    generate([plan], tmp_path / "out", GenerateOptions())
    tests = tmp_path / "out/prometheus/tests"
    assert run_promtool_tests(tests, sorted(p.name for p in tests.glob("*.yml"))) == []


@pytest.mark.parametrize(("weekdays", "start", "end", "location"), [
    (["monday:friday"], "09:00", "18:00", "Europe/Berlin"), (["Saturday", "sunday"], "00:00", "24:00", "CET"),
    (["mondey:friday"], "09:00", "18:00", "UTC"), (["friday:monday"], "09:00", "18:00", "UTC"),
    (["monday:friday"], "19:00", "17:00", "UTC"), (["monday:friday"], "09:00", "09:00", "UTC"),
    (["monday:friday"], "09:00", "18:00", "Mars/Base"), (["monday:friday"], "09:00", "18:00", "CEST"),
    (["monday: friday"], "09:00", "18:00", "UTC")])
def test_the_plan_refuses_the_business_hours_amtool_refuses_and_no_other(tmp_path, weekdays, start, end, location):
    """A mistyped day or time zone passed `check` and `generate`, and Alertmanager refused the config it was
    given ("unknown time zone Mars/Base"): the plan now refuses exactly what amtool refuses, naming the key."""
    from launchwatch.alerting.alertmanager import build_alertmanager
    from launchwatch.plan.loader import PlanError

    hours = {"weekdays": weekdays, "start": start, "end": end, "location": location}
    bare = {"route": {"receiver": "x", "routes": [{"receiver": "x", "active_time_intervals": ["bh"]}]},
            "receivers": [{"name": "x"}], "time_intervals": [{"name": "bh", "time_intervals": [{
                "weekdays": weekdays, "times": [{"start_time": start, "end_time": end}], "location": location}]}]}
    (tmp_path / "bare.yml").write_text(yaml.safe_dump(bare))
    amtool_ok = subprocess.run([binary("amtool"), "check-config", str(tmp_path / "bare.yml")], capture_output=True,
                               timeout=60).returncode == 0
    doc = yaml.safe_load(builtin_plan_path("whatsapp-rollout").read_text())
    doc["business_hours"] = hours
    (tmp_path / "plan.yml").write_text(yaml.safe_dump(doc, sort_keys=False))
    try:
        plan = load_plan(tmp_path / "plan.yml")
    except PlanError as e:
        assert not amtool_ok, str(e)
        assert re.search(r"plan\.yml:\d+: business_hours(\.weekdays\[0\]|\.location)?: ", str(e)), str(e)
        return
    assert amtool_ok, f"the plan accepts {hours}, which amtool refuses"
    config, _ = build_alertmanager([plan])
    (tmp_path / "am.yml").write_text(yaml.safe_dump(config))
    am = subprocess.run([binary("amtool"), "check-config", str(tmp_path / "am.yml")], capture_output=True, text=True,
                        timeout=60)
    assert am.returncode == 0, am.stdout + am.stderr
