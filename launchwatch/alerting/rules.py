"""Prometheus rule groups for one plan and phase: thresholds, escalations and SLO burn rates.

Each generated alert carries ``severity`` (critical|high|medium|low), the document's ``tier``,
``plan`` and ``signal`` labels, and ``summary``, ``description`` (value humanized) and
``runbook_url`` annotations. ``AlertRule`` keeps what the promtool test generator needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from launchwatch.alerting.guards import MIN_VOLUME, counted, guarded_expr, guards, hold_for
from launchwatch.alerting.humanize import humanizer_for, value_template
from launchwatch.alerting.journeys import journey_thresholds
from launchwatch.alerting.monitoring import ABSENT_FOR, SECTION, monitoring_thresholds, paging_tier
from launchwatch.expressions import (
    SLO_BUDGET_RECORD,
    SLO_PAGE,
    SLO_PERIOD,
    SLO_TICKET,
    SLO_WINDOWS,
    Signal,
    TimeScale,
    format_number,
    in_phase,
    signal_for,
    slo_error_expr,
    slo_record,
    value_unit,
)
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import Escalation, Slo, Threshold, camel

__all__ = ["LULL_BRIDGE", "AlertRule", "RuleSet", "build_rules", "escalation_expr"]

LULL_BRIDGE = 600  # an alert with escalation stages keeps firing through a lull this long (keep_firing_for)

OPS = {">": "over", ">=": "at or over", "<": "under", "<=": "at or under", "==": "at"}


@dataclass
class AlertRule:
    """A generated alert rule with the threshold it came from (None for SLO alerts)."""

    rule: dict[str, object]
    signal: Signal
    threshold: Threshold | None = None
    slo: Slo | None = None
    for_seconds: float = 0.0
    unit: str = "humanize"


@dataclass
class RuleSet:
    recording: list[dict[str, object]] = field(default_factory=list)
    alerts: list[AlertRule] = field(default_factory=list)
    escalations: list[AlertRule] = field(default_factory=list)
    slo_recording: list[dict[str, object]] = field(default_factory=list)
    slo_alerts: list[AlertRule] = field(default_factory=list)
    monitoring: list[AlertRule] = field(default_factory=list)  # on the exporter and sources themselves
    absent: list[AlertRule] = field(default_factory=list)  # the plan's job gone from Prometheus

    def groups(self, plan: Plan) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for name, rules in (
            ("recording", self.recording),
            ("thresholds", [a.rule for a in self.alerts]),
            ("escalations", [a.rule for a in self.escalations]),
            ("slo-recording", self.slo_recording),
            ("slo-alerts", [a.rule for a in self.slo_alerts]),
            ("monitoring", [a.rule for a in [*self.monitoring, *self.absent]]),
        ):
            if rules:
                out.append({"name": f"{plan.plan}-{name}", "rules": rules})
        return out


def build_rules(plan: Plan, phase: str | None = None, scale: TimeScale | None = None) -> RuleSet:
    """Every threshold and SLO of ``plan`` that applies in ``phase``.

    Recording rules are written for every phase's thresholds: dashboards and reports read a signal
    through them whichever phase the alerts were generated for.
    """
    scale = scale or TimeScale()
    out = RuleSet()
    records: dict[str, dict[str, object]] = {}
    for th in plan.thresholds:
        signal = signal_for(plan, th, scale)
        for rec in signal.recording:
            records.setdefault(str(rec["record"]), rec)
        if not in_phase(th.phases, phase):
            continue
        # with escalation stages, a short lull must not restart the incident's clock
        out.alerts.append(_threshold_alert(plan, th, signal, scale, th.alert, _phase_label(plan, th, phase),
                                           keep_firing_for=LULL_BRIDGE if th.escalate else 0.0))
        for esc in th.escalate:
            out.escalations.append(_escalation_alert(plan, th, signal, scale, esc, _phase_label(plan, th, phase)))
    for th in journey_thresholds(plan):  # every phase: a journey that fails is broken whatever the phase
        signal = signal_for(plan, th, scale)
        out.alerts.append(_threshold_alert(plan, th, signal, scale, th.alert, _phase_label(plan, th, phase)))
    for th in monitoring_thresholds(plan):
        signal = signal_for(plan, th, scale)
        for rec in signal.recording:
            records.setdefault(str(rec["record"]), rec)
        out.monitoring.append(_threshold_alert(plan, th, signal, scale, th.alert, {}))
    if plan.tiers:
        out.absent.append(_absent_alert(plan, scale))
    out.recording = [records[k] for k in sorted(records)]
    for slo in plan.slos:
        if in_phase(slo.phases, phase):
            _slo_rules(plan, slo, scale, out)
    return out


def _phase_label(plan: Plan, th: Threshold, phase: str | None) -> dict[str, str]:
    """The launch phase the alert belongs to, so a person sees which of the document's numbers applies."""
    if plan.phases is None:
        return {}
    return {"phase": phase or (",".join(th.phases) if th.phases else "all")}


