"""Kulti video sessions platform (seed 002): auth, sessions, 100ms video, recordings, infrastructure.

``/api/health`` serves the document's shape (``status``, ``timestamp`` and ``checks`` with
``database``, ``hms``, ``external`` and ``performance``, as in Part F's handler and its "Health Check
Details"); the ``/api/admin/metrics/*`` endpoints carry the application, user, session, 100ms,
infrastructure and cost metrics of Parts A-D. Requests to an API endpoint and the attempts of the
matching action (signup, login, session create/join, recording start) share one counter.

Faults: ``error-spike`` fails ~13 % of requests and drags auth and session success down;
``slow`` multiplies latencies and fills the database pool; ``payment-failure`` lapses the 100ms
workspace billing (rooms, video connections and recordings fail); ``zero-completions`` stops
session creation.
"""

from __future__ import annotations

import calendar
import time
from typing import Any

from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import Handler, Html

# Per API endpoint: requests per second, healthy median latency (s), latency spread (log-normal
# sigma) and healthy error ratio. Latencies sit under Part D's Response Times table, error ratios
# under its "Error Rates by Endpoint" targets.
ENDPOINTS: dict[str, tuple[float, float, float, float]] = {
    "/api/auth/signup": (0.02, 0.150, 0.65, 0.0005),
    "/api/auth/verify-otp": (0.08, 0.180, 0.60, 0.0005),
    "/api/sessions/list": (0.50, 0.100, 0.60, 0.002),
    "/api/sessions/create": (0.03, 0.200, 0.70, 0.0025),
    "/api/sessions/join": (0.07, 0.150, 0.60, 0.0025),
    "/api/hms/token": (0.10, 0.120, 0.60, 0.005),
    "/api/users/profile": (0.30, 0.150, 0.55, 0.002),
    "/api/messages/send": (0.60, 0.080, 0.60, 0.0025),
    "/api/messages/list": (0.40, 0.045, 0.70, 0.002),
    "/api/recordings/start": (0.01, 0.300, 0.60, 0.005),
}
HMS_ENDPOINTS = frozenset({"/api/sessions/create", "/api/hms/token", "/api/recordings/start"})
OTHER_REQUESTS_PER_SECOND = 3.0  # pages, assets and the rest of the API
SLOW_FACTOR = 10.0  # how much slower every endpoint gets under the ``slow`` fault

ERROR_TYPES = {  # Sentry error events per second while healthy
    "ValidationError": 0.002,
    "HMSTokenError": 0.0015,
    "OTPVerificationFailed": 0.001,
    "SupabaseTimeout": 0.0008,
    "RoomNotFound": 0.0006,
    "RateLimitExceeded": 0.0005,
    "RecordingUploadFailed": 0.0003,
}
SUPPORT_TICKETS = {"technical": 0.0015, "bug": 0.0007, "feature_request": 0.0008, "feedback": 0.0006}
REGIONS = {"north_america": 0.45, "europe": 0.30, "latin_america": 0.15, "asia_pacific": 0.10}
FEATURES = {"screen_share": 0.35, "recording": 0.22, "chat": 0.60, "ai": 0.15}
RETENTION = {"d1": 0.45, "d7": 0.28, "d30": 0.15}
RECORDING_STAGES = (("started", 0.995), ("completed", 0.997), ("uploaded", 0.999), ("processed", 0.998))
EXTERNAL_SERVICES = ("twilio", "anthropic", "upstash", "email")
PLATFORM_CHECKS = (
    "vercel_deployment_ready", "vercel_edge_functions_active", "sentry_events_received",
    "sentry_alert_rules_active", "sentry_integrations_connected", "sentry_quota_ok",
    "supabase_database_running", "supabase_backups_recent", "supabase_replication_synced",
)
MONTHLY_BUDGET_USD = {"vercel": 150.0, "supabase": 75.0, "100ms": 400.0, "twilio": 60.0, "other": 40.0}
UNIT_COST_USD = {"active_user": 0.35, "session": 0.90, "streamed_minute": 0.004, "active_room": 4.50}
BASE_USERS = 1500  # users registered before launch
DB_POOL_SIZE = 100
FUNCTION_MEMORY_LIMIT_MB = 1024
BACKUP_HOUR_UTC = 3
# Trailing-day figures the app reports (Part D compares them with the day before): flat while
# healthy, since a whole day smooths the launch-hour surge away.
SESSIONS_PER_DAY = 2500.0  # ~ /api/sessions/create's 0.03 requests/s x 86400 x 97 % success
EGRESS_MB_PER_SECOND = 0.06


