"""CampoTech WhatsApp rollout (seed 001): the Monitoring Plan's Key Metrics Dashboard — each metric as
a stat and as a timeseries with its target and alert lines — then the Alerting list's messaging
pipeline (webhooks, AI errors, messages processed), usage against the tier limits, and the firing alerts."""

from grafanalib.core import Dashboard, GridPos, Time

from launchwatch.dashboards.panels import alert_list, row, signal_expr, stat, table, templating, timeseries
from launchwatch.plan.model import Plan

J = '{job="$job"}'


def _rate(metric: str, by: str = "") -> str:
    group = f" by ({by}) " if by else ""
    return f"sum{group}(rate({metric}{J}[$__rate_interval]))"


def _ratio(numerator: str, denominator: str, by: str = "") -> str:
    return f"{_rate(numerator, by)} / {_rate(denominator, by)}"


def _key_metric_stats(plan: Plan) -> list:
    y = 1
    return [
        stat(plan, "Active WhatsApp users", "Customers that used WhatsApp (wa.me or BSP) in the last 7 days, all "
             "tiers (target: growing; the alert is a drop of more than 10% week over week, judged per tier).",
             GridPos(h=4, w=4, x=0, y=y), expr=f"sum(whatsapp_active_users{J})", unit="short"),
        stat(plan, "Messages sent / day", "Outbound WhatsApp messages from BSP numbers, all tiers, at the current "
             "rate per day (target: the per-tier average).", GridPos(h=4, w=3, x=4, y=y),
             expr=f"{_rate('whatsapp_messages_sent_total')} * 86400", unit="short"),
        stat(plan, "AI response rate", "AI replies over messages handed to the AI responder, 1 hour window "
             "(target >90%, alert <80%).", GridPos(h=4, w=3, x=7, y=y), signal="ai-response-rate"),
        stat(plan, "Delivery failures", "Failed over all outbound delivery reports, 1 hour window: delivery "
             "success is 1 minus this (target >98%, alert <95% success, i.e. >5% failures).",
             GridPos(h=4, w=4, x=10, y=y), signal="delivery"),
        stat(plan, "Average response time", "Average time from an inbound message to the first reply, AI or "
             "human (target <30 s, alert >60 s).", GridPos(h=4, w=3, x=14, y=y), signal="response-time"),
        stat(plan, "Provisioning success", "Share of BSP number provisioning attempts that succeeded in the last "
             "hour, as the application reports it (target >95%, alert <90%).", GridPos(h=4, w=4, x=17, y=y),
             signal="provisioning-success"),
        stat(plan, "Complaints (7 days)", "Customer complaints about WhatsApp features in the last 7 days "
             "(target <5/week, alert >10/week).", GridPos(h=4, w=3, x=21, y=y), signal="complaints"),
    ]


def _key_metric_timelines(plan: Plan) -> list:
    return [
        timeseries("Active WhatsApp users by tier", "Customers that used WhatsApp in the last 7 days, per "
                   "subscription tier; the week-over-week drop alert compares each tier with itself a week earlier.",
                   GridPos(h=8, w=8, x=0, y=6), [
                       (f"sum by (subscription_tier) (whatsapp_active_users{J})", "{{subscription_tier}}"),
                       (f"sum(whatsapp_active_users{J})", "all tiers")], "short"),
        timeseries("Messages per day by tier", "Outbound and inbound BSP messages per subscription tier, at the "
                   "current rate per day.", GridPos(h=8, w=8, x=8, y=6), [
                       (f"{_rate('whatsapp_messages_sent_total', 'subscription_tier')} * 86400",
                        "sent {{subscription_tier}}"),
                       (f"{_rate('whatsapp_messages_received_total')} * 86400", "received, all tiers")], "short"),
        timeseries("AI response rate", "AI replies over messages handed to it: the 1 hour ratio the alerts judge, "
                   "and the application's own hourly rate.", GridPos(h=8, w=8, x=16, y=6), [
                       (signal_expr(plan, "ai-response-rate"), "1 h (alert rule)"),
                       (f"max(whatsapp_ai_response_ratio{J})", "reported by the application")],
                   "percentunit", plan=plan, signal="ai-response-rate"),
        timeseries("Delivery failures", "Failed over all outbound delivery reports: the 1 hour ratio the alert "
                   "judges, the current rate, and 1 minus the application's delivery success rate.",
                   GridPos(h=8, w=12, x=0, y=14), [
                       (signal_expr(plan, "delivery"), "1 h (alert rule)"),
                       (f'sum(rate(whatsapp_message_deliveries_total{{job="$job",status="failed"}}'
                        f"[$__rate_interval])) / {_rate('whatsapp_message_deliveries_total')}", "now"),
                       (f"1 - max(whatsapp_message_delivery_success_ratio{J})", "reported by the application")],
                   "percentunit", plan=plan, signal="delivery"),
        timeseries("Average response time", "Average time from an inbound message to the first reply, with the "
                   "30 s target and 60 s alert lines.", GridPos(h=8, w=12, x=12, y=14),
                   [(f"max(whatsapp_response_time_average_seconds{J})", "average")], "s", plan=plan,
                   signal="response-time"),
        timeseries("Provisioning success", "Share of number provisioning attempts that succeeded in the last hour, "
                   "with the 95% target and 90% alert lines.", GridPos(h=8, w=12, x=0, y=22),
                   [(f"max(whatsapp_bsp_provisioning_success_ratio{J})", "success, 1 h")], "percentunit",
                   plan=plan, signal="provisioning-success"),
        timeseries("Customer complaints (7 days)", "WhatsApp customer complaints over the last 7 days, with the "
                   "5/week target and 10/week alert lines.", GridPos(h=8, w=12, x=12, y=22),
                   [(signal_expr(plan, "complaints"), "complaints, 7 days")], "short", plan=plan,
                   signal="complaints"),
    ]


