"""SofaCover Pro post-launch support (seed 003): the Key Metrics to Monitor (uptime, response time,
error rate, conversion, hourly orders), the runbooks' capacity checks (connection pool, queries,
CDN, server resources), P0-P3 incidents with their Success Metrics, and the support channels."""

from grafanalib.core import Dashboard, GridPos, Time

from launchwatch.dashboards.panels import alert_list, gauge, row, stat, table, templating, timeseries
from launchwatch.plan.model import Plan

J = '{job="$job"}'
PRIORITIES = ("P0", "P1", "P2", "P3")
SLO, ACTIVE, P95 = 'slo="store-uptime"', 'state="active"', 'quantile="0.95"'
FAILED, FAILURE, OPEN = 'status="failed"', 'outcome="failure"', 'state="open"'


def _sel(metric: str, labels: str) -> str:
    """``metric{job="$job",<labels>}``: the job selector with more matchers."""
    return metric + '{job="$job",' + labels + "}"


def _per_hour(metric: str, by: str = "") -> str:
    return f"sum{f' by ({by})' if by else ''}(rate({metric}[$__rate_interval])) * 3600"


def _uptime_and_dependencies(plan: Plan) -> list:
    probe = _sel("launchwatch_probe_success", 'target="health"')
    dependencies = [("Payment gateway", "payments", "payment gateway (P0 when down for 1 minute)"),
                    ("Supabase auth", "auth", "Supabase authentication (P1 when failing for 5 minutes)"),
                    ("Supabase database", "database", "Supabase database (P1 when failing for 5 minutes)"),
                    ("CDN", "cdn", "CDN (P2 when failing for 5 minutes)"),
                    ("E-mail support", "email-support", "e-mail integration (P2 when failing for 5 minutes)"),
                    ("Live chat", "live-chat", "live chat (P2 when failing for 5 minutes in business hours)")]
    places = [(12, 1), (16, 1), (20, 1), (0, 5), (4, 5), (8, 5)]
    deps = [stat(plan, title, f"Whether the {what} answers the store's health check.",
                 GridPos(h=4, w=4, x=x, y=y), signal=signal, unit="bool_yes_no")
            for (title, signal, what), (x, y) in zip(dependencies, places, strict=True)]
    return [
        row("Uptime and dependencies", 0),
        stat(plan, "Store reachable", "Whether the health source /api/health answers (P0 SiteDown after 1 minute).",
             GridPos(h=4, w=4, x=0, y=1), signal="site-up", unit="bool_yes_no"),
        stat(plan, "Uptime in range", "Share of 30 s health probes that passed in the time range (target >99.9%; "
             "a probe fails when the store is down, degraded or slower than 2 s).", GridPos(h=4, w=4, x=4, y=1),
             expr=f"avg(avg_over_time({probe}[$__range]))", unit="percentunit"),
        stat(plan, "Error budget remaining", "Share of the 30-day error budget of the 99.9% uptime SLO left.",
             GridPos(h=4, w=4, x=8, y=1),
             expr=f"min({_sel('job_slo:error_budget_remaining:ratio30d', SLO)})", unit="percentunit"),
        *deps,
        stat(plan, "Store reports healthy", "Whether the store's own health status is ok (not degraded or down).",
             GridPos(h=4, w=6, x=0, y=9), expr=f"min(store_health_ok{J})", unit="bool_yes_no"),
        stat(plan, "Application uptime", "Time since the store application started.", GridPos(h=4, w=6, x=6, y=9),
             expr=f"max(store_uptime_seconds{J})", unit="s"),
        timeseries("Health checks", "Probe success of /api/health, the store's own status, and the SLO's "
                   "error ratio over 5 minutes and 1 hour (budget 0.1%).", GridPos(h=8, w=12, x=12, y=5), [
                       (f"min({probe})", "probe success"),
                       (f"min(store_health_ok{J})", "store reports ok"),
                       (f"max({_sel('job_slo:sli_error:ratio_rate5m', SLO)})", "SLO error (5m)"),
                       (f"max({_sel('job_slo:sli_error:ratio_rate1h', SLO)})", "SLO error (1h)")],
                   "percentunit"),
    ]


