"""Alerts on a plan's synthetic user journeys: a journey with a ``tier`` alerts at that tier when its
last run failed.

Each becomes a threshold of the plan (``launchwatch_journey_success{journey=...} == 0`` for the
journey's ``for``), so the rule builder, its promtool tests, the scenario suites, the routing and the
alert catalogue treat it like the document's own numbers: a journey at a paging tier pages, one at
a lower tier notifies that tier's channels only. A journey without a tier is measured, not alerted on.
"""

from __future__ import annotations

from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import Threshold, camel
from launchwatch.plan.units import format_duration
from launchwatch.selfmetric_names import JOURNEY_FAILURES, JOURNEY_STEP_SUCCESS, JOURNEY_SUCCESS

__all__ = ["journey_alert", "journey_signal", "journey_thresholds"]


def journey_alert(name: str) -> str:
    """The alert of journey ``name``: ``smoke-test`` → ``JourneySmokeTestFailed``."""
    return f"Journey{camel(name)}Failed"


def journey_signal(name: str) -> str:
    """The signal (inhibition and dashboard key) of journey ``name``."""
    return f"journey-{name}"


def journey_thresholds(plan: Plan) -> list[Threshold]:
    """One threshold per journey that names a tier."""
    out = []
    for j in plan.journeys:
        if j.tier is None:
            continue
        steps = " → ".join(s.name for s in j.steps)
        out.append(Threshold.model_validate({
            "alert": journey_alert(j.name), "tier": j.tier, "metric": JOURNEY_SUCCESS,
            "matchers": {"journey": j.name}, "op": "==", "value": 0, "for": j.for_,
            "signal": journey_signal(j.name),
            "section": j.section or f"launchwatch: journey {j.name} (journeys[] in the plan)",
            "summary": j.summary or f"Journey {j.name} fails ({steps})",
            "note": (f"The journey runs at most every {format_duration(j.interval)} and its last result holds until "
                     f"the next run. Which step broke and why: {JOURNEY_STEP_SUCCESS} and {JOURNEY_FAILURES}"
                     "{step,reason}, and the exporter's landing page.")}))
    return out