def build(launch: Launch) -> dict[str, Handler]:
    f = launch.faults

    def level(name: str, healthy: float, faulty: float, faulted: bool, spread: float) -> float:
        """A ratio near ``healthy``, or near ``faulty`` from the moment ``faulted`` turns on."""
        return launch.ratio(_key(name, faulted), faulty if faulted else healthy, spread)

    def gauge(name: str, healthy: float, faulty: float, faulted: bool, spread: float,
              lo: float = 0.0) -> float:
        """A gauge near ``healthy``, or near ``faulty`` from the moment ``faulted`` turns on."""
        return launch.wander(_key(name, faulted), faulty if faulted else healthy, spread, lo)

    def requests(path: str) -> int:
        return launch.arrivals(f"req:{path}", ENDPOINTS[path][0])

    def app_error_ratio() -> float:
        spike = f.active("error-spike")
        return level("app_errors", 0.003, 0.13, spike, 0.01 if spike else 0.0008)

    def app_latency() -> dict[str, float]:
        slow = f.active("slow")
        return launch.latency(_key("app_latency", slow), 2.2 if slow else 0.3, sigma=0.8)

    def db_latency() -> dict[str, float]:
        slow = f.active("slow")
        return launch.latency(_key("db_query", slow), 0.25 if slow else 0.012, sigma=0.9)

    def hms_billing_lapsed() -> bool:
        return f.active("payment-failure")

    def endpoint(path: str) -> dict[str, Any]:
        _, p50, sigma, healthy_errors = ENDPOINTS[path]
        spike, slow = f.active("error-spike"), f.active("slow")
        failing = spike or (path in HMS_ENDPOINTS and hms_billing_lapsed())
        spread = 0.02 if failing else healthy_errors / 4
        error_rate = level(f"err:{path}", healthy_errors, 0.15, failing, spread)
        total = requests(path)
        errors = launch.stage(f"err:{path}", f"req:{path}", error_rate)
        lat = launch.latency(_key(f"lat:{path}", slow), p50 * SLOW_FACTOR if slow else p50, sigma)
        return {
            "requests": total,
            "errors": errors,
            "error_rate": round(error_rate, 5),
            "latency_ms": {q: round(lat[q] * 1000, 1) for q in ("p50", "p95", "p99")},
        }

    def sessions_funnel() -> dict[str, Any]:
        spike, lapsed = f.active("error-spike"), hms_billing_lapsed()
        create_ok = level("create_ok", 0.97, 0.80, spike, 0.005)
        if f.active("zero-completions") or lapsed:
            create_ok = 0.0
        join_ok = level("join_ok", 0.975, 0.80, spike or lapsed, 0.005)
        attempts, join_attempts = requests("/api/sessions/create"), requests("/api/sessions/join")
        created = launch.stage("sessions_created", "req:/api/sessions/create", create_ok)
        joins = launch.stage("session_joins", "req:/api/sessions/join", join_ok)
        return {"attempts": attempts, "created": created, "create_ok": create_ok,
                "join_attempts": join_attempts, "joins": joins, "join_ok": join_ok,
                "rooms": launch.stage("hms_rooms_created", "sessions_created", 1.0)}

    def chat_messages() -> int:
        requests("/api/messages/send")
        return launch.stage("messages_sent", "req:/api/messages/send", 0.998)

    def live_sessions() -> float:
        return gauge("sessions_active", 28.0, 0.0, hms_billing_lapsed(), 3.0)

    def health() -> dict[str, Any]:
        spike, slow, lapsed = f.active("error-spike"), f.active("slow"), hms_billing_lapsed()
        lat, db = app_latency(), db_latency()
        pool_used = min(DB_POOL_SIZE, round(gauge("pool_used", 22, 70, slow, 4)))
        return {
            "status": "degraded" if spike or slow or lapsed else "ok",
            "timestamp": _iso(launch.wall_start + launch.elapsed()),
            "checks": {
                "database": {
                    "connected": True,
                    "query": True,
                    "replicationLag": round(gauge("repl_lag", 0.3, 4.0, slow, 0.1), 2),
                    "pool": {"used": pool_used, "max": DB_POOL_SIZE},
                },
                "hms": {
                    "authenticated": not lapsed,
                    "listRooms": not lapsed,
                    "apiLatency": round(gauge("hms_api", 120, 900, slow, 15, 10), 1),
                    "status": "operational",
                },
                "external": {name: "operational" for name in EXTERNAL_SERVICES},
                "performance": {
                    "responseTime": round(lat["avg"] * 1000, 1),
                    "errorRate": round(app_error_ratio() * 100, 3),
                    "databaseQueryTime": round(db["avg"] * 1000, 1),
                    "cacheHitRate": round(launch.ratio("cache_hit", 0.86, 0.01) * 100, 2),
                },
            },
        }

    def performance() -> dict[str, Any]:
        spike, slow = f.active("error-spike"), f.active("slow")
        endpoints = {path: endpoint(path) for path in ENDPOINTS}
        other = launch.arrivals("req:other", OTHER_REQUESTS_PER_SECOND)
        other_errors = launch.stage("err:other", "req:other", app_error_ratio())
        lat = app_latency()
        errors_by_type = {}
        for name, rate in ERROR_TYPES.items():
            hms_down = name == "HMSTokenError" and hms_billing_lapsed()
            errors_by_type[name] = launch.arrivals(f"sentry:{name}", rate * (40 if spike or hms_down else 1))
        return {
            "requests": other + sum(e["requests"] for e in endpoints.values()),
            "errors": other_errors + sum(e["errors"] for e in endpoints.values()),
            "response_time_ms": {q: round(lat[q] * 1000, 1) for q in ("p50", "p95", "p99")},
            "cache_hit_rate": round(launch.ratio("cache_hit", 0.86, 0.01), 4),
            "page_load_ms": round(gauge("page_load", 1100, 6000, slow, 80, 100), 1),
            "endpoints": endpoints,
            "errors_by_type": errors_by_type,
            "critical_errors": launch.arrivals("sentry:critical", 0.05 if spike else 0.0003),
            "security": {
                "incidents": launch.count("security_incidents"),  # nothing in the simulation raises one
                "rate_limited_requests": launch.stage("rate_limited", "req:other", 0.002),
            },
        }

    def users() -> dict[str, Any]:
        spike = f.active("error-spike")
        signup_ok = level("signup_ok", 0.995, 0.88, spike, 0.002)
        login_ok = level("login_ok", 0.996, 0.88, spike, 0.002)
        signup_attempts, login_attempts = requests("/api/auth/signup"), requests("/api/auth/verify-otp")
        signups = launch.stage("signups", "req:/api/auth/signup", signup_ok)
        logins = launch.stage("logins", "req:/api/auth/verify-otp", login_ok)
        return {
            "auth": {
                "signup_attempts": signup_attempts,
                "signups": signups,
                "signup_success_rate": round(signup_ok, 4),
                "login_attempts": login_attempts,
                "logins": logins,
                "login_success_rate": round(login_ok, 4),
                "otp_delivery_rate": round(launch.ratio("otp_delivery", 0.995, 0.002), 4),
            },
            "users": {
                "total": BASE_USERS + signups,
                "active": round(launch.wander("active_users", 234, 15, 0)),
                "dau": round(launch.wander("dau", 1200, 40, 0)),
                "wau": round(launch.wander("wau", 3100, 60, 0)),
                "signup_conversion": round(launch.ratio("signup_conversion", 0.08, 0.005), 4),
                "login_return_rate": round(launch.ratio("login_return", 0.45, 0.01), 4),
            },
            "retention": _ratios(launch, "retention", RETENTION, 0.005),
            "churn": {
                "churn_rate": round(launch.ratio("churn", 0.04, 0.003), 4),
                "inactive_users": round(launch.ratio("inactive", 0.30, 0.01), 4),
            },
            "regions": _shares(launch, "region", REGIONS),
            "feature_adoption": _ratios(launch, "feature", FEATURES, 0.01),
            "support": {
                "tickets": {k: launch.arrivals(f"tickets_{k}", rate) for k, rate in SUPPORT_TICKETS.items()},
                "feedback_score": round(launch.wander("feedback", 8.2, 0.2, 0, 10), 2),
                "help_page_views": launch.arrivals("help_views", 0.05),
            },
        }

    def sessions() -> dict[str, Any]:
        lapsed = hms_billing_lapsed()
        n = sessions_funnel()
        active = live_sessions()
        per_session = launch.wander("participants_per_session", 2.2, 0.1, 1.0)
        video_ok = level("video_ok", 0.975, 0.05, lapsed, 0.004)
        video_attempts = launch.arrivals("video_connections", 0.12)
        video_success = launch.stage("video_success", "video_connections", video_ok)
        return {
            "sessions": {
                "create_attempts": n["attempts"],
                "created": n["created"],
                "creation_success_rate": round(n["create_ok"], 4),
                "join_attempts": n["join_attempts"],
                "joins": n["joins"],
                "join_success_rate": round(n["join_ok"], 4),
                "abandonment_rate": round(launch.ratio("abandonment", 0.06, 0.005), 4),
                "active": round(active),
                "average_duration_minutes": round(launch.wander("duration_min", 22, 1.5, 1), 2),
                "per_user": round(launch.wander("sessions_per_user", 1.8, 0.05, 0), 3),
                "created_per_day": round(gauge("sessions_per_day", SESSIONS_PER_DAY, 0.0, n["create_ok"] == 0.0,
                                               40.0)),
            },
            "participants": {
                "total": n["created"] + n["joins"],
                "per_session": round(per_session, 3),
                "concurrent": round(active * per_session),
            },
            "chat": {"messages_sent": chat_messages()},
            "video": {
                "connections": {"success": video_success, "failure": video_attempts - video_success},
                "connection_success_rate": round(video_ok, 4),
                "reconnect_rate": round(launch.ratio("reconnect", 0.02, 0.003), 4),
                "bitrate_kbps": _bitrate(launch),
                "frame_rate_fps": round(launch.wander("fps", 28, 0.8, 10, 30), 1),
                "latency_ms": round(launch.wander("video_latency", 180, 10, 30), 1),
                "minutes_streamed": launch.arrivals("video_minutes", 1.0),
            },
            "screen_share": {
                "success_rate": round(launch.ratio("screen_share_ok", 0.95, 0.005), 4),
                "average_height_px": round(launch.wander("screen_share_px", 1010, 20, 480, 1080)),
            },
            "recordings": _recordings(launch, requests("/api/recordings/start"), lapsed),
        }

    def hms() -> dict[str, Any]:
        lapsed = hms_billing_lapsed()
        n = sessions_funnel()
        return {
            "rooms": {"active": round(live_sessions() * 1.1), "created": n["rooms"]},
            "workspace": {
                "status": "suspended" if lapsed else "active",
                "recording_storage_available": True,
                "api_quota_used": round(launch.ratio("hms_quota", 0.30, 0.01), 4),
            },
        }

    def infrastructure() -> dict[str, Any]:
        slow = f.active("slow")
        db = db_latency()
        invocations = launch.arrivals("fn_invocations", 5.0)
        cold_rate = launch.ratio("cold_starts", 0.04, 0.005)
        memory_mb = launch.wander("fn_memory", 140, 8, 30, FUNCTION_MEMORY_LIMIT_MB)
        now = launch.wall_start + launch.elapsed()
        return {
            "vercel": {
                "invocations": invocations,
                "cold_starts": launch.stage("fn_cold_starts", "fn_invocations", cold_rate),
                "cold_start_rate": round(cold_rate, 4),
                "duration_ms_avg": round(gauge("fn_duration", 350, 3000, slow, 25, 10), 1),
                "memory_mb_avg": round(memory_mb, 1),
                "memory_percent": round(memory_mb / FUNCTION_MEMORY_LIMIT_MB * 100, 2),
            },
            "database": {
                "query_time_ms": {"avg": round(db["avg"] * 1000, 2), "p95": round(db["p95"] * 1000, 2)},
                # none while healthy: Part E's LOW rule logs every query slower than a second
                "slow_queries": launch.arrivals("slow_queries", 0.005 if slow else 0.0),
                "cpu_percent": round(launch.wander("db_cpu", 35, 3, 0, 100), 2),
                "memory_percent": round(launch.wander("db_memory", 55, 2, 0, 100), 2),
                "pool_wait_ms": round(gauge("pool_wait", 0.3, 40, slow, 0.2), 2),
                "size_gb": round(2.4 + launch.elapsed() / 86400 * 0.05, 4),
                "last_backup_at": _last_daily(now, BACKUP_HOUR_UTC),
            },
            "network": {"egress_mb": launch.arrivals("egress_mb", EGRESS_MB_PER_SECOND),
                        "egress_mb_per_day": round(launch.wander("egress_per_day", EGRESS_MB_PER_SECOND * 86400,
                                                                 100.0, 0), 1)},
            "service_checks": {name: True for name in PLATFORM_CHECKS},
        }

    def costs() -> dict[str, Any]:
        month_done = _month_fraction(launch.wall_start + launch.elapsed())
        services = {}
        for name, budget in MONTHLY_BUDGET_USD.items():
            forecast = budget * launch.wander(f"cost_{name}", 0.85, 0.02, 0)
            services[name] = {"month_to_date": round(forecast * month_done, 2),
                              "forecast": round(forecast, 2), "budget": budget,
                              "forecast_budget_ratio": round(forecast / budget, 4)}
        return {
            "currency": "USD",
            "services": services,
            "unit_costs": {k: round(launch.wander(f"unit_cost_{k}", v, v * 0.03, 0), 4)
                           for k, v in UNIT_COST_USD.items()},
        }

    def site() -> Html:
        return Html("<html><body><h1>Kulti</h1></body></html>")

    return {
        "/": site,
        "/api/health": health,
        "/api/admin/metrics/performance": performance,
        "/api/admin/metrics/users": users,
        "/api/admin/metrics/sessions": sessions,
        "/api/admin/metrics/hms": hms,
        "/api/admin/metrics/infrastructure": infrastructure,
        "/api/admin/metrics/costs": costs,
    }


