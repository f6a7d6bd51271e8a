"""CampoTech WhatsApp rollout (seed 001): wa.me links, 360dialog BSP numbers and the AI responder.

The launch is simulated in phase 3 (BSP general availability for PROFESIONAL+, the EMPRESARIAL
beta cohort still tracked). Inbound messages flow per tier: received → processed → handed to the
AI responder → answered, plus human and template replies; their delivery reports, webhooks,
usage against tier limits and costs all derive from that flow.
"""

from __future__ import annotations

from typing import Any

from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import Handler, Html

# tier: (paid customers, monthly message limit, inbound BSP messages per second)
TIERS: dict[str, tuple[int, int, float]] = {
    "INICIAL": (420, 0, 0.0),
    "PROFESIONAL": (180, 1000, 0.08),
    "EMPRESARIAL": (60, 5000, 0.10),
    "ENTERPRISE": (12, 20000, 0.05),
}
# tier: (share of customers active in the last 7 days, messages/day per active customer, highest usage ratio)
TIER_USAGE: dict[str, tuple[float, float, float]] = {
    "INICIAL": (0.50, 0.0, 0.0),
    "PROFESIONAL": (0.38, 28.0, 0.72),
    "EMPRESARIAL": (0.60, 55.0, 0.55),
    "ENTERPRISE": (0.70, 120.0, 0.40),
}
WAME_ENDPOINTS = {  # endpoint: requests per second
    "/api/whatsapp/wame-link": 0.9,
    "/api/whatsapp/qr-code": 0.15,
    "/api/whatsapp/validate-phone": 0.3,
    "/api/settings/whatsapp": 0.2,
}
SURFACES = {"invoice": 0.35, "customer_profile": 0.25, "job_confirmation": 0.3}  # wa.me links per second
TICKET_CATEGORIES = {"setup": 1.0, "provisioning": 0.3, "delivery": 0.2, "ai_responses": 0.3, "billing": 0.2}
WEEK_SECONDS = 7 * 86400
BETA_CUSTOMERS = [f"emp-{i:02d}" for i in range(1, 15)]
BETA_CONVERSATION_LIMIT = 5
POOL_SIZE = 100  # numbers in the 360dialog pool at GA
POOL_ASSIGNED_BEFORE_GA = 46
NUMBER_RENTAL_CENTS_PER_SECOND = 1500 / (30 * 86400)  # 15 USD per number and month
BSP_CENTS_PER_MESSAGE = 0.6
OPENAI_CENTS_PER_RESPONSE = 0.3


