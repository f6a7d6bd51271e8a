"""One report computed from Prometheus: each row's value and the previous period's, the alerts that
fired, and the status with its reasons.

Every figure is one instant query at the end of its period (``increase(x[1d])`` evaluated at the
end of the day), so a report can be made for any past period Prometheus still holds.

>>> from launchwatch.plan import builtin_plan_path, load_plan
>>> plan = load_plan(builtin_plan_path("whatsapp-quiz"))
>>> build_report(plan, report_for(plan, None, "day"), "http://127.0.0.1:9090", end=0)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from launchwatch.plan.model import Plan
from launchwatch.plan.reports import Report, ReportRow, Target
from launchwatch.plan.thresholds import Threshold
from launchwatch.prometheus_api import Prometheus, PrometheusError, QueryError, reason
from launchwatch.report.derived import derived_reports
from launchwatch.report.issues import Issue, find_issues
from launchwatch.report.periods import Window, resolve
from launchwatch.report.queries import RowQuery, row_query
from launchwatch.report.status import STATUSES, Reason, colour_of, overall
from launchwatch.report.text import describe_value, span

__all__ = ["ReportError", "ReportResult", "RowResult", "build_report", "phase_of", "report_for", "reports_of"]

PLOT_POINTS = 240  # points per plotted line
_COUNT_UNITS = frozenset({"short", "none"})


class ReportError(Exception):
    """A report that cannot be made (Prometheus unreachable, unknown report or period): one line."""


@dataclass
class RowResult:
    label: str
    unit: str
    aggregation: str
    value: float | None
    previous: float | None = None
    target: Target | None = None
    note: str = ""
    crossed: list[Threshold] = field(default_factory=list)  # alert thresholds the period's value is over
    error: str | None = None
    series: list[tuple[str, list[tuple[float, float]]]] = field(default_factory=list)  # for plots
    judged: tuple[Threshold, ...] = ()
    pending: bool = False  # a total still growing towards its goal in a window that has not ended
    plot_title: str = ""

    def shown(self, value: float | None) -> str:
        """A value of this row as the report writes it (counts as whole numbers)."""
        whole = self.aggregation == "total" and (self.unit in _COUNT_UNITS or self.unit.startswith("suffix:"))
        return describe_value(value, self.unit, whole=whole)

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None without a target or a value, or while it is pending."""
        if self.target is None or self.value is None:
            return None
        met = self.target.met(self.value)
        return None if self.pending and not met else met


@dataclass
class ReportResult:
    plan: Plan
    report: Report
    window: Window
    previous: Window | None
    sections: list[tuple[str, list[RowResult]]]
    issues: list[Issue]
    reasons: list[Reason]
    generated_at: float
    derived: bool = False

    @property
    def status(self) -> str:
        return overall(self.reasons)


def reports_of(plan: Plan) -> tuple[list[Report], bool]:
    """The plan's reports, or the derived daily and weekly ones (True) when it has none."""
    return (list(plan.reports), False) if plan.reports else (derived_reports(plan), True)


def report_for(plan: Plan, name: str | None, period: str | None) -> Report:
    """The report called ``name``; else the one whose period is ``period``; else the first one."""
    reports, _ = reports_of(plan)
    if name is not None:
        for r in reports:
            if r.name == name:
                return r
        raise ReportError(f"plan {plan.plan} has no report {name!r}; reports: {', '.join(r.name for r in reports)}")
    for r in reports:
        if period is not None and r.period == period:
            return r
    return reports[0]


def phase_of(plan: Plan, report: Report, window: Window) -> str | None:
    """The plan phase whose thresholds judge the report: its own, the one named like the window, else
    the plan's default."""
    if plan.phases is None:
        return None
    if report.phase is not None:
        return report.phase
    return window.name if window.name in plan.phases.names else plan.phases.default


def _number(answer: list[dict]) -> float | None:
    """The one number of an instant query's answer; NaN, infinities and an empty answer are no data."""
    if not answer:
        return None
    if len(answer) > 1:
        raise QueryError(f"the query gives {len(answer)} series, not one number: aggregate it, e.g. sum(...)")
    value = float(answer[0]["value"][1])
    return None if math.isnan(value) or math.isinf(value) else value


def _crosses(th: Threshold, value: float) -> bool:
    return Target(op=th.op, value=th.value).met(value)


