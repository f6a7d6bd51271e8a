"""WhatsApp quiz bot (seed 000): quiz funnel, 24 h trials, Mercado Pago subscriptions.

``/api/subscription-analytics`` has the ``user_metrics`` object the document queries with
``jq '.user_metrics'``; the other endpoints carry system health, webhooks, payments and support.
"""

from __future__ import annotations

from typing import Any

from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import Handler, Html

PRICE_ARS = 15  # monthly subscription price used to turn paid conversions into revenue


def build(launch: Launch) -> dict[str, Handler]:
    f = launch.faults

    def funnel() -> dict[str, int]:
        interactions = launch.arrivals("interactions", 0.8)
        starts = launch.stage("quiz_starts", "interactions", 0.55)
        completion = 0.0 if f.active("zero-completions") else 0.82
        completions = launch.stage("quiz_completions", "quiz_starts", completion)
        clicks = launch.stage("link_clicks", "quiz_completions", 0.45)
        trials = launch.stage("trials", "link_clicks", 0.7)
        attempts = launch.stage("subscription_attempts", "trials", 0.5)
        paid_ok = 0.05 if f.active("payment-failure") else 0.93
        paid = launch.stage("paid", "subscription_attempts", paid_ok)
        return {"interactions": interactions, "starts": starts, "completions": completions,
                "clicks": clicks, "trials": trials, "attempts": attempts, "paid": paid}

    def analytics() -> dict[str, Any]:
        n = funnel()
        revenue = n["paid"] * PRICE_ARS
        return {
            "generated_at": launch.wall_start + launch.elapsed(),
            "user_metrics": {
                "total_users": n["interactions"] // 3,
                "active_trials": max(0, n["trials"] - n["paid"]),
                "premium_subscribers": n["paid"],
                "whatsapp_interactions": n["interactions"],
                "quiz_starts": n["starts"],
                "quiz_completions": n["completions"],
                "subscription_link_clicks": n["clicks"],
                "trial_activations": n["trials"],
                "average_session_duration_seconds": round(launch.wander("session_s", 240, 30, 20), 1),
            },
            "conversion_metrics": {
                "quiz_completion_rate": _rate(n["completions"], n["starts"]),
                "quiz_to_trial_rate": _rate(n["trials"], n["completions"]),
                "trial_to_paid_rate": _rate(n["paid"], n["trials"]),
                "subscription_attempts": n["attempts"],
                "paid_conversions": n["paid"],
            },
            "revenue_metrics": {
                "currency": "ARS",
                "revenue_total": revenue,
                "mrr": n["paid"] * PRICE_ARS,
                "customer_acquisition_cost": round(launch.wander("cac", 7.5, 1.0, 0), 2),
                "churn_rate": round(launch.ratio("churn", 0.012, 0.003), 4),
            },
        }

    def health() -> dict[str, Any]:
        spike = f.active("error-spike")
        slow = f.active("slow")
        lat = launch.latency("response", 6.0 if slow else 0.9)
        error_rate = launch.ratio("errors", 0.09 if spike else 0.004, 0.01 if spike else 0.001)
        requests = launch.arrivals("requests", 6.0)
        errors = launch.stage("request_errors", "requests", error_rate)
        doc = {
            "status": "degraded" if spike or slow else "ok",
            "uptime_seconds": round(launch.elapsed(), 1),
            "database": "ok",
            "response_time_ms": {k: round(v * 1000, 1) for k, v in lat.items()},
            "error_rate": round(error_rate, 5),
            "requests_total": requests,
            "errors_total": errors,
        }
        return doc

    def webhooks() -> dict[str, Any]:
        spike = f.active("error-spike")
        out = {}
        for provider, rate in (("manychat", 1.2), ("mercadopago", 0.2)):
            sent = launch.arrivals(f"webhook_{provider}", rate)
            ok = launch.stage(f"webhook_{provider}_ok", f"webhook_{provider}", 0.8 if spike else 0.985)
            out[provider] = {"delivered": ok, "failed": sent - ok}
        total = sum(p["delivered"] + p["failed"] for p in out.values())
        delivered = sum(p["delivered"] for p in out.values())
        return {"providers": out, "delivery_success_rate": _rate(delivered, total, default=1.0)}

    def payments() -> dict[str, Any]:
        n = funnel()
        failing = f.active("payment-failure")
        approved = n["paid"]
        rejected = n["attempts"] - approved
        return {
            "gateway": "mercadopago",
            "gateway_status": "down" if failing else "ok",
            "payment_links_generated": n["clicks"],
            "by_status": {"approved": approved, "rejected": rejected,
                          "pending": launch.arrivals("payments_pending", 0.01)},
            "success_rate": _rate(approved, n["attempts"], default=1.0),
        }

    def support() -> dict[str, Any]:
        channels = {}
        for channel, rate, hours in (("whatsapp", 0.02, 0.8), ("email", 0.008, 2.5)):
            channels[channel] = {
                "tickets": launch.arrivals(f"tickets_{channel}", rate),
                "open": round(launch.wander(f"open_{channel}", 3, 1, 0)),
                "first_response_p90_seconds": round(launch.wander(f"frt_{channel}", hours * 3600, 600, 60)),
            }
        return {
            "channels": channels,
            "critical_first_response_p90_seconds": round(launch.wander("frt_critical", 900, 120, 60)),
            "user_satisfaction": round(launch.wander("csat", 4.6, 0.1, 1, 5), 2),
            "user_rating": round(launch.wander("rating", 4.7, 0.1, 1, 5), 2),
        }

    def admin() -> Html:
        return Html("<html><body><h1>Caloria admin</h1></body></html>")

    return {
        "/api/subscription-analytics": analytics,
        "/api/health": health,
        "/api/webhooks/stats": webhooks,
        "/api/payments/stats": payments,
        "/api/support/stats": support,
        "/admin": admin,
    }


def _rate(num: int, den: int, default: float = 0.0) -> float:
    return round(num / den, 4) if den else default
