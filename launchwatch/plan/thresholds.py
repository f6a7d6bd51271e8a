"""The alerting half of a plan: tiers, channels, phases, thresholds and SLOs.

Every number here is written once and read by the rule generator, its promtool tests, the
Alertmanager routing and the dashboards' colour steps.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from launchwatch.plan.units import parse_duration
from launchwatch.plan.urls import has_credentials

__all__ = [
    "SEVERITIES",
    "WEEKDAYS",
    "BusinessHours",
    "Channel",
    "Escalation",
    "Phases",
    "Slo",
    "Threshold",
    "Tier",
    "Unexpressible",
    "camel",
    "matching",
]

SEVERITIES = ("critical", "high", "medium", "low")
# Alertmanager's weekday names, in PromQL day_of_week() order (0 is Sunday)
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_ALERT_NAME_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
_LABEL_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_METRIC_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


def camel(text: str) -> str:
    """``tier-2`` → ``Tier2``: a name as it stands inside a CamelCase alert name."""
    return "".join(part.capitalize() for part in text.replace("_", "-").split("-"))


def matching(regex: re.Pattern[str], what: str) -> AfterValidator:
    """A validator that names the pattern a value must match."""

    def check(value: str) -> str:
        if not regex.match(value):
            raise ValueError(f"{value!r} is not a valid {what} ({regex.pattern})")
        return value

    return AfterValidator(check)


Duration = Annotated[float, BeforeValidator(parse_duration)]
Clock = Annotated[str, matching(re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"), "time of day (HH:MM)")]
AlertName = Annotated[str, matching(_ALERT_NAME_RE, "alert name: CamelCase")]
Name = Annotated[str, matching(_NAME_RE, "name")]
LabelName = Annotated[str, matching(_LABEL_RE, "label name")]
MetricName = Annotated[str, matching(_METRIC_RE, "metric name")]


def _no_credentials(url: str | None) -> str | None:
    if url is not None and has_credentials(url):
        raise ValueError("must not carry user:password@: generated files would show it (Alertmanager reads "
                         "a channel's credentials from its file in --secrets-dir)")
    return url


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(_Strict):
    """A place notifications go, named as the document names it (an Alertmanager receiver).

    Secrets (routing keys, webhook credentials, SMTP passwords) are never here: the generated
    Alertmanager configuration reads them from ``/etc/alertmanager/secrets/<name>``.
    """

    name: Name
    type: Literal["pager", "chat", "email", "sms", "webhook", "dashboard"]
    service: Literal["pagerduty", "opsgenie"] | None = None  # a pager's service (none: PagerDuty)
    description: str = ""
    to: str | None = None  # e-mail address, chat channel
    url: Annotated[str | None, AfterValidator(_no_credentials)] = None  # webhook / SMS relay URL

    @model_validator(mode="after")
    def _service_is_a_pager_s(self) -> Channel:
        if self.service is not None and self.type != "pager":
            raise ValueError(f"service {self.service!r} is a pager's: this channel's type is {self.type!r}")
        return self


class Tier(_Strict):
    """A document's severity tier (e.g. RED, P0, "Critical") and who it notifies."""

    name: str = Field(min_length=1)
    severity: Literal["critical", "high", "medium", "low"]
    channels: list[Name] = Field(min_length=1)
    response: Duration | None = None
    resolution: Duration | None = None
    description: str = ""


class Escalation(_Strict):
    """Still firing ``after`` this long: notify ``channels`` too (the document's next tier)."""

    after: Duration
    level: Name
    channels: list[Name] = Field(min_length=1)


def _time_zone(name: str) -> str:
    """An IANA time zone, as Alertmanager's time_intervals load it: amtool rejects any other name, so the plan
    does first."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}: give an IANA name such as UTC, Europe/Berlin or "
                         "America/New_York") from None
    return name


def _weekday_range(text: str) -> str:
    """``monday:friday`` or ``sunday``, as Alertmanager reads them (any case, no spaces, the first day not after
    the last)."""
    first, _, last = text.partition(":")
    days = [d.lower() for d in (first, last or first)]
    wrong = next((d for d in days if d not in WEEKDAYS), None)
    if wrong is not None:
        raise ValueError(f"{wrong!r} is not a weekday: give a day ({', '.join(WEEKDAYS)}) or a range such as "
                         "monday:friday")
    if WEEKDAYS.index(days[0]) > WEEKDAYS.index(days[1]):
        raise ValueError(f"{text!r} ends before it starts (the week runs sunday to saturday): write two ranges, "
                         "such as friday:saturday and sunday:monday")
    return text


class BusinessHours(_Strict):
    weekdays: list[Annotated[str, AfterValidator(_weekday_range)]] = Field(
        default_factory=lambda: ["monday:friday"], min_length=1)
    start: Clock = "09:00"
    end: Clock = "18:00"
    location: Annotated[str, AfterValidator(_time_zone)] = "UTC"

    @model_validator(mode="after")
    def _starts_before_it_ends(self) -> BusinessHours:
        if self.start >= self.end:  # (HH:MM strings compare as the times they are)
            raise ValueError(f"start {self.start} is not before end {self.end}: business hours run within one day, as "
                             "Alertmanager's time_intervals do")
        return self


class Phases(_Strict):
    """The launch phases a plan's thresholds belong to, and which one ``generate`` uses by default."""

    names: list[Name] = Field(min_length=1)
    default: Name
    descriptions: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _default_known(self) -> Phases:
        if self.default not in self.names:
            raise ValueError(f"default phase {self.default!r} is not one of {self.names}")
        return self


