"""The PromQL a threshold compares, and the recording rules it needs.

Recording rules follow ``level:metric:operations`` (e.g.
``job:app_request_errors_per_app_requests:ratio_rate5m``). Every selector is scoped to the plan's
Prometheus job, so five plans can share one Prometheus without one plan's rule firing on another's
series.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import Threshold
from launchwatch.plan.units import format_duration

__all__ = ["Signal", "TimeScale", "selector", "signal_for", "value_unit"]


@dataclass(frozen=True)
class TimeScale:
    """Multiplies every duration (``for``, windows, offsets); below 1 only for fast end-to-end tests."""

    factor: float = 1.0

    def __call__(self, seconds: float) -> str:
        scaled = seconds * self.factor
        if self.factor != 1.0 and seconds:
            scaled = max(round(scaled), 1)
        return format_duration(scaled)

    def seconds(self, seconds: float) -> float:
        return seconds if self.factor == 1.0 else (max(round(seconds * self.factor), 1) if seconds else 0.0)


@dataclass(frozen=True)
class Signal:
    expr: str
    labels: tuple[str, ...]  # labels the signal's series carry (besides the rule's own)
    recording: list[dict[str, object]] = field(default_factory=list)


def selector(plan: Plan, metric: str, matchers: dict[str, str]) -> str:
    """``metric{job="plan",k="v"}``, keys sorted so output is deterministic."""
    parts = [f'job="{plan.job_name}"'] + [f'{k}="{_escape(v)}"' for k, v in sorted(matchers.items())]
    return f"{metric}{{{','.join(parts)}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _base(metric: str) -> str:
    return metric.removesuffix("_total")


def _matcher_suffix(matchers: dict[str, str]) -> str:
    return "".join("_" + "".join(ch if ch.isalnum() else "_" for ch in v).strip("_") for _, v in
                   sorted(matchers.items()))


def signal_for(plan: Plan, th: Threshold, scale: TimeScale) -> Signal:
    """The expression on the left of the threshold's comparison."""
    by = ["job", *th.by]
    level = "_".join(by)
    sel = selector(plan, th.metric, th.matchers)
    if th.kind == "value":
        if th.by:
            return Signal(f"max by ({', '.join(by)}) ({sel})", tuple(by))
        return Signal(sel, ("job", "instance", *sorted(th.matchers)))
    if th.kind == "age":
        return Signal(f"time() - {sel}", ("job", "instance", *sorted(th.matchers)))
    window = scale(th.window or 0)
    if th.kind == "drop":
        offset = scale(th.offset or 0)
        expr = f"1 - avg_over_time({sel}[{window}]) / avg_over_time({sel}[{window}] offset {offset})"
        return Signal(expr, ("job", "instance", *sorted(th.matchers)))
    if th.kind == "increase":
        record = f"{level}:{_base(th.metric)}{_matcher_suffix(th.matchers)}:increase{window}"
        rule_expr = f"sum by ({', '.join(by)}) (increase({sel}[{window}]))"
    else:  # ratio
        assert th.denominator is not None
        den = selector(plan, th.denominator, th.denominator_matchers)
        record = (f"{level}:{_base(th.metric)}{_matcher_suffix(th.matchers)}_per_{_base(th.denominator)}"
                  f"{_matcher_suffix(th.denominator_matchers)}:ratio_rate{window}")
        rule_expr = (f"sum by ({', '.join(by)}) (rate({sel}[{window}]))\n/\n"
                     f"sum by ({', '.join(by)}) (rate({den}[{window}]))")
    recording = [{"record": record, "expr": rule_expr}]
    return Signal(f'{record}{{job="{plan.job_name}"}}', tuple(by), recording)


def value_unit(th: Threshold) -> str:
    """The Go template function that prints this threshold's value for a human."""
    if th.kind == "increase":
        return "count"
    if th.kind in ("ratio", "drop") or th.metric.endswith("_ratio"):
        return "humanizePercentage"
    if th.kind == "age" or th.metric.endswith("_seconds"):
        return "humanizeDuration"
    return "humanize"
