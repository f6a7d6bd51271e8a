"""The time a report covers: a fixed length ending at a moment, or a window counted from launch.

``day`` ending now is the last 24 hours; ``launch-day`` is the 24 hours from the plan's
``launch_at`` (or ``--launch-at``), ``week-2`` the second week after it. The previous period, for
comparisons, is the same length just before.

>>> w = resolve("day", end=86400.0 * 3)
>>> (w.start, w.end, w.range)
(172800.0, 259200.0, '86400s')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from launchwatch.plan.reports import PERIODS, check_period
from launchwatch.prometheus_api import format_time

__all__ = ["Window", "resolve"]

_UNITS = {"hour": 3600.0, "day": 86400.0, "week": 604800.0, "month": 2592000.0}
_NAMED = {"launch-day": ("day", 1), "first-24h": ("day", 1), "first-week": ("week", 1), "first-month": ("month", 1)}
_NUMBERED = re.compile(r"^(hour|day|week|month)-([0-9]+)$")


@dataclass(frozen=True)
class Window:
    """``[start, end)`` in Unix seconds; ``unit`` names its length (hour, day, week, month)."""

    name: str
    unit: str
    start: float
    end: float
    in_progress: bool = False  # a window from launch that has not ended yet: cut at the report's end

    @property
    def length(self) -> float:
        return self.end - self.start

    @property
    def range(self) -> str:
        """The window as a PromQL range (whole milliseconds, as Prometheus wants them)."""
        ms = round(self.length * 1000)
        return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"

    def previous(self) -> Window:
        """The same length just before: yesterday for a day, the week before for a week."""
        return replace(self, name=f"previous {self.unit}", start=self.start - self.length, end=self.start,
                       in_progress=False)

    def describe(self) -> str:
        fmt = "%Y-%m-%d %H:%M"
        start = datetime.fromtimestamp(self.start, UTC).strftime(fmt)
        end = datetime.fromtimestamp(self.end, UTC).strftime(fmt)
        return f"{start} – {end} UTC" + (" (so far)" if self.in_progress else "")


def resolve(period: str, *, end: float, launch_at: float | None = None) -> Window:
    """The window ``period`` names, ending at ``end`` (fixed lengths) or counted from ``launch_at``.

    Windows from launch need ``launch_at``; one that has not ended by ``end`` is cut there.
    """
    check_period(period)
    if period in PERIODS:
        return Window(period, period, end - PERIODS[period], end)
    if period in _NAMED:
        unit, n = _NAMED[period]
    else:
        found = _NUMBERED.match(period)
        assert found is not None  # check_period accepted it
        unit, n = found.group(1), int(found.group(2))
    if launch_at is None:
        raise ValueError(f"period {period!r} counts from the launch: set the plan's launch_at or give --launch-at")
    start = launch_at + (n - 1) * _UNITS[unit]
    stop = start + _UNITS[unit]
    if start >= end:
        raise ValueError(f"period {period!r} starts at {format_time(start)}, after the report's end {format_time(end)}")
    if stop > end:
        return Window(period, unit, start, end, in_progress=True)
    return Window(period, unit, start, stop)