def build_report(plan: Plan, report: Report, prometheus: str | Prometheus, *, end: float | None = None,
                 period: str | None = None, launch_at: float | None = None, plots: bool = False,
                 derived: bool = False) -> ReportResult:
    """Compute ``report`` for the period ending at ``end`` (default now), or the named window."""
    prom = prometheus if isinstance(prometheus, Prometheus) else Prometheus(prometheus)
    try:
        prom.check()
    except PrometheusError as exc:
        raise ReportError(str(exc)) from None
    now = time.time()
    end = now if end is None else end
    if launch_at is None and plan.launch_at is not None:
        launch_at = plan.launch_at.timestamp()
    try:
        window = resolve(period or report.period, end=end, launch_at=launch_at)
    except ValueError as exc:
        raise ReportError(str(exc)) from None
    previous = window.previous() if report.compare else None
    phase = phase_of(plan, report, window)
    queries = [(section.title, [row_query(plan, row, phase) for row in section.rows]) for section in report.sections]
    flat = [q for _, qs in queries for q in qs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        rows = list(pool.map(lambda q: _row(prom, q, window, previous, plots), flat))
        alerts = pool.submit(_alerts, prom, plan, window) if report.issues else None
        issues = alerts.result() if alerts else []
    it = iter(rows)
    sections = [(title, [next(it) for _ in qs]) for title, qs in queries]
    reasons = _reasons(plan, sections, issues)
    return ReportResult(plan, report, window, previous, sections, issues, reasons, now, derived)


def _row(prom: Prometheus, q: RowQuery, window: Window, previous: Window | None, plots: bool) -> RowResult:
    row: ReportRow = q.row
    out = RowResult(row.label, q.unit, q.aggregation, None, target=row.target, note=row.note, judged=q.judged)
    # "> 100 interactions on launch day" cannot be missed before the day is over
    out.pending = window.in_progress and q.aggregation == "total" and row.target is not None and \
        row.target.op in (">", ">=")
    try:
        out.value = _number(prom.instant(q.value(window.range), window.end))
        if previous is not None:
            out.previous = _number(prom.instant(q.value(previous.range), previous.end))
        plotted = row.plot if row.plot is not None else (row.signal is not None or row.slo is not None)
        if plots and plotted and q.series is not None:
            bucket = "1h" if window.length >= 86400 else "5m"
            out.plot_title = f"{row.label} (per {bucket})" if q.aggregation == "total" else row.label
            step = max(window.length / PLOT_POINTS, 15.0)
            for s in prom.range(q.series(bucket), window.start, window.end, step):
                points = [(float(t), float(v)) for t, v in s["values"]]
                label = ",".join(f"{k}={v}" for k, v in sorted(s["metric"].items()) if k not in ("job", "instance"))
                out.series.append((label or row.label, points))
    except QueryError as exc:
        out.error = str(exc)
    except requests.RequestException as exc:
        out.error = f"Prometheus: {reason(exc)}"
    if out.value is not None:
        out.crossed = [th for th in q.judged if _crosses(th, out.value)]
    return out


def _alerts(prom: Prometheus, plan: Plan, window: Window) -> list[Issue]:
    expr = f'ALERTS{{alertstate="firing",plan="{plan.plan}"}}[{window.range}]'
    try:
        series = prom.instant(expr, window.end)
    except QueryError as exc:
        raise ReportError(f"the alerts that fired could not be read: {exc}") from None
    except requests.RequestException as exc:
        raise ReportError(f"the alerts that fired could not be read: {reason(exc)}") from None
    return find_issues(plan, series, window.start, window.end)


def _reasons(plan: Plan, sections: list[tuple[str, list[RowResult]]], issues: list[Issue]) -> list[Reason]:
    out: list[Reason] = []
    for issue in issues:
        out.append(Reason(colour_of(issue.severity),
                          f"alert {issue.alert} ({issue.tier}, {issue.severity}) fired {span(issue)}"))
    for _title, rows in sections:
        for row in rows:
            shown = row.shown(row.value)
            for th in row.crossed:
                out.append(Reason(colour_of(plan.tier(th.tier).severity),
                                  f"{row.label} {shown} is {_op_words(th.op)} the {th.tier} threshold "
                                  f"{describe_value(th.value, row.unit)} (alert {th.alert})"))
            if row.met is False:
                assert row.target is not None
                out.append(Reason("YELLOW", f"{row.label} {shown} missed its target {row.target.op} "
                                  f"{describe_value(row.target.value, row.unit)}"))
            if row.pending and row.met is None and row.value is not None:
                assert row.target is not None
                out.append(Reason("GREEN", f"{row.label} {shown} so far, goal {row.target.op} "
                                  f"{describe_value(row.target.value, row.unit)} by the end of the period"))
            if row.target is not None and row.value is None:
                why = f" ({row.error})" if row.error else ""
                out.append(Reason("YELLOW", f"{row.label}: no data{why}, target {row.target.op} "
                                  f"{describe_value(row.target.value, row.unit)}"))
    return sorted(out, key=lambda r: -STATUSES.index(r.status))


def _op_words(op: str) -> str:
    return {">": "over", ">=": "at or over", "<": "under", "<=": "at or under", "==": "at"}[op]
