"""The dashboards a plan gets when it describes none: health, one row per signal, SLOs, alerts and
the plan's other metrics — written as a ``dashboards:`` section, so one builder makes them all.

Every colour comes from the plan (its alerts, its SLO objectives and burn-rate factors) or says
plainly what it means (a source down is red).
"""

from __future__ import annotations

from launchwatch.dashboards.colours import SEVERITY_COLOURS
from launchwatch.expressions import (
    SLO_BUDGET_RECORD,
    SLO_PAGE,
    SLO_TICKET,
    in_phase,
    signal_thresholds,
    signals,
    slo_record,
)
from launchwatch.plan.dashboards import Colour, Dashboard, Panel, Query, Row
from launchwatch.plan.model import Plan
from launchwatch.plan.urls import without_credentials
from launchwatch.selfmetric_names import (
    CONFIG_RELOAD_SUCCESSFUL,
    PROBE_SUCCESS,
    PROBE_TLS_NOT_AFTER,
    TARGET_MISSING_VALUES,
    TARGET_SCRAPE_DURATION,
    TARGET_SCRAPE_ERRORS,
    TARGET_UP,
)

__all__ = ["RED_BELOW_ONE", "RED_FROM_ONE", "derived_dashboards", "exporter_up", "sources_down"]

RED_BELOW_ONE = [Colour(colour="red"), Colour(value=1, colour="green")]  # a 0/1 "up": red when down
RED_FROM_ONE = [Colour(colour="green"), Colour(value=1, colour="red")]  # a count of failures: red from one


def exporter_up(description: str) -> Panel:
    """Whether Prometheus scrapes the exporter at all (0 when ``up`` is missing, too)."""
    return Panel(title="Exporter up", type="stat", expr="min(up) or on() vector(0)", unit="bool_yes_no",
                 colours=RED_BELOW_ONE, description=description)


def sources_down(description: str) -> Panel:
    """How many sources failed their last fetch."""
    return Panel(title="Sources down", type="stat", expr=f"count({TARGET_UP} == 0) or on() vector(0)", unit="short",
                 colours=RED_FROM_ONE, description=description)


def _health(plan: Plan) -> Row:
    panels = [
        exporter_up("Whether Prometheus reaches the exporter. When it does not, every other panel and every "
                    "alert of the plan is blind."),
        sources_down("Sources that failed their last fetch (their values are not shown as current)."),
        Panel(title="Plan loaded", type="stat", metric=CONFIG_RELOAD_SUCCESSFUL, aggregation="min",
              unit="bool_yes_no", colours=RED_BELOW_ONE,
              description="Whether the exporter's last plan (re)load succeeded."),
        Panel(title="Source status", type="state-timeline", metric=TARGET_UP, aggregation="min", by=["target"],
              colours=RED_BELOW_ONE, width=24,
              description="Each source: fetched and matching the plan (green) or not (red)."),
        Panel(title="Fetch duration", type="timeseries", metric=TARGET_SCRAPE_DURATION, by=["target"],
              description="How long each source's fetch and extraction took."),
        Panel(title="Fetch errors by reason", type="timeseries", metric=TARGET_SCRAPE_ERRORS, by=["reason"],
              description="Failed fetches per second, by reason (timeout, http_status, invalid_json, ...)."),
        Panel(title="Missing values", type="timeseries", metric=TARGET_MISSING_VALUES, by=["metric"],
              description="Values that were null or absent in the sources' JSON, per second."),
    ]
    probed = [s for s in plan.sources if s.probe is not None]
    if probed:
        panels.append(Panel(title="Probe success", type="state-timeline", metric=PROBE_SUCCESS, aggregation="min",
                            by=["target"], colours=RED_BELOW_ONE, description="Each probed source: every check passed "
                                                                    "(green) or not (red)."))
    if any(without_credentials(s.url).startswith("https") or plan.base_url.startswith("https") for s in probed):
        panels.append(Panel(title="Certificate expiry", type="stat", unit="s",
                            expr=f"min by (target) ({PROBE_TLS_NOT_AFTER}) - time()", legend="{{target}}",
                            colours=[Colour(colour="red"), Colour(value=7 * 86400, colour="orange"),
                                     Colour(value=21 * 86400, colour="green")],
                            description="Time left before each probed server certificate expires (red under a "
                                        "week, orange under three)."))
    return Row(title="Health of the monitoring", panels=panels)


