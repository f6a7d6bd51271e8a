"""The plan: one YAML file per product, loaded once into a typed model."""

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