def _response_and_errors(plan: Plan) -> list:
    errors = (f"sum(rate(store_request_errors_total{J}[$__rate_interval]))"
              f" / sum(rate(store_requests_total{J}[$__rate_interval]))")
    return [
        row("Response time and errors", 13),
        # The response-time signal's first threshold is the "degradation >50%" drop against an hour
        # earlier, which has no data in the first hour: the <2 s target is stated, not coloured.
        stat(plan, "Average response time", "Average response time the store reports (target <2 s; P2 "
             "ResponseTimeAboveTarget after 5 minutes above, P1 PerformanceDegradation at +50% on an hour earlier).",
             GridPos(h=4, w=5, x=0, y=14), expr=f"max(store_response_time_average_seconds{J})", unit="s"),
        stat(plan, "Requests per second", "Requests served by the store.", GridPos(h=4, w=5, x=0, y=18),
             expr=f"sum(rate(store_requests_total{J}[$__rate_interval]))", unit="reqps"),
        gauge(plan, "Error rate (15 min)", "Failed requests over all requests, 15 minute window (target <0.1%).",
              GridPos(h=8, w=5, x=5, y=14), signal="error-rate", max_value=0.005),
        timeseries("Response time", "Average and percentile response times of the store (target <2 s).",
                   GridPos(h=8, w=7, x=10, y=14), [
                       (f"max(store_response_time_average_seconds{J})", "average"),
                       (f"max by (quantile) (store_response_time_seconds{J})", "p{{quantile}}")], "s"),
        timeseries("Error rate", "Failed requests over all requests, and the rate the store reports, with the "
                   "0.1% line.", GridPos(h=8, w=7, x=17, y=14), [
                       (errors, "errors / requests"),
                       (f"max(store_error_ratio{J})", "reported by the store")],
                   "percentunit", plan=plan, signal="error-rate"),
    ]


def _capacity(plan: Plan) -> list:
    active = f"sum({_sel('database_pool_connections', ACTIVE)})"
    return [
        row("Capacity", 22),
        stat(plan, "Connection pool in use", "Active database connections over the pool's size.",
             GridPos(h=4, w=4, x=0, y=23), expr=f"{active} / max(database_pool_max_connections{J})",
             unit="percentunit"),
        stat(plan, "Waiting for a connection", "Requests waiting for a free database connection.",
             GridPos(h=4, w=4, x=4, y=23), expr=f"sum(database_pool_waiting_clients{J})", unit="short"),
        stat(plan, "Query time p95", "95th percentile database query duration.", GridPos(h=4, w=4, x=8, y=23),
             expr=f"max({_sel('database_query_duration_seconds', P95)})", unit="s"),
        stat(plan, "Lock waits", "Database queries waiting on a lock now.", GridPos(h=4, w=4, x=12, y=23),
             expr=f"sum(database_lock_waits{J})", unit="short"),
        stat(plan, "Server CPU", "Share of server CPU in use.", GridPos(h=4, w=4, x=16, y=23),
             expr=f"max(server_cpu_utilization_ratio{J})", unit="percentunit"),
        stat(plan, "Server memory", "Share of server memory in use.", GridPos(h=4, w=4, x=20, y=23),
             expr=f"max(server_memory_utilization_ratio{J})", unit="percentunit"),
        timeseries("Database connection pool", "Pool connections by state, the pool's size and the requests "
                   "waiting for a connection.", GridPos(h=8, w=8, x=0, y=27), [
                       (f"sum by (state) (database_pool_connections{J})", "{{state}}"),
                       (f"max(database_pool_max_connections{J})", "pool size"),
                       (f"sum(database_pool_waiting_clients{J})", "waiting")], "short"),
        timeseries("Database query time", "Database query duration percentiles.", GridPos(h=8, w=8, x=8, y=27), [
            (f"max by (quantile) (database_query_duration_seconds{J})", "p{{quantile}}")], "s"),
        timeseries("Server resources and CDN cache", "Server CPU and memory in use, and the CDN's cache hit rate.",
                   GridPos(h=8, w=8, x=16, y=27), [
                       (f"max(server_cpu_utilization_ratio{J})", "CPU"),
                       (f"max(server_memory_utilization_ratio{J})", "memory"),
                       (f"max(cdn_cache_hit_ratio{J})", "CDN cache hit rate")], "percentunit"),
    ]