def _signal_row(plan: Plan, signal: str, phase: str | None) -> Row:
    ths = signal_thresholds(plan, signal, phase)
    alerts = "; ".join(f"{t.alert} ({plan.tier(t.tier).name}) when {t.op} {t.value:g}" for t in ths)
    about = f"{ths[0].summary}. Alerts: {alerts}."
    return Row(title=f"Signal: {signal}", panels=[
        Panel(title=f"{signal} now", type="stat", signal=signal, width=6, height=8, description=about),
        Panel(title=f"{signal} over time", type="timeseries", signal=signal, width=18,
              description=f"{about} The lines are the alerts' thresholds."),
    ])


def _slo_rows(plan: Plan, phase: str | None) -> list[Row]:
    rows = []
    for slo in plan.slos:
        if not in_phase(slo.phases, phase):
            continue
        budget = 1 - slo.objective
        sel = f'{{slo="{slo.name}"}}'
        page, ticket = (SEVERITY_COLOURS[plan.tier(t).severity] for t in (slo.page_tier, slo.ticket_tier))
        burn_steps = sorted({(f, ticket) for f, _, _ in SLO_TICKET} | {(f, page) for f, _, _ in SLO_PAGE})
        rows.append(Row(title=f"SLO: {slo.name} ({slo.objective:.2%})", panels=[
            Panel(title="Availability (30 days)", type="stat", width=6, slo=slo.name,
                  description=f"Good events over all events in the last 30 days. From: {slo.section}."),
            Panel(title="Error budget left", type="stat", unit="percentunit", width=6, expr=f"{SLO_BUDGET_RECORD}{sel}",
                  colours=[Colour(colour="red"), Colour(value=0, colour="green")],
                  description="Share of the 30-day error budget not yet spent (red: spent)."),
            Panel(title="Burn rate", type="timeseries", unit="short", width=12,
                  queries=[Query(expr=f"{slo_record(w)}{sel} / {budget:g}", legend=name)
                           for name, w in (("1h", 3600), ("6h", 21600), ("3d", 259200))],
                  colours=[Colour(colour="green")] + [Colour(value=f, colour=c) for f, c in burn_steps],
                  description="How fast the error budget burns (1 = exactly on budget); the lines are the "
                              "burn-rate alerts' factors (SRE workbook)."),
        ]))
    return rows


def _other_metrics(plan: Plan, phase: str | None) -> Row | None:
    shown = [t for t in plan.thresholds if t.kind != "drop" and in_phase(t.phases, phase)]
    judged = {t.metric for t in shown} | {t.denominator for t in shown if t.denominator}
    panels = []
    for name, mappings in plan.metrics.items():
        if name in judged or mappings[0].type == "info":
            continue
        labels = sorted({label for m in mappings for label in m.label_names})
        panels.append(Panel(title=name, type="timeseries", metric=name, by=labels, width=12,
                            description=mappings[0].help + (" Per second." if name.endswith("_total") else "")))
    return Row(title="Other metrics", panels=panels) if panels else None


def derived_dashboards(plan: Plan, phase: str | None) -> list[Dashboard]:
    """One dashboard: health, a row per signal (value now and timeline with the alert lines), SLOs,
    the plan's alerts, and every metric no alert judges."""
    rows = [_health(plan)]
    for signal in signals(plan):
        if any(t.signal_name == signal and t.kind != "drop" and in_phase(t.phases, phase) for t in plan.thresholds):
            rows.append(_signal_row(plan, signal, phase))
    rows += _slo_rows(plan, phase)
    rows.append(Row(title="Alerts", panels=[Panel(title="Firing and pending alerts", type="alertlist", width=24,
                                                  description=f"Alerts of plan {plan.plan} firing or pending.")]))
    if other := _other_metrics(plan, phase):
        rows.append(other)
    return [Dashboard(title="overview", uid=f"lw-{plan.plan}"[:40], description=plan.description or plan.title,
                      rows=rows)]