def _labels(plan: Plan, th: Threshold, extra: dict[str, str]) -> dict[str, str]:
    """The labels every alert of ``th`` carries (severity, the document's tier, plan, signal), then ``extra``."""
    tier = plan.tier(th.tier)
    labels = {"severity": tier.severity, "tier": tier.name, "plan": plan.plan, "signal": th.signal_name}
    if th.business_hours:
        labels["business_hours"] = "true"
    return {**labels, **extra}


def _threshold_alert(plan: Plan, th: Threshold, signal: Signal, scale: TimeScale, name: str,
                     extra: dict[str, str], keep_firing_for: float = 0.0) -> AlertRule:
    unit = value_unit(th)
    shown = humanizer_for(unit)(th.value)
    for_ = hold_for(th)
    for_text = f" for {scale(for_)}" if for_ else ""
    labels = _labels(plan, th, extra)
    rule: dict[str, object] = {"alert": name, "expr": guarded_expr(plan, th, scale, name)}
    if for_:
        rule["for"] = scale(for_)
    if keep_firing_for:
        rule["keep_firing_for"] = scale(keep_firing_for)
    rule["labels"] = labels
    description = (f"Now {value_template(unit)}; the plan alerts when it is {OPS[th.op]} {shown}{for_text}. "
                   f"From: {th.section}.")
    if found := guards(plan, th, scale):
        description += " Guarded: " + "; ".join(g.text for g in found) + "."
    if extra.get("phase") and th.phases:
        description += f" Applies in phase {extra['phase']}."
    if th.note:  # free text from the plan: never a Go template action
        description += " Note: " + th.note.replace("{{", "{ {").replace("}}", "} }")
    rule["annotations"] = {"summary": th.summary, "description": description, "runbook_url": plan.runbook_url(name)}
    return AlertRule(rule, signal, threshold=th, for_seconds=scale.seconds(for_), unit=unit)


def _escalation_alert(plan: Plan, th: Threshold, signal: Signal, scale: TimeScale, esc: Escalation,
                      extra: dict[str, str]) -> AlertRule:
    """A stage that fires once the base alert has been firing for ``esc.after``: it reads the base
    alert's own ``ALERTS`` series, which the base's ``keep_firing_for`` holds through short lulls, so
    the stage measures how long the incident has lasted, not how long the value stayed past the line."""
    name = th.escalation_alert(esc)
    labels = _labels(plan, th, {**extra, "escalation": esc.level})
    rule: dict[str, object] = {
        "alert": name, "expr": escalation_expr(plan, th), "for": scale(esc.after), "labels": labels,
        "annotations": {
            "summary": th.summary,
            "description": (f"{th.alert} has been firing for {scale(esc.after)} (lulls under {scale(LULL_BRIDGE)} "
                            f"do not restart the clock): escalated to {esc.level}. From: {th.section}."),
            "runbook_url": plan.runbook_url(name)}}
    return AlertRule(rule, signal, threshold=th, for_seconds=scale.seconds(hold_for(th) + esc.after),
                     unit=value_unit(th))


