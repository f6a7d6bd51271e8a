"""Issues identified: the alerts that fired in a period, read back from Prometheus' ``ALERTS`` series.

Prometheus writes ``ALERTS{alertstate="firing"}`` at every rule evaluation while an alert fires, and
a stale marker when it resolves; a range selector returns those samples as they are, so a run of
samples without a gap is one firing, from its first sample to one evaluation after its last.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from launchwatch.expressions import threshold_named
from launchwatch.plan.model import Plan

__all__ = ["ALERT_LABELS", "Issue", "find_issues", "runs"]

# labels every generated alert carries: the rest (endpoint, provider…) tell one firing from another
ALERT_LABELS = frozenset({"__name__", "alertname", "alertstate", "severity", "tier", "plan", "signal", "job",
                          "instance", "escalation", "phase", "business_hours", "slo"})
GAP_FACTOR = 2.5  # samples further apart than this many evaluation intervals belong to two firings


@dataclass(frozen=True)
class Issue:
    """One firing of one alert: ``end`` is when it resolved (or the period's end if ``ongoing``)."""

    alert: str
    severity: str
    tier: str
    start: float
    end: float
    ongoing: bool = False  # still firing at the end of the period
    earlier: bool = False  # already firing when the period began
    summary: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # what tells this firing from others of the alert

    @property
    def duration(self) -> float:
        return self.end - self.start


def runs(times: Sequence[float], interval: float) -> list[tuple[float, float]]:
    """Split sorted sample times into runs with no gap over ``GAP_FACTOR`` intervals: (first, last).

    >>> runs([0, 30, 60, 300, 330], 30.0)
    [(0, 60), (300, 330)]
    """
    out: list[tuple[float, float]] = []
    for t in times:
        if out and t - out[-1][1] <= GAP_FACTOR * interval:
            out[-1] = (out[-1][0], t)
        else:
            out.append((t, t))
    return out


def _interval(series: list[dict[str, Any]]) -> float:
    gaps = [float(b[0]) - float(a[0]) for s in series for a, b in zip(s["values"], s["values"][1:], strict=False)]
    return statistics.median(gaps) if gaps else 60.0


def find_issues(plan: Plan, series: list[dict[str, Any]], start: float, end: float) -> list[Issue]:
    """The firings in ``series`` (the matrix answer of ``ALERTS{alertstate="firing",plan=…}[range]``
    at ``end``), oldest first."""
    interval = _interval(series)
    found: list[Issue] = []
    for s in series:
        labels = s["metric"]
        name = labels.get("alertname", "?")
        times = sorted(float(t) for t, _ in s["values"])
        try:
            summary = threshold_named(plan, name).summary
        except KeyError:
            summary = ""
        extra = {k: v for k, v in sorted(labels.items()) if k not in ALERT_LABELS}
        for first, last in runs(times, interval):
            ongoing = end - last <= GAP_FACTOR * interval
            found.append(Issue(alert=name, severity=labels.get("severity", ""), tier=labels.get("tier", ""),
                               start=first, end=end if ongoing else min(last + interval, end), ongoing=ongoing,
                               earlier=first - start <= interval, summary=summary, labels=extra))
    return sorted(found, key=lambda i: (i.start, i.alert))
