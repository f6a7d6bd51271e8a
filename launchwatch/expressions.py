"""The PromQL a threshold compares, and the recording rules it needs: the neutral module that alert
rules, dashboard panels and reports all read, so a panel shows exactly what its alert compares.

Recording rules follow ``level:metric:operations`` (e.g.
``job:app_request_errors_per_app_requests:ratio_rate5m``). Every selector is scoped to the plan's
Prometheus job, so five plans can share one Prometheus without one plan's rule firing on another's
series.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import Slo, Threshold
from launchwatch.plan.units import format_duration, parse_duration
from launchwatch.selfmetric_names import PROBE_SUCCESS, SELF_METRIC_LABELS

__all__ = [
    "SCRAPE_INTERVAL",
    "SHORTEST_RATE_WINDOW",
    "SLO_BUDGET_RECORD",
    "SLO_PAGE",
    "SLO_PERIOD",
    "SLO_TICKET",
    "SLO_WINDOWS",
    "Signal",
    "TimeScale",
    "count_like",
    "format_number",
    "in_phase",
    "metric_names",
    "phase_for",
    "same_expression",
    "scope_selectors",
    "selector",
    "signal_for",
    "signal_thresholds",
    "signal_unit",
    "signals",
    "slo_error_expr",
    "slo_record",
    "threshold_named",
    "unit_of_metric",
    "value_unit",
]


# Google SRE workbook, "Alerting on SLOs": (factor, long window, short window) per alert.
SLO_PAGE = ((14.4, 3600, 300), (6.0, 21600, 1800))
SLO_TICKET = ((3.0, 86400, 7200), (1.0, 259200, 21600))
SLO_WINDOWS = (300, 1800, 3600, 7200, 21600, 86400, 259200, 2592000)
SLO_BUDGET_RECORD = "job_slo:error_budget_remaining:ratio30d"
SLO_PERIOD = 2592000  # the 30 days an SLO's availability and error budget are counted over
SCRAPE_INTERVAL = "30s"  # the generated Prometheus' scrape and evaluation interval unless told otherwise
# the shortest window increase() and rate() can read: two scrapes at that interval (over less they return nothing)
SHORTEST_RATE_WINDOW = 2 * parse_duration(SCRAPE_INTERVAL)


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
        # "above 3% over 15 minutes": a gauge with a window is judged on its average across the window
        measured = f"avg_over_time({sel}[{scale(th.window)}])" if th.window else sel
        if th.by:
            return Signal(f"max by ({', '.join(by)}) ({measured})", tuple(by))
        return Signal(measured, ("job", "instance", *sorted(th.matchers)))
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


def slo_error_expr(plan: Plan, slo: Slo, window: str) -> str:
    """An SLO's error ratio over ``window`` (a PromQL duration): failed probes, or errors over total."""
    job = f'job="{plan.job_name}"'
    if slo.probe_target:
        return f'1 - avg by (job) (avg_over_time({PROBE_SUCCESS}{{{job},target="{slo.probe_target}"}}[{window}]))'
    return (f"sum by (job) (rate({slo.errors}{{{job}}}[{window}]))\n/\n"
            f"sum by (job) (rate({slo.total}{{{job}}}[{window}]))")


_COUNT_LIKE_SUFFIXES = ("_seconds", "_bytes", "_ratio", "_percent", "_celsius")


def count_like(metric: str) -> bool:
    """A metric that counts things (users, tickets), as opposed to a level in a unit (a ratio, seconds):
    counts add up across series and fall by meaningful fractions."""
    return not metric.endswith(_COUNT_LIKE_SUFFIXES)


def slo_record(window: float, scale: TimeScale | None = None) -> str:
    """The recording rule holding an SLO's error ratio over ``window`` seconds (label ``slo``)."""
    return f"job_slo:sli_error:ratio_rate{(scale or TimeScale())(window)}"


def value_unit(th: Threshold) -> str:
    """The Go template function that prints this threshold's value for a human."""
    if th.kind == "increase":
        return "count"
    if th.kind in ("ratio", "drop") or th.metric.endswith("_ratio"):
        return "humanizePercentage"
    if th.kind == "age" or th.metric.endswith("_seconds"):
        return "humanizeDuration"
    return "humanize"


_UNITS = {"humanizePercentage": "percentunit", "humanizeDuration": "s", "humanize": "short", "count": "short"}
_SUFFIX_UNITS = (("_timestamp_seconds", "dateTimeAsIso"), ("_bytes_per_second", "Bps"), ("_seconds", "s"),
                 ("_bytes", "decbytes"), ("_ratio", "percentunit"))


def unit_of_metric(name: str) -> str:
    """Grafana's unit for a metric named in Prometheus style (base units in the name)."""
    base = name.removesuffix("_total")
    for suffix, unit in _SUFFIX_UNITS:
        if base.endswith(suffix):
            return unit
    return "short"


def signal_unit(th: Threshold) -> str:
    """Grafana's unit for the value a threshold compares (panels and report rows show it so)."""
    return unit_of_metric(th.metric) if th.kind == "value" else _UNITS[value_unit(th)]


def metric_names(plan: Plan) -> set[str]:
    """Every metric a plan's PromQL may read: its own, launchwatch's and Prometheus' (for scoping)."""
    return set(plan.metrics) | set(SELF_METRIC_LABELS) | {"up", "ALERTS"}


def format_number(v: float) -> str:
    """A threshold as PromQL writes it: ``5``, ``0.05``, ``1e-05``."""
    if float(v).is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(round(float(v), 12))


