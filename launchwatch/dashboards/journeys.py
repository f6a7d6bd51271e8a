"""The journeys' row of a plan's derived dashboard: each journey's success over time (a state
timeline, red when the last run failed) and how long each step took. A plan with its own
``dashboards:`` section places the same panels itself (``launchwatch_journey_success`` as a
state-timeline by journey, ``launchwatch_journey_step_duration_seconds`` by journey and step).
"""

from __future__ import annotations

from launchwatch.dashboards.derived import RED_BELOW_ONE
from launchwatch.plan.dashboards import Dashboard, Panel, Row
from launchwatch.plan.model import Plan
from launchwatch.plan.units import format_duration
from launchwatch.selfmetric_names import JOURNEY_STEP_DURATION, JOURNEY_SUCCESS

__all__ = ["journey_row", "with_journeys"]


def journey_row(plan: Plan) -> Row | None:
    """The journeys' row, or None for a plan without journeys."""
    if not plan.journeys:
        return None
    about = "; ".join(f"{j.name} every {format_duration(j.interval)}"
                      + (f" (alert {plan.tier(j.tier).name})" if j.tier else "") for j in plan.journeys)
    return Row(title="Journeys", panels=[
        Panel(title="Journey success", type="state-timeline", metric=JOURNEY_SUCCESS, aggregation="min",
              by=["journey"], colours=RED_BELOW_ONE, width=12,
              description=f"Each synthetic user journey's last run: every step passed (green) or one failed (red); "
                          f"a result holds until the next run. {about}. The exporter's landing page says which "
                          "step broke and why."),
        Panel(title="Journey step durations", type="timeseries", metric=JOURNEY_STEP_DURATION, aggregation="max",
              by=["journey", "step"], width=12,
              description="How long each step of each journey took in its last run (cleanup steps included)."),
    ])


def with_journeys(plan: Plan, boards: list[Dashboard]) -> list[Dashboard]:
    """``boards`` with the journeys' row added to the first (unchanged for a plan without journeys)."""
    row = journey_row(plan)
    if row is None or not boards:
        return boards
    return [boards[0].model_copy(update={"rows": [*boards[0].rows, row]}), *boards[1:]]
