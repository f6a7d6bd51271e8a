"""Figures and times as a report writes them: values in the row's unit (as Grafana shows that unit),
changes against the previous period, and the span of an incident."""

from __future__ import annotations

from datetime import UTC, datetime

from launchwatch.grafana_units import format_value
from launchwatch.plan.units import format_duration
from launchwatch.report.issues import Issue

__all__ = ["change", "clock", "describe_value", "duration", "span"]

_RELATIVE_FLOOR = 1e-12


def describe_value(value: float | None, unit: str, whole: bool = False) -> str:
    """``0.0123`` in ``percentunit`` → ``1.23%``; None → ``no data``; ``whole`` rounds a count of
    events (Prometheus' ``increase`` extrapolates to the period's edges: 97.4 interactions are 97)."""
    if value is None:
        return "no data"
    if whole:  # every digit of a count: "85,312", not Grafana's "85.3k"
        if unit in ("short", "none"):
            return f"{round(value):,}"
        if unit.startswith("suffix:"):
            return f"{round(value):,} {unit.removeprefix('suffix:').strip()}".rstrip()
        return format_value(round(value), unit, 0)
    return format_value(value, unit)


def change(value: float | None, previous: float | None, unit: str) -> str:
    """The change from the previous period: percentage points for ratios, else relative.

    >>> change(0.05, 0.04, "percentunit"), change(120, 100, "short"), change(5, 0, "short")
    ('+1.0 pp', '+20%', 'new')
    """
    if value is None or previous is None:
        return "–"
    if unit == "percentunit":
        return f"{(value - previous) * 100:+.1f} pp"
    if abs(previous) < _RELATIVE_FLOOR:
        return "±0%" if abs(value) < _RELATIVE_FLOOR else "new"
    rel = (value - previous) / abs(previous) * 100
    return f"{rel:+.0f}%" if abs(rel) >= 10 else f"{rel:+.1f}%"


def clock(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")


def duration(seconds: float) -> str:
    return format_duration(round(seconds / 60) * 60 if seconds >= 120 else round(seconds))


def span(issue: Issue) -> str:
    """``2026-11-29 14:02 – 14:17 UTC (15m)``; open ends say so."""
    start = clock(issue.start)
    end_day, end_time = clock(issue.end).split(" ")
    end = end_time if end_day == start.split(" ")[0] else f"{end_day} {end_time}"
    text = f"{start} – {end} UTC ({duration(issue.duration)}"
    text += ", still firing" if issue.ongoing else ""
    text += ", already firing when the period began" if issue.earlier else ""
    return text + ")"
