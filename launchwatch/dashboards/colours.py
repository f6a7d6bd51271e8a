"""A panel's colour steps, worked out from the alerts that judge what it shows.

The number line is cut at every threshold value; each band takes the colour of the most severe
alert a value in it would fire (green when none would). So a value that fires a critical alert is
never painted with a lower tier's colour, steps never repeat, and a healthy value is green.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchwatch.expressions import signal_thresholds
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import SEVERITIES, Slo
from launchwatch.plan.thresholds import Threshold as PlanThreshold

__all__ = [
    "NO_DATA_COLOUR",
    "OK_COLOUR",
    "SEVERITY_COLOURS",
    "Step",
    "band_alerts",
    "signal_steps",
    "slo_steps",
    "threshold_steps",
]

SEVERITY_COLOURS = {"critical": "red", "high": "orange", "medium": "yellow", "low": "blue"}
OK_COLOUR = "green"
NO_DATA_COLOUR = "purple"  # the source is down or the value missing: never mistaken for calm


@dataclass(frozen=True)
class Step:
    """From ``value`` up (``None``: from minus infinity), the panel shows ``colour``."""

    value: float | None
    colour: str


def _fires(th: PlanThreshold, value: float) -> bool:
    return {">": value > th.value, ">=": value >= th.value, "<": value < th.value, "<=": value <= th.value,
            "==": value == th.value}[th.op]


def _just_above(value: float) -> float:
    return round(value + max(abs(value), 1.0) * 1e-9, 12)


def _cut(th: PlanThreshold) -> list[float]:
    """Where ``th`` starts or stops firing, as a Grafana step (a step colours values >= it).

    ``> v`` and ``<= v`` change just above ``v``: the step sits a hair past it, so a value of
    exactly ``v`` (a count of 0 under "> 0") keeps the colour it really has; ``== v`` colours the
    hair-wide band from ``v``.
    """
    if th.op == "==":
        return [th.value, _just_above(th.value)]
    if th.op in (">", "<="):
        return [_just_above(th.value)]
    return [th.value]


def band_alerts(ths: list[PlanThreshold], low: float | None, high: float | None) -> list[PlanThreshold]:
    """The thresholds every value in the band [low, high) fires, judged at a point inside it (the
    band's own edge for a hair-wide band: ``== v``'s, or ``v`` alone when ``<= v`` and ``< v`` meet there)."""
    if low is not None and (any(t.op == "==" and t.value == low for t in ths) or high == _just_above(low)):
        point = low
    elif low is None:
        point = (high if high is not None else 0.0) - max(abs(high or 0.0), 1.0)
    elif high is None:
        point = low + max(abs(low), 1.0)
    else:
        point = (low + high) / 2
    return [t for t in ths if _fires(t, point)]


def signal_steps(plan: Plan, signal: str, phase: str | None) -> list[Step]:
    """Colour steps for a panel of ``signal``."""
    return threshold_steps(plan, signal_thresholds(plan, signal, phase))


def slo_steps(slo: Slo) -> list[Step]:
    """An SLO's availability: red under its objective (the budget is spent), green at or over it."""
    return [Step(None, SEVERITY_COLOURS["critical"]), Step(slo.objective, OK_COLOUR)]


def threshold_steps(plan: Plan, ths: list[PlanThreshold]) -> list[Step]:
    """Colour steps for a panel of the expression ``ths`` judge: the most severe alert of each band,
    green where none fires."""
    rank = {sev: i for i, sev in enumerate(SEVERITIES)}
    cuts = sorted({c for t in ths for c in _cut(t)})
    edges: list[float | None] = [None, *cuts]
    steps: list[Step] = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        firing = band_alerts(ths, low, high)
        colour = OK_COLOUR
        if firing:
            worst = min(firing, key=lambda t: rank[plan.tier(t.tier).severity])
            colour = SEVERITY_COLOURS[plan.tier(worst.tier).severity]
        if not steps or steps[-1].colour != colour:
            steps.append(Step(low, colour))
    return steps
