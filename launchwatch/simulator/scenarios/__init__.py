"""One scenario per built-in plan: the endpoints that plan's product serves, and their shapes.

A scenario module defines ``build(launch) -> dict[path, handler]``; a handler returns the
JSON-able document for its endpoint (or ``Html``/``Status`` for non-JSON endpoints) and reads
``launch.faults`` for the business faults (error-spike, slow, payment-failure, zero-completions).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from launchwatch.simulator.launch import Launch

__all__ = ["SCENARIOS", "Handler", "Html", "Status", "build_routes"]

SCENARIOS = {
    "whatsapp-quiz": "whatsapp_quiz",
    "whatsapp-rollout": "whatsapp_rollout",
    "video-sessions": "video_sessions",
    "ecommerce-support": "ecommerce_support",
    "post-launch": "post_launch",
}


@dataclass(frozen=True)
class Html:
    """A non-JSON page (e.g. the admin page a document checks with ``curl -I``)."""

    body: str


@dataclass(frozen=True)
class Status:
    """A JSON document served with a non-200 status (e.g. a degraded health check)."""

    code: int
    document: Any


Handler = Callable[[], Any]


def build_routes(plan: str, launch: Launch) -> dict[str, Handler]:
    """The endpoints of ``plan``'s product, keyed by path."""
    if plan not in SCENARIOS:
        raise KeyError(f"no simulator scenario for plan {plan!r}; scenarios: {', '.join(SCENARIOS)}")
    module = importlib.import_module(f"launchwatch.simulator.scenarios.{SCENARIOS[plan]}")
    return module.build(launch)
