"""WhatsApp quiz bot (seed 000): the REAL-TIME MONITORING DASHBOARD's three rows — system health,
user engagement (the quiz funnel), business metrics — with the yellow/red thresholds as colours."""

from grafanalib.core import Dashboard, GridPos, Time

from launchwatch.dashboards.panels import alert_list, gauge, row, stat, table, templating, timeseries
from launchwatch.plan.model import Plan

J = '{job="$job"}'


def _per_hour(metric: str) -> str:
    return f"sum(rate({metric}{J}[$__rate_interval])) * 3600"


def build(plan: Plan) -> list[Dashboard]:
    panels = [
        row("System health", 0),
        stat(plan, "Server up", "Health check of /api/health (RED after 1 minute down).", GridPos(h=5, w=4, x=0, y=1),
             signal="server-up", unit="bool_yes_no"),
        gauge(plan, "Response time", "Average response time (target <3 s, YELLOW >5 s, RED >10 s).",
              GridPos(h=5, w=5, x=4, y=1), signal="response-time"),
        gauge(plan, "Error rate", "Failed requests over all requests, 5 minute window (target <1%).",
              GridPos(h=5, w=5, x=9, y=1), signal="error-rate", max_value=0.1),
        stat(plan, "Webhook delivery", "Delivered webhooks over all webhooks, 15 minute window (target >95%).",
             GridPos(h=5, w=4, x=14, y=1), signal="webhook-delivery"),
        alert_list(plan, GridPos(h=5, w=6, x=18, y=1)),
        row("User engagement", 6),
        timeseries("Quiz funnel per hour", "Interactions, quiz starts, completions, link clicks and trial "
                   "activations per hour.", GridPos(h=8, w=12, x=0, y=7), [
                       (_per_hour("whatsapp_interactions_total"), "interactions"),
                       (_per_hour("quiz_starts_total"), "quiz starts"),
                       (_per_hour("quiz_completions_total"), "quiz completions"),
                       (_per_hour("subscription_link_clicks_total"), "subscription link clicks"),
                       (_per_hour("trial_activations_total"), "trial activations")], "short"),
        stat(plan, "Quiz completion rate", "Completions over starts, 1 hour window (YELLOW <70%).",
             GridPos(h=4, w=6, x=12, y=7), signal="quiz-completion-rate"),
        stat(plan, "Quiz completions (30 min)", "Completed quizzes in the last 30 minutes (RED at zero).",
             GridPos(h=4, w=6, x=18, y=7), signal="quiz-completions"),
        stat(plan, "Active trials", "Premium trials running now.", GridPos(h=4, w=6, x=12, y=11),
             expr=f"sum(trials_active{J})", unit="short"),
        stat(plan, "Average session duration", "Average bot session duration.", GridPos(h=4, w=6, x=18, y=11),
             expr=f"max(session_duration_average_seconds{J})", unit="s"),
        row("Business metrics", 15),
        stat(plan, "Revenue in range", "Revenue generated in the dashboard's time range, ARS.",
             GridPos(h=4, w=6, x=0, y=16), expr=f"sum(increase(revenue_ars_total{J}[$__range]))", unit="currencyARS"),
        stat(plan, "MRR", "Monthly recurring revenue, ARS.", GridPos(h=4, w=6, x=6, y=16),
             expr=f"max(mrr_ars{J})", unit="currencyARS"),
        stat(plan, "Payment gateway", "Mercado Pago answers (RED when it fails for 1 minute).",
             GridPos(h=4, w=6, x=12, y=16), signal="payments", unit="bool_yes_no"),
        table("Conversion", "Conversion rates reported by the analytics API.", GridPos(h=4, w=6, x=18, y=16), [
            (f"max(quiz_to_trial_conversion_ratio{J})", "quiz → trial"),
            (f"max(trial_to_paid_conversion_ratio{J})", "trial → paid")], "percentunit"),
        timeseries("Error rate", "Failed requests over all requests, with the YELLOW and RED lines.",
                   GridPos(h=8, w=12, x=0, y=20), [(f"sum(rate(app_request_errors_total{J}[$__rate_interval]))"
                                                    f" / sum(rate(app_requests_total{J}[$__rate_interval]))",
                                                    "error rate")], "percentunit", plan=plan, signal="error-rate"),
        timeseries("Response time", "Average and percentile response times, with the YELLOW and RED lines.",
                   GridPos(h=8, w=12, x=12, y=20), [(f"max(app_response_time_average_seconds{J})", "average"),
                                                   (f"max by (quantile) (app_response_time_seconds{J})",
                                                    "p{{quantile}}")], "s", plan=plan, signal="response-time"),
    ]
    return [Dashboard(title=f"{plan.title}: real-time monitoring", uid="lw-whatsapp-quiz-main",
                      description=plan.description, tags=["launchwatch", plan.plan], panels=panels,
                      templating=templating(plan), time=Time("now-6h", "now"), refresh="30s", timezone="browser")]