Kind = Literal["value", "ratio", "increase", "age", "drop"]


class Threshold(_Strict):
    """One documented threshold, judged on one signal.

    ``kind`` says how the signal is computed from ``metric``:

    - ``value``: the metric as it is (gauges: ratios, seconds, levels); with ``window``, its average across it
    - ``ratio``: rate of ``metric{matchers}`` over rate of ``denominator{denominator_matchers}`` across
      ``window`` (errors/requests, delivered/all)
    - ``increase``: how much counter ``metric`` grew across ``window`` ("zero completions in 30 min")
    - ``age``: seconds since the Unix timestamp in ``metric`` ("no backup in 48 hours")
    - ``drop``: fractional fall of ``metric``'s ``window`` average versus the same window ``offset`` ago

    ``min_volume`` and ``min_expected`` tune the guards that keep a rule from paging on too little
    traffic (see ``launchwatch.alerting.guards``); 0 turns a guard off.
    """

    alert: AlertName
    summary: str = Field(min_length=1)
    section: str = Field(min_length=1)  # where in the seed document the threshold is written
    tier: str
    metric: MetricName
    kind: Kind = "value"
    matchers: dict[LabelName, str] = Field(default_factory=dict)
    denominator: MetricName | None = None
    denominator_matchers: dict[LabelName, str] = Field(default_factory=dict)
    window: Duration | None = None
    offset: Duration | None = None
    by: list[LabelName] = Field(default_factory=list)
    op: Literal[">", ">=", "<", "<=", "=="]
    value: float
    for_: Duration = Field(default=0.0, alias="for")
    phases: list[Name] = Field(default_factory=list)
    signal: Name | None = None
    business_hours: bool = False
    min_volume: float | None = Field(default=None, ge=0)  # None: launchwatch's default (alerting.guards)
    min_expected: float | None = Field(default=None, ge=0)  # None: launchwatch's default (alerting.guards)
    escalate: list[Escalation] = Field(default_factory=list)
    description: str = ""
    runbook: str | None = None
    note: str = ""
    # False: a rule the plan adds beyond its document (its note says why); the alert catalogue says so, and
    # the drafter's comparison with the built-in plans does not count it among the document's thresholds
    from_document: bool = True
    # the 1-based line of the document that states this threshold's number (``launchwatch draft`` sets it)
    source_line: int | None = Field(default=None, ge=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _kind_fields(self) -> Threshold:
        if self.kind == "ratio" and (self.denominator is None or self.window is None):
            raise ValueError("kind 'ratio' needs 'denominator' and 'window'")
        if self.kind in ("increase", "drop") and self.window is None:
            raise ValueError(f"kind '{self.kind}' needs 'window'")
        if self.kind == "drop" and self.offset is None:
            raise ValueError("kind 'drop' needs 'offset' (e.g. 1w for week-over-week)")
        if self.kind == "drop" and self.offset is not None and self.window is not None:
            longest = self.for_ + max((e.after for e in self.escalate), default=0.0)
            if self.offset <= self.window + longest:
                raise ValueError(
                    "kind 'drop' needs 'offset' longer than 'window' + 'for' (+ the longest escalation): otherwise "
                    "a lasting fall reaches the comparison window and stops counting as a drop before the alert fires")
        if self.kind == "age" and self.window is not None:
            raise ValueError("kind 'age' takes no 'window': the age is the time since the timestamp, whatever "
                             "the window")
        if self.kind != "ratio" and self.denominator is not None:
            raise ValueError("'denominator' is only for kind 'ratio'")
        return self

    def escalation_alert(self, esc: Escalation) -> str:
        """The name of the alert for escalation stage ``esc``."""
        return f"{self.alert}Escalated{camel(esc.level)}"

    @property
    def signal_name(self) -> str:
        """Alerts on the same signal (across tiers) share this, so a higher tier inhibits a lower one."""
        return self.signal or self.metric


class Slo(_Strict):
    """An availability target: multiwindow multi-burn-rate alerts and error-budget rules.

    The SLI is either the success of a probed source (``probe_target``) or the ratio of two counters
    (``errors`` over ``total``).
    """

    name: Name
    objective: float = Field(gt=0, lt=1)
    section: str = Field(min_length=1)
    probe_target: str | None = None
    errors: MetricName | None = None
    total: MetricName | None = None
    phases: list[Name] = Field(default_factory=list)
    page_tier: str
    ticket_tier: str
    runbook: str | None = None

    @model_validator(mode="after")
    def _one_sli(self) -> Slo:
        if (self.probe_target is None) == (self.errors is None or self.total is None):
            raise ValueError("give either 'probe_target' or both 'errors' and 'total'")
        return self


class Unexpressible(_Strict):
    """A documented target that cannot become an alert rule, and why (listed in docs/thresholds.md)."""

    target: str = Field(min_length=1)
    section: str = Field(min_length=1)
    reason: str = Field(min_length=1)
