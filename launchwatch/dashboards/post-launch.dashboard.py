"""Post-launch support (seed 004): the document's Monitoring & Alerts in order — uptime (probe and SLO),
error rate, response time, infrastructure capacity, business volume — then open incidents by support
tier 1-4 next to the firing alerts, with the plan's thresholds as colours."""

from grafanalib.core import Dashboard, GridPos, Time

from launchwatch.dashboards.panels import alert_list, gauge, row, stat, templating, timeseries
from launchwatch.plan.model import Plan

J = '{job="$job"}'


def _sel(**labels: str) -> str:
    """``{job="$job",...}`` with extra matchers."""
    return "{" + ",".join(['job="$job"', *(f'{k}="{v}"' for k, v in labels.items())]) + "}"


def _per_hour(metric: str) -> str:
    return f"sum(rate({metric}{J}[$__rate_interval])) * 3600"


def _in_range(metric: str) -> str:
    return f"sum(increase({metric}{J}[$__range]))"


def _uptime(plan: Plan, y: int) -> list:
    h = 5
    return [
        row("Uptime (probe / SLO)", y),
        stat(plan, "Site up", "The uptime check of /api/health, every minute (Tier 1 after 1 minute down).",
             GridPos(h=h, w=3, x=0, y=y + 1), signal="site-up", unit="bool_yes_no"),
        stat(plan, "Application healthy", "/api/health reports status ok (Tier 2 partial outage otherwise).",
             GridPos(h=h, w=3, x=3, y=y + 1), signal="site-up", expr=f"min(app_health_ok{J})", unit="bool_yes_no"),
        stat(plan, "Admin panel up", "The admin panel answers a HEAD request (Tier 2 when inaccessible).",
             GridPos(h=h, w=3, x=6, y=y + 1), signal="site-up",
             expr=f"min(launchwatch_probe_success{_sel(target='admin-panel')})", unit="bool_yes_no"),
        stat(plan, "Payment gateway up", "The payment gateway answers (Tier 1 payment processing failure).",
             GridPos(h=h, w=3, x=9, y=y + 1), signal="payments", unit="bool_yes_no"),
        stat(plan, "E-mail service up", "The e-mail (SMTP) service answers (Tier 2 e-mail delivery failure).",
             GridPos(h=h, w=3, x=12, y=y + 1), signal="email_service_up", unit="bool_yes_no"),
        stat(plan, "Uptime in range", "Share of successful uptime checks in the dashboard's time range (targets: "
             ">99.5% first month, >99.9% ongoing).", GridPos(h=h, w=4, x=15, y=y + 1),
             expr=f"avg(avg_over_time(launchwatch_probe_success{_sel(target='system-health')}[$__range]))",
             unit="percentunit"),
        stat(plan, "Uptime error budget left", "Share of the uptime SLO's 30-day error budget not yet spent "
             "(from the generated SLO rules).", GridPos(h=h, w=5, x=19, y=y + 1),
             expr=f"min(job_slo:error_budget_remaining:ratio30d{J})", unit="percentunit"),
    ]


def _errors_latency(plan: Plan, y: int) -> list:
    h = 8
    return [
        row("Error rate and response time", y),
        gauge(plan, "Error rate", "Failed requests over all requests, 5 minute window (alert >1%; target <0.1%).",
              GridPos(h=h, w=4, x=0, y=y + 1), signal="error-rate", max_value=0.02),
        timeseries("Error rate over time", "Failed over all requests from the counters, and the share the "
                   "application reports itself.", GridPos(h=h, w=8, x=4, y=y + 1), [
                       (f"sum(rate(app_request_errors_total{J}[$__rate_interval]))"
                        f" / sum(rate(app_requests_total{J}[$__rate_interval]))", "error rate"),
                       (f"max(app_error_ratio{J})", "reported by the application")],
                   "percentunit", plan=plan, signal="error-rate"),
        gauge(plan, "Response time", "Average response time (target <2 s, alert >3 s, Tier 2 >5 s).",
              GridPos(h=h, w=4, x=12, y=y + 1), signal="response-time"),
        timeseries("Response time over time", "Average and percentile response times of the application.",
                   GridPos(h=h, w=8, x=16, y=y + 1), [
                       (f"max(app_response_time_average_seconds{J})", "average"),
                       (f"max by (quantile) (app_response_time_seconds{J})", "p{{quantile}}")],
                   "s", plan=plan, signal="response-time"),
    ]


def _capacity(plan: Plan, y: int) -> list:
    return [
        row("Capacity", y),
        gauge(plan, "CPU usage", "CPU busy time of the application server (alert >80%).",
              GridPos(h=5, w=4, x=0, y=y + 1), signal="server_cpu_usage_ratio", max_value=1),
        gauge(plan, "Memory usage", "Memory in use on the application server (alert >85%).",
              GridPos(h=5, w=4, x=4, y=y + 1), signal="server_memory_usage_ratio", max_value=1),
        gauge(plan, "Database connections", "Database connections in use over the pool's capacity (alert >80%).",
              GridPos(h=5, w=4, x=8, y=y + 1), signal="database_connections_usage_ratio", max_value=1),
        stat(plan, "Disk free", "Free space of each volume (alert <20% free).", GridPos(h=5, w=6, x=12, y=y + 1),
             signal="server_disk_free_ratio", legend="{{volume}}"),
        stat(plan, "Queue depth", "Jobs waiting in each queue (alert >1000 jobs).",
             GridPos(h=5, w=6, x=18, y=y + 1), signal="queue_jobs", legend="{{queue}}"),
        timeseries("CPU and memory", "CPU and memory usage of the application server.",
                   GridPos(h=8, w=8, x=0, y=y + 6), [
                       (f"max(server_cpu_usage_ratio{J})", "CPU"),
                       (f"max(server_memory_usage_ratio{J})", "memory")], "percentunit"),
        timeseries("Database connections vs capacity", "Connections in use and the pool's size.",
                   GridPos(h=8, w=8, x=8, y=y + 6), [
                       (f"max(database_connections_active{J})", "in use"),
                       (f"max(database_connections_max{J})", "capacity")], "short"),
        timeseries("Queue depth and workers", "Jobs waiting per queue, and queue workers running against "
                   "those that should run.", GridPos(h=8, w=8, x=16, y=y + 6), [
                       (f"max by (queue) (queue_jobs{J})", "{{queue}} jobs"),
                       (f"max(queue_workers_running{J})", "workers running"),
                       (f"max(queue_workers_expected{J})", "workers expected")], "short"),
    ]