def build(launch: Launch) -> dict[str, Handler]:
    f = launch.faults

    def ai_response_rate() -> float:
        return launch.ratio("ai_response_rate", 0.6 if f.active("error-spike") else 0.95, 0.01)

    def delivery_rate() -> float:
        return launch.ratio("delivery_rate", 0.85 if f.active("error-spike") else 0.999, 0.0005)

    def tier_traffic(tier: str, rate: float, p_answered: float, p_delivered: float) -> dict[str, int]:
        received = launch.arrivals(f"in_{tier}", rate)
        processed = launch.stage(f"proc_{tier}", f"in_{tier}", 0.0 if f.active("zero-completions") else 0.999)
        to_ai = launch.stage(f"ai_req_{tier}", f"proc_{tier}", 0.9)
        ai = launch.stage(f"ai_{tier}", f"ai_req_{tier}", p_answered)
        p_error = 0.2 if f.active("error-spike") else 0.001
        ai_errors = launch.stage(f"ai_err_{tier}", f"ai_req_{tier}", p_error)
        filtered = launch.stage(f"ai_filtered_{tier}", f"ai_{tier}", 0.004)
        human = launch.stage(f"human_{tier}", f"proc_{tier}", 0.12)
        templates = launch.arrivals(f"tpl_{tier}", rate * 0.1)
        delivered = sum(launch.stage(f"dlv_{part}_{tier}", f"{part}_{tier}", p_delivered)
                        for part in ("ai", "human", "tpl"))
        sent = ai + human + templates
        return {"received": received, "processed": processed, "ai_requests": to_ai, "ai_responses": ai,
                "ai_errors": ai_errors, "ai_filtered": filtered, "templates": templates, "sent": sent,
                "delivered": delivered}

    def traffic() -> dict[str, dict[str, int]]:
        p_answered, p_delivered = ai_response_rate(), delivery_rate()
        return {tier: tier_traffic(tier, rate, p_answered, p_delivered)
                for tier, (_, _, rate) in TIERS.items()}

    def provisioning() -> dict[str, Any]:
        rate = launch.ratio("provisioning_rate", 0.6 if f.active("error-spike") else 0.97, 0.01)
        attempts = launch.arrivals("provisioning", 0.003)
        succeeded = launch.stage("provisioned", "provisioning", rate)
        return {"attempts": attempts, "succeeded": succeeded, "success_rate": rate,
                "pool_used": min(POOL_SIZE, POOL_ASSIGNED_BEFORE_GA + succeeded)}

    def health() -> dict[str, Any]:
        spike = f.active("error-spike")
        degraded = spike or f.active("slow")
        return {
            "status": "degraded" if degraded else "ok",
            "uptime_seconds": round(launch.elapsed(), 1),
            "dependencies": {"database": "ok", "360dialog": "degraded" if spike else "ok", "openai": "ok"},
            "rollout": {
                "phase": 3,
                "feature_flags": {
                    "WHATSAPP_WAME_ENABLED": True,
                    "WHATSAPP_BSP_BETA": False,
                    "WHATSAPP_BSP_GA": True,
                    "WHATSAPP_BSP_ENABLED": True,
                    "WHATSAPP_BSP_NEW_SIGNUPS": True,
                    "AI_WHATSAPP_ENABLED": True,
                },
                "bsp_tiers": {tier: limit > 0 for tier, (_, limit, _) in TIERS.items()},
            },
        }

    def wame() -> dict[str, Any]:
        endpoints = {}
        for path, rate in WAME_ENDPOINTS.items():
            mean = 0.12 if f.active("error-spike") else 0.0001
            error_rate = launch.wander(f"wame_err_{path}", mean, mean * 0.25, 0.0, 1.0)
            requests = launch.arrivals(f"wame_{path}", rate)
            errors = launch.stage(f"wame_errors_{path}", f"wame_{path}", error_rate)
            endpoints[path] = {"requests": requests, "errors": errors, "error_rate": round(error_rate, 5)}
        links = {surface: launch.arrivals(f"links_{surface}", rate) for surface, rate in SURFACES.items()}
        clicks = {s: launch.stage(f"clicks_{s}", f"links_{s}", 0.35) for s in SURFACES}
        validations = launch.arrivals("validations", 0.3)
        valid = launch.stage("valid_phones", "validations", 0.93)
        return {
            "endpoints": endpoints,
            "links_generated": links,
            "link_clicks": clicks,
            "qr_codes_generated": launch.arrivals("qr_codes", 0.15),
            "phone_validations": {"valid": valid, "invalid": validations - valid},
        }

    def tier_summary(tier: str, flow: dict[str, int]) -> dict[str, Any]:
        customers_mean, limit, _ = TIERS[tier]
        active_share, per_day, usage = TIER_USAGE[tier]
        customers = round(launch.wander(f"customers_{tier}", customers_mean, customers_mean * 0.005, 1))
        configured = launch.ratio(f"configured_{tier}", min(1.0, active_share + 0.08), 0.004)
        adoption = min(launch.ratio(f"adoption_{tier}", active_share, 0.004), configured)
        daily = launch.wander(f"per_day_{tier}", per_day, per_day * 0.05, 0)
        usage_max = launch.wander(f"usage_{tier}", usage, 0.02, 0.0, 0.79) if limit else 0.0
        return {
            "customers": customers,
            "active_users": round(customers * adoption),
            "adoption_rate": round(adoption, 4),
            "numbers_configured": round(customers * configured),
            "number_configured_rate": round(configured, 4),
            "messages_received": flow["received"],
            "messages_sent": flow["sent"],
            "template_messages_sent": flow["templates"],
            "daily_messages_per_active_customer": round(daily, 1),
            "message_limit": limit,
            "usage_limit_ratio_max": round(usage_max, 4),
            "upgrade_prompts_shown": launch.arrivals(f"prompts_{tier}", 0.01 if limit else 0.0),
        }

    def analytics() -> dict[str, Any]:
        flows = traffic()
        tiers = {tier: tier_summary(tier, flows[tier]) for tier in TIERS}
        attempts = launch.stage("upgrade_attempts", "prompts_PROFESIONAL", 0.25)
        p_paid = 0.05 if f.active("payment-failure") else 0.95
        completed = launch.stage("upgrades", "upgrade_attempts", p_paid)
        sent = sum(t["sent"] for t in flows.values())
        ai = sum(t["ai_responses"] for t in flows.values())
        numbers = provisioning()["pool_used"]
        return {
            "tiers": tiers,
            "upgrades": {"completed": completed, "payment_failed": attempts - completed},
            "usage_tracking_drift": round(launch.wander("usage_drift", 0.002, 0.001, 0.0, 1.0), 5),
            "costs": {
                "cents": {
                    "bsp_messages": int(sent * BSP_CENTS_PER_MESSAGE),
                    "number_rental": int(launch.elapsed() * numbers * NUMBER_RENTAL_CENTS_PER_SECOND),
                    "openai": int(ai * OPENAI_CENTS_PER_RESPONSE),
                },
                "per_active_customer_usd": round(launch.wander("cost_per_customer", 9.5, 0.4, 0), 2),
            },
        }

    def messaging() -> dict[str, Any]:
        spike = f.active("error-spike")
        flows = traffic()
        sent = sum(t["sent"] for t in flows.values())
        delivered = sum(t["delivered"] for t in flows.values())
        webhooks = {}
        for event, rate in (("messages", 0.25), ("statuses", 1.0)):
            requests = launch.arrivals(f"webhook_{event}", rate)
            failures = launch.stage(f"webhook_{event}_failed", f"webhook_{event}", 0.08 if spike else 0.0001)
            webhooks[event] = {"requests": requests, "failures": failures}
        processed = sum(t["processed"] for t in flows.values())
        response_mean = 95.0 if f.active("slow") else 14.0
        return {
            "messages_processed": processed,
            "deliveries": {"delivered": delivered, "failed": sent - delivered},
            "delivery_success_rate": round(delivery_rate(), 4),
            "average_response_time_seconds": round(launch.wander("response_s", response_mean, 2.0, 1), 1),
            "webhooks": webhooks,
            "storage_bytes": 2_500_000_000 + processed * 1800 + sent * 1200,
        }

    def concurrent(customer: str) -> int:
        return round(launch.wander(f"conv_{customer}", 2.2, 1.0, 0, BETA_CONVERSATION_LIMIT))

    def bsp() -> dict[str, Any]:
        spike = f.active("error-spike")
        prov = provisioning()
        verifications = launch.arrivals("verifications", 0.003)
        verified = launch.stage("verified", "verifications", 0.5 if spike else 0.96)
        enrolled = len(BETA_CUSTOMERS)
        return {
            "number_pool": {"size": POOL_SIZE, "used": prov["pool_used"]},
            "provisioning": {"succeeded": prov["succeeded"], "failed": prov["attempts"] - prov["succeeded"]},
            "provisioning_success_rate": round(prov["success_rate"], 4),
            "provisioning_queue_length": round(launch.wander("provisioning_queue", 15 if spike else 1, 1, 0)),
            "verifications": {"verified": verified, "failed": verifications - verified},
            "beta": {
                "customers_enrolled": enrolled,
                "customers_active_today": round(launch.wander("beta_active", 10, 1, 0, enrolled)),
                "customers_daily_active_7d": round(launch.wander("beta_daily", 7, 0.5, 0, enrolled)),
                "conversation_limit": BETA_CONVERSATION_LIMIT,
                "customers": [{"customer": c, "concurrent_conversations": concurrent(c)}
                              for c in BETA_CUSTOMERS],
            },
        }

    def ai() -> dict[str, Any]:
        flows = traffic()
        return {
            "requests": sum(t["ai_requests"] for t in flows.values()),
            "responses": sum(t["ai_responses"] for t in flows.values()),
            "errors": sum(t["ai_errors"] for t in flows.values()),
            "responses_filtered": sum(t["ai_filtered"] for t in flows.values()),
            "response_rate": round(ai_response_rate(), 4),
            "satisfaction_rate": round(launch.ratio("ai_satisfaction", 0.86, 0.01), 4),
        }

    def support() -> dict[str, Any]:
        spike = f.active("error-spike")
        tickets = {c: launch.arrivals(f"tickets_{c}", n / WEEK_SECONDS) for c, n in TICKET_CATEGORIES.items()}
        tickets["invalid_link"] = launch.arrivals("tickets_invalid_link", 0.002 if spike else 0.0)
        return {
            "tickets": tickets,
            "complaints": launch.arrivals("complaints", 0.002 if spike else 2.0 / WEEK_SECONDS),
            "p1_bugs_open": 2 if spike else 0,
            "nps_score": round(launch.wander("nps", 8.6, 0.1, 0, 10), 2),
        }

    def settings_page() -> Html:
        return Html("<html><body><h1>CampoTech · WhatsApp settings</h1></body></html>")

    return {
        "/api/health": health,
        "/api/whatsapp/wame/stats": wame,
        "/api/whatsapp/analytics": analytics,
        "/api/whatsapp/messaging/stats": messaging,
        "/api/whatsapp/bsp/stats": bsp,
        "/api/whatsapp/ai/stats": ai,
        "/api/whatsapp/support/stats": support,
        "/settings/whatsapp": settings_page,
    }
