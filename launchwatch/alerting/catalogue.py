"""The alert catalogue: one Markdown page per plan that every alert's ``runbook_url`` points into.

It lists each threshold with the document section it comes from, the tiers and their channels,
the SLOs, and the documented targets that could not become rules, with the reason.
"""

from __future__ import annotations

from launchwatch.alerting.alertmanager import timings as _timings
from launchwatch.alerting.guards import HOLD, MIN_EXPECTED, MIN_VOLUME, guards, hold_for
from launchwatch.alerting.humanize import humanizer_for
from launchwatch.alerting.journeys import journey_thresholds
from launchwatch.alerting.monitoring import ABSENT_FOR, monitoring_thresholds, paging_tier
from launchwatch.alerting.rules import LULL_BRIDGE, OPS
from launchwatch.expressions import TimeScale, format_number, value_unit
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import Threshold, camel
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
    lines += _paging(plan)
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
        hold = hold_for(th)
        for_ = f" for {format_duration(hold)}" if hold else ""
        heading = f"### {th.alert}" if th.alert not in seen else f"#### {th.alert} in {', '.join(th.phases)}"
        seen.add(th.alert)
        lines += [heading, "", f"{th.summary}. **{th.tier}**: {cond}{for_}"
                  f" (`{th.op} {format_number(th.value)}`).", "",
                  f"- From the document: {th.section}" if th.from_document
                  else f"- Not in the document: the plan adds it (beside {th.section})"]
        if th.phases:
            lines.append(f"- Phases: {', '.join(th.phases)}")
        if th.business_hours:
            lines.append("- Notifies during business hours only")
        if found := guards(plan, th, TimeScale()):
            lines.append("- Guarded: " + "; ".join(g.text for g in found))
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
    lines += _journeys(plan)
    lines += _monitoring(plan)
    lines += ["## Targets that are not alert rules", "", "| target | section | why not |", "|---|---|---|"]
    lines += [f"| {_cell(u.target)} | {_cell(u.section)} | {_cell(u.reason)} |" for u in plan.unexpressible]
    return "\n".join(lines) + "\n"


def _when(plan: Plan, th: Threshold) -> str:
    """The condition in words, with its hold, phases, hours and guards."""
    unit = value_unit(th)
    shown = format_duration(th.value) if unit == "humanizeDuration" and th.value > 0 else humanizer_for(unit)(th.value)
    window = f" over {format_duration(th.window)}" if th.window else ""
    hold = hold_for(th)
    sel = _selector(th.metric, th.matchers)
    what = {"value": sel, "age": f"age of {sel}", "increase": f"increase of {sel}",
            "drop": f"fall of {sel} against {format_duration(th.offset or 0)} earlier",
            "ratio": f"{sel} / {_selector(str(th.denominator), th.denominator_matchers)}"}[th.kind]
    text = f"{what}{window} {OPS[th.op]} {shown}" + (f" for {format_duration(hold)}" if hold else "")
    if th.phases:
        text += f"; phases {', '.join(th.phases)}"
    if th.business_hours:
        text += "; business hours only"
    found = guards(plan, th, TimeScale())
    if found:
        text += "; " + "; ".join(g.text for g in found)
    return _cell(text)


def _selector(metric: str, matchers: dict[str, str]) -> str:
    inner = ",".join(f"{k}={v}" for k, v in sorted(matchers.items()))
    return f"{metric}{{{inner}}}" if inner else metric


