"""The parts of `launchwatch report` that need no Prometheus: periods, firings, wording, the status
rule, derived reports and the plan checks of `reports:`. The figures themselves are held to a real
Prometheus on a backfilled history in tests/test_report.py."""

from __future__ import annotations

import pytest

from launchwatch.plan import PlanError, builtin_plan_path, builtin_plans, load_plan, load_plan_text
from launchwatch.plan.reports import Report, ReportRow, Target
from launchwatch.report.compute import RowResult, report_for, reports_of
from launchwatch.report.derived import derived_reports
from launchwatch.report.issues import find_issues, runs
from launchwatch.report.periods import resolve
from launchwatch.report.queries import row_query
from launchwatch.report.status import Reason, colour_of, overall
from launchwatch.report.text import change, describe_value

DAY = 86400.0

CUSTOM = """\
plan: shop
title: A shop nobody wrote a report for
base_url: http://127.0.0.1:1
tiers:
  - {name: PAGE, severity: critical, channels: [ops]}
  - {name: WARN, severity: medium, channels: [ops]}
channels:
  - {name: ops, type: chat}
sources:
  - name: stats
    url: /stats
    metrics:
      - {name: shop_orders_total, help: Orders, type: counter, path: $.orders}
      - {name: shop_failed_orders_total, help: Failed orders, type: counter, path: $.failed}
      - {name: shop_latency_seconds, help: p95 latency, type: gauge, path: $.p95}
thresholds:
  - {alert: OrdersFailing, summary: Orders fail, section: x, tier: PAGE, metric: shop_failed_orders_total,
     kind: ratio, denominator: shop_orders_total, window: 15m, op: ">", value: 0.1}
  - {alert: OrdersFailingSome, summary: Some orders fail, section: x, tier: WARN, metric: shop_failed_orders_total,
     kind: ratio, denominator: shop_orders_total, window: 15m, op: ">", value: 0.02}
  - {alert: Slow, summary: Slow, section: x, tier: WARN, metric: shop_latency_seconds, op: ">", value: 2}
"""


# ------------------------------------------------------------------------------------------- periods


def test_fixed_periods_end_at_the_end_and_the_previous_one_is_just_before() -> None:
    w = resolve("week", end=30 * DAY)
    assert (w.start, w.end, w.range) == (23 * DAY, 30 * DAY, "604800s")
    p = w.previous()
    assert (p.start, p.end) == (16 * DAY, 23 * DAY)


def test_windows_count_from_launch_and_a_running_one_is_cut_at_the_end() -> None:
    launch = 100 * DAY + 3600
    assert (resolve("launch-day", end=200 * DAY, launch_at=launch).start) == launch
    week2 = resolve("week-2", end=200 * DAY, launch_at=launch)
    assert (week2.start, week2.end, week2.in_progress) == (launch + 7 * DAY, launch + 14 * DAY, False)
    running = resolve("first-week", end=launch + 2 * DAY, launch_at=launch)
    assert (running.end, running.in_progress) == (launch + 2 * DAY, True)


