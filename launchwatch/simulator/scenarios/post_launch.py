"""Generic post-launch support plan (seed 004): a web shop in its first months after launch.

The document shows no JSON, so the endpoints follow a typical shop backend: ``/api/health`` for
the one-minute uptime check, infrastructure and queue stats, store analytics (sessions → carts →
checkouts → payments → orders), payments, e-mail, and support (tier 1-4 incidents, tickets).
"""

from __future__ import annotations

from typing import Any

from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import Handler, Html

GIB = 1024**3
DAY = 86400.0
# tier: (incidents opened per second, mean open, response target s, resolution target s); tier 4's
# resolution target is "next release cycle", simulated as two weeks.
TIERS = {
    "1": (0.00002, 0.0, 900.0, 7200.0),
    "2": (0.0001, 0.2, 3600.0, 14400.0),
    "3": (0.0006, 2.0, 14400.0, DAY),
    "4": (0.001, 5.0, DAY, 14 * DAY),
}
# scheduled task: (interval s, offset s into each interval, UTC) — backups run daily at 02:00.
TASKS = {
    "backup:run": (DAY, 2 * 3600.0),
    "orders:reconcile": (300.0, 0.0),
    "sitemap:generate": (3600.0, 900.0),
    "queue:prune-failed": (DAY, 3 * 3600.0),
}
# queue: (mean pending jobs, jobs failing per second when healthy)
QUEUES = {"default": (40.0, 0.0005), "orders": (15.0, 0.0002), "mail": (25.0, 0.0005)}
DISKS = {"app": (100 * GIB, 0.55), "database": (200 * GIB, 0.62)}


def build(launch: Launch) -> dict[str, Handler]:
    f = launch.faults

    def now() -> float:
        return launch.wall_start + launch.elapsed()

    def funnel() -> dict[str, int]:
        sessions = launch.arrivals("sessions", 3.0)
        registrations = launch.stage("registrations", "sessions", 0.02)
        carts = launch.stage("carts", "sessions", 0.1)
        checkouts = launch.stage("checkouts", "carts", 0.4)
        checkout_ok = launch.stage("checkout_ok", "checkouts", 0.7 if f.active("error-spike") else 0.995)
        to_payment = 0.0 if f.active("zero-completions") else 0.9
        attempts = launch.stage("payment_attempts", "checkout_ok", to_payment)
        paid_ok = 0.05 if f.active("payment-failure") else 0.97
        orders = launch.stage("orders", "payment_attempts", paid_ok)
        return {"sessions": sessions, "registrations": registrations, "carts": carts,
                "checkouts": checkouts, "checkout_errors": checkouts - checkout_ok,
                "attempts": attempts, "orders": orders}

    def health() -> dict[str, Any]:
        spike = f.active("error-spike")
        slow = f.active("slow")
        lat = launch.latency("response", 6.0 if slow else 0.7)
        error_rate = launch.ratio("errors", 0.15 if spike else 0.0002, 0.01 if spike else 0.00004)
        requests = launch.arrivals("requests", 12.0)
        errors = launch.stage("request_errors", "requests", error_rate)
        return {
            "status": "degraded" if spike or slow else "ok",
            "app": {"version": "1.0.3", "environment": "production",
                    "deployed_at": round(launch.wall_start - 2 * DAY)},
            "uptime_seconds": round(launch.elapsed(), 1),
            "checks": {name: "ok" for name in ("database", "cache", "queue", "storage", "cdn")},
            "response_time_ms": {k: round(v * 1000, 1) for k, v in lat.items()},
            "error_rate": round(error_rate, 5),
            "requests_total": requests,
            "errors_total": errors,
            "log_entries": {
                "warning": launch.arrivals("log_warning", 0.05),
                "error": launch.arrivals("log_error", 2.0 if spike else 0.005),
                "critical": launch.arrivals("log_critical", 0.05 if spike else 0.0001),
            },
        }

    def infra() -> dict[str, Any]:
        slow = f.active("slow")
        memory_total = 16 * GIB
        memory_used = launch.ratio("memory", 0.9 if slow else 0.62, 0.03)
        pool_max = 100
        pool_used = round(launch.wander("db_connections", 92 if slow else 30, 3, 0, pool_max))
        return {
            "cpu": {"usage_percent": round(launch.wander("cpu", 92 if slow else 35, 5, 0, 100), 1), "cores": 4},
            "memory": {"used_bytes": round(memory_used * memory_total), "total_bytes": memory_total,
                       "usage_percent": round(memory_used * 100, 1)},
            "disks": {name: _disk(launch, name, size, free) for name, (size, free) in DISKS.items()},
            "updates_pending": {"security": round(launch.wander("updates_security", 0, 0.3, 0)),
                                "system": round(launch.wander("updates_system", 3, 0.5, 0))},
            "database": {
                "connections_active": pool_used,
                "connections_max": pool_max,
                "connections_usage_ratio": round(pool_used / pool_max, 4),
                "query_time_ms_avg": round(launch.wander("query_ms", 900 if slow else 12, 2, 1), 1),
                "slow_queries": launch.arrivals("slow_queries", 0.5 if slow else 0.002),
            },
            "cache": {"hit_rate": round(launch.ratio("cache_hits", 0.94, 0.01), 4)},
            "backup": {"last_success_at": round(_last_run(now(), *TASKS["backup:run"])),
                       "last_status": "success",
                       "size_bytes": round(launch.wander("backup_size", 2.4 * GIB, 0.01 * GIB, 0))},
        }

    def queues() -> dict[str, Any]:
        backlog = 40 if f.active("slow") else 1  # the default queue passes the 1000-job alert
        spike = f.active("error-spike")
        t = now()
        return {
            "queues": {
                name: {"pending": round(launch.wander(f"queue_{name}", mean * backlog, mean * 0.2, 0)),
                       "failed": launch.arrivals(f"queue_{name}_failed", 0.2 if spike else fail_rate)}
                for name, (mean, fail_rate) in QUEUES.items()
            },
            "workers": {"running": 4, "expected": 4},
            "scheduled_tasks": {
                name: {"last_run_at": round(_last_run(t, interval, offset)), "last_status": "success",
                       "failures": launch.arrivals(f"task_{name}_failures", 0.00001)}
                for name, (interval, offset) in TASKS.items()
            },
        }

    def analytics() -> dict[str, Any]:
        n = funnel()
        slow = f.active("slow")
        oldest = launch.wander("order_age", 3600 if slow else 300, 60, 0)
        return {
            "generated_at": now(),
            "sessions": n["sessions"],
            "registrations": n["registrations"],
            "carts_created": n["carts"],
            "checkouts_started": n["checkouts"],
            "checkout_errors": n["checkout_errors"],
            "orders": {
                "placed": n["orders"],
                "awaiting_processing": round(launch.wander("orders_waiting", 60 if slow else 5, 2, 0)),
                "oldest_awaiting_processing_seconds": round(oldest),
            },
            "conversion_rate": _rate(n["orders"], n["sessions"]),
            "cart_abandonment_rate": round(1 - _rate(n["orders"], n["carts"], default=1.0), 4),
        }

    def payments() -> dict[str, Any]:
        n = funnel()
        return {
            "gateway_status": "down" if f.active("payment-failure") else "ok",
            "by_status": {"succeeded": n["orders"], "failed": n["attempts"] - n["orders"]},
            "success_rate": _rate(n["orders"], n["attempts"], default=1.0),
        }

    def email() -> dict[str, Any]:
        attempted = launch.arrivals("emails", 0.8)
        accepted = launch.stage("emails_accepted", "emails", 0.8 if f.active("error-spike") else 0.995)
        bounced = launch.stage("emails_bounced", "emails_accepted", 0.005)
        sent = accepted - bounced
        return {
            "service_status": "ok",
            "by_status": {"sent": sent, "failed": attempted - accepted, "bounced": bounced},
            "delivery_rate": _rate(sent, attempted, default=1.0),
        }

    def support() -> dict[str, Any]:
        return {
            "incidents": {tier: _incidents(launch, tier, *spec) for tier, spec in TIERS.items()},
            "tickets": {
                "opened": launch.arrivals("tickets", 0.005),
                "open": round(launch.wander("tickets_open", 12, 2, 0)),
                "oldest_open_age_seconds": round(launch.wander("ticket_age", 10 * 3600, 1800, 0)),
                "resolution_time_avg_seconds": round(launch.wander("ticket_resolution", 6 * 3600, 900, 600)),
            },
            "user_satisfaction": round(launch.wander("csat", 4.7, 0.08, 1, 5), 2),
            "feedback_received": launch.arrivals("feedback", 0.003),
        }

    def admin() -> Html:
        return Html("<html><body><h1>Store admin</h1></body></html>")

    return {
        "/api/health": health,
        "/api/infra/stats": infra,
        "/api/queue/stats": queues,
        "/api/analytics/store": analytics,
        "/api/payments/stats": payments,
        "/api/email/stats": email,
        "/api/support/stats": support,
        "/admin": admin,
    }


