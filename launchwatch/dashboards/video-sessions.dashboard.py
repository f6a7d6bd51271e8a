"""Kulti video sessions (seed 002): Part D's KULTI PRODUCTION DASHBOARD (Part A's Primary Dashboard) —
big error-rate and P95 gauges, users and sessions, 24 h timelines, top errors and recent activity —
and a second dashboard with Part D's per-endpoint tables, feature success, video, database and rooms."""

from grafanalib.core import Dashboard, GridPos, Time

from launchwatch.dashboards.panels import alert_list, gauge, row, stat, table, templating, timeseries
from launchwatch.plan.model import Plan

J = '{job="$job"}'
ENDPOINT_COLUMNS = [{"id": "merge", "options": {}},
                    {"id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": {
                        "endpoint": "Endpoint", "Value #A": "P50", "Value #B": "P95", "Value #C": "P99"}}}]


def _rate(metric: str, by: str = "") -> str:
    """``metric`` is a name (scoped to ``$job`` here) or a full selector that already names ``$job``."""
    grouping = f" by ({by})" if by else ""
    selector = metric if "{" in metric else metric + J
    return f"sum{grouping} (rate({selector}[$__rate_interval]))"


def _per_hour(metric: str) -> str:
    return f"{_rate(metric)} * 3600"


def _in_range(metric: str) -> str:
    return f"sum(increase({metric}{J}[$__range]))"


def _activity(items: list[tuple[str, str]]) -> str:
    """One instant table of per-hour rates, one row per activity (the live log of Part A)."""
    return " or ".join(f'label_replace({_per_hour(metric)}, "activity", "{name}", "", "")' for name, metric in items)


def _production(plan: Plan) -> Dashboard:
    error_ratio = f"{_rate('app_request_errors_total')} / {_rate('app_requests_total')}"
    panels = [
        row("Error rate and P95", 0),
        gauge(plan, "Error rate", "Failed requests over all requests, 5 minute window (target <1%; the first "
              "24 hours' ladder: 2% alert team, 5% incident commander, 10% page on-call).",
              GridPos(h=8, w=9, x=0, y=1), signal="error-rate", max_value=0.15),
        gauge(plan, "P95 response time", "95th percentile API response time (target <2 s; 3 s alert team, "
              "5 s investigate immediately).", GridPos(h=8, w=9, x=9, y=1), signal="p95-response-time",
              max_value=8),
        alert_list(plan, GridPos(h=8, w=6, x=18, y=1)),
        row("Users and sessions", 9),
        stat(plan, "Active users", "Users active right now (last 5 minutes).", GridPos(h=5, w=4, x=0, y=10),
             expr=f"max(active_users{J})", unit="short"),
        stat(plan, "Error count", "Failed API requests in the dashboard's time range.",
             GridPos(h=5, w=4, x=4, y=10), expr=_in_range("app_request_errors_total"), unit="short"),
        stat(plan, "Sessions active", "Sessions live right now.", GridPos(h=5, w=4, x=8, y=10),
             expr=f"max(sessions_active{J})", unit="short"),
        stat(plan, "Sessions created", "Sessions created in the dashboard's time range.",
             GridPos(h=5, w=4, x=12, y=10), expr=_in_range("sessions_created_total"), unit="short"),
        stat(plan, "Participants (concurrent)", "Users in live sessions right now (healthy <80, alert >100).",
             GridPos(h=5, w=4, x=16, y=10), signal="concurrent-users"),
        stat(plan, "Participants per session", "Average participants per session (healthy >1.5, alert <1.2).",
             GridPos(h=5, w=4, x=20, y=10), signal="participants-per-session"),
        row("Timelines (24 h)", 15),
        timeseries("Errors timeline", "Failed requests over all requests, with the plan's error-rate lines.",
                   GridPos(h=8, w=12, x=0, y=16), [(error_ratio, "error rate")], "percentunit",
                   plan=plan, signal="error-rate"),
        timeseries("Response time timeline", "API response time percentiles and average, with the P95 lines.",
                   GridPos(h=8, w=12, x=12, y=16), [
                       (f"max by (quantile) (app_response_time_seconds{J})", "p{{quantile}}"),
                       (f"max(app_response_time_average_seconds{J})", "average")], "s",
                   plan=plan, signal="p95-response-time"),
        timeseries("Requests and errors", "API requests and failed requests per second.",
                   GridPos(h=8, w=12, x=0, y=24), [(_rate("app_requests_total"), "requests"),
                                                   (_rate("app_request_errors_total"), "errors")], "reqps"),
        timeseries("Video quality", "Average and P95 video bitrate (target 500-2000 kbps), with the plan's "
                   "bitrate lines.", GridPos(h=8, w=12, x=12, y=24), [
                       (f"max(video_bitrate_average_bytes_per_second{J})", "average"),
                       (f"max by (quantile) (video_bitrate_bytes_per_second{J})", "p{{quantile}}")], "Bps",
                   plan=plan, signal="video-bitrate"),
        row("Top errors and recent activity", 32),
        table("Top errors", "The ten error types reported to Sentry most often in the dashboard's time range.",
              GridPos(h=8, w=12, x=0, y=33),
              [(f"topk(10, sum by (error_type) (increase(app_error_events_total{J}[$__range])))", "{{error_type}}")],
              "short"),
        table("Recent activity", "Signups, logins, sessions, joins, recordings, rooms and chat messages per hour, "
              "over the last rate interval.", GridPos(h=8, w=12, x=12, y=33), [(_activity([
                  ("signups", "signups_total"), ("logins", "logins_total"),
                  ("sessions created", "sessions_created_total"), ("session joins", "session_joins_total"),
                  ("participants", "session_participants_total"),
                  ("recordings completed", 'recordings_total{job="$job",stage="completed"}'),
                  ("100ms rooms created", "hms_rooms_created_total"),
                  ("chat messages", "chat_messages_sent_total")]), "{{activity}}")], "short"),
    ]
    return Dashboard(title=f"{plan.title}: production", uid="lw-video-sessions-production",
                     description=plan.description, tags=["launchwatch", plan.plan], panels=panels,
                     templating=templating(plan), time=Time("now-24h", "now"), refresh="1m", timezone="browser")