def escalation_expr(plan: Plan, th: Threshold, bridge: str = "") -> str:
    """An escalation stage's expression: the base alert of ``th`` firing. ``bridge`` (a PromQL duration) is
    for engines without ``keep_firing_for`` (vmalert 1.79): the stage then reads the base alert's firing over
    that much of the past, so a lull shorter than it still does not restart the incident's clock."""
    firing = f'ALERTS{{alertname="{th.alert}",alertstate="firing",plan="{plan.plan}"}}'
    if bridge:
        return f"max without (alertstate) (max_over_time({firing}[{bridge}]))"
    return f"max without (alertstate) ({firing})"


def _absent_alert(plan: Plan, scale: TimeScale) -> AlertRule:
    """``up`` of the plan's job missing altogether: the scrape job or its target is gone."""
    tier = paging_tier(plan)
    name = "LaunchwatchExporterAbsent"
    rule: dict[str, object] = {
        "alert": name, "expr": f'absent(up{{job="{plan.job_name}"}})', "for": scale(ABSENT_FOR),
        "labels": {"severity": tier.severity, "tier": tier.name, "plan": plan.plan, "signal": "monitoring-exporter"},
        "annotations": {
            "summary": f"Prometheus has no scrape target for job {plan.job_name}: every alert of {plan.plan} is blind",
            "description": f"No `up` series of job {plan.job_name} for {scale(ABSENT_FOR)}: the scrape job or its "
                           f"target is missing from prometheus.yml. From: {SECTION}.",
            "runbook_url": plan.runbook_url(name)}}
    return AlertRule(rule, Signal(str(rule["expr"]), ("job",)), for_seconds=scale.seconds(ABSENT_FOR))


def _slo_rules(plan: Plan, slo: Slo, scale: TimeScale, out: RuleSet) -> None:
    budget = 1 - slo.objective
    job = f'job="{plan.job_name}"'
    for window in SLO_WINDOWS:
        expr = slo_error_expr(plan, slo, scale(window))
        out.slo_recording.append({"record": slo_record(window, scale), "expr": expr, "labels": {"slo": slo.name}})
    out.slo_recording.append({
        "record": SLO_BUDGET_RECORD,
        "expr": f'1 - {slo_record(SLO_PERIOD, scale)}{{{job},slo="{slo.name}"}} / {format_number(budget)}',
        "labels": {"slo": slo.name},
    })
    for kind, pairs, tier_name, for_ in (("Fast", SLO_PAGE, slo.page_tier, 120), ("Slow", SLO_TICKET,
                                                                                    slo.ticket_tier, 900)):
        tier = plan.tier(tier_name)
        clauses = []
        for factor, long_w, short_w in pairs:
            limit = format_number(factor * budget)
            sel = f'{{{job},slo="{slo.name}"}}'
            long_rec, short_rec = slo_record(long_w, scale), slo_record(short_w, scale)
            clauses.append(f"({long_rec}{sel} > {limit}\nand\n{short_rec}{sel} > {limit})")
        name = f"{camel(slo.name)}ErrorBudgetBurn{kind}"
        expr = "\nor\n".join(clauses)
        if slo.total and MIN_VOLUME:  # one failed request of one at night is no burn: the guard ratios have
            expr = (f"(\n{expr}\n)\nand on (job)\n(sum by (job) (increase({slo.total}{{{job}}}[{scale(pairs[0][1])}])) "
                    f">= {format_number(counted(MIN_VOLUME, scale))})")
        rule = {
            "alert": name,
            "expr": expr,
            "for": scale(for_),
            "labels": {"severity": tier.severity, "tier": tier.name, "plan": plan.plan, "signal": f"slo-{slo.name}",
                       "slo": slo.name},
            "annotations": {
                "summary": f"{slo.name}: the error budget of the {slo.objective:.2%} objective burns "
                           f"{'fast (page)' if kind == 'Fast' else 'steadily (ticket)'}",
                "description": (f"Error ratio over the long window is {value_template('humanizePercentage')}; "
                                f"the {slo.objective:.2%} objective allows {budget:.2%}. From: {slo.section}."),
                "runbook_url": plan.runbook_url(name),
            },
        }
        signal = Signal(clauses[0], ("job", "slo"))
        out.slo_alerts.append(AlertRule(rule, signal, slo=slo, for_seconds=scale.seconds(for_),
                                        unit="humanizePercentage"))
