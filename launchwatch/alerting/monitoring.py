"""Alerts on the monitoring itself, for every plan: a silent dashboard must never look like a calm one.

When Prometheus cannot scrape the exporter, or a source fails, the business rules that read them
go quiet instead of firing. These alerts say so: the exporter unreachable (``up`` of the plan's
job is 0) or gone from Prometheus altogether (``absent(up)``), a source down for a while, a plan
reload that failed, values going missing. They are written as thresholds of the plan (so the rule
builder, its promtool tests and the routing treat them like the document's own), at the plan's
paging tier where paging alerts depend on them, at its lowest tier otherwise.
"""

from __future__ import annotations

from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import SEVERITIES, Threshold, Tier, camel
from launchwatch.selfmetric_names import (
    CONFIG_RELOAD_SUCCESSFUL,
    PROBE_CHECK_SUCCESS,
    PROBE_SUCCESS,
    TARGET_MISSING_VALUES,
    TARGET_UP,
)

__all__ = ["ABSENT_FOR", "SECTION", "monitoring_thresholds", "paging_tier", "quiet_tier"]

SECTION = "launchwatch: the monitoring itself (not in the document)"
ABSENT_FOR = 300.0  # how long `up` of the plan's job may be missing from Prometheus before it alerts


def paging_tier(plan: Plan) -> Tier:
    """The plan's most severe tier (its first, when several share the severity)."""
    return min(plan.tiers, key=lambda t: SEVERITIES.index(t.severity))


def quiet_tier(plan: Plan) -> Tier:
    """The plan's least severe tier (its last, when several share the severity)."""
    return max(reversed(plan.tiers), key=lambda t: SEVERITIES.index(t.severity))


def _paged_sources(plan: Plan) -> set[str]:
    """Sources whose values a paging-severity alert reads."""
    paging = SEVERITIES[0]
    owner = {m.name: s.name for s in plan.sources for m in s.metrics}
    out: set[str] = set()
    for th in plan.thresholds:
        if plan.tier(th.tier).severity != paging:
            continue
        for metric in (th.metric, th.denominator):
            if metric in owner:
                out.add(owner[metric])
        if th.metric in (PROBE_SUCCESS, PROBE_CHECK_SUCCESS, TARGET_UP) and "target" in th.matchers:
            out.add(th.matchers["target"])
    for slo in plan.slos:
        if plan.tier(slo.page_tier).severity == paging:
            out |= {owner[m] for m in (slo.errors, slo.total) if m in owner}
            if slo.probe_target:
                out.add(slo.probe_target)
    return out


def monitoring_thresholds(plan: Plan) -> list[Threshold]:
    """The monitoring alerts of ``plan`` as thresholds (none for a plan without tiers to route them)."""
    if not plan.tiers:
        return []
    page, quiet = paging_tier(plan).name, quiet_tier(plan).name
    paged = _paged_sources(plan)
    out = [Threshold.model_validate({
        "alert": "LaunchwatchExporterDown", "tier": page, "metric": "up", "op": "==", "value": 0, "for": "2m",
        "signal": "monitoring-exporter", "section": SECTION,
        "summary": f"Prometheus cannot scrape the {plan.plan} exporter: every alert of the plan is blind",
        "description": "Check the exporter process and the network between it and Prometheus."})]
    watched = {th.matchers.get("target") for th in plan.thresholds if th.metric == TARGET_UP}
    for source in plan.sources:
        if source.name in watched:  # the plan's own rule on this source's reachability says it already
            continue
        out.append(Threshold.model_validate({
            "alert": f"LaunchwatchSourceDown{camel(source.name)}", "tier": page if source.name in paged else quiet,
            "metric": TARGET_UP, "matchers": {"target": source.name}, "op": "==", "value": 0, "for": "5m",
            "signal": f"monitoring-source-{source.name}", "section": SECTION,
            "summary": f"Source {source.name} of {plan.plan} fails: the alerts reading it are blind",
            "description": "launchwatch_target_scrape_errors_total says why (reason label); the exporter's "
                           "landing page shows the last error."}))
    out.append(Threshold.model_validate({
        "alert": "LaunchwatchReloadFailed", "tier": quiet, "metric": CONFIG_RELOAD_SUCCESSFUL, "op": "==",
        "value": 0, "for": "10m", "signal": "monitoring-reload", "section": SECTION,
        "summary": f"The {plan.plan} exporter rejected its plan file: it still runs the last good one",
        "description": "The exporter's landing page and log give file:line: key of each problem."}))
    out.append(Threshold.model_validate({
        "alert": "LaunchwatchValuesMissing", "tier": quiet, "metric": TARGET_MISSING_VALUES, "kind": "increase",
        "window": "15m", "by": ["target", "metric"], "op": ">", "value": 0, "for": "15m",
        "signal": "monitoring-missing-values", "section": SECTION,
        "summary": f"Values of {plan.plan} have been null or absent in their source for 15 minutes",
        "description": "The rules that read these metrics see no data: they cannot fire."}))
    return out