def _paging(plan: Plan) -> list[str]:
    """What pages (the plan's most severe severity), when, whom; and what never can."""
    if not plan.tiers:
        return []
    page = paging_tier(plan).severity
    paging = {t.name for t in plan.tiers if t.severity == page}
    timing = {t.name: _timings(t.response, t.severity, TimeScale()) for t in plan.tiers}
    lines = ["## What pages, when, whom", "",
             f"Paging means the plan's most severe severity, **{page}** (tiers {', '.join(sorted(paging))}). "
             "Each row is an alert that can page, the condition that must hold, and who hears it: the first "
             "notification after the group wait, a reminder at the repeat interval while it fires.", "",
             "| alert | when | whom | first / reminders |", "|---|---|---|---|"]
    ths = [*plan.thresholds, *journey_thresholds(plan), *monitoring_thresholds(plan)]
    for th in ths:
        if th.tier not in paging:
            continue
        tier = plan.tier(th.tier)
        t = timing[tier.name]
        lines.append(f"| {th.alert} | {_when(plan, th)} | {tier.name}: {', '.join(tier.channels)} | "
                     f"{t['group_wait']} / {t['repeat_interval']} |")
        for esc in th.escalate:
            lines.append(f"| {th.escalation_alert(esc)} | {th.alert} firing for {format_duration(esc.after)} "
                         f"(lulls under {format_duration(LULL_BRIDGE)} do not restart the clock) | {esc.level}: "
                         f"{', '.join(esc.channels)} (the tier is not paged again) | as {tier.name} |")
    top = paging_tier(plan)
    lines.append(f"| LaunchwatchExporterAbsent | no `up` of job {plan.job_name} for {format_duration(ABSENT_FOR)} | "
                 f"{top.name}: {', '.join(top.channels)} | as {top.name} |")
    for slo in plan.slos:
        if slo.page_tier in paging:
            lines.append(f"| {camel(slo.name)}ErrorBudgetBurnFast | the {slo.objective:.2%} objective's budget burns "
                         f"14.4x over 1h and 5m, or 6x over 6h and 30m, for 2m | {slo.page_tier}: "
                         f"{', '.join(plan.tier(slo.page_tier).channels)} | as {slo.page_tier} |")
    never = sorted({th.alert for th in ths if th.tier not in paging})
    lower = ", ".join(t.name for t in plan.tiers if t.name not in paging) or "none"
    lines += ["", "### What can never page", "",
              f"- Alerts of tiers below {page} ({lower}), escalation stages included: {', '.join(never) or 'none'}. "
              "They notify their tier's (or stage's) channels only.",
              f"- A ratio on less than its minimum volume in its window ({format_number(MIN_VOLUME)} events unless "
              "the threshold sets `min_volume`): two failures out of three requests at night are not an outage.",
              "- A zero-activity rule before a full window of data, outside business hours when it says "
              f"`business_hours`, or when the recent pace did not predict {format_number(MIN_EXPECTED)} events in "
              f"its window (a quiet night); every shortfall rule holds at least {format_duration(HOLD)}.",
              "- A business-hours alert outside the plan's business hours (Alertmanager delivers it at the next "
              "opening if it still fires), escalation stages included.",
              "- Anything while an alert of a more severe tier on the same signal fires and notifies everyone "
              "the less severe tier would.", ""]
    return lines


def _journeys(plan: Plan) -> list[str]:
    """The synthetic user journeys (``journeys:``) and the alert of each that has a tier."""
    if not plan.journeys:
        return []
    lines = ["## Journeys", "", "Synthetic user journeys the exporter runs (`launchwatch journey run` runs one by "
             "hand); each fails at its first broken step, with the reason `launchwatch_journey_failures_total` "
             "counts.", ""]
    alerts = {th.matchers["journey"]: th for th in journey_thresholds(plan)}
    for j in plan.journeys:
        steps = " → ".join(s.name for s in j.steps) + (f"; cleanup {', '.join(s.name for s in j.cleanup)}"
                                                        if j.cleanup else "")
        th = alerts.get(j.name)
        if th is None:
            lines += [f"### Journey {j.name}", "", f"{steps}, every {format_duration(j.interval)}. No tier: "
                      "measured, never alerted on.", ""]
            continue
        for_ = f" for {format_duration(th.for_)}" if th.for_ else ""
        lines += [f"### {th.alert}", "", f"{th.summary}. **{th.tier}**: the last run of journey `{j.name}` "
                  f"({steps}, every {format_duration(j.interval)}) failed{for_}.", "",
                  f"- From the document: {th.section}", f"- Note: {th.note}", ""]
    return lines


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
