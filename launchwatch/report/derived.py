"""The reports of a plan without ``reports:``: a daily and a weekly one, derived from what it has.

Every signal its thresholds judge, summed up over the period and held to its mildest alert (the
target is not to reach it); every SLO's availability against its objective; the total of every
counter; and the alerts that fired. A team's own plan gets a useful report before anyone writes one.
"""

from __future__ import annotations

from launchwatch.expressions import signal_thresholds, signals
from launchwatch.plan.model import Plan
from launchwatch.plan.reports import Report, ReportRow, ReportSection, Target

__all__ = ["derived_reports"]

_OPPOSITE = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}
_SEVERITY_ORDER = ("low", "medium", "high", "critical")


def _label(name: str) -> str:
    return name.replace("-", " ").replace("_", " ").capitalize()


def _signal_row(plan: Plan, signal: str) -> ReportRow | None:
    try:
        judged = signal_thresholds(plan, signal, plan.phases.default if plan.phases else None)
    except KeyError:  # only `drop` thresholds: they compare with the past, not with a level
        return None
    anchor = judged[0]
    if anchor.kind == "increase":  # judged per window: the period's total is shown, not held to it
        return ReportRow(label=_label(signal), signal=signal)
    mildest = min(judged, key=lambda t: _SEVERITY_ORDER.index(plan.tier(t.tier).severity))
    target = Target(op=_OPPOSITE[mildest.op], value=mildest.value) if mildest.op in _OPPOSITE else None
    return ReportRow(label=_label(signal), signal=signal, target=target, plot=True,
                     note=f"held to {mildest.alert} ({mildest.tier})")


def _sections(plan: Plan) -> list[ReportSection]:
    out = []
    rows = [row for s in signals(plan) if (row := _signal_row(plan, s)) is not None]
    if rows:
        out.append(ReportSection(title="Signals", rows=rows))
    if plan.slos:
        out.append(ReportSection(title="Service levels", rows=[
            ReportRow(label=f"{_label(slo.name)} availability", slo=slo.name,
                      target=Target(op=">=", value=slo.objective), plot=True) for slo in plan.slos]))
    counters = [name for name, ms in plan.metrics.items() if ms[0].type == "counter"]
    if counters:
        out.append(ReportSection(title="Totals", rows=[
            ReportRow(label=_label(name.removesuffix("_total")), metric=name) for name in counters]))
    return out


def derived_reports(plan: Plan) -> list[Report]:
    """A daily and a weekly report of ``plan``, each compared with the period before."""
    sections = _sections(plan)
    if not sections:  # a plan of gauges without thresholds: show their last values
        sections = [ReportSection(title="Metrics", rows=[
            ReportRow(label=_label(name), metric=name) for name, ms in plan.metrics.items() if ms[0].type == "gauge"
        ] or [ReportRow(label="Sources up", expr='sum(launchwatch_target_up)')])]
    return [Report(name="daily", title=f"{plan.title}: daily report", period="day", sections=sections),
            Report(name="weekly", title=f"{plan.title}: weekly report", period="week", sections=sections)]
