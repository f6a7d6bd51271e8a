"""Simulated history → OpenMetrics → promtool backfill → real Prometheus, with the rules' alerts.

Expectations come from the OpenMetrics file (parsed here with prometheus_client's parser, not the
writer's code) and from the incidents' sidecar; alert timings from the generated rules' ``for``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from launchwatch.alerting.generate import GenerateOptions
from launchwatch.backfill import Rule, alert_states, load_rules, plan_rule_text, rule_levels
from launchwatch.generate import generate
from launchwatch.plan import builtin_plan_path, load_plan
from launchwatch.simulator.faults import FAULTS, Faults
from launchwatch.simulator.incidents import INCIDENTS, script
from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import build_routes
from tests.conftest import binary, free_port, launchwatch_cmd
from tests.history import Backfilled, backfilled, backfilled_week  # noqa: F401 (fixture)

PLAN = "whatsapp-quiz"
DAY_END = "2026-01-02T00:00:00Z"
INCIDENT = "payment-failure at +14h for 1h"  # 14:00-15:00 UTC, the day's busy hours


def _samples(path: Path) -> dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]]:
    """Every series of an OpenMetrics file: (name, labels) → [(timestamp, value)]."""
    out: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]] = {}
    for family in text_string_to_metric_families(path.read_text()):
        for s in family.samples:
            out.setdefault((s.name, tuple(sorted(s.labels.items()))), []).append((float(s.timestamp), s.value))
    return out


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Backfilled:
    """One day of whatsapp-quiz with one payment outage, backfilled with the `backfill` command, on a
    Prometheus that runs the generated prometheus.yml (its exporter and Alertmanager on unused ports)."""
    work = tmp_path_factory.mktemp("day")
    generate([load_plan(builtin_plan_path(PLAN))], work / "generated", GenerateOptions(
        exporter=f"127.0.0.1:{free_port()}", alertmanagers=(f"127.0.0.1:{free_port()}",), dashboards=False))
    with backfilled(PLAN, work / "prom", span="1d", end=DAY_END, incidents=[INCIDENT],
                    config=work / "generated/prometheus/prometheus.yml") as history:
        yield history


def test_history_cli_writes_openmetrics_promtool_backfills(tmp_path: Path) -> None:
    """The commands themselves: simulate --history, then backfill; clear one-line errors otherwise."""
    out = tmp_path / "h.om"
    res = subprocess.run([*launchwatch_cmd(), "simulate", "--plan", PLAN, "--history", "2h", "-o", str(out),
                          "--end", DAY_END, "--seed", "1", "--incident", "down@/api/health at +1h for 10m"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "241 scrapes every 30s" in res.stdout and "down@/api/health 2026-01-01T23:00:00Z" in res.stdout
    meta = json.loads(Path(f"{out}.incidents.json").read_text())
    assert meta["incidents"][0]["fault"] == "down" and meta["job"] == PLAN and meta["step"] == 30
    assert out.read_text().endswith("# EOF\n")
    data = tmp_path / "data"
    res = subprocess.run(launchwatch_cmd("backfill", "--plan", PLAN, "--history", str(out), "--data-dir", str(data)),
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "ServerDown (critical) 2026-01-01T23:01:00Z → 2026-01-01T23:09:30Z" in res.stdout
    for args, message in ((["--data-dir", str(data)], "is not empty"),
                          (["--data-dir", str(tmp_path / "d2"), "--history", str(tmp_path / "nope.om")], "not found")):
        res = subprocess.run([*launchwatch_cmd(), "backfill", "--plan", PLAN, "--history", str(out), *args],
                             capture_output=True, text=True)
        assert res.returncode == 1 and message in res.stderr and "Traceback" not in res.stderr
        assert len(res.stderr.strip().splitlines()) == 1
    res = subprocess.run(launchwatch_cmd("simulate", "--plan", PLAN, "--history", "1h", "-o", str(tmp_path / "x.om"),
                                         "--incident", "down@/nowhere at +1m for 1m"), capture_output=True, text=True)
    assert res.returncode == 1 and "no endpoint /nowhere" in res.stderr and "Traceback" not in res.stderr


def test_counter_increase_equals_the_file(day: Backfilled) -> None:
    """(a) What Prometheus says a counter grew by over the day is what the OpenMetrics file holds."""
    series = _samples(day.history)
    key = ("quiz_completions_total", (("instance", day.meta.instance), ("job", PLAN)))
    points = series[key]
    assert points[0][0] == day.meta.start and points[-1][0] == day.meta.end and len(points) == 2881
    assert points[-1][1] > 1000  # a launch day's completions
    got = day.query(f'increase(quiz_completions_total{{job="{PLAN}"}}[1d])')
    assert float(got[0]["value"][1]) == pytest.approx(points[-1][1] - points[0][1])
    count = day.query(f'count_over_time(quiz_completions_total{{job="{PLAN}"}}[1d])')
    assert float(count[0]["value"][1]) == len(points)
    # every series of the file is in Prometheus, job and instance as the generated prometheus.yml gives them
    names = {name for name, _ in series}
    assert {"up", "launchwatch_target_up", "launchwatch_build_info", "payment_gateway_up"} <= names
    stored = {(s.pop("__name__"), tuple(sorted(s.items())))
              for s in day.series(f'{{job="{PLAN}",__name__!~"ALERTS.*|.*:.*"}}')}
    assert stored == set(series)


def test_incident_fires_its_alert_for_the_scripted_stretch(day: Backfilled, tmp_path: Path) -> None:
    """(b) The payment outage's alert is firing in ALERTS from start+for to the outage's last evaluation."""
    incident = day.meta.incidents[0]
    rule = next(r for r in load_rules([_generated_rules(PLAN, tmp_path)]) if r.name == "PaymentProcessingFailure")
    step = day.meta.step
    firing = day.query_range('ALERTS{alertname="PaymentProcessingFailure",alertstate="firing"}',
                             day.meta.start, day.meta.end)
    raw = day.query('ALERTS{alertname="PaymentProcessingFailure",alertstate="firing"}[1d]')
    stamps = [float(t) for t, _ in raw[0]["values"]]
    assert incident.start + rule.hold <= stamps[0] <= incident.start + rule.hold + step
    assert incident.end - step <= stamps[-1] <= incident.end
    assert stamps == [stamps[0] + i * step for i in range(len(stamps))]  # no gap
    assert firing and firing[0]["metric"]["severity"] == "critical"
    for_state = day.query('ALERTS_FOR_STATE{alertname="PaymentProcessingFailure"}', at=incident.start + 600)
    assert float(for_state[0]["value"][1]) == pytest.approx(incident.start, abs=step)
    # the recording rules were backfilled too, and the Prometheus running the generated config reads them
    assert day.query('job:payments_rejected_per_payments:ratio_rate15m', at=incident.start + 1800)


def test_no_alert_in_a_clean_stretch(day: Backfilled) -> None:
    """(c) Before the outage the launch is healthy: no alert fires (nor pends)."""
    clean = day.meta.incidents[0].start - 60
    got = day.query(f"count_over_time(ALERTS[{int(clean - day.meta.start)}s])", at=clean)
    assert got == []
    names = {s.alertname for s in day.spans}
    assert {"PaymentProcessingFailure", "PaymentsFailing"} <= names
    assert all(s.start >= day.meta.incidents[0].start for s in day.spans)


def test_week_incidents_fire_and_nothing_else(backfilled_week: Backfilled) -> None:  # noqa: F811
    """The session week: every scripted incident fires an alert within minutes, and every alert that
    fires belongs to an incident (SLO burn-rate alerts outlast theirs by their long windows)."""
    week = backfilled_week
    assert len(week.meta.incidents) == len(INCIDENTS[PLAN])
    got = week.query('count by (alertname) (count_over_time(ALERTS{alertstate="firing"}[7d]))')
    assert {r["metric"]["alertname"] for r in got} == {s.alertname for s in week.spans}
    for incident in week.meta.incidents:
        assert any(incident.start <= s.start <= incident.start + 40 * 60 for s in week.spans), incident.describe()
    for span in week.spans:
        linger = 7 * 3600 if "ErrorBudgetBurn" in span.alertname else 3600  # 1h windows drain for an hour
        assert any(i.start <= span.start and span.end <= i.end + linger for i in week.meta.incidents), span.describe()
    # the daily rhythm: the busiest hour sees several times the traffic of the quietest
    rates = week.query_range(f'sum(rate(whatsapp_interactions_total{{job="{PLAN}"}}[1h]))',
                             week.meta.start + 86400, week.meta.start + 2 * 86400, 3600)
    values = [float(v) for _, v in rates[0]["values"]]
    assert max(values) > 3 * min(values)


def test_alert_state_machine_agrees_with_promtool(tmp_path: Path) -> None:
    """The backfill's alert states (for, keep_firing_for, resolve and re-fire) are Prometheus' own:
    promtool test rules runs the real rule engine on the same series and expects what ours gives."""
    values = [0] * 4 + [1] * 6 + [0] + [1] * 5 + [0] * 3 + [1] * 8 + [0] * 6 + [1] * 2 + [0] * 6
    step = 30.0
    rule = Rule("g", "Broken", "x > 0", True, hold=120.0, keep_firing_for=60.0, labels=(("severity", "page"),))
    grid = [i * step for i in range(len(values))]
    labels = {"__name__": "x", "job": "j"}
    present = [{(("alertname", "Broken"), ("job", "j"), ("severity", "page")):
                {"alertname": "Broken", "job": "j", "severity": "page"}} if v else {} for v in values]
    series, spans = alert_states(rule, grid, present)
    # pending at 120 s, firing from 240 s; lulls of one step kept by keep_firing_for, resolved 60 s into the
    # third; a last blip of two steps never fires
    assert [(s.start, s.end) for s in spans] == [(240.0, 510.0), (690.0, 840.0)]
    firing_at = {t for key, points in series.items() if ("alertstate", "firing") in key for t, _ in points}
    pending_at = {t for key, points in series.items() if ("alertstate", "pending") in key for t, _ in points}
    rules = {"groups": [{"name": "g", "rules": [{"alert": "Broken", "expr": "x > 0", "for": "2m",
                                                  "keep_firing_for": "1m", "labels": {"severity": "page"}}]}]}
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    series_text = " ".join(str(v) for v in values)
    tests = []
    for t in grid:
        exp = [{"exp_labels": {"job": "j", "severity": "page"}}] if t in firing_at else []
        tests.append({"eval_time": f"{int(t)}s", "alertname": "Broken", "exp_alerts": exp})
    promql = [{"expr": 'ALERTS{alertstate="pending"}', "eval_time": f"{int(t)}s",
               "exp_samples": [{"labels": 'ALERTS{alertname="Broken",alertstate="pending",job="j",severity="page"}',
                                "value": 1}] if t in pending_at else []} for t in grid]
    test = {"rule_files": ["rules.yml"], "evaluation_interval": "30s",
            "tests": [{"interval": "30s", "input_series": [{"series": f'x{{job="{labels["job"]}"}}',
                                                            "values": series_text}],
                       "alert_rule_test": tests, "promql_expr_test": promql}]}
    (tmp_path / "test.yml").write_text(yaml.safe_dump(test))
    res = subprocess.run([binary("promtool"), "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stdout + res.stderr


def test_rule_levels_put_escalations_after_their_base(tmp_path: Path) -> None:
    rules = load_rules([_generated_rules("video-sessions", tmp_path)])
    levels = rule_levels(rules)
    where = {r.name: i for i, level in enumerate(levels) for r in level}
    assert where["ErrorRatePageOnCallEscalatedTier2"] > where["ErrorRatePageOnCall"] \
        > where["job:app_request_errors_per_app_requests:ratio_rate5m"]
    assert where["job_slo:error_budget_remaining:ratio30d"] > where["job_slo:sli_error:ratio_rate30d"]


@pytest.mark.parametrize("plan", sorted(INCIDENTS))
def test_incident_table_fits_the_scenarios(plan: str) -> None:
    """Every plan has a table; each entry names a fault and an endpoint its scenario serves, and a
    week holds all of them whatever the hour it starts."""
    routes = build_routes(plan, Launch(Faults(), seed=1))
    for fault, endpoint, *_ in INCIDENTS[plan]:
        assert fault in FAULTS and (endpoint is None or endpoint in routes)
    for hour in range(0, 24, 5):
        start = 1767225600.0 + hour * 3600
        assert len(script(plan, start, start + 7 * 86400)) == len(INCIDENTS[plan])


def _generated_rules(plan: str, folder: Path) -> Path:
    path = folder / f"{plan}.yml"
    path.write_text(plan_rule_text(load_plan(builtin_plan_path(plan))))
    return path