def _disk(launch: Launch, name: str, size: int, free_mean: float) -> dict[str, float]:
    free = launch.ratio(f"disk_{name}", free_mean, 0.005)
    return {"free_bytes": round(free * size), "size_bytes": size, "free_ratio": round(free, 4)}


def _incidents(launch: Launch, tier: str, per_second: float, open_mean: float, respond_s: float,
               resolve_s: float) -> dict[str, float]:
    """One tier's incidents: healthy ages stay well inside the tier's response and resolution targets."""
    is_open = round(launch.wander(f"incidents_open_{tier}", open_mean, 0.2 + open_mean * 0.2, 0))
    if is_open:
        unacknowledged = launch.wander(f"incident_ack_{tier}", respond_s * 0.2, respond_s * 0.05, 0)
        oldest = launch.wander(f"incident_age_{tier}", resolve_s * 0.4, resolve_s * 0.05, unacknowledged)
    else:
        unacknowledged = oldest = 0.0
    return {
        "opened": launch.arrivals(f"incidents_{tier}", per_second),
        "open": is_open,
        "oldest_unacknowledged_age_seconds": round(unacknowledged),
        "oldest_open_age_seconds": round(oldest),
        "resolution_time_avg_seconds": round(launch.wander(f"incident_resolution_{tier}", resolve_s * 0.4,
                                                           resolve_s * 0.05, 60)),
    }


def _last_run(now: float, interval: float, offset: float) -> float:
    """When a task that runs every ``interval`` seconds, ``offset`` seconds into each, last ran."""
    return now - (now - offset) % interval


def _rate(num: int, den: int, default: float = 0.0) -> float:
    return round(num / den, 4) if den else default