def _business(plan: Plan) -> list:
    return [
        row("Business volume", 35),
        stat(plan, "Orders in range", "Orders placed in the dashboard's time range.", GridPos(h=4, w=4, x=0, y=36),
             expr=f"sum(increase(store_orders_total{J}[$__range]))", unit="short"),
        stat(plan, "Orders per hour", "Order volume, per hour (the document tracks hourly trends).",
             GridPos(h=4, w=4, x=4, y=36), expr=_per_hour(f"store_orders_total{J}"), unit="short"),
        stat(plan, "Conversion rate", "Orders over sessions in the last 5 minutes, as the store reports it "
             "(watched for significant drops).", GridPos(h=4, w=4, x=8, y=36),
             expr=f"max(store_conversion_ratio{J})", unit="percentunit"),
        stat(plan, "Payment success", "Succeeded payments over attempts.", GridPos(h=4, w=4, x=12, y=36),
             expr=f"min(payment_success_ratio{J})", unit="percentunit"),
        stat(plan, "Sign-in success", "Successful Supabase sign-ins over attempts.", GridPos(h=4, w=4, x=16, y=36),
             expr=f"min(auth_success_ratio{J})", unit="percentunit"),
        stat(plan, "Orders awaiting processing", "Orders placed but not yet processed.",
             GridPos(h=4, w=4, x=20, y=36), expr=f"sum(store_orders_awaiting_processing{J})", unit="short"),
        timeseries("Store funnel per hour", "Sessions, carts, checkouts and orders per hour.",
                   GridPos(h=8, w=12, x=0, y=40), [
                       (_per_hour(f"store_sessions_total{J}"), "sessions"),
                       (_per_hour(f"store_carts_created_total{J}"), "carts created"),
                       (_per_hour(f"store_checkouts_started_total{J}"), "checkouts started"),
                       (_per_hour(f"store_orders_total{J}"), "orders")], "short"),
        timeseries("Conversion", "Conversion rate as the store reports it (5 minutes), and orders over sessions.",
                   GridPos(h=8, w=6, x=12, y=40), [
                       (f"max(store_conversion_ratio{J})", "reported"),
                       (f"sum(rate(store_orders_total{J}[$__rate_interval]))"
                        f" / sum(rate(store_sessions_total{J}[$__rate_interval]))", "orders / sessions")],
                   "percentunit"),
        timeseries("Failures per hour", "Failed payments, failed payment webhooks, order processing errors and "
                   "failed sign-ins, per hour.", GridPos(h=8, w=6, x=18, y=40), [
                       (_per_hour(_sel("payments_total", FAILED)), "failed payments"),
                       (_per_hour(_sel("payment_webhooks_total", FAILED)), "failed webhooks"),
                       (_per_hour(f"store_order_processing_errors_total{J}"), "order processing errors"),
                       (_per_hour(_sel("auth_attempts_total", FAILURE)), "failed sign-ins")],
                   "short"),
    ]


