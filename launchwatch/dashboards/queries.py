"""The PromQL, legend and unit of one panel query, from the plan.

A ``signal`` (or ``alert``) query reads exactly what its alerts compare (the same expression,
through the same recording rule, over the rule's own window); an ``slo`` query reads the SLO's
30-day availability; a ``metric`` query aggregates a plan metric; an ``expr`` is the author's own
PromQL. Every selector is then scoped to the dashboard's ``$job`` and
``$instance`` variables, as the dashboard linter asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchwatch.expressions import (
    SLO_PERIOD,
    TimeScale,
    metric_names,
    same_expression,
    scope_selectors,
    signal_for,
    signal_thresholds,
    signal_unit,
    slo_record,
    threshold_named,
    unit_of_metric,
)
from launchwatch.plan.dashboards import Query
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import Slo, Threshold

__all__ = ["JOB_MATCHERS", "PanelQuery", "resolve", "scoped"]

JOB_MATCHERS = 'job=~"$job",instance=~"$instance"'
AGGREGATED_MATCHERS = 'job=~"$job"'  # recording rules sum instances away: they carry no instance label
_RATE_UNITS = {"rate": "cps", "per_minute": "cpm", "per_hour": "short", "increase": "short"}
_PER = {"rate": "", "per_minute": " * 60", "per_hour": " * 3600"}


@dataclass(frozen=True)
class PanelQuery:
    expr: str
    legend: str
    unit: str
    judged: tuple[Threshold, ...] = ()  # the alerts on exactly this expression: its colours and lines
    slo: Slo | None = None  # an SLO's availability: coloured by its objective


def scoped(plan: Plan, expr: str, matchers: str = JOB_MATCHERS, aggregated: str = AGGREGATED_MATCHERS) -> str:
    """``expr`` with every selector of the plan's metrics (and recording rules) scoped to the dashboard."""
    return scope_selectors(expr, metric_names(plan), matchers, aggregated)


def _legend(by: list[str]) -> str:
    # precomputed percentiles carry PERCENTILE_LABEL with values such as "p95": legends read as written
    return " ".join("{{" + label + "}}" for label in by)


def _metric_expr(plan: Plan, q: Query) -> tuple[str, str]:
    assert q.metric is not None
    matchers = ",".join(f'{k}="{v}"' for k, v in sorted(q.matchers.items()))
    sel = f"{q.metric}{{{matchers}}}" if matchers else q.metric
    counter = q.metric.endswith("_total")
    agg = q.aggregation or ("rate" if counter else "max")
    grouping = f" by ({', '.join(q.by)})" if q.by else ""
    if agg == "increase":
        expr = f"sum{grouping} (increase({sel}[$__range]))"
    elif agg in _PER:
        expr = f"sum{grouping} (rate({sel}[$__rate_interval])){_PER[agg]}"
    else:
        expr = f"{agg}{grouping} ({sel})"
    unit = _RATE_UNITS[agg] if agg in _RATE_UNITS else ("short" if agg == "count" else unit_of_metric(q.metric))
    if unit == "dateTimeAsIso":  # Grafana's date units read milliseconds; the metric holds seconds
        expr = f"{expr} * 1000"
    return expr, unit


def resolve(plan: Plan, q: Query, phase: str | None, matchers: tuple[str, str] | None = None) -> PanelQuery:
    """The scoped PromQL, legend and unit of ``q``; ``matchers`` (for raw series, for recording
    rules) replace the dashboard's ``$job``/``$instance`` ones."""
    raw, aggregated = matchers or (JOB_MATCHERS, AGGREGATED_MATCHERS)
    if q.signal is not None or q.alert is not None:
        if q.signal is not None:
            judged = signal_thresholds(plan, q.signal, phase)
            anchor = judged[0]
        else:
            anchor = threshold_named(plan, str(q.alert))
            judged = same_expression(plan, anchor, phase)
        signal = signal_for(plan, anchor, TimeScale())
        unit = signal_unit(anchor)
        extra = [label for label in signal.labels if label not in ("job", "instance")]
        legend = q.legend if q.legend is not None else (_legend(extra) if extra else q.signal or anchor.alert)
        return PanelQuery(scoped(plan, signal.expr, raw, aggregated), legend, unit, tuple(judged))
    if q.slo is not None:
        slo = next(s for s in plan.slos if s.name == q.slo)
        expr = f'1 - {slo_record(SLO_PERIOD)}{{slo="{slo.name}"}}'
        return PanelQuery(scoped(plan, expr, raw, aggregated), q.legend or slo.name, "percentunit", slo=slo)
    if q.metric is not None:
        expr, unit = _metric_expr(plan, q)
        legend = q.legend if q.legend is not None else (_legend(q.by) if q.by else q.metric)
        return PanelQuery(scoped(plan, expr, raw, aggregated), legend, unit)
    assert q.expr is not None
    return PanelQuery(scoped(plan, q.expr, raw, aggregated), q.legend or "", "short")