def _pipeline(plan: Plan) -> list:
    return [
        stat(plan, "Webhook failures (5 min)", "360dialog webhook requests that failed to process, over all webhook "
             "requests, 5 minute window (alert >1%).", GridPos(h=4, w=4, x=0, y=31), signal="webhook-failures"),
        stat(plan, "AI errors (1 h)", "AI responder errors in the last hour (alert >10).",
             GridPos(h=4, w=4, x=4, y=31), signal="ai-errors"),
        stat(plan, "Messages processed (30 min)", "Inbound messages processed in the last 30 minutes (alert at "
             "zero during business hours).", GridPos(h=4, w=4, x=8, y=31), signal="messages-processed"),
        stat(plan, "Messages processed in range", "Inbound WhatsApp messages processed in the dashboard's time range.",
             GridPos(h=4, w=6, x=0, y=35), expr=f"sum(increase(whatsapp_messages_processed_total{J}[$__range]))",
             unit="short"),
        stat(plan, "AI replies filtered in range", "AI replies blocked by the content filter in the dashboard's "
             "time range (Risk Assessment: AI inappropriate responses).", GridPos(h=4, w=6, x=6, y=35),
             expr=f"sum(increase(whatsapp_ai_responses_filtered_total{J}[$__range]))", unit="short"),
        alert_list(plan, GridPos(h=8, w=12, x=12, y=31)),
        timeseries("Webhook failures", "Failed over all 360dialog webhook requests: the 5 minute ratio the alert "
                   "judges and the current ratio per event.", GridPos(h=8, w=8, x=0, y=39), [
                       (signal_expr(plan, "webhook-failures"), "5 min (alert rule)"),
                       (_ratio("whatsapp_webhook_failures_total", "whatsapp_webhook_requests_total", "event"),
                        "{{event}}")], "percentunit", plan=plan, signal="webhook-failures"),
        timeseries("AI errors", "AI responder errors in the last hour (what the alert judges) and the current "
                   "error rate per hour.", GridPos(h=8, w=8, x=8, y=39), [
                       (signal_expr(plan, "ai-errors"), "last hour (alert rule)"),
                       (f"{_rate('whatsapp_ai_errors_total')} * 3600", "rate per hour")], "short", plan=plan,
                   signal="ai-errors"),
        timeseries("Messages processed", "Inbound messages processed in the last 30 minutes (what the alert "
                   "judges) and the current rate per 30 minutes.", GridPos(h=8, w=8, x=16, y=39), [
                       (signal_expr(plan, "messages-processed"), "last 30 min (alert rule)"),
                       (f"{_rate('whatsapp_messages_processed_total')} * 1800", "rate per 30 min")], "short",
                   plan=plan, signal="messages-processed"),
    ]


def _usage(plan: Plan) -> list:
    tier = "subscription_tier"
    return [
        stat(plan, "Usage of the monthly limit", "Per tier, the highest month-to-date usage over the monthly "
             "message limit among its customers (warn at 80%, alert at 100%).", GridPos(h=8, w=6, x=0, y=48),
             signal="usage-limit", legend="{{subscription_tier}}"),
        timeseries("Usage of the monthly limit by tier", "Highest month-to-date usage over the monthly message "
                   "limit per tier, with the 80% warning and 100% alert lines.", GridPos(h=8, w=10, x=6, y=48),
                   [(f"max by ({tier}) (whatsapp_usage_limit_ratio{J})", "{{subscription_tier}}")], "percentunit",
                   plan=plan, signal="usage-limit"),
        table("Tier limits and volume", "Per tier: monthly message limit (0 = no BSP messaging), messages sent "
              "and upgrade prompts shown in the time range, and messages per day per active customer.",
              GridPos(h=8, w=8, x=16, y=48), [
                  (f"max by ({tier}) (whatsapp_tier_message_limit{J})", "monthly limit"),
                  (f"sum by ({tier}) (increase(whatsapp_messages_sent_total{J}[$__range]))", "sent in range"),
                  (f"sum by ({tier}) (increase(whatsapp_upgrade_prompts_shown_total{J}[$__range]))",
                   "upgrade prompts in range"),
                  (f"max by ({tier}) (whatsapp_daily_messages_per_active_customer{J})",
                   "messages/day per active customer")], "short"),
    ]


def build(plan: Plan) -> list[Dashboard]:
    panels = [
        row("Key metrics", 0),
        *_key_metric_stats(plan),
        row("Key metrics over time (target and alert lines)", 5),
        *_key_metric_timelines(plan),
        row("Messaging pipeline: webhooks, AI errors, messages processed", 30),
        *_pipeline(plan),
        row("Usage vs tier limits", 47),
        *_usage(plan),
    ]
    return [Dashboard(title=f"{plan.title}: key metrics", uid="lw-whatsapp-rollout-main",
                      description=plan.description, tags=["launchwatch", plan.plan], panels=panels,
                      templating=templating(plan), time=Time("now-6h", "now"), refresh="30s", timezone="browser")]
