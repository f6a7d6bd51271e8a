"""One grafanalib panel per plan panel type, its queries, unit and colours taken from the plan.

A signal's panel is coloured by the most severe alert of each band (``colours``); "value now"
panels (stat, gauge, bar gauge, table) run instant queries and show NO DATA in purple when the
value is missing, so a source that fails never looks like a calm one; a timeseries draws its
alerts' thresholds as lines.
"""

from __future__ import annotations

from typing import Any

from grafanalib.core import (
    AlertList,
    BarGauge,
    GaugePanel,
    GridPos,
    Panel,
    RowPanel,
    Stat,
    StateTimeline,
    Table,
    Target,
    Text,
    Threshold,
    TimeSeries,
)

from launchwatch.dashboards.colours import NO_DATA_COLOUR, OK_COLOUR, Step, slo_steps, threshold_steps
from launchwatch.dashboards.grafana_compat import panel_link
from launchwatch.dashboards.queries import PanelQuery, resolve
from launchwatch.plan.dashboards import Panel as PlanPanel
from launchwatch.plan.model import Plan

__all__ = ["NO_DATA_MAPPING", "build_panel", "row_panel", "runbook_link"]

DATASOURCE = "${datasource}"
NO_DATA_MAPPING = [{"type": "special", "options": {"match": "nan", "result": {
    "text": "NO DATA", "color": NO_DATA_COLOUR, "index": 0}}}]
_VALUE_NOW = ("stat", "gauge", "bargauge", "table")


def runbook_link(plan: Plan, alert: str) -> str | None:
    """The runbook URL of ``alert`` when it leads somewhere from Grafana (set ``runbook_base`` to your
    docs; the default, a path in this repository, would be a broken link)."""
    url = plan.runbook_url(alert)
    return url if "://" in url else None


def _thresholds(steps: list[Step]) -> list[Threshold]:
    return [Threshold(s.colour, i, 0.0 if s.value is None else float(s.value)) for i, s in enumerate(steps)]


def _steps(plan: Plan, panel: PlanPanel, queries: list[PanelQuery]) -> list[Step]:
    """From the first query the plan judges (alerts or an SLO objective), else the panel's own colours."""
    for q in queries:
        if q.judged:
            return threshold_steps(plan, list(q.judged))
        if q.slo:
            return slo_steps(q.slo)
    return [Step(c.value, c.colour) for c in panel.colours] or [Step(None, OK_COLOUR)]


def _targets(panel: PlanPanel, queries: list[PanelQuery]) -> list[Target]:
    instant = panel.type in _VALUE_NOW
    out = []
    for i, q in enumerate(queries):
        expr = f"({q.expr}) or on() vector(NaN)" if panel.type in ("stat", "gauge", "bargauge") else q.expr
        extra: dict[str, Any] = {"instant": True, "format": "table" if panel.type == "table" else "time_series"} \
            if instant else {}
        out.append(Target(expr=expr, legendFormat=q.legend, refId=chr(ord("A") + i), **extra))
    return out


def _description(panel: PlanPanel, queries: list[PanelQuery]) -> str:
    text = panel.description or panel.title
    judged = next((q.judged for q in queries if q.judged), ())
    slo = next((q.slo for q in queries if q.slo), None)
    if judged:
        names = ", ".join(dict.fromkeys(t.alert for t in judged))
        text += f" Colours: the alerts on this value ({names}): the most severe one each value would fire."
    elif slo:
        text += f" Colours: red under the {slo.objective:.2%} objective of SLO {slo.name}."
    if panel.type in ("stat", "gauge", "bargauge"):
        text += " Purple NO DATA: the source is down or the value is missing."
    return text


def _max_for(panel: PlanPanel, steps: list[Step], unit: str) -> float | None:
    if panel.max is not None:
        return panel.max
    if unit == "percentunit":
        return 1.0
    top = max((s.value for s in steps if s.value is not None), default=None)
    return top * 1.5 if top else None


def build_panel(plan: Plan, panel: PlanPanel, grid: GridPos, phase: str | None,
                matchers: tuple[str, str] | None = None) -> Panel:
    """The grafanalib panel for one plan panel (``matchers``: see ``queries.resolve``)."""
    queries = [resolve(plan, q, phase, matchers) for q in panel.all_queries]
    unit = panel.unit or (queries[0].unit if queries else "short")
    description = _description(panel, queries)
    common: dict[str, Any] = {"title": panel.title, "description": description, "gridPos": grid}
    judged = next((q.judged for q in queries if q.judged), ())
    if judged and (runbook := runbook_link(plan, judged[0].alert)):
        common["links"] = [panel_link("Runbook", runbook)]
    if panel.type == "text":
        return Text(content=panel.content or "", mode="markdown", **common)
    if panel.type == "alertlist":
        return AlertList(limit=20, stateFilter=["firing", "pending"], nameFilter=f'{{plan="{plan.plan}"}}', **common)
    steps = _steps(plan, panel, queries)
    thresholds = _thresholds(steps)
    targets = _targets(panel, queries)
    common.update(dataSource=DATASOURCE, targets=targets)
    if panel.type == "stat":
        return Stat(format=unit, thresholds=thresholds, reduceCalc="lastNotNull", graphMode="none",
                    extraJson=_defaults(mappings=NO_DATA_MAPPING), **common)
    if panel.type == "gauge":
        return GaugePanel(format=unit, thresholds=thresholds, min=panel.min if panel.min is not None else 0,
                          max=_max_for(panel, steps, unit), calc="lastNotNull",
                          extraJson=_defaults(mappings=NO_DATA_MAPPING), **common)
    if panel.type == "bargauge":
        return BarGauge(format=unit, thresholds=thresholds, min=panel.min if panel.min is not None else 0,
                        max=_max_for(panel, steps, unit), calc="lastNotNull", displayMode="gradient",
                        orientation="horizontal", extraJson=_defaults(mappings=NO_DATA_MAPPING), **common)
    if panel.type == "timeseries":
        return TimeSeries(unit=unit, thresholds=thresholds, legendDisplayMode="list", legendPlacement="bottom",
                          tooltipMode="multi", thresholdsStyleMode="line" if len(steps) > 1 else "off",
                          valueMin=panel.min, valueMax=panel.max, **common)
    if panel.type == "state-timeline":
        return StateTimeline(thresholds=thresholds, extraJson=_defaults(unit=unit), **common)
    cells = "color-text" if len(steps) > 1 else "auto"
    table = Table(unit=unit, thresholds=thresholds, extraJson=_defaults(custom={"cellOptions": {"type": cells}}),
                  **common)
    names = ({f"Value #{t.refId}": q.legend or f"Value #{t.refId}" for t, q in zip(targets, queries, strict=True)}
             if len(queries) > 1 else {"Value": queries[0].legend or "Value"})
    table.transformations = [{"id": "merge", "options": {}},
                             {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": names}}]
    return table


def _defaults(**values: Any) -> dict[str, Any]:
    """Field defaults grafanalib 0.7.1 cannot set, merged into its JSON (``extraJson``)."""
    return {"fieldConfig": {"defaults": values}}


def row_panel(title: str, y: int, collapsed: bool = False, panels: list[Panel] | None = None) -> RowPanel:
    return RowPanel(title=title, gridPos=GridPos(h=1, w=24, x=0, y=y), collapsed=collapsed, panels=panels or [])
