"""The alert catalogue: one Markdown page per plan that every alert's ``runbook_url`` points into.

It lists each threshold with the document section it comes from, the tiers and their channels,
the SLOs, and the documented targets that could not become rules, with the reason.
"""

from __future__ import annotations

from launchwatch.alerting.humanize import humanizer_for
from launchwatch.alerting.monitoring import ABSENT_FOR, monitoring_thresholds, paging_tier
from launchwatch.alerting.rules import LULL_BRIDGE, OPS
from launchwatch.expressions import format_number, value_unit
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import camel
from launchwatch.plan.units import format_duration

__all__ = ["catalogue", "summary_table"]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def catalogue(plan: Plan) -> str:
    """Markdown for ``docs/alerts/<plan>.md``."""
    lines = [f"# {plan.title}: alerts", "",
             f"Generated from `launchwatch/plans/{plan.plan}.yml` (seed `{plan.seed}`) by `make docs`; "
             "do not edit.", ""]
    if plan.phases:
        lines += ["## Phases", "", f"`launchwatch generate` uses **{plan.phases.default}** unless `--phase` "
                  "says otherwise.", ""]
        lines += [f"- `{p}`: {plan.phases.descriptions.get(p, '')}" for p in plan.phases.names] + [""]
    lines += ["## Tiers", "", "| tier | severity | channels | response | resolution |", "|---|---|---|---|---|"]
    for t in plan.tiers:
        response = format_duration(t.response) if t.response else ""
        resolution = format_duration(t.resolution) if t.resolution else ""
        lines.append(f"| {_cell(t.name)} | {t.severity} | {', '.join(t.channels)} | {response} | {resolution} |")
    lines += ["", "## Alerts", ""]
    seen: set[str] = set()
    for th in plan.thresholds:
        shown = humanizer_for(value_unit(th))(th.value)
        window = f" over {format_duration(th.window)}" if th.window else ""
        cond = f"`{th.kind}` of `{th.metric}`{window} {OPS[th.op]} {shown}"
        for_ = f" for {format_duration(th.for_)}" if th.for_ else ""
        heading = f"### {th.alert}" if th.alert not in seen else f"#### {th.alert} in {', '.join(th.phases)}"
        seen.add(th.alert)
        lines += [heading, "", f"{th.summary}. **{th.tier}**: {cond}{for_}"
                  f" (`{th.op} {format_number(th.value)}`).", "",
                  f"- From the document: {th.section}"]
        if th.phases:
            lines.append(f"- Phases: {', '.join(th.phases)}")
        if th.business_hours:
            lines.append("- Notifies during business hours only")
        if th.note:
            lines.append(f"- Note: {th.note}")
        lines.append("")
        for esc in th.escalate:
            name = th.escalation_alert(esc)
            lines += [f"### {name}" if name not in seen else f"#### {name} in {', '.join(th.phases)}", "",
                      f"{th.alert} still firing {format_duration(esc.after)} later (lulls under "
                      f"{format_duration(LULL_BRIDGE)} do not restart the clock): notify {', '.join(esc.channels)} "
                      f"({esc.level}); the tier's own channels are not paged again.", ""]
            seen.add(name)
    if plan.slos:
        lines += ["## SLOs", ""]
        for slo in plan.slos:
            sli = f"probe of `{slo.probe_target}`" if slo.probe_target else f"`{slo.errors}` / `{slo.total}`"
            for kind in ("Fast", "Slow"):
                lines += [f"### {camel(slo.name)}ErrorBudgetBurn{kind}", ""]
            lines += [f"{slo.objective:.2%} over {sli}; multiwindow burn-rate alerts (14.4x over 1h/5m and 6x "
                      f"over 6h/30m page **{slo.page_tier}**; 3x over 1d/2h and 1x over 3d/6h ticket "
                      f"**{slo.ticket_tier}**). From the document: {slo.section}", ""]
    lines += _monitoring(plan)
    lines += ["## Targets that are not alert rules", "", "| target | section | why not |", "|---|---|---|"]
    lines += [f"| {_cell(u.target)} | {_cell(u.section)} | {_cell(u.reason)} |" for u in plan.unexpressible]
    return "\n".join(lines) + "\n"


def _monitoring(plan: Plan) -> list[str]:
    """The alerts on the monitoring itself (``alerting.monitoring``), which no document lists."""
    ths = monitoring_thresholds(plan)
    if not ths:
        return ["## The monitoring itself", "", "This plan has no tiers, so no alert can be routed: add `tiers:` "
                "and `channels:` to be told when the exporter or a source fails.", ""]
    page = paging_tier(plan)
    lines = ["## The monitoring itself", "", "When the exporter or a source fails, the rules that read them go "
             "quiet instead of firing; these alerts say so.", "",
             "### LaunchwatchExporterAbsent", "", f"No `up` series of job `{plan.job_name}` at all for "
             f"{format_duration(ABSENT_FOR)}: the scrape job or its target is missing. **{page.name}**.", ""]
    for th in ths:
        for_ = f" for {format_duration(th.for_)}" if th.for_ else ""
        lines += [f"### {th.alert}", "", f"{th.summary}. **{th.tier}**: `{th.kind}` of `{th.metric}`"
                  f"{''.join(f' {k}={v}' for k, v in th.matchers.items())} {OPS[th.op]} "
                  f"{format_number(th.value)}{for_}.", ""]
    return lines


def summary_table(plans: list[Plan]) -> str:
    """Markdown for ``docs/thresholds.md``: per plan, rules made and targets listed as not expressible."""
    lines = ["# Thresholds per plan", "", "Generated by `make docs`; each plan's page lists every alert and "
             "every documented target that is not one, with the reason.", "",
             "| plan | threshold rules | SLOs | escalation rules | not expressible |", "|---|---|---|---|---|"]
    for p in plans:
        escalations = sum(len(t.escalate) for t in p.thresholds)
        lines.append(f"| [{p.plan}](alerts/{p.plan}.md) | {len(p.thresholds)} | {len(p.slos)} | {escalations} | "
                     f"{len(p.unexpressible)} |")
    return "\n".join(lines) + "\n"
