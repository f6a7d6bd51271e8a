"""SofaCover Pro e-commerce store after launch (seed 003): storefront funnel, payments, Supabase
auth, infrastructure, P0-P3 incidents and the support desk.

The store's own ratios (conversion, payment and sign-in success) cover the last five minutes, so
a fault shows in them at once. Each business fault also declares the incident the document's
classification gives it (payment system failure is P0; errors, slowness and order processing
problems are P1), whose age grows until the fault clears.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import Handler

RECENT_WINDOW_SECONDS = 300.0  # the store reports its ratios over the last 5 minutes
ACKNOWLEDGE_AFTER_SECONDS = 300.0  # a fault's incident is acknowledged 5 minutes after it starts
POOL_MAX_CONNECTIONS = 60
FAULT_INCIDENTS = {"payment-failure": "P0", "error-spike": "P1", "slow": "P1", "zero-completions": "P1"}
# priority: incidents declared per second, typical unresolved backlog, typical age of its oldest,
# mean time to acknowledge, mean time to resolve, share acknowledged / resolved within target
PRIORITIES: dict[str, tuple[float, float, float, float, float, float, float]] = {
    "P0": (0.00001, 0.0, 0.0, 360.0, 4200.0, 1.0, 0.95),
    "P1": (0.00004, 0.0, 0.0, 1500.0, 5400.0, 0.98, 0.9),
    "P2": (0.0002, 1.5, 3 * 3600.0, 7200.0, 12 * 3600.0, 0.95, 0.88),
    "P3": (0.0004, 3.0, 36 * 3600.0, 36000.0, 3 * 86400.0, 0.93, 0.85),
}
# tier: 90th percentile first response in seconds for critical and high issues
TIER_RESPONSE = {"tier1": (480.0, 2100.0), "tier2": (1080.0, 4500.0), "tier3": (2100.0, 9000.0)}
# channel: tickets per second, typical open tickets
CHANNELS = {
    "ticket_system": (0.004, 6.0),
    "live_chat": (0.006, 2.0),
    "email": (0.003, 5.0),
    "phone": (0.001, 1.0),
}
ESCALATIONS = {"tier2": 0.00002, "tier3": 0.00001, "management": 0.000002}


class _Recent:
    """Ratio of two growing counters over the last ``window`` seconds of the launch."""

    def __init__(self, window: float = RECENT_WINDOW_SECONDS):
        self._window = window
        self._lock = threading.Lock()
        self._seen: deque[tuple[float, int, int]] = deque([(0.0, 0, 0)])

    def ratio(self, now: float, num: int, den: int, default: float) -> float:
        with self._lock:
            self._seen.append((now, num, den))
            while len(self._seen) > 1 and self._seen[1][0] <= now - self._window:
                self._seen.popleft()
            _, num0, den0 = self._seen[0]
        return _rate(num - num0, den - den0, default)


def build(launch: Launch) -> dict[str, Handler]:
    f = launch.faults
    conversion, payment_success, auth_success = _Recent(), _Recent(), _Recent()
    fault_started: dict[str, float] = {}
    incident_lock = threading.Lock()

    def funnel() -> dict[str, int]:
        sessions = launch.arrivals("sessions", 4.0)
        carts = launch.stage("carts", "sessions", 0.08)
        checkouts = launch.stage("checkouts", "carts", 0.55)
        attempts = launch.stage("payment_attempts", "checkouts", 0.85)
        paid_ok = 0.05 if f.active("payment-failure") else 0.97
        paid = launch.stage("payments_ok", "payment_attempts", paid_ok)
        processed = 0.0 if f.active("zero-completions") else 0.999
        orders = launch.stage("orders", "payments_ok", processed)
        return {"sessions": sessions, "carts": carts, "checkouts": checkouts, "attempts": attempts,
                "paid": paid, "orders": orders}

    def health() -> dict[str, Any]:
        spike, slow = f.active("error-spike"), f.active("slow")
        return {
            "status": "degraded" if spike or slow else "ok",
            "uptime_seconds": round(launch.elapsed(), 1),
            "checks": {
                "supabase_database": "degraded" if slow else "ok",
                "supabase_auth": "degraded" if spike else "ok",
                "payment_gateway": "down" if f.active("payment-failure") else "ok",
                "cdn": "degraded" if slow else "ok",
                "email": "ok",
                "live_chat": "ok",
            },
        }

    def performance() -> dict[str, Any]:
        spike = f.active("error-spike")
        lat = launch.latency("response", 3.5 if f.active("slow") else 0.28)
        error_rate = launch.ratio("errors", 0.12 if spike else 0.0004, 0.01 if spike else 0.0001)
        requests = launch.arrivals("requests", 25.0)
        errors = launch.stage("request_errors", "requests", error_rate)
        return {
            "requests_total": requests,
            "errors_total": errors,
            "error_rate": round(error_rate, 6),
            "response_time_ms": _ms(lat),
        }

    def infrastructure() -> dict[str, Any]:
        slow = f.active("slow")
        active = round(launch.wander("pool_active", 56 if slow else 12, 3, 0, POOL_MAX_CONNECTIONS))
        query = launch.latency("query", 0.9 if slow else 0.012)
        return {
            "cdn": {"cache_hit_rate": round(launch.ratio("cdn_hits", 0.55 if slow else 0.93, 0.01), 4)},
            "database": {
                "pool": {"active": active, "idle": POOL_MAX_CONNECTIONS - active, "max": POOL_MAX_CONNECTIONS,
                         "waiting": round(launch.wander("pool_waiting", 15 if slow else 0, 1, 0))},
                "query_time_ms": {k: v for k, v in _ms(query).items() if k in ("p50", "p95")},
                "lock_waits": round(launch.wander("lock_waits", 6 if slow else 0, 0.6, 0)),
            },
            "server": {
                "cpu_utilization": round(launch.ratio("cpu", 0.9 if slow else 0.35, 0.03), 4),
                "memory_utilization": round(launch.ratio("memory", 0.58, 0.02), 4),
            },
        }

    def business() -> dict[str, Any]:
        n = funnel()
        stuck = f.active("zero-completions")
        return {
            "sessions": n["sessions"],
            "carts_created": n["carts"],
            "checkouts_started": n["checkouts"],
            "orders": n["orders"],
            "order_processing_errors": n["paid"] - n["orders"],
            "orders_awaiting_processing": round(launch.wander("awaiting", 40 if stuck else 4, 2, 0)),
            "conversion_rate": round(conversion.ratio(launch.elapsed(), n["orders"], n["sessions"], 0.0), 5),
        }

    def payments() -> dict[str, Any]:
        n = funnel()
        success = payment_success.ratio(launch.elapsed(), n["paid"], n["attempts"], 1.0)
        webhooks_ok = 0.3 if f.active("payment-failure") else 0.998
        return {
            "transactions": {"succeeded": n["paid"], "failed": n["attempts"] - n["paid"]},
            "success_rate": round(success, 4),
            "webhooks": _split(launch, "payment_webhooks", 0.05, webhooks_ok, ("processed", "failed")),
        }

    def auth() -> dict[str, Any]:
        sign_in_ok = 0.7 if f.active("error-spike") else 0.98
        attempts = _split(launch, "sign_ins", 1.0, sign_in_ok, ("success", "failure"))
        ok, total = attempts["success"], attempts["success"] + attempts["failure"]
        return {
            "attempts": attempts,
            "success_rate": round(auth_success.ratio(launch.elapsed(), ok, total, 1.0), 4),
            "jwt_expiry_seconds": 3600,
        }

    def fault_incident_ages(now: float) -> dict[str, list[float]]:
        """Ages of the incidents the active faults declared, by priority; a cleared fault's gets resolved."""
        ages: dict[str, list[float]] = {p: [] for p in PRIORITIES}
        for fault, priority in FAULT_INCIDENTS.items():
            if not f.active(fault):
                fault_started.pop(fault, None)
                continue
            if fault not in fault_started:
                fault_started[fault] = now
                launch.add(f"incidents_{priority}", 1)
            ages[priority].append(now - fault_started[fault])
        return ages

    def priority_stats(priority: str, now: float, faulty: list[float]) -> dict[str, Any]:
        rate, backlog, backlog_age, mtta, mttr, ack_ok, res_ok = PRIORITIES[priority]
        declared = launch.arrivals(f"incidents_{priority}", rate)
        wanted = round(launch.wander(f"backlog_{priority}", backlog, 0.5, 0))
        resolved_now = launch.count(f"resolved_{priority}")
        resolved = launch.add(f"resolved_{priority}", declared - len(faulty) - wanted - resolved_now)
        usual = declared - len(faulty) - resolved
        usual_age = min(now, launch.wander(f"backlog_age_{priority}", backlog_age, backlog_age * 0.1, 0))
        pending = [a for a in faulty if a < ACKNOWLEDGE_AFTER_SECONDS]
        return {
            "declared": declared,
            "resolved": resolved,
            "open": len(pending),
            "acknowledged": len(faulty) - len(pending) + usual,
            "oldest_unacknowledged_age_seconds": round(max(pending, default=0.0)),
            "oldest_unresolved_age_seconds": round(max([*faulty, usual_age if usual else 0.0])),
            "mean_time_to_acknowledge_seconds": round(launch.wander(f"mtta_{priority}", mtta, mtta * 0.1, 0)),
            "mean_time_to_resolve_seconds": round(launch.wander(f"mttr_{priority}", mttr, mttr * 0.1, 0)),
            "acknowledged_within_target_rate": ack_ok,
            "resolved_within_target_rate": res_ok,
        }

    def incidents() -> dict[str, Any]:
        now = launch.elapsed()
        with incident_lock:
            ages = fault_incident_ages(now)
            priorities = {p: priority_stats(p, now, ages[p]) for p in PRIORITIES}
        return {
            "priorities": priorities,
            "mean_time_to_detect_seconds": round(launch.wander("mttd", 150, 20, 10)),
            "escalations": {to: launch.arrivals(f"escalations_{to}", r) for to, r in ESCALATIONS.items()},
            "tiers": {
                tier: {"critical": round(launch.wander(f"frt_{tier}_critical", critical, critical * 0.1, 60)),
                       "high": round(launch.wander(f"frt_{tier}_high", high, high * 0.1, 60))}
                for tier, (critical, high) in TIER_RESPONSE.items()
            },
        }

    def support() -> dict[str, Any]:
        return {
            "channels": {
                channel: {"tickets": launch.arrivals(f"tickets_{channel}", rate),
                          "open": round(launch.wander(f"open_{channel}", open_, 1, 0))}
                for channel, (rate, open_) in CHANNELS.items()
            },
            "satisfaction": {
                "average_rating": round(launch.wander("csat", 4.7, 0.05, 1, 5), 2),
                "rating_response_rate": round(launch.ratio("rated", 0.84, 0.01), 4),
            },
            "first_contact_resolution_rate": round(launch.ratio("fcr", 0.76, 0.015), 4),
        }

    return {
        "/api/health": health,
        "/api/monitoring/performance": performance,
        "/api/monitoring/infrastructure": infrastructure,
        "/api/analytics/business": business,
        "/api/payments/stats": payments,
        "/api/auth/stats": auth,
        "/api/support/incidents": incidents,
        "/api/support/stats": support,
    }


def _split(launch: Launch, name: str, rate: float, success: float, keys: tuple[str, str]) -> dict[str, int]:
    """Arrivals of ``name`` split into successes and failures, under the endpoint's ``keys``."""
    total = launch.arrivals(name, rate)
    ok = launch.stage(f"{name}_ok", name, success)
    return {keys[0]: ok, keys[1]: total - ok}


def _ms(latency: dict[str, float]) -> dict[str, float]:
    return {k: round(v * 1000, 1) for k, v in latency.items()}


def _rate(num: int, den: int, default: float = 0.0) -> float:
    return round(num / den, 4) if den else default
