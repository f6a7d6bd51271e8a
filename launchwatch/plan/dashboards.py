"""The ``dashboards:`` section of a plan: dashboards → rows → panels, described by signal, metric or
expression, never by grid position (the builder lays panels out).

A panel names *what* it shows; the builder takes a signal's expression, unit and alert colours from
the plan's thresholds, so the dashboards cannot drift from the alerts.

>>> Panel.model_validate({"title": "Error rate", "type": "gauge", "signal": "error-rate"}).type
'gauge'
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from launchwatch.plan.thresholds import AlertName, LabelName, MetricName, matching
from launchwatch.plan.thresholds import Name as SignalName
from launchwatch.plan.units import parse_duration

__all__ = [
    "AGGREGATIONS",
    "COUNTER_AGGREGATIONS",
    "GAUGE_AGGREGATIONS",
    "PANEL_TYPES",
    "Colour",
    "Dashboard",
    "Panel",
    "Query",
    "Row",
]

PANEL_TYPES = ("stat", "gauge", "bargauge", "timeseries", "table", "state-timeline", "alertlist", "text")
# How a metric is shown: gauges are combined across series; counters become rates or increases.
GAUGE_AGGREGATIONS = ("max", "min", "sum", "avg", "count")
COUNTER_AGGREGATIONS = ("rate", "per_minute", "per_hour", "increase")
AGGREGATIONS = GAUGE_AGGREGATIONS + COUNTER_AGGREGATIONS
Aggregation = Literal["max", "min", "sum", "avg", "count", "rate", "per_minute", "per_hour", "increase"]
PanelType = Literal["stat", "gauge", "bargauge", "timeseries", "table", "state-timeline", "alertlist", "text"]
_UID_RE = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")
Uid = Annotated[str, matching(_UID_RE, "dashboard uid (at most 40 letters, digits, '-' or '_')")]


def _duration_text(value: str) -> str:
    if parse_duration(value) <= 0:
        raise ValueError(f"{value!r} must be longer than 0s")
    return value


DurationText = Annotated[str, AfterValidator(_duration_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


_SOURCES = ("signal", "alert", "slo", "metric", "expr")


class Query(_Strict):
    """One line, bar or cell of a panel: a threshold ``signal`` (or one ``alert``'s own expression),
    an ``slo``'s availability, a plan ``metric`` with an ``aggregation``, or a raw PromQL ``expr``
    (its metrics are scoped to the plan's job for you)."""

    signal: SignalName | None = None
    alert: AlertName | None = None
    slo: SignalName | None = None
    metric: MetricName | None = None
    expr: str | None = Field(default=None, min_length=1)
    aggregation: Aggregation | None = None
    by: list[LabelName] = Field(default_factory=list)
    matchers: dict[LabelName, str] = Field(default_factory=dict)
    legend: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Query:
        given = [k for k in _SOURCES if getattr(self, k) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of 'signal', 'alert', 'slo', 'metric' or 'expr', not {' and '.join(given)}")
        if self.metric is None and (self.aggregation or self.by or self.matchers):
            raise ValueError("'aggregation', 'by' and 'matchers' go with 'metric'")
        return self

    @property
    def has_source(self) -> bool:
        return any(getattr(self, k) is not None for k in _SOURCES)

    @property
    def coloured_by_alerts(self) -> bool:
        return self.signal is not None or self.alert is not None or self.slo is not None


class Colour(_Strict):
    """From ``value`` up (``null``: from the bottom), the panel shows ``colour``."""

    value: float | None = None
    colour: str = Field(min_length=1)


class Panel(Query):
    """A panel: a type, a title, and what it shows (one query inline, or several under ``queries``)."""

    title: str = Field(min_length=1)
    type: PanelType = "stat"
    description: str = ""
    queries: list[Query] = Field(default_factory=list)
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    width: int | None = Field(default=None, ge=1, le=24)
    height: int | None = Field(default=None, ge=1, le=40)
    content: str | None = None  # Markdown, for text panels
    colours: list[Colour] = Field(default_factory=list)  # only without a signal: a signal's alerts colour it

    @model_validator(mode="after")
    def _shape(self) -> Panel:
        if self.type == "text":
            if not self.content or self.has_source or self.queries:
                raise ValueError("a text panel takes 'content' (Markdown) and no queries")
        elif self.type == "alertlist":
            if self.has_source or self.queries or self.content:
                raise ValueError("an alertlist panel lists the plan's alerts: give no queries")
        else:
            if self.content:
                raise ValueError("'content' is for text panels")
            if self.has_source == bool(self.queries):
                raise ValueError(f"a {self.type} panel needs one 'signal', 'alert', 'slo', 'metric' or 'expr', "
                                 "or a list of 'queries'")
            if self.colours and any(q.coloured_by_alerts for q in self.all_queries):
                raise ValueError("a signal's, alert's or SLO's panel takes its colours from the plan: drop 'colours'")
            if self.colours and (self.colours[0].value is not None or
                                 any(c.value is None for c in self.colours[1:])):
                raise ValueError("'colours' start with one step without a value (the base), then steps with values")
        return self

    @property
    def all_queries(self) -> list[Query]:
        """The panel's queries: its own inline one, or ``queries``."""
        return list(self.queries) if self.queries else ([Query(**{k: getattr(self, k) for k in Query.model_fields})]
                                                       if self.has_source else [])


class Row(_Strict):
    """A titled row; its panels fill it left to right and wrap at 24 columns."""

    title: str = Field(min_length=1)
    collapsed: bool = False
    panels: list[Panel] = Field(min_length=1)


class Dashboard(_Strict):
    """One Grafana dashboard of the plan (in the plan's folder, tagged with the plan's name)."""

    title: str = Field(min_length=1)
    uid: Uid | None = None  # default: lw-<plan>-<title slug>
    description: str = ""
    time: DurationText = "6h"  # the default time range: now-<time> to now
    refresh: DurationText = "30s"
    rows: list[Row] = Field(min_length=1)