def _incidents(plan: Plan) -> list:
    oldest = [("P0", "oldest unresolved", "p0-incident", "P0 open (P0IncidentOpen), unanswered after 15 minutes, "
               "unresolved after 2 hours"),
              ("P1", "oldest unresolved", "p1-incident", "P1 open (P1IncidentOpen), unanswered after 1 hour, "
               "unresolved after 8 hours"),
              ("P2", "oldest unanswered", "p2-incident", "P2 unanswered after 4 hours, unresolved after 24 hours"),
              ("P3", "oldest unanswered", "p3-incident", "P3 unanswered after 24 hours, unresolved after 1 week")]
    by_priority = "sum by (priority)"
    return [
        row("Incidents P0-P3", 48),
        *[stat(plan, f"{p} {what}", f"Age of the {what} {p} incident, 0 when none. Alerts: {alerts}.",
               GridPos(h=4, w=4, x=4 * i, y=49), signal=signal) for i, (p, what, signal, alerts) in enumerate(oldest)],
        alert_list(plan, GridPos(h=16, w=8, x=16, y=49)),
        stat(plan, "Mean time to detection", "Mean time from an incident's start to its detection (target <5 min).",
             GridPos(h=4, w=4, x=0, y=53), signal="mttd"),
        stat(plan, "P0 mean time to resolution", "MTTR of P0 incidents (target <2 hours).",
             GridPos(h=4, w=4, x=4, y=53), signal="p0-mttr"),
        stat(plan, "P1 mean time to resolution", "MTTR of P1 incidents (target <2 hours).",
             GridPos(h=4, w=4, x=8, y=53), signal="p1-mttr"),
        stat(plan, "Unresolved incidents", "Incidents of any priority not yet resolved.",
             GridPos(h=4, w=4, x=12, y=53), expr=f"sum(incidents_unresolved{J})", unit="short"),
        table("Incidents by priority", "Per priority: unresolved incidents, those not yet acknowledged, and "
              "incidents declared and resolved in the time range.", GridPos(h=8, w=8, x=0, y=57), [
                  (f"{by_priority} (incidents_unresolved{J})", "unresolved"),
                  (f"{by_priority} ({_sel('incidents_unresolved', OPEN)})", "not acknowledged"),
                  (f"{by_priority} (increase(incidents_declared_total{J}[$__range]))", "declared in range"),
                  (f"{by_priority} (increase(incidents_resolved_total{J}[$__range]))", "resolved in range")],
              "short"),
        table("Incident times by priority", "Per priority: mean time to acknowledge, mean time to resolve, and "
              "the ages of the oldest unacknowledged and unresolved incidents.", GridPos(h=8, w=8, x=8, y=57), [
                  (f"max by (priority) (incident_mean_time_to_acknowledge_seconds{J})", "MTTA"),
                  (f"max by (priority) (incident_mean_time_to_resolve_seconds{J})", "MTTR"),
                  (f"max by (priority) (incident_oldest_unacknowledged_age_seconds{J})", "oldest unacknowledged"),
                  (f"max by (priority) (incident_oldest_unresolved_age_seconds{J})", "oldest unresolved")], "s"),
    ]


def _incident_targets(plan: Plan) -> list:
    answer = {"P0": "15 minutes", "P1": "1 hour", "P2": "4 hours", "P3": "24 hours"}
    resolve = {"P0": "2 hours", "P1": "8 hours", "P2": "24 hours", "P3": "1 week"}
    rates = [stat(plan, f"{p} answered in target", f"{p} incidents answered within {answer[p]}.",
                  GridPos(h=4, w=3, x=3 * i, y=66), signal=f"{p.lower()}-response-rate")
             for i, p in enumerate(PRIORITIES)]
    rates += [stat(plan, f"{p} resolved in target", f"{p} incidents resolved within {resolve[p]}.",
                   GridPos(h=4, w=3, x=12 + 3 * i, y=66), signal=f"{p.lower()}-resolution-rate")
              for i, p in enumerate(PRIORITIES)]
    critical = {1: "15 minutes", 2: "30 minutes", 3: "1 hour"}
    tiers = [stat(plan, f"Tier {n} first response, critical", f"90th percentile time for Tier {n} to answer "
                  f"critical issues (target {critical[n]}).", GridPos(h=4, w=4, x=4 * (n - 1), y=70),
                  signal=f"tier{n}-response") for n in (1, 2, 3)]
    return [
        row("Incident targets", 65),
        *rates,
        *tiers,
        stat(plan, "Escalations in range", "Incidents escalated (Tier 2, Tier 3, management) in the time range.",
             GridPos(h=4, w=4, x=0, y=74), expr=f"sum(increase(incident_escalations_total{J}[$__range]))",
             unit="short"),
        stat(plan, "Incidents declared in range", "Incidents of any priority declared in the time range.",
             GridPos(h=4, w=4, x=4, y=74), expr=f"sum(increase(incidents_declared_total{J}[$__range]))",
             unit="short"),
        stat(plan, "Incidents resolved in range", "Incidents of any priority resolved in the time range.",
             GridPos(h=4, w=4, x=8, y=74), expr=f"sum(increase(incidents_resolved_total{J}[$__range]))",
             unit="short"),
        timeseries("First response by support tier", "90th percentile time to first response per support tier "
                   "and issue severity (critical: 15 min / 30 min / 1 h; high: 1 h / 2 h / 4 h).",
                   GridPos(h=8, w=12, x=12, y=70), [
                       (f"max by (support_tier, issue_severity) (support_tier_first_response_seconds{J})",
                        "{{support_tier}} {{issue_severity}}")], "s"),
    ]


