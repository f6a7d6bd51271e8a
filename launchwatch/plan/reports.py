"""The ``reports:`` section of a plan: the documents' daily, weekly, hourly and launch-day reports.

A report is sections of rows; a row names *what* it measures (a threshold ``signal``, an ``slo``,
a plan ``metric``, a ratio of two metrics or a raw ``expr``), how the period is summed up
(``aggregation``) and, when the document gives one, its ``target``. Values, comparisons with the
previous period, the alerts that fired and the GREEN / YELLOW / RED status are computed by
``launchwatch.report`` from Prometheus; a plan without ``reports:`` gets a derived daily and weekly
report.

>>> ReportRow.model_validate({"label": "Quiz starts", "metric": "quiz_starts_total"}).label
'Quiz starts'
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from launchwatch.plan.thresholds import LabelName, MetricName, Name

__all__ = ["PERIODS", "REPORT_AGGREGATIONS", "Report", "ReportRow", "ReportSection", "Target", "check_period"]

# Fixed lengths ending at the report's end time, or windows counted from the plan's launch_at.
PERIODS = {"hour": 3600.0, "day": 86400.0, "week": 604800.0, "month": 2592000.0}
_WINDOW_RE = re.compile(r"^(launch-day|first-24h|first-week|first-month|(hour|day|week|month)-[1-9][0-9]{0,3})$")
REPORT_AGGREGATIONS = ("total", "ratio", "availability", "avg", "max", "min", "last")
Aggregation = Literal["total", "ratio", "availability", "avg", "max", "min", "last"]


def check_period(text: str) -> str:
    """``hour``/``day``/``week``/``month`` (ending at the report's end), or a window from launch:
    ``launch-day``, ``first-24h``, ``first-week``, ``first-month``, ``hour-N``, ``day-N``, ``week-N``,
    ``month-N``."""
    if text not in PERIODS and not _WINDOW_RE.match(text):
        raise ValueError(f"{text!r} is not a period: use hour, day, week, month, or a window from launch "
                         "(launch-day, first-24h, first-week, first-month, hour-N, day-N, week-N, month-N)")
    return text


Period = Annotated[str, AfterValidator(check_period)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Target(_Strict):
    """What the document asks of a row ("Target: >99%"), in base units (0.99, not 99)."""

    op: Literal[">", ">=", "<", "<=", "=="]
    value: float

    def met(self, actual: float) -> bool:
        return {">": actual > self.value, ">=": actual >= self.value, "<": actual < self.value,
                "<=": actual <= self.value, "==": actual == self.value}[self.op]


_SOURCES = ("signal", "slo", "metric", "expr")


class ReportRow(_Strict):
    """One figure of a report.

    - ``signal``: a threshold signal, summed up over the period its own way (a ratio signal: the
      period's ratio; a level: its average; a count: the period's total); its thresholds colour it.
    - ``slo``: the share of good events (or passed probes) over the period.
    - ``metric`` (+ ``matchers``): a counter's ``total`` over the period, or a gauge's ``avg`` /
      ``max`` / ``min`` / ``last``; with ``per`` (another counter), the ``ratio`` of the two totals
      ("Quiz completions (XX % rate)").
    - ``expr``: PromQL evaluated at the end of the period; ``$__range`` is the period (e.g. ``1d``);
      its metrics are scoped to the plan's job.
    """

    label: str = Field(min_length=1)
    signal: Name | None = None
    slo: Name | None = None
    metric: MetricName | None = None
    expr: str | None = Field(default=None, min_length=1)
    matchers: dict[LabelName, str] = Field(default_factory=dict)
    per: MetricName | None = None
    per_matchers: dict[LabelName, str] = Field(default_factory=dict)
    aggregation: Aggregation | None = None  # None: the natural one for what the row reads
    unit: str | None = None  # a Grafana unit id (percentunit, s, short, currencyUSD…); None: derived
    target: Target | None = None
    plot: bool | None = None  # draw its series in the HTML report (default: signal and SLO rows, with their lines)
    note: str = ""  # the document's words beside the figure

    @model_validator(mode="after")
    def _one_source(self) -> ReportRow:
        given = [k for k in _SOURCES if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'signal', 'slo', 'metric' or 'expr'"
                             + (f", not {' and '.join(given)}" if given else ""))
        if self.metric is None and (self.matchers or self.per):
            raise ValueError("'matchers' and 'per' go with 'metric'")
        if self.per is None and self.per_matchers:
            raise ValueError("'per_matchers' goes with 'per'")
        if self.per is not None and self.aggregation not in (None, "ratio"):
            raise ValueError("a row with 'per' is the ratio of two totals: drop 'aggregation' or write 'ratio'")
        if self.aggregation == "availability" and self.slo is None:
            raise ValueError("'availability' is for 'slo' rows")
        if self.aggregation == "ratio" and self.per is None and self.signal is None:
            raise ValueError("'ratio' needs 'per' (the denominator counter) or a ratio 'signal'")
        return self


class ReportSection(_Strict):
    """A titled block of rows, laid out as the document lays it out (SYSTEM HEALTH, USER METRICS…)."""

    title: str = Field(min_length=1)
    rows: list[ReportRow] = Field(min_length=1)


class Report(_Strict):
    """One of the document's reports: its period, its sections, and where the document writes it."""

    name: Name
    title: str = Field(min_length=1)
    period: Period = "day"
    section: str = ""  # where in the seed document the template is
    phase: Name | None = None  # whose thresholds judge it (default: the phase named like the period, else the plan's)
    compare: bool = True  # each figure beside the previous period's
    issues: bool = True  # list the alerts that fired in the period
    sections: list[ReportSection] = Field(min_length=1)

    @property
    def rows(self) -> list[ReportRow]:
        return [row for section in self.sections for row in section.rows]
