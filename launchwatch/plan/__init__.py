"""The plan: one YAML file per product, loaded once into a typed model.

The names below are imported on first use (PEP 562), so a process that only serves a compiled plan
(``launchwatch.plan.runtime``) can import this package's small modules without pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchwatch.plan.builtin import builtin_plan_path, builtin_plans
    from launchwatch.plan.loader import PlanError, Problem, load_plan, load_plan_text, resolve_url
    from launchwatch.plan.model import MetricMapping, Plan, Probe, Source

__all__ = [
    "MetricMapping",
    "Plan",
    "PlanError",
    "Probe",
    "Problem",
    "Source",
    "builtin_plan_path",
    "builtin_plans",
    "load_plan",
    "load_plan_text",
    "resolve_url",
]

_WHERE = {
    "builtin_plan_path": "builtin", "builtin_plans": "builtin",
    "PlanError": "loader", "Problem": "loader", "load_plan": "loader", "load_plan_text": "loader",
    "resolve_url": "loader", "MetricMapping": "model", "Plan": "model", "Probe": "model", "Source": "model",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
