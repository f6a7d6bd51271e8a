"""Alertmanager routing from a plan's tiers and channels, with the route tests that prove it.

Each tier routes to the receivers named for the document's channels; an escalation stage goes to
its level's channels only (the tier's were paged when the incident began); business-hours alerts
only notify inside the plan's business hours; a higher severity inhibits lower ones for the same
plan and signal (and the same endpoint, channel, … labels).
Secrets are read from files under ``SECRETS_DIR``/<plan>/<channel>, never written here.
"""

from __future__ import annotations

import re

from launchwatch.expressions import TimeScale
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import SEVERITIES, Channel

__all__ = ["SECRETS_DIR", "build_alertmanager", "secret_file", "timings"]

SECRETS_DIR = "/etc/alertmanager/secrets"
BUSINESS_HOURS = "business-hours"


def _receiver_name(plan: Plan, channel: str, prefix: bool) -> str:
    return f"{plan.plan}-{channel}" if prefix else channel


def secret_file(secrets_dir: str, plan: Plan, channel: str) -> str:
    """Where Alertmanager reads a channel's credential: one folder per plan, so two plans' channels of
    the same name (each plan's own pager or chat) never share a credential by accident."""
    return f"{secrets_dir}/{plan.plan}/{channel}"


def _receiver(name: str, channel: Channel, secret: str) -> dict[str, object]:
    out: dict[str, object] = {"name": name}
    if channel.type == "pager" and channel.service == "opsgenie":
        out["opsgenie_configs"] = [{"api_key_file": secret, "send_resolved": True}]
    elif channel.type == "pager":
        out["pagerduty_configs"] = [{"routing_key_file": secret, "send_resolved": True}]
    elif channel.type == "chat":
        cfg: dict[str, object] = {"api_url_file": secret, "send_resolved": True}
        if channel.to:
            cfg["channel"] = channel.to
        out["slack_configs"] = [cfg]
    elif channel.type == "email":
        out["email_configs"] = [{"to": channel.to or "oncall@localhost", "send_resolved": True}]
    elif channel.type in ("sms", "webhook"):
        out["webhook_configs"] = [{
            "url": channel.url or f"http://127.0.0.1:9097/{channel.name}",
            "send_resolved": True,
            "http_config": {"authorization": {"credentials_file": secret}},
        }]
    return out  # dashboard: a receiver that sends nothing


# How often a still-firing alert is sent again, at least, per severity. A page repeated every 5
# minutes (the document's response time) is a phone buzzing all night: the first notification is the
# page, and a reminder per half hour (critical) to a day (low) keeps an unacknowledged incident
# visible without drowning the person working on it. Tiers with a longer response keep theirs.
REPEAT_FLOOR = {"critical": 1800, "high": 3600, "medium": 4 * 3600, "low": 24 * 3600}
GROUP_WAIT = {"critical": 10, "high": 30, "medium": 60, "low": 120}  # pages go out fast; tickets may batch


def timings(response: float | None, severity: str, scale: TimeScale) -> dict[str, str]:
    """Group wait by severity, new alerts of a group within 5 minutes, reminders per ``REPEAT_FLOOR``
    (or the tier's documented response time when that is longer)."""
    repeat = max(response or 0, REPEAT_FLOOR[severity])
    return {"group_wait": scale(GROUP_WAIT[severity]), "group_interval": scale(300),
            "repeat_interval": scale(repeat)}


def _inhibitions(plan: Plan) -> list[dict[str, object]]:
    """A firing tier hides a less severe tier's alerts on the same signal only when it notifies
    everyone that tier notifies: inhibition must never hide an incident from a rung's audience
    (e.g. an incident commander's channel, or a chat channel the top tier does not post to)."""
    equal = ["plan", "signal", *sorted({k for th in plan.thresholds for k in (*th.matchers, *th.by)})]
    out: list[dict[str, object]] = []
    rank = SEVERITIES.index
    for high in plan.tiers:
        hidden = [low.name for low in plan.tiers if rank(low.severity) > rank(high.severity)
                  and set(low.channels) <= set(high.channels)]
        if hidden:
            out.append({"source_matchers": [f'plan="{plan.plan}"', f'tier="{high.name}"', 'escalation=""'],
                        "target_matchers": [f'plan="{plan.plan}"', _tier_matcher(hidden), 'escalation=""'],
                        "equal": equal})
    return out


_REGEX_SPECIAL = re.compile(r"[\\.+*?()|\[\]{}^$]")
_ESCAPED = r"\\\g<0>"  # a backslash before the special character


