"""What the drafter reads from a document: thresholds (``Finding``) and what it could not judge (``Unclear``)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Finding", "Unclear"]


@dataclass
class Finding:
    """One threshold read from the document."""

    line: int
    phrase: str
    op: str
    value: float
    kind: str
    tier: str
    path: list[str]
    excerpt: str
    for_: float | None = None
    window: float | None = None
    counter: bool = False
    drop: bool = False
    phase: str | None = None
    notes: list[str] = field(default_factory=list)
    slo: bool = False  # an uptime / availability objective: an SLO over weeks, not an alert threshold
    total: bool = False  # ">100 sign-ups": a count to reach over the period (a report's goal), not a level
    severity: str | None = None  # when the tier is an action ("Page on-call engineer"): its severity
    note: str | None = None  # why the drafter chose a value the document does not state
    name: str | None = None  # the alert's name when the document gives one ("### HighErrorRate")
    metric: str | None = None  # the metric's name when the document writes one ("`queue_lag_seconds` above 120")
    op_guessed: bool = False  # a rung's number said with no comparison ("warning: 95%"): its rungs set the way


@dataclass
class Unclear:
    """Something the document asks for that the drafter could not turn into a threshold."""

    line: int
    target: str
    path: list[str]
    reason: str
    objective: Finding | None = None  # an availability objective, which the draft's slos: holds