def in_phase(phases: list[str], phase: str | None) -> bool:
    return not phases or phase is None or phase in phases


def phase_for(plan: Plan, phase: str | None) -> str | None:
    """The phase to generate for: the one asked for, else the plan's default; errors name the choices."""
    if plan.phases is None:
        if phase not in (None, "all"):
            raise ValueError(f"plan {plan.plan} has no phases; drop --phase")
        return None
    if phase is None:
        return plan.phases.default
    if phase == "all":
        return None
    if phase not in plan.phases.names:
        raise ValueError(f"plan {plan.plan} has no phase {phase!r}; phases: {', '.join(plan.phases.names)}")
    return phase


def signals(plan: Plan) -> list[str]:
    """Every signal the plan's thresholds judge, in plan order."""
    return list(dict.fromkeys(t.signal_name for t in plan.thresholds))


def signal_thresholds(plan: Plan, signal: str, phase: str | None) -> list[Threshold]:
    """The thresholds a panel of ``signal`` answers to: those judging the expression of the signal's
    first threshold in ``phase`` (see ``same_expression``). ``drop`` thresholds compare with the
    past, which no level can colour."""
    found = [t for t in plan.thresholds if t.signal_name == signal and t.kind != "drop"]
    if not found:
        raise KeyError(signal)
    return same_expression(plan, next((t for t in found if in_phase(t.phases, phase)), found[0]), phase)


def threshold_named(plan: Plan, alert: str) -> Threshold:
    """The threshold whose alert is ``alert`` (the first, when phases repeat the name)."""
    for t in plan.thresholds:
        if t.alert == alert:
            return t
    raise KeyError(alert)


def same_expression(plan: Plan, anchor: Threshold, phase: str | None) -> list[Threshold]:
    """Every threshold that compares exactly ``anchor``'s expression (same metric, matchers, window):
    those of ``phase`` — the alerts generated with it — or, when none is, those of every phase.
    The first one is ``anchor``'s expression's most prominent alert (plan order)."""
    expr = signal_for(plan, anchor, TimeScale()).expr
    same = [t for t in plan.thresholds if t.kind != "drop" and signal_for(plan, t, TimeScale()).expr == expr]
    return [t for t in same if in_phase(t.phases, phase)] or same


_IDENT_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_GROUPING = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_JOB_MATCHER_RE = re.compile(r"^job\s*(?:=~|!~|!=|=)")


def scope_selectors(expr: str, names: set[str], matchers: str, aggregated_matchers: str) -> str:
    """Put ``matchers`` (e.g. ``job=~"$job",instance=~"$instance"``) on every selector of a metric in
    ``names``, and ``aggregated_matchers`` on recording-rule series (``level:metric:op``, which carry
    no ``instance``), replacing any ``job`` matcher already there. String literals, label names in
    braces and grouping clauses are left alone.

    >>> scope_selectors('sum(rate(x_total{a="b"}[5m]))', {"x_total"}, 'job=~"$job"', 'job=~"$job"')
    'sum(rate(x_total{job=~"$job",a="b"}[5m]))'
    """
    out: list[str] = []
    i, n = 0, len(expr)
    last_word = ""
    while i < n:
        ch = expr[i]
        if ch in "\"'`":
            end = _string_end(expr, i)
            out.append(expr[i:end])
            i = end
            continue
        if ch == "(" and last_word in _GROUPING:  # by (a, b): label names, not metrics
            end = expr.index(")", i) + 1 if ")" in expr[i:] else n
            out.append(expr[i:end])
            i, last_word = end, ""
            continue
        m = _IDENT_RE.match(expr, i)
        if m and (i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] in "_$.")):
            name = m.group(0)
            j = m.end()
            k = j
            while k < n and expr[k] == " ":
                k += 1
            is_call = k < n and expr[k] == "("
            recorded = name.count(":") == 2
            if not is_call and (name in names or recorded):
                braces = ""
                if k < n and expr[k] == "{":
                    close = _brace_end(expr, k)
                    braces, j = expr[k + 1:close - 1], close
                rest = ",".join(part for part in _split_matchers(braces) if not _is_job(part))
                scoped = aggregated_matchers if recorded else matchers
                out.append(f"{name}{{{scoped}{',' + rest if rest else ''}}}")
            else:
                out.append(name)
            last_word = name
            i = j
            continue
        if not ch.isspace():
            last_word = ""
        out.append(ch)
        i += 1
    return "".join(out)


def _string_end(expr: str, i: int) -> int:
    quote, j = expr[i], i + 1
    while j < len(expr) and expr[j] != quote:
        j += 2 if expr[j] == "\\" and quote != "`" else 1
    return min(j + 1, len(expr))


def _brace_end(expr: str, i: int) -> int:
    j = i + 1
    while j < len(expr) and expr[j] != "}":
        j = _string_end(expr, j) if expr[j] in "\"'`" else j + 1
    return min(j + 1, len(expr))


def _split_matchers(text: str) -> list[str]:
    parts, current, j = [], "", 0
    while j < len(text):
        if text[j] in "\"'`":
            end = _string_end(text, j)
            current += text[j:end]
            j = end
        elif text[j] == ",":
            parts.append(current)
            current, j = "", j + 1
        else:
            current += text[j]
            j += 1
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _is_job(matcher: str) -> bool:
    return bool(_JOB_MATCHER_RE.match(matcher))