def _tier_matcher(names: list[str]) -> str:
    """``tier="A"`` or ``tier=~"A|B"``, regex characters in tier names escaped."""
    if len(names) == 1:
        return f'tier="{_quote(names[0])}"'
    alternatives = "|".join(_REGEX_SPECIAL.sub(_ESCAPED, n) for n in names)
    return f'tier=~"{_quote(alternatives)}"'


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _split_by_hours(receiver: str, matchers: list[str], interval: str | None,
                    timing: dict[str, str]) -> list[dict[str, object]]:
    """One route, or two when business-hours alerts share it: those notify only inside ``interval``."""
    if interval is None:
        return [{"receiver": receiver, "matchers": matchers, "continue": True, **timing}]
    return [{"receiver": receiver, "matchers": [*matchers, 'business_hours="true"'],
             "active_time_intervals": [interval], "continue": True, **timing},
            {"receiver": receiver, "matchers": [*matchers, 'business_hours!="true"'], "continue": True, **timing}]


def build_alertmanager(plans: list[Plan], scale: TimeScale | None = None, secrets_dir: str = SECRETS_DIR
                       ) -> tuple[dict[str, object], list[dict[str, object]]]:
    """The Alertmanager configuration for ``plans`` and its route test cases."""
    scale = scale or TimeScale()
    prefix = len(plans) > 1
    receivers: list[dict[str, object]] = [{"name": "default-dashboard"}]
    plan_routes: list[dict[str, object]] = []
    tests: list[dict[str, object]] = []
    inhibit: list[dict[str, object]] = []
    time_intervals: list[dict[str, object]] = []
    for plan in plans:
        for ch in plan.channels:
            receivers.append(_receiver(_receiver_name(plan, ch.name, prefix), ch,
                                       secret_file(secrets_dir, plan, ch.name)))
        routes: list[dict[str, object]] = []
        escalations: dict[str, list[str]] = {}
        for th in plan.thresholds:
            for esc in th.escalate:
                escalations.setdefault(esc.level, [])
                escalations[esc.level] += [c for c in esc.channels if c not in escalations[esc.level]]
        bh_tiers = {th.tier for th in plan.thresholds if th.business_hours}
        bh_levels = {esc.level for th in plan.thresholds if th.business_hours for esc in th.escalate}
        interval = None
        if bh_tiers and plan.business_hours:
            interval = f"{plan.plan}-{BUSINESS_HOURS}" if prefix else BUSINESS_HOURS
            bh = plan.business_hours
            time_intervals.append({"name": interval, "time_intervals": [{
                "weekdays": bh.weekdays, "times": [{"start_time": bh.start, "end_time": bh.end}],
                "location": bh.location}]})
        for level, channels in sorted(escalations.items()):
            for ch in channels:
                # a business-hours alert escalates in business hours too: support sees it at 09:00 anyway
                routes += _split_by_hours(_receiver_name(plan, ch, prefix), [f'escalation="{level}"'],
                                          interval if level in bh_levels else None, {})
        for tier in sorted(plan.tiers, key=lambda t: SEVERITIES.index(t.severity)):
            timing = timings(tier.response, tier.severity, scale)
            for ch in tier.channels:
                name = _receiver_name(plan, ch, prefix)
                # an escalation stage notifies its own level's channels only: the tier was paged already
                tier_match = [f'tier="{tier.name}"', 'escalation=""']
                routes += _split_by_hours(name, tier_match, interval if tier.name in bh_tiers else None, timing)
            labels = {"plan": plan.plan, "tier": tier.name, "severity": tier.severity}
            tests.append({"labels": labels, "receivers": [_receiver_name(plan, c, prefix) for c in tier.channels]})
            for level, channels in sorted(escalations.items()):
                tests.append({"labels": {**labels, "escalation": level},
                              "receivers": [_receiver_name(plan, c, prefix) for c in channels]})
        plan_routes.append({"receiver": "default-dashboard", "matchers": [f'plan="{plan.plan}"'], "routes": routes})
        inhibit += _inhibitions(plan)
    tests.append({"labels": {"plan": "some-other-plan", "severity": "critical"}, "receivers": ["default-dashboard"]})
    config: dict[str, object] = {
        "global": {"resolve_timeout": scale(300), "smtp_smarthost": "localhost:25",
                   "smtp_from": "launchwatch@localhost", "smtp_require_tls": False},
        "route": {"receiver": "default-dashboard", "group_by": ["alertname", "plan", "tier"],
                  "group_wait": scale(30), "group_interval": scale(300), "repeat_interval": scale(4 * 3600),
                  "routes": plan_routes},
        "inhibit_rules": inhibit,
        "receivers": receivers,
    }
    if time_intervals:
        config["time_intervals"] = time_intervals
    return config, tests