def _endpoints_and_features(plan: Plan) -> Dashboard:
    latency = table("Latency by endpoint", "P50, P95 and P99 response time per API endpoint (Part D's "
                    "percentiles; alert lines: signup >1 s, sessions list >500 ms, sessions create >1.5 s, "
                    "profile >800 ms, messages list >300 ms).", GridPos(h=9, w=12, x=12, y=1), [
                        (f'max by (endpoint) (api_endpoint_response_time_seconds{{job="$job",quantile="{q}"}})', p)
                        for q, p in (("0.5", "P50"), ("0.95", "P95"), ("0.99", "P99"))], "s")
    latency.transformations = ENDPOINT_COLUMNS
    panels = [
        row("Endpoints", 0),
        table("Error rate by endpoint", "Recent share of failed requests per API endpoint (Part D's alert lines: "
              "auth >1%, sessions >2%, hms token >3%, messages >1%, recordings >3%).",
              GridPos(h=9, w=12, x=0, y=1), [(f"max by (endpoint) (api_endpoint_error_ratio{J})", "{{endpoint}}")],
              "percentunit"),
        latency,
        row("Auth, sessions, video and recording", 10),
        *[stat(plan, title, description, GridPos(h=5, w=3, x=3 * i, y=11), signal=signal)
          for i, (title, description, signal) in enumerate([
              ("Signup success", "Signup attempts that created an account.", "signup-success"),
              ("Login success", "Login attempts that succeeded.", "login-success"),
              ("Session creation", "Session creation attempts that succeeded.", "session-creation"),
              ("Session join", "Session join attempts that succeeded.", "session-join"),
              ("Video connection", "Video connections that succeeded.", "video-connection"),
              ("Video reconnects", "Video streams that had to reconnect.", "video-reconnect"),
              ("Screen share", "Screen share initiations that succeeded.", "screen-share"),
              ("Recording success", "Recordings started, completed, uploaded and processed.", "recording-success"),
          ])],
        stat(plan, "Video frame rate", "Average video frame rate, frames per second (target 24-30).",
             GridPos(h=5, w=4, x=0, y=16), signal="video-frame-rate"),
        stat(plan, "Video bitrate", "Average video bitrate (target 500-2000 kbps).", GridPos(h=5, w=4, x=4, y=16),
             signal="video-bitrate", unit="Bps"),
        stat(plan, "Screen share resolution", "Average vertical resolution of shared screens (720 = 720p).",
             GridPos(h=5, w=4, x=8, y=16), signal="screen-share-resolution"),
        stat(plan, "Session duration", "Average session duration (healthy >10 min, alert <5 min).",
             GridPos(h=5, w=4, x=12, y=16), signal="session-duration"),
        timeseries("Success rates", "Success ratios of signup, login, session creation and join, video "
                   "connection, screen share and recording.", GridPos(h=5, w=8, x=16, y=16), [
                       (f"max(signup_success_ratio{J})", "signup"), (f"max(login_success_ratio{J})", "login"),
                       (f"max(session_creation_success_ratio{J})", "session create"),
                       (f"max(session_join_success_ratio{J})", "session join"),
                       (f"max(video_connection_success_ratio{J})", "video"),
                       (f"max(screen_share_success_ratio{J})", "screen share"),
                       (f"max(recording_success_ratio{J})", "recording")], "percentunit"),
        row("Database", 21),
        stat(plan, "Active connections", "Database connections in use from the pool (target <30 of 100, "
             "alert >50).", GridPos(h=5, w=4, x=0, y=22), signal="db-connections"),
        stat(plan, "Connection wait", "Average wait for a pool connection (alert >10 ms: pool exhaustion).",
             GridPos(h=5, w=4, x=4, y=22), signal="db-connection-wait"),
        stat(plan, "Average query time", "Average database query time (target <50 ms, alert >100 ms).",
             GridPos(h=5, w=4, x=8, y=22), signal="db-query-time"),
        stat(plan, "P95 query time", "95th percentile database query time (target <200 ms, alert >500 ms).",
             GridPos(h=5, w=4, x=12, y=22), signal="db-query-p95"),
        gauge(plan, "Database CPU", "Database CPU utilisation (alert >90%).", GridPos(h=5, w=4, x=16, y=22),
              signal="db-cpu", max_value=1),
        stat(plan, "Slow queries (1 day)", "Queries slower than 1 second over the last day (target <10, "
             "alert >50).", GridPos(h=5, w=4, x=20, y=22), signal="db-slow-queries"),
        timeseries("Connection pool", "Database connections in use and the pool size.",
                   GridPos(h=8, w=8, x=0, y=27), [(f"max(db_connections_active{J})", "in use"),
                                                 (f"max(db_connections_max{J})", "pool size")], "short",
                   plan=plan, signal="db-connections"),
        timeseries("Query time", "Average and P95 database query time.", GridPos(h=8, w=8, x=8, y=27), [
            (f"max(db_query_time_average_seconds{J})", "average"),
            (f"max by (quantile) (db_query_time_seconds{J})", "p{{quantile}}")], "s",
            plan=plan, signal="db-query-time"),
        timeseries("CPU and memory", "Database CPU and memory utilisation.", GridPos(h=8, w=8, x=16, y=27), [
            (f"max(db_cpu_usage_ratio{J})", "CPU"), (f"max(db_memory_usage_ratio{J})", "memory")], "percentunit",
            plan=plan, signal="db-cpu"),
        stat(plan, "Database size", "Total database size (target <10 GB, alert >50 GB).",
             GridPos(h=4, w=6, x=0, y=35), signal="db-size", unit="decbytes"),
        stat(plan, "Last backup age", "Time since the last successful backup (daily; alert after 48 hours).",
             GridPos(h=4, w=6, x=6, y=35), signal="db-backup"),
        stat(plan, "Database reachable", "Whether the application can connect to the database (/api/health).",
             GridPos(h=4, w=6, x=12, y=35), signal="database-reachable", unit="bool_yes_no"),
        stat(plan, "Database memory", "Database memory utilisation.", GridPos(h=4, w=6, x=18, y=35),
             expr=f"max(db_memory_usage_ratio{J})", unit="percentunit"),
        row("Rooms (100ms)", 39),
        stat(plan, "Active rooms", "100ms rooms active right now (target <50, alert >80).",
             GridPos(h=5, w=4, x=0, y=40), signal="hms-active-rooms"),
        stat(plan, "Concurrent users (100ms)", "Users in live rooms right now (target <200, alert >250).",
             GridPos(h=5, w=4, x=4, y=40), signal="hms-concurrent-users"),
        stat(plan, "100ms API quota", "Share of the 100ms API quota used.", GridPos(h=5, w=4, x=8, y=40),
             signal="hms-quota"),
        stat(plan, "100ms API", "Whether the application can authenticate with the 100ms API.",
             GridPos(h=5, w=4, x=12, y=40), signal="hms-api", unit="bool_yes_no"),
        stat(plan, "100ms workspace", "Whether the 100ms workspace is active.", GridPos(h=5, w=4, x=16, y=40),
             signal="hms-workspace", unit="bool_yes_no"),
        stat(plan, "100ms cost forecast", "Forecast 100ms cost for the month over budget (alert >120%).",
             GridPos(h=5, w=4, x=20, y=40), signal="hms-cost"),
        timeseries("Rooms", "100ms rooms active and rooms created per hour.", GridPos(h=8, w=12, x=0, y=45), [
            (f"max(hms_rooms_active{J})", "active rooms"), (_per_hour("hms_rooms_created_total"), "created per hour")],
            "short", plan=plan, signal="hms-active-rooms"),
        timeseries("100ms API latency", "Latency of the 100ms API as measured by /api/health.",
                   GridPos(h=8, w=12, x=12, y=45), [(f"max(hms_api_latency_seconds{J})", "API latency")], "s"),
    ]
    return Dashboard(title=f"{plan.title}: endpoints & features", uid="lw-video-sessions-endpoints",
                     description=plan.description, tags=["launchwatch", plan.plan], panels=panels,
                     templating=templating(plan), time=Time("now-24h", "now"), refresh="1m", timezone="browser")


def build(plan: Plan) -> list[Dashboard]:
    return [_production(plan), _endpoints_and_features(plan)]
