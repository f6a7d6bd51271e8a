"""The PromQL of a report row: one number for the period, and a series over it for the plots.

Each row is summed up over the whole period in the way that keeps its meaning:

- a **ratio** (errors per request, completions per start) is the ratio of the two totals over the
  period, ``sum(increase(errors[1d])) / sum(increase(requests[1d]))``, not an average of ratios;
- a **count** is the counter's increase over the period;
- a **level** (a gauge: latency, satisfaction, open tickets) is its average, maximum, minimum or
  last value over the period (``avg_over_time`` …), added up across series when it counts things
  (tickets per channel) and averaged when it is a level in a unit (seconds, ratios);
- an **SLO** is the share of good events (or passed probes) over the period.

Selectors come from ``launchwatch.expressions``, so a row reads the same series as the alert and
the panel of its signal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from launchwatch.expressions import (
    TimeScale,
    count_like,
    metric_names,
    scope_selectors,
    selector,
    signal_for,
    signal_thresholds,
    signal_unit,
    slo_error_expr,
    unit_of_metric,
)
from launchwatch.plan.model import Plan
from launchwatch.plan.reports import ReportRow
from launchwatch.plan.thresholds import Threshold

__all__ = ["RowQuery", "row_query"]

_OVER_TIME = {"avg": "avg_over_time", "max": "max_over_time", "min": "min_over_time", "last": "last_over_time"}
SUBQUERY_STEP = "1m"  # resolution of a windowed signal's min/max/avg over the period


@dataclass(frozen=True)
class RowQuery:
    """How a row is computed: ``value(range)`` gives one number at the end of a period of ``range``;
    ``series(bucket)`` a line over time for the plots; ``judged`` the thresholds the value is held to."""

    row: ReportRow
    aggregation: str
    unit: str
    value: Callable[[str], str]
    series: Callable[[str], str] | None
    judged: tuple[Threshold, ...] = ()


def row_query(plan: Plan, row: ReportRow, phase: str | None) -> RowQuery:
    """The queries of ``row`` of ``plan``'s report, with the thresholds of ``phase``."""
    if row.signal is not None:
        return _signal_row(plan, row, phase)
    if row.slo is not None:
        slo = next(s for s in plan.slos if s.name == row.slo)
        return RowQuery(row, "availability", row.unit or "percentunit",
                        lambda r: f"1 - ({slo_error_expr(plan, slo, r)})",
                        lambda b: f"1 - ({slo_error_expr(plan, slo, b)})")
    if row.metric is not None:
        return _metric_row(plan, row)
    assert row.expr is not None
    names = metric_names(plan)
    job = f'job="{plan.job_name}"'

    def expr(r: str) -> str:
        return scope_selectors(str(row.expr).replace("$__range", r), names, job, job)

    return RowQuery(row, row.aggregation or "last", row.unit or "short", expr, expr)


def _total(sel: str, r: str) -> str:
    return f"sum(increase({sel}[{r}]))"


def _metric_row(plan: Plan, row: ReportRow) -> RowQuery:
    assert row.metric is not None
    sel = selector(plan, row.metric, row.matchers)
    if row.per is not None:
        den = selector(plan, row.per, row.per_matchers)
        return RowQuery(row, "ratio", row.unit or "percentunit",
                        lambda r: f"{_total(sel, r)} / {_total(den, r)}",
                        lambda b: f"{_total(sel, b)} / {_total(den, b)}")
    if row.metric.endswith("_total"):
        return RowQuery(row, "total", row.unit or unit_of_metric(row.metric), lambda r: _total(sel, r),
                        lambda b: _total(sel, b))
    agg = row.aggregation or "last"
    across = {"max": "max", "min": "min"}.get(agg, "sum" if count_like(row.metric) else "avg")
    return RowQuery(row, agg, row.unit or unit_of_metric(row.metric),
                    lambda r: f"{across}({_OVER_TIME[agg]}({sel}[{r}]))",
                    lambda b: f"{across}({sel})")


def _signal_row(plan: Plan, row: ReportRow, phase: str | None) -> RowQuery:
    assert row.signal is not None
    judged = signal_thresholds(plan, row.signal, phase)
    th = judged[0]
    signal = signal_for(plan, th, TimeScale())
    # the alert's own expression, read from the raw series (a report may cover a time before the
    # recording rules ran, e.g. a backfilled history)
    windowed = str(signal.recording[0]["expr"]) if signal.recording else signal.expr
    unit = row.unit or signal_unit(th)
    natural = {"ratio": "ratio", "increase": "total", "age": "last"}.get(th.kind, "avg")
    agg = row.aggregation or natural
    sel = selector(plan, th.metric, th.matchers)

    def series(_bucket: str) -> str:
        return windowed

    if agg == "ratio":
        assert th.denominator is not None
        den = selector(plan, th.denominator, th.denominator_matchers)
        return RowQuery(row, agg, unit, lambda r: f"{_total(sel, r)} / {_total(den, r)}", series, tuple(judged))
    if agg == "total":
        # a count over the whole period is not what a per-window threshold compares
        return RowQuery(row, agg, row.unit or "short", lambda r: _total(sel, r), lambda b: _total(sel, b))
    if th.kind in ("value", "age") and not th.by:
        over = _OVER_TIME[agg]
        if th.kind == "age":
            return RowQuery(row, agg, unit, lambda r: f"max(time() - {over}({sel}[{r}]))", series, tuple(judged))
        across = {"min": "min"}.get(agg, "max")
        return RowQuery(row, agg, unit, lambda r: f"{across}({over}({sel}[{r}]))", series, tuple(judged))
    # a windowed or per-label signal: its own expression, summed up over the period
    worst = "min" if agg == "min" else "max"
    return RowQuery(row, agg, unit,
                    lambda r: f"{worst}({_OVER_TIME[agg]}(({windowed})[{r}:{SUBQUERY_STEP}]))", series, tuple(judged))
