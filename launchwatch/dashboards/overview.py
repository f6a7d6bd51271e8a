"""The overview: one row per plan that turns red when its exporter is unreachable, sources are
down or critical alerts fire, with links to every plan's dashboards."""

from __future__ import annotations

from grafanalib.core import Dashboard, DashboardLink, Template, Templating, Time

from launchwatch.dashboards.derived import RED_FROM_ONE, exporter_up, sources_down
from launchwatch.dashboards.grafana_compat import DATASOURCE
from launchwatch.dashboards.layout import place_row
from launchwatch.dashboards.panels import build_panel, row_panel
from launchwatch.plan.dashboards import Colour, Panel
from launchwatch.plan.model import Plan
from launchwatch.selfmetric_names import BUILD_INFO, TARGET_SCRAPE_DURATION

__all__ = ["overview_dashboard"]

def _panels(plan: Plan) -> list[Panel]:
    alerts = f'ALERTS{{alertstate="firing",plan="{plan.plan}"}}'
    return [
        exporter_up(f"Whether Prometheus reaches the exporter of {plan.plan} (red: every rule of the plan is "
                    "blind)."),
        sources_down(f"Sources of {plan.plan} that failed their last fetch (red from one)."),
        Panel(title="Critical alerts", type="stat", unit="short", colours=RED_FROM_ONE,
              expr=f'count({alerts[:-1]},severity="critical"}}) or on() vector(0)',
              description=f"Critical alerts of {plan.plan} firing now (red from one)."),
        Panel(title="Firing alerts", type="stat", expr=f"count({alerts}) or on() vector(0)", unit="short",
              colours=[Colour(colour="green"), Colour(value=1, colour="orange")],
              description=f"Alerts of {plan.plan} firing now, every tier."),
        Panel(title="Slowest fetch", type="stat", expr=f"max({TARGET_SCRAPE_DURATION})", unit="s",
              description=f"The slowest source fetch of {plan.plan} in the last scrape."),
    ]


def overview_dashboard(plans: list[Plan], links: dict[str, list[tuple[str, str]]]) -> Dashboard:
    """Every plan at a glance; each plan's queries select its own job as well as ``$job``."""
    panels: list = []
    y = 0
    for plan in plans:
        panels.append(row_panel(plan.title, y))
        row = _panels(plan)
        grids, y = place_row(row, y + 1)
        job = f'job=~"$job",job="{plan.job_name}"'
        for panel, grid in zip(row, grids, strict=True):
            panels.append(build_panel(plan, panel, grid, None, (f'{job},instance=~"$instance"', job)))
    dashboard_links = [DashboardLink(title=title, uri=url, type="link", keepTime=True)
                       for plan in plans for title, url in links.get(plan.plan, [])]
    variables = [Template(name="datasource", label="Data source", type="datasource", query="prometheus",
                          default="Prometheus")]
    variables += [Template(name=name, label=name.capitalize(), type="query", dataSource=DATASOURCE, query=query,
                           multi=True, includeAll=True, allValue=".+", refresh=2, sort=1, default="$__all")
                  for name, query in (("job", f"label_values({BUILD_INFO}, job)"),
                                      ("instance", f'label_values({BUILD_INFO}{{job=~"$job"}}, instance)'))]
    return Dashboard(title="launchwatch overview", uid="lw-overview", description="Every plan at a glance: red "
                     "when an exporter is unreachable, a source is down or a critical alert fires.",
                     tags=["launchwatch"], panels=panels, links=dashboard_links, time=Time("now-6h", "now"),
                     refresh="30s", timezone="browser", templating=Templating(list=variables), editable=False)
