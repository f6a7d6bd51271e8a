"""GREEN / YELLOW / RED: the overall status a report ends with, and the rows and alerts that decided it.

The documents ask for "OVERALL STATUS: GREEN / YELLOW / RED" without saying when each applies, so
launchwatch writes its rule down and lists under the status everything that decided it:

- **RED**: an alert of a tier that interrupts someone at once (severity ``critical`` or ``high``:
  RED, P0/P1, CRITICAL, Tier 1/2, ALERT) fired in the period; or a figure of the period is over the
  threshold of such an alert (the error rate of the whole day is over the RED line), i.e. the target
  was missed by more than its alert threshold.
- **YELLOW**: any other alert fired (``medium`` / ``low``: YELLOW, P2/P3, WARN, targets); a figure is
  over such an alert's threshold; a figure missed its target; or a figure with a target has no data
  (a silent report must not read as a calm one).
- **GREEN**: none of these.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PAGING_SEVERITIES", "STATUSES", "Reason", "colour_of", "overall"]

STATUSES = ("GREEN", "YELLOW", "RED")
PAGING_SEVERITIES = frozenset({"critical", "high"})


@dataclass(frozen=True)
class Reason:
    status: str  # YELLOW or RED; GREEN for a note that decides nothing (a goal not reached yet)
    text: str


def colour_of(severity: str) -> str:
    """The status an alert (or a crossed threshold) of ``severity`` gives a report."""
    return "RED" if severity in PAGING_SEVERITIES else "YELLOW"


def overall(reasons: list[Reason]) -> str:
    """The worst status among ``reasons``; GREEN when there are none."""
    return max((r.status for r in reasons), key=STATUSES.index, default="GREEN")
