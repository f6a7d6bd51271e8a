"""Guards that keep a rule from paging on too little traffic, on missing data or at quiet hours.

A document's number is written for a launch at full traffic: "error rate > 5 %", "zero quiz
completions in 30 min". Taken literally, two failed requests out of three at night are a 66 %
outage, and every quiet night has a 30-minute stretch without a completion. Each guard is a PromQL
clause ``and``-ed with the threshold's comparison, and a sentence for the alert's description:

- **minimum volume** (``ratio``): the denominator counted at least ``min_volume`` events in the
  window (default ``MIN_VOLUME``), per group when the rule is per label; ``drop`` of a count-like
  gauge: the earlier average was at least ``min_volume``, so a group of three is never a 33 % fall.
- **shortfall rules** (``increase`` that fires on too little, e.g. ``== 0``):
  - *full window*: the series existed a whole window ago (no firing 2 minutes after the first
    sample, or after Prometheus lost its data);
  - *traffic is expected*: during the plan's business hours when the threshold says
    ``business_hours`` (in the expression, from the start of business hours plus one window), else,
    for zero-activity rules ("zero in 30 min"; any shortfall rule that sets ``min_expected``), the
    pace of the ``PACE_WINDOWS`` windows before suggested at least ``min_expected`` events (default
    ``MIN_EXPECTED``) in this one; once firing it keeps firing while the shortfall lasts;
  - *hold*: at least ``HOLD`` of ``for`` when the document gives none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from launchwatch.expressions import TimeScale, count_like, format_number, selector, signal_for
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import WEEKDAYS, BusinessHours, Threshold
from launchwatch.plan.units import clock_seconds

__all__ = ["HOLD", "MIN_EXPECTED", "MIN_VOLUME", "PACE_WINDOWS", "Guard", "business_hours_expr",
           "counted", "guarded_expr", "guards", "hold_for", "in_business_hours", "is_shortfall", "is_zero_activity",
           "min_expected", "min_volume", "utc_offsets"]

MIN_VOLUME = 20.0  # events in the window before a ratio means anything (2 of 3 failing is not an outage)
MIN_EXPECTED = 5.0  # events the recent pace must predict per window (P(0 | 5 expected) < 1 %)
PACE_WINDOWS = 4  # the recent pace: this many windows before the current one
HOLD = 300.0  # least `for` of a shortfall rule

@dataclass(frozen=True)
class Guard:
    expr: str  # a PromQL clause, and-ed with the comparison
    text: str  # the guard in words, for the alert's description and the catalogue


def is_shortfall(th: Threshold) -> bool:
    """Fires on too little activity ("zero in 30 min"): the class that pages on every quiet night."""
    return th.kind == "increase" and th.op in ("<", "<=", "==")


def min_volume(th: Threshold) -> float:
    """The least volume the rule needs: events in a ratio's window, or a drop's earlier average."""
    if th.min_volume is not None:
        return th.min_volume
    if th.kind == "ratio" or (th.kind == "drop" and count_like(th.metric)):
        return MIN_VOLUME
    return 0.0


def is_zero_activity(th: Threshold) -> bool:
    """A shortfall that means "(next to) nothing happened": an outage detector, not a goal like "< 10"."""
    return is_shortfall(th) and (th.value <= 0 or (th.op == "<" and th.value <= 1))


def min_expected(th: Threshold) -> float:
    """Events the recent pace must predict in the window before a shortfall counts (0: no such guard).
    By default only zero-activity rules have it: a goal ("fewer than 10 an hour") must fire on a
    product that is steadily below it."""
    if not is_shortfall(th) or th.business_hours:
        return 0.0
    if th.min_expected is not None:
        return th.min_expected
    return MIN_EXPECTED if is_zero_activity(th) else 0.0


def hold_for(th: Threshold) -> float:
    """The rule's ``for``: the document's, or ``HOLD`` for a shortfall rule that gives none."""
    return th.for_ or (HOLD if is_shortfall(th) else 0.0)


def counted(events: float, scale: TimeScale) -> float:
    """``events`` in a window, at the time scale: a window 50 times shorter sees 50 times fewer events
    of the same traffic (only the test-only scale is not 1)."""
    return events * scale.factor


def _on(th: Threshold) -> str:
    return f"on ({', '.join(['job', *th.by])})"


def _by(th: Threshold) -> str:
    return f"by ({', '.join(['job', *th.by])})"


def guards(plan: Plan, th: Threshold, scale: TimeScale) -> list[Guard]:
    """The clauses ``th``'s alert is guarded by, in the order they are written."""
    out: list[Guard] = []
    sel = selector(plan, th.metric, th.matchers)
    volume = min_volume(th)
    if volume and th.kind == "ratio":
        assert th.denominator is not None and th.window is not None
        den = selector(plan, th.denominator, th.denominator_matchers)
        least = format_number(counted(volume, scale))
        out.append(Guard(f"{_on(th)} (sum {_by(th)} (increase({den}[{scale(th.window)}])) >= {least})",
                         f"only with at least {format_number(volume)} {th.denominator} in {scale(th.window)}"))
    if volume and th.kind == "drop":
        assert th.window is not None and th.offset is not None
        out.append(Guard(f"avg_over_time({sel}[{scale(th.window)}] offset {scale(th.offset)}) >= "
                         f"{format_number(volume)}",
                         f"only where the earlier average was at least {format_number(volume)}"))
    if is_shortfall(th):
        assert th.window is not None
        window = scale(th.window)
        out.append(Guard(f"{_on(th)} (count {_by(th)} ({sel} offset {window}))",
                         f"only with a full {window} of data"))
        if th.business_hours and plan.business_hours is not None:
            bh = plan.business_hours
            out.append(Guard(f"on () ({business_hours_expr(bh, scale.seconds(th.window))})",
                             f"only in business hours ({_hours_text(bh)}), from {window} after they start"))
        expected = min_expected(th)
        if expected:
            pace = scale(th.window * PACE_WINDOWS)
            out.append(Guard(f"{_on(th)} (sum {_by(th)} (increase({sel}[{pace}] offset {window})) / {PACE_WINDOWS} "
                             f">= {format_number(counted(expected, scale))})",
                             f"only when the {pace} before predicted at least {format_number(expected)} in "
                             f"{window} (then it keeps firing while the shortfall lasts)"))
    return out