def _business(plan: Plan, y: int) -> list:
    return [
        row("Business volume", y),
        stat(plan, "Orders in range", "Orders placed in the dashboard's time range (watched daily).",
             GridPos(h=4, w=4, x=0, y=y + 1), expr=_in_range("orders_total"), unit="short"),
        stat(plan, "Registrations in range", "New user accounts in the dashboard's time range (watched daily).",
             GridPos(h=4, w=4, x=4, y=y + 1), expr=_in_range("user_registrations_total"), unit="short"),
        stat(plan, "Conversion rate", "Orders over storefront sessions, from the analytics API (tracked weekly).",
             GridPos(h=4, w=4, x=8, y=y + 1), expr=f"max(conversion_ratio{J})", unit="percentunit"),
        stat(plan, "Cart abandonment", "Carts that did not become an order over carts created (tracked weekly).",
             GridPos(h=4, w=4, x=12, y=y + 1), expr=f"max(cart_abandonment_ratio{J})", unit="percentunit"),
        stat(plan, "Orders awaiting processing", "Placed orders not yet processed (Tier 2 order processing "
             "delays).", GridPos(h=4, w=4, x=16, y=y + 1), expr=f"sum(orders_awaiting_processing{J})",
             unit="short"),
        stat(plan, "Oldest unprocessed order", "Age of the oldest placed order not yet processed.",
             GridPos(h=4, w=4, x=20, y=y + 1), expr=f"max(order_processing_oldest_age_seconds{J})", unit="s"),
        timeseries("Orders and registrations per hour", "Checkouts started, orders, registrations and "
                   "checkout errors per hour.", GridPos(h=8, w=12, x=0, y=y + 5), [
                       (_per_hour("checkouts_started_total"), "checkouts started"),
                       (_per_hour("orders_total"), "orders"),
                       (_per_hour("user_registrations_total"), "registrations"),
                       (_per_hour("checkout_errors_total"), "checkout errors")], "short"),
        timeseries("Conversion and cart abandonment", "Conversion rate and cart abandonment rate reported by the "
                   "analytics API.", GridPos(h=8, w=12, x=12, y=y + 5), [
                       (f"max(conversion_ratio{J})", "conversion"),
                       (f"max(cart_abandonment_ratio{J})", "cart abandonment")], "percentunit"),
    ]


def _incidents(plan: Plan, y: int) -> list:
    panels = [row("Open incidents by tier", y)]
    for i, tier in enumerate("1234"):
        x = 3 * i
        panels.append(stat(plan, f"Tier {tier} open", f"Tier {tier} incidents not yet resolved.",
                           GridPos(h=4, w=3, x=x, y=y + 1),
                           expr=f"sum(incidents_open{_sel(support_tier=tier)})", unit="short"))
        panels.append(stat(plan, f"Tier {tier} oldest unanswered", f"Age of the oldest Tier {tier} incident "
                           "nobody has responded to (0 when none), against the tier's response target.",
                           GridPos(h=4, w=3, x=x, y=y + 5), signal=f"tier{tier}-response"))
        if tier == "4":  # resolution target "next release cycle": no threshold
            panels.append(stat(plan, "Tier 4 oldest open", "Age of the oldest unresolved Tier 4 request (0 when "
                               "none); its resolution target is the next release cycle.",
                               GridPos(h=4, w=3, x=x, y=y + 9),
                               expr=f"max(incident_oldest_open_age_seconds{_sel(support_tier='4')})", unit="s"))
        else:
            panels.append(stat(plan, f"Tier {tier} oldest open", f"Age of the oldest unresolved Tier {tier} "
                               "incident (0 when none), against the tier's resolution target.",
                               GridPos(h=4, w=3, x=x, y=y + 9), signal=f"tier{tier}-resolution"))
    panels += [
        alert_list(plan, GridPos(h=8, w=12, x=12, y=y + 1)),
        stat(plan, "Open support tickets", "Support tickets pending resolution.", GridPos(h=4, w=6, x=12, y=y + 9),
             expr=f"sum(support_tickets_open{J})", unit="short"),
        stat(plan, "User satisfaction", "User satisfaction, 1-5 (target >4 first month, >4.5 ongoing).",
             GridPos(h=4, w=6, x=18, y=y + 9), signal="user_satisfaction_score"),
    ]
    return panels



def build(plan: Plan) -> list[Dashboard]:
    panels = [*_uptime(plan, 0), *_errors_latency(plan, 6), *_capacity(plan, 15), *_business(plan, 29),
              *_incidents(plan, 42)]
    return [Dashboard(title=f"{plan.title}: monitoring", uid="lw-post-launch-main", description=plan.description,
                      tags=["launchwatch", plan.plan], panels=panels, templating=templating(plan),
                      time=Time("now-24h", "now"), refresh="1m", timezone="browser")]