@pytest.mark.parametrize(("period", "launch", "message"), [
    ("launch-day", None, "counts from the launch"),
    ("week-3", 0.0, "starts at"),
    ("fortnight", 0.0, "is not a period"),
])
def test_periods_that_cannot_be_made_say_why(period: str, launch: float | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        resolve(period, end=10 * DAY, launch_at=launch)


# ------------------------------------------------------------------------------------------ firings


def test_samples_without_a_gap_are_one_firing() -> None:
    assert runs([0, 15, 30, 45], 15.0) == [(0, 45)]
    assert runs([0, 15, 30, 200, 215], 15.0) == [(0, 30), (200, 215)]


def _series(alert: str, severity: str, times: list[float], **labels: str) -> dict:
    return {"metric": {"__name__": "ALERTS", "alertname": alert, "alertstate": "firing", "severity": severity,
                       "tier": "T", "plan": "shop", **labels},
            "values": [[t, "1"] for t in times]}


def test_firings_end_one_evaluation_after_their_last_sample_and_say_when_they_are_still_on() -> None:
    plan = load_plan_text(CUSTOM)
    start, end = 0.0, 3600.0
    series = [_series("OrdersFailing", "critical", [600 + 30 * i for i in range(20)]),
              _series("Slow", "medium", [3000 + 30 * i for i in range(20)], endpoint="/cart")]
    first, second = find_issues(plan, series, start, end)
    assert (first.alert, first.start, first.end, first.duration) == ("OrdersFailing", 600, 1200, 600)
    assert not first.ongoing and first.summary == "Orders fail"
    assert second.ongoing and second.end == end and second.labels == {"endpoint": "/cart"}


# ------------------------------------------------------------------------------------------ wording


def test_changes_are_points_for_ratios_and_relative_otherwise() -> None:
    assert change(0.05, 0.04, "percentunit") == "+1.0 pp"
    assert change(80, 100, "short") == "-20%"
    assert change(101, 100, "short") == "+1.0%"
    assert change(3, 0, "short") == "new"
    assert change(None, 3, "short") == "–"


def test_counts_are_whole_and_units_read_like_grafana() -> None:
    assert describe_value(97.4, "short", whole=True) == "97"
    assert describe_value(85312.2, "short", whole=True) == "85,312"
    assert describe_value(85710, "suffix: ARS", whole=True) == "85,710 ARS"
    assert describe_value(0.0123, "percentunit") == "1.23%"
    assert describe_value(None, "s") == "no data"


# ------------------------------------------------------------------------------------------- status


def test_paging_tiers_make_red_the_others_yellow_and_nothing_green() -> None:
    assert colour_of("critical") == colour_of("high") == "RED"
    assert colour_of("medium") == colour_of("low") == "YELLOW"
    assert overall([]) == "GREEN"
    assert overall([Reason("GREEN", "not yet")]) == "GREEN"
    assert overall([Reason("YELLOW", "a"), Reason("RED", "b")]) == "RED"


def test_a_goal_of_a_running_window_is_pending_not_missed() -> None:
    row = RowResult("Interactions", "short", "total", 40.0, target=Target(op=">", value=100))
    assert row.met is False
    row.pending = True
    assert row.met is None
    row.value = 120.0
    assert row.met is True


# ------------------------------------------------------------------------------------------ reports


def test_a_plan_without_reports_gets_a_derived_daily_and_weekly_one() -> None:
    plan = load_plan_text(CUSTOM)
    reports, derived = reports_of(plan)
    assert derived and [r.period for r in reports] == ["day", "week"]
    rows = {row.label: row for row in reports[0].rows}
    # each signal held to its mildest alert; every counter totalled
    failing = rows["Shop failed orders total"]
    assert failing.target == Target(op="<=", value=0.02) and failing.plot
    assert rows["Shop latency seconds"].target == Target(op="<=", value=2)
    assert {"Shop orders", "Shop failed orders"} <= set(rows)
    assert report_for(plan, None, "week").name == "weekly"


def test_a_ratio_row_is_the_ratio_of_the_period_totals() -> None:
    plan = load_plan_text(CUSTOM)
    row = next(r for r in derived_reports(plan)[0].rows if r.signal == "shop_failed_orders_total")
    q = row_query(plan, row, None)
    assert q.value("86400s") == ('sum(increase(shop_failed_orders_total{job="shop"}[86400s])) / '
                                 'sum(increase(shop_orders_total{job="shop"}[86400s]))')
    assert [t.alert for t in q.judged] == ["OrdersFailing", "OrdersFailingSome"]
    # the same signal's numerator summed over the period is a count, not a ratio
    total = row_query(plan, ReportRow(label="failed", signal="shop_failed_orders_total", aggregation="total"), None)
    assert total.unit == "short" and total.judged == ()
    assert total.value("1d") == 'sum(increase(shop_failed_orders_total{job="shop"}[1d]))'


@pytest.mark.parametrize("name", builtin_plans())
def test_every_builtin_plan_has_reports_with_rows_that_resolve(name: str) -> None:
    plan = load_plan(builtin_plan_path(name))
    assert plan.reports, f"{name} has no reports: its document's templates belong there"
    for report in plan.reports:
        for row in report.rows:
            q = row_query(plan, row, plan.phases.default if plan.phases else None)
            assert f'job="{plan.job_name}"' in q.value("1d")


@pytest.mark.parametrize(("row", "message"), [
    ("{label: x, signal: no-such-signal}", "unknown signal 'no-such-signal'"),
    ("{label: x, metric: shop_latency_seconds, aggregation: total}", "is a gauge: use avg, max, min or last"),
    ("{label: x, metric: shop_orders_total, per: shop_latency_seconds}", "'per' takes a counter"),
    ("{label: x, metric: shop_orders_total, matchers: {colour: red}}", "unknown label of shop_orders_total"),
    ("{label: x, metric: shop_orders_total, expr: up}", "give exactly one of"),
])
def test_a_broken_report_row_names_file_line_and_key(row: str, message: str) -> None:
    text = CUSTOM + f"reports:\n  - name: daily\n    title: Daily\n    sections:\n      - title: S\n        rows:\n" \
                    f"          - {row}\n"
    with pytest.raises(PlanError) as err:
        load_plan_text(text, "shop.yml")
    line = len(CUSTOM.splitlines()) + 7
    assert message in str(err.value)
    assert f"shop.yml:{line}" in str(err.value) and "reports[0].sections[0].rows[0]" in str(err.value)


def test_report_names_are_unique() -> None:
    report = Report(name="daily", title="D", sections=[{"title": "S", "rows": [ReportRow(label="x", expr="1")]}])
    assert report.rows[0].label == "x"
    text = CUSTOM + "reports:\n" + "".join(
        "  - {name: daily, title: D, sections: [{title: S, rows: [{label: x, expr: '1'}]}]}\n" for _ in range(2))
    with pytest.raises(PlanError, match="report 'daily' is already reports\\[0\\]"):
        load_plan_text(text, "shop.yml")


def test_a_report_names_a_phase_the_plan_has() -> None:
    text = CUSTOM + ("phases: {names: [launch, ongoing], default: launch}\nreports:\n"
                     "  - {name: d, title: D, phase: later, sections: [{title: S, rows: [{label: x, expr: '1'}]}]}\n")
    with pytest.raises(PlanError, match="unknown phase 'later'"):
        load_plan_text(text, "shop.yml")