def _support_desk(plan: Plan) -> list:
    return [
        row("Support desk", 78),
        stat(plan, "Customer satisfaction", "Average rating of resolved tickets, 1-5 (target >4.5).",
             GridPos(h=4, w=4, x=0, y=79), signal="customer-satisfaction"),
        stat(plan, "Tickets rated", "Resolved tickets the customer rated (target >80%).",
             GridPos(h=4, w=4, x=4, y=79), signal="ticket-rating-response"),
        stat(plan, "First-contact resolution", "Tickets resolved at first contact (target >70%).",
             GridPos(h=4, w=4, x=8, y=79), signal="first-contact-resolution"),
        stat(plan, "Tickets in range", "Support requests opened in the time range, all channels.",
             GridPos(h=4, w=4, x=12, y=79), expr=f"sum(increase(support_tickets_total{J}[$__range]))",
             unit="short"),
        stat(plan, "Tickets per hour", "Support requests opened per hour, all channels.",
             GridPos(h=4, w=4, x=16, y=79), expr=_per_hour(f"support_tickets_total{J}"), unit="short"),
        stat(plan, "Open tickets", "Support requests waiting for an answer, all channels.",
             GridPos(h=4, w=4, x=20, y=79), expr=f"sum(support_tickets_open{J})", unit="short"),
        timeseries("Support tickets per hour by channel", "Requests opened per hour on the ticket system, live "
                   "chat, e-mail and phone.", GridPos(h=8, w=12, x=0, y=83), [
                       (_per_hour(f"support_tickets_total{J}", "channel"), "{{channel}}")], "short"),
        timeseries("Open tickets by channel", "Support requests waiting for an answer, per channel.",
                   GridPos(h=8, w=6, x=12, y=83), [
                       (f"sum by (channel) (support_tickets_open{J})", "{{channel}}")], "short"),
        table("Tickets by channel", "Per channel: requests opened in the time range and requests open now.",
              GridPos(h=8, w=6, x=18, y=83), [
                  (f"sum by (channel) (increase(support_tickets_total{J}[$__range]))", "opened in range"),
                  (f"sum by (channel) (support_tickets_open{J})", "open")], "short"),
    ]


def build(plan: Plan) -> list[Dashboard]:
    panels = [*_uptime_and_dependencies(plan), *_response_and_errors(plan), *_capacity(plan), *_business(plan),
              *_incidents(plan), *_incident_targets(plan), *_support_desk(plan)]
    return [Dashboard(title=f"{plan.title}: launch monitoring", uid="lw-ecommerce-support-main",
                      description=plan.description, tags=["launchwatch", plan.plan], panels=panels,
                      templating=templating(plan), time=Time("now-6h", "now"), refresh="30s", timezone="browser")]
