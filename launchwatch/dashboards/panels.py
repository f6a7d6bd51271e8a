"""Panels built from the plan: the PromQL, units and threshold colours come from the same model
the alert rules come from, so a number changed in the plan changes the rule and the colour."""

from __future__ import annotations

import itertools
import re

from grafanalib.core import (
    AlertList,
    GaugePanel,
    GridPos,
    RowPanel,
    Stat,
    Table,
    Target,
    Template,
    Templating,
    Threshold,
    TimeSeries,
)

from launchwatch.alerting.rules import in_phase
from launchwatch.alerting.signals import TimeScale, signal_for, value_unit
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import Threshold as PlanThreshold

__all__ = [
    "SEVERITY_COLOURS",
    "alert_list",
    "gauge",
    "job_selector",
    "row",
    "signal_expr",
    "signal_steps",
    "signal_thresholds",
    "stat",
    "table",
    "templating",
    "timeseries",
    "unit_for",
]

SEVERITY_COLOURS = {"critical": "red", "high": "orange", "medium": "yellow", "low": "blue"}
OK_COLOUR = "green"
_UNITS = {"humanizePercentage": "percentunit", "humanizeDuration": "s", "humanize": "short", "count": "short"}


def job_selector(plan: Plan) -> str:
    return f'job="{plan.job_name}"'


def _dashboard_job(expr: str, plan: Plan) -> str:
    """Rules name the job literally; dashboards use the ``$job`` variable (defaulting to it)."""
    return expr.replace(job_selector(plan), 'job="$job"')


def signal_thresholds(plan: Plan, signal: str) -> list[PlanThreshold]:
    """The thresholds of ``signal`` in the plan's default phase, in plan order.

    ``drop`` thresholds are left out: they compare against a window an offset ago, which is not
    a level a panel can colour.
    """
    phase = plan.phases.default if plan.phases else None
    found = [t for t in plan.thresholds
             if t.signal_name == signal and in_phase(t.phases, phase) and t.kind != "drop"]
    if not found:
        raise KeyError(f"plan {plan.plan} has no thresholds with signal {signal!r} in phase {phase}")
    return found


def signal_expr(plan: Plan, signal: str) -> str:
    """The PromQL the signal's first (most prominent) threshold is judged on, scoped to ``$job``."""
    first = signal_thresholds(plan, signal)[0]
    return _dashboard_job(signal_for(plan, first, TimeScale()).expr, plan)


def unit_for(plan: Plan, signal: str) -> str:
    return _UNITS[value_unit(signal_thresholds(plan, signal)[0])]


def signal_steps(plan: Plan, signal: str) -> list[tuple[float | None, str]]:
    """Colour steps (value, colour) from the signal's thresholds: the alert rules' own numbers.

    "Above is bad" thresholds colour upward from green; "below is bad" ones colour from the most
    severe at the bottom up to green; ``== v`` on a 0/1 signal is drawn as "below v+1 is bad".
    """
    ths = signal_thresholds(plan, signal)
    colour = {t.alert: SEVERITY_COLOURS[plan.tier(t.tier).severity] for t in ths}
    upward = ths[0].op in (">", ">=")
    if upward:
        chosen = sorted((t for t in ths if t.op in (">", ">=")), key=lambda t: t.value)
        return [(None, OK_COLOUR)] + [(t.value, colour[t.alert]) for t in chosen]
    chosen = sorted((t for t in ths if t.op in ("<", "<=", "==")), key=lambda t: _below_value(t))
    steps: list[tuple[float | None, str]] = [(None, colour[chosen[0].alert])]
    for current, nxt in itertools.pairwise(chosen):
        steps.append((_below_value(current), colour[nxt.alert]))
    steps.append((_below_value(chosen[-1]), OK_COLOUR))
    return steps


def _below_value(t: PlanThreshold) -> float:
    return t.value + 1 if t.op == "==" else t.value


def _thresholds(steps: list[tuple[float | None, str]]) -> list[Threshold]:
    return [Threshold(colour, i, 0.0 if value is None else float(value)) for i, (value, colour) in enumerate(steps)]


