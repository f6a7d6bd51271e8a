"""blackbox_exporter-style checks on a fetched response: duration, body regex, JSON assertions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from launchwatch.exporter.fetch import FetchResult
from launchwatch.exporter.paths import query

if TYPE_CHECKING:
    from launchwatch.plan.model import Probe

__all__ = ["ProbeOutcome", "evaluate"]


@dataclass
class ProbeOutcome:
    """What the probe found; ``success`` is the conjunction of every check."""

    success: bool
    checks: dict[str, bool] = field(default_factory=dict)


def evaluate(probe: Probe, result: FetchResult, doc: Any) -> ProbeOutcome:
    """Judge a successful fetch against the probe's checks (``doc`` is None for non-JSON bodies)."""
    checks: dict[str, bool] = {}
    if probe.max_duration is not None:
        checks["max_duration"] = result.duration <= probe.max_duration
    if probe.body_regex is not None:
        checks["body_regex"] = re.search(probe.body_regex, result.body.decode("utf-8", "replace")) is not None
    for assertion in probe.assertions:
        found = [node for _, node in query(assertion.path).matches(doc)] if doc is not None else []
        checks[assertion.name] = bool(found) and all(_equal(v, assertion.equals) for v in found)
    return ProbeOutcome(all(checks.values()), checks)


def _equal(value: Any, allowed: list[Any]) -> bool:
    for want in allowed:
        if isinstance(want, bool) or isinstance(value, bool):
            if value is want:
                return True
        elif want == value:
            return True
    return False