def guarded_expr(plan: Plan, th: Threshold, scale: TimeScale, alert: str) -> str:
    """The alert's expression: the threshold's comparison and-ed with its guards."""
    comparison = f"{signal_for(plan, th, scale).expr} {th.op} {format_number(th.value)}"
    found = guards(plan, th, scale)
    if not found:
        return comparison
    guarded = "\nand\n".join([f"({comparison})", *(g.expr for g in found)])
    if min_expected(th):  # a long shortfall outlasts the pace it was measured against: hold while it lasts
        firing = f'ALERTS{{alertname="{alert}",alertstate="firing",plan="{plan.plan}"}}'
        return f"(\n{guarded}\n)\nor\n(({comparison}) and {_on(th)} {firing})"
    return guarded


def business_hours_expr(bh: BusinessHours, after: float = 0.0) -> str:
    """True (a one-element vector) on the plan's weekdays between ``start + after`` and ``end``, local time.

    PromQL knows UTC only: the clause is written for each UTC offset the location uses in the
    year (standard and summer time), so it never misses a business hour; Alertmanager's
    ``active_time_intervals`` still delivers by the exact local hours. ``in_business_hours`` is
    the same test in Python.
    """
    start, end = clock_seconds(bh.start) + after, clock_seconds(bh.end)
    clauses = []
    for offset in utc_offsets(bh.location):
        now = f"vector(time() {'+' if offset >= 0 else '-'} {abs(offset)})"
        dow = " or ".join(f"day_of_week({now}) == {a}" if a == b else f"day_of_week({now}) >= {a} <= {b}"
                          for a, b in _day_ranges(bh))
        clauses.append(f"({dow}) and on () ({now} % 86400 >= {format_number(start)} < {format_number(end)})")
    return " or ".join(f"({c})" for c in clauses) if len(clauses) > 1 else clauses[0]


def in_business_hours(bh: BusinessHours, t: float, offset: int, after: float = 0.0) -> bool:
    """Whether Unix time ``t`` is inside ``business_hours_expr``'s clause for UTC ``offset``."""
    local = t + offset
    dow = (int(local // 86400) + 4) % 7  # 1970-01-01 was a Thursday
    tod = local % 86400
    return (any(a <= dow <= b for a, b in _day_ranges(bh))
            and clock_seconds(bh.start) + after <= tod < clock_seconds(bh.end))


def _day_ranges(bh: BusinessHours) -> list[tuple[int, int]]:
    """Alertmanager's weekday ranges (``monday:friday``, ``sunday``) as PromQL ``day_of_week()`` numbers."""
    out = []
    for part in bh.weekdays:
        first, _, last = part.partition(":")
        out.append((WEEKDAYS.index(first.lower()), WEEKDAYS.index((last or first).lower())))
    return out


def utc_offsets(location: str) -> list[int]:
    """The UTC offsets (seconds) ``location`` uses this year: one, or two with summer time."""
    zone = ZoneInfo(location)
    year = datetime.now().year
    found = {int(datetime(year, month, 15, 12, tzinfo=zone).utcoffset().total_seconds())  # type: ignore[union-attr]
             for month in (1, 7)}
    return sorted(found)


def _hours_text(bh: BusinessHours) -> str:
    return f"{', '.join(bh.weekdays)} {bh.start}-{bh.end} {bh.location}"