def _describe(description: str, signal: str | None) -> str:
    return f"{description} Colours: the plan's {signal} thresholds." if signal else description


def _check_rate(expr: str) -> str:
    """Panels follow the dashboard linter: rate()/irate() only over ``$__rate_interval``."""
    if re.search(r"\b(?:rate|irate)\([^()]*\[(?!\$__rate_interval\])", expr):
        raise ValueError(f"panel query uses a fixed rate window; use $__rate_interval: {expr}")
    return expr


def stat(plan: Plan, title: str, description: str, grid: GridPos, *, signal: str | None = None,
         expr: str | None = None, unit: str | None = None, legend: str = "") -> Stat:
    """A big number; coloured by ``signal``'s thresholds when given."""
    query = expr or signal_expr(plan, str(signal))
    steps = signal_steps(plan, signal) if signal else [(None, OK_COLOUR)]
    return Stat(title=title, description=_describe(description, signal), dataSource="${datasource}",
                targets=[Target(expr=_check_rate(query), legendFormat=legend, refId="A")],
                format=unit or unit_for(plan, str(signal)), thresholds=_thresholds(steps), gridPos=grid,
                reduceCalc="lastNotNull", graphMode="area")


def gauge(plan: Plan, title: str, description: str, grid: GridPos, *, signal: str, max_value: float | None = None,
          unit: str | None = None) -> GaugePanel:
    """A big gauge with the signal's threshold colours and markers."""
    steps = signal_steps(plan, signal)
    top = max_value if max_value is not None else max(v for v, _ in steps if v is not None) * 2
    return GaugePanel(title=title, description=_describe(description, signal), dataSource="${datasource}",
                      targets=[Target(expr=_check_rate(signal_expr(plan, signal)), refId="A")],
                      format=unit or unit_for(plan, signal), thresholds=_thresholds(steps), min=0, max=top,
                      gridPos=grid, calc="lastNotNull")


def timeseries(title: str, description: str, grid: GridPos, exprs: list[tuple[str, str]], unit: str,
               *, plan: Plan | None = None, signal: str | None = None) -> TimeSeries:
    """Lines over time; with a ``signal`` its thresholds are drawn as lines."""
    targets = [Target(expr=_check_rate(e), legendFormat=legend, refId=chr(ord("A") + i))
               for i, (e, legend) in enumerate(exprs)]
    steps = signal_steps(plan, signal) if plan and signal else [(None, OK_COLOUR)]
    panel = TimeSeries(title=title, description=_describe(description, signal), dataSource="${datasource}",
                       targets=targets, unit=unit, gridPos=grid, thresholds=_thresholds(steps),
                       legendDisplayMode="list", legendPlacement="bottom", tooltipMode="multi")
    return panel


def table(title: str, description: str, grid: GridPos, exprs: list[tuple[str, str]], unit: str) -> Table:
    """Current values as a table (instant queries), one row per series."""
    targets = [Target(expr=_check_rate(e), legendFormat=legend, refId=chr(ord("A") + i), instant=True,
                      format="table") for i, (e, legend) in enumerate(exprs)]
    return Table(title=title, description=description, dataSource="${datasource}", targets=targets, unit=unit,
                 gridPos=grid)


def alert_list(plan: Plan, grid: GridPos) -> AlertList:
    """The plan's firing and pending alerts (Prometheus-managed rules, filtered by the plan label)."""
    return AlertList(title="Firing alerts", description=f"Alerts of plan {plan.plan} that are firing or pending, "
                     "from the generated Prometheus rules.", gridPos=grid, limit=20, stateFilter=["firing", "pending"],
                     nameFilter=f'{{plan="{plan.plan}"}}')


def row(title: str, y: int) -> RowPanel:
    return RowPanel(title=title, gridPos=GridPos(h=1, w=24, x=0, y=y))


def templating(plan: Plan) -> Templating:
    """``$datasource`` (any Prometheus) and ``$job`` (the plan's job, the rules' own selector)."""
    return Templating(list=[
        Template(name="datasource", label="Data source", type="datasource", query="prometheus", default="Prometheus"),
        Template(name="job", label="Job", type="custom", query=plan.job_name, default=plan.job_name),
    ])
