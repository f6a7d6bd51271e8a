"""Overview: one row per plan with its health at a glance and links to its dashboards."""

from grafanalib.core import Dashboard, DashboardLink, GridPos, Template, Templating, Time

from launchwatch.dashboards.panels import row, stat
from launchwatch.plan.model import Plan


def build(plans: list[Plan], links: dict[str, list[tuple[str, str]]]) -> Dashboard:
    panels = []
    y = 0
    for plan in plans:
        job = f'job="{plan.job_name}"'
        panels.append(row(plan.title, y))
        panels += [
            stat(plan, "Sources up", f"Sources of {plan.plan} fetched and matching the plan, out of "
                 f"{len(plan.sources)}.", GridPos(h=4, w=6, x=0, y=y + 1),
                 expr=f"sum(launchwatch_target_up{{{job}}}) / count(launchwatch_target_up{{{job}}})",
                 unit="percentunit"),
            stat(plan, "Firing alerts", f"Alerts of {plan.plan} firing now.", GridPos(h=4, w=6, x=6, y=y + 1),
                 expr=f'count(ALERTS{{plan="{plan.plan}",alertstate="firing"}}) or vector(0)', unit="short"),
            stat(plan, "Critical alerts", f"Critical alerts of {plan.plan} firing now.",
                 GridPos(h=4, w=6, x=12, y=y + 1),
                 expr=f'count(ALERTS{{plan="{plan.plan}",alertstate="firing",severity="critical"}}) or vector(0)',
                 unit="short"),
            stat(plan, "Exporter scrape time", f"Slowest source fetch of {plan.plan}.",
                 GridPos(h=4, w=6, x=18, y=y + 1),
                 expr=f"max(launchwatch_target_scrape_duration_seconds{{{job}}})", unit="s"),
        ]
        y += 5
    dashboard_links = [DashboardLink(title=title, uri=url, type="link", keepTime=True)
                       for plan in plans for title, url in links.get(plan.plan, [])]
    return Dashboard(title="launchwatch overview", uid="lw-overview", description="Every plan at a glance.",
                     tags=["launchwatch"], panels=panels, links=dashboard_links, time=Time("now-6h", "now"),
                     refresh="30s", timezone="browser",
                     templating=Templating(list=[Template(name="datasource", label="Data source", type="datasource",
                                                          query="prometheus", default="Prometheus")]))
