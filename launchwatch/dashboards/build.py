"""The one dashboard builder: a plan's ``dashboards:`` section (or the derived set when it has none)
→ grafanalib → Grafana JSON, with stable UIDs, one folder per plan, and the provisioning files.

Every dashboard gets the variables a Prometheus user expects (``datasource``, ``job`` and
``instance`` from ``label_values``, the job defaulting to the plan's), annotations for firing
alerts, exporter reloads and the launch moment, and links to the plan's other dashboards, the
overview and the runbooks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from grafanalib.core import Dashboard, DashboardLink, Template, Templating, Time

from launchwatch.dashboards.derived import derived_dashboards
from launchwatch.dashboards.grafana_compat import DATASOURCE, to_current_grafana
from launchwatch.dashboards.journeys import with_journeys
from launchwatch.dashboards.layout import place_row
from launchwatch.dashboards.overview import overview_dashboard
from launchwatch.dashboards.panels import build_panel, row_panel, runbook_link
from launchwatch.dashboards.queries import scoped
from launchwatch.expressions import phase_for
from launchwatch.output import dump_yaml
from launchwatch.plan.dashboards import Dashboard as PlanDashboard
from launchwatch.plan.model import Plan
from launchwatch.selfmetric_names import BUILD_INFO, CONFIG_RELOAD_TIMESTAMP

__all__ = ["OVERVIEW_UID", "build_all", "build_dashboard", "dashboards_of", "grafana_files", "provisioning_files"]

GRAFANA_DASHBOARDS = "/var/lib/grafana/dashboards"  # where docker-compose mounts grafana/dashboards
OVERVIEW_UID = "lw-overview"


def dashboards_of(plan: Plan, phase: str | None) -> list[PlanDashboard]:
    """The plan's own dashboards, or the derived set (with its journeys' row) when it describes none."""
    return list(plan.dashboards) or with_journeys(plan, derived_dashboards(plan, phase))


def uid_for(plan: Plan, board: PlanDashboard) -> str:
    if board.uid:
        return board.uid
    slug = re.sub(r"[^a-z0-9]+", "-", board.title.lower()).strip("-")
    return f"lw-{plan.plan}-{slug}"[:40].rstrip("-")


def templating(plan: Plan) -> Templating:
    """``$datasource``, and ``$job``/``$instance`` from the exporter's build info (what Prometheus
    scrapes for this plan), defaulting to the job the rules select."""
    job, instance = (Template(name=name, label=name.capitalize(), type="query", dataSource=DATASOURCE,
                              query=f"label_values({BUILD_INFO}{{{sel}}}, {name})", multi=True, includeAll=True,
                              allValue=".+", refresh=2, sort=1, default=default)
                     for name, sel, default in (("job", f'plan="{plan.plan}"', plan.job_name),
                                                ("instance", f'plan="{plan.plan}",job=~"$job"', "$__all")))
    return Templating(list=[
        Template(name="datasource", label="Data source", type="datasource", query="prometheus", default="Prometheus"),
        job, instance])


def annotations(plan: Plan) -> list[dict[str, Any]]:
    """Firing alerts (from ``ALERTS``), exporter (re)loads, and T+0 when the plan gives a launch moment."""
    out: list[dict[str, Any]] = [
        {"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"}, "enable": True, "hide": True,
         "iconColor": "rgba(0, 211, 255, 1)", "name": "Annotations & Alerts", "type": "dashboard"},
        _prometheus_annotation("Firing alerts", "red", f'ALERTS{{alertstate="firing",job=~"$job",plan="{plan.plan}"}}',
                               "{{alertname}}", "{{severity}} ({{tier}}): signal {{signal}}", "severity,tier"),
        _prometheus_annotation("Exporter reloads", "blue",
                               scoped(plan, f"changes({CONFIG_RELOAD_TIMESTAMP}[1m]) > 0"),
                               "launchwatch loaded its plan", "{{instance}}", "instance"),
    ]
    if plan.launch_at is not None:
        epoch = int(plan.launch_at.timestamp())
        expr = f"(vector(time()) >= bool {epoch}) * (vector(time()) < bool {epoch + 60}) == 1"
        out.append(_prometheus_annotation("Launch (T+0)", "purple", expr, f"Launch of {plan.title} (T+0)",
                                          plan.launch_at.isoformat(), ""))
    return out


def _prometheus_annotation(name: str, colour: str, expr: str, title: str, text: str, tags: str) -> dict[str, Any]:
    """Grafana reads ``expr``, ``step`` and the formats at the top level (as grafonnet writes them) and
    the query again under ``target``."""
    fields = {"expr": expr, "step": "60s", "titleFormat": title, "textFormat": text, "tagKeys": tags,
              "useValueForTime": False}
    return {"name": name, "datasource": dict(DATASOURCE), "enable": True, "hide": False, "iconColor": colour,
            **fields, "target": {"expr": expr, "refId": "Anno", "interval": "60s"}}


def links(plan: Plan) -> list[DashboardLink]:
    runbooks = runbook_link(plan, "")
    return [
        DashboardLink(title="launchwatch overview", uri=f"/d/{OVERVIEW_UID}", type="link", keepTime=True,
                      icon="dashboard", includeVars=False),
        DashboardLink(title=f"{plan.title}: dashboards", type="dashboards", tags=[plan.plan], asDropdown=True,
                      keepTime=True, includeVars=True),
    ] + ([DashboardLink(title="Alert runbooks", uri=runbooks.rstrip("#"), type="link", targetBlank=True, icon="doc")]
         if runbooks else [])


def build_dashboard(plan: Plan, board: PlanDashboard, phase: str | None) -> dict[str, Any]:
    """One Grafana dashboard (JSON) from one dashboard of the plan."""
    panels = []
    y = 0
    for row in board.rows:
        grids, end = place_row(list(row.panels), y + 1)
        built = [build_panel(plan, panel, grid, phase) for panel, grid in zip(row.panels, grids, strict=True)]
        if row.collapsed:  # Grafana keeps a collapsed row's panels inside it, laid out below the row
            panels.append(row_panel(row.title, y, collapsed=True, panels=built))
            y += 1
        else:
            panels += [row_panel(row.title, y), *built]
            y = end
    title = board.title if board.title.startswith(plan.title) else f"{plan.title}: {board.title}"
    dashboard = Dashboard(title=title, uid=uid_for(plan, board), description=board.description or plan.description,
                          tags=["launchwatch", plan.plan], panels=panels, templating=templating(plan),
                          links=links(plan), time=Time(f"now-{board.time}", "now"), refresh=board.refresh,
                          editable=False, timezone="browser")
    out = to_current_grafana(dashboard)
    out["annotations"] = {"list": annotations(plan)}
    return out


def build_all(plans: list[Plan], phase: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Dashboards JSON per folder: one folder per plan, plus ``overview``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for plan in plans:
        plan_phase = phase_for(plan, phase)
        out[plan.plan] = [build_dashboard(plan, board, plan_phase) for board in dashboards_of(plan, plan_phase)]
    out["overview"] = [to_current_grafana(overview_dashboard(plans, {p: [(b["title"], f"/d/{b['uid']}")
                                                                          for b in out[p]] for p in out}))]
    return out


def provisioning_files(plans: list[Plan], prometheus_url: str = "http://prometheus:9090") -> dict[str, str]:
    """Grafana's datasource and dashboard-provider files (relative path → YAML text)."""
    header = "# Generated by launchwatch. Do not edit: regenerate.\n"
    datasources = {"apiVersion": 1, "datasources": [{
        "name": "Prometheus", "uid": "prometheus", "type": "prometheus", "access": "proxy", "url": prometheus_url,
        "isDefault": True, "editable": False, "jsonData": {"timeInterval": "30s"}}]}
    providers = {"apiVersion": 1, "providers": [{
        "name": "launchwatch", "orgId": 1, "type": "file", "disableDeletion": False, "allowUiUpdates": False,
        "updateIntervalSeconds": 30, "options": {"path": GRAFANA_DASHBOARDS, "foldersFromFilesStructure": True}}]}
    return {"datasources/launchwatch.yml": dump_yaml(datasources, header),
            "dashboards/launchwatch.yml": dump_yaml(providers, header)}


def grafana_files(plans: list[Plan], phase: str | None = None) -> dict[str, str]:
    """``grafana/dashboards/<folder>/<uid>.json`` and ``grafana/provisioning/…`` (relative path → text)."""
    files = {}
    for folder, boards in build_all(plans, phase).items():
        for board in boards:
            files[f"grafana/dashboards/{folder}/{board['uid']}.json"] = json.dumps(board, indent=2,
                                                                                 sort_keys=True) + "\n"
    for rel, text in provisioning_files(plans).items():
        files[f"grafana/provisioning/{rel}"] = text
    return files