def _key(name: str, faulted: bool) -> str:
    """A separate wander state while a fault is on, so the value jumps rather than drifts."""
    return f"{name}:fault" if faulted else name


def _ratios(launch: Launch, prefix: str, means: dict[str, float], spread: float) -> dict[str, float]:
    return {k: round(launch.ratio(f"{prefix}_{k}", v, spread), 4) for k, v in means.items()}


def _shares(launch: Launch, prefix: str, means: dict[str, float]) -> dict[str, float]:
    """Shares that wander around ``means`` and still add up to 1."""
    raw = {k: launch.wander(f"{prefix}_{k}", v, 0.01, 0.001) for k, v in means.items()}
    total = sum(raw.values())
    return {k: round(v / total, 4) for k, v in raw.items()}


def _bitrate(launch: Launch) -> dict[str, float]:
    """Video bitrate in kbps: average and P50/P95, inside the 500-2000 kbps target."""
    median = launch.wander("bitrate", 1100, 40, 400)
    return {"avg": round(median * 1.05, 1), "p50": round(median, 1), "p95": round(median * 1.7, 1)}


def _recordings(launch: Launch, requested: int, lapsed: bool) -> dict[str, Any]:
    """The recording pipeline: each stage a thinning of the one before; none start while 100ms is lapsed."""
    stages, parent, success = {"requested": requested}, "req:/api/recordings/start", 1.0
    for stage, probability in RECORDING_STAGES:
        p = launch.ratio(f"recordings_{stage}_ok", probability, 0.001)
        if lapsed and stage == "started":
            p = 0.0
        stages[stage] = launch.stage(f"recordings_{stage}", parent, p)
        parent, success = f"recordings_{stage}", success * p
    return {"stages": stages, "success_rate": round(success, 4)}


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"


def _last_daily(now: float, hour: int) -> int:
    """Unix time of the most recent daily run at ``hour`` UTC."""
    day_start = now - now % 86400
    run = day_start + hour * 3600
    return int(run if run <= now else run - 86400)


def _month_fraction(now: float) -> float:
    """How much of the current UTC month has passed (0-1)."""
    t = time.gmtime(now)
    days = calendar.monthrange(t.tm_year, t.tm_mon)[1]
    return ((t.tm_mday - 1) + (t.tm_hour * 3600 + t.tm_min * 60 + t.tm_sec) / 86400) / days
