"""Tiers and channels in the document's own words.

A tier is whatever the document calls its severity rungs (YELLOW/RED ALERTS, CRITICAL, P0–P3,
Tier 1–4, High Priority, Warning); targets and success criteria form the TARGET tier. Each tier gets
a normalised severity so Alertmanager routing and inhibition work the same for every document.
"""

from __future__ import annotations

import re

__all__ = ["CHANNEL_PATTERNS", "TARGET", "action_severity", "alert_tier", "carries_on", "channel_types", "severity_of",
           "tier_in", "tiers_in"]

TARGET = "TARGET"

_TIER_PATTERNS = [
    (re.compile(r"\bP([0-4])\b"), lambda m: f"P{m.group(1)}"),
    (re.compile(r"\bSEV[- ]?([0-4])\b", re.I), lambda m: f"SEV{m.group(1)}"),
    (re.compile(r"\bTier[- ]?([1-5])\b", re.I), lambda m: f"Tier {m.group(1)}"),
    (re.compile(r"\b(RED|YELLOW|ORANGE|AMBER)\b(?: ALERTS?)?"), lambda m: m.group(1)),
    (re.compile(r"\b(Critical|High|Medium|Low)(?: Priority| Alerts?| Severity)?\b", re.I),
     lambda m: m.group(1).upper()),
    (re.compile(r"\b(Warning|Warn)\b", re.I), lambda m: "WARNING"),
    # "Rollback triggers (any one)": a condition that stops the rollout now
    (re.compile(r"\b(?:rollback|roll back|abort) (?:triggers?|criteria|conditions?|if)\b", re.I), lambda m: "ROLLBACK"),
]
_TARGET_RE = re.compile(r"\b(targets?|success (?:criteria|metrics)|criteria|goals?|kpis?|objectives?|slos?|healthy|"
                        r"expected|sla targets?)\b", re.I)
_ALERT_RE = re.compile(r"\b(alerts?|alerting|page|paging|on-?call|warning thresholds?|thresholds?|escalat\w*)\b",
                       re.I)

_SEVERITY = {"P0": "critical", "P1": "high", "P2": "medium", "P3": "low", "P4": "low",
             "SEV0": "critical", "SEV1": "critical", "SEV2": "high", "SEV3": "medium", "SEV4": "low",
             "Tier 1": "critical", "Tier 2": "high", "Tier 3": "medium", "Tier 4": "low", "Tier 5": "low",
             "RED": "critical", "ORANGE": "high", "AMBER": "medium", "YELLOW": "medium",
             "CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "WARNING": "medium",
             "ALERT": "medium", "PAGE": "critical", "TICKET": "low", "INFO": "low", "ROLLBACK": "critical",
             TARGET: "low"}

# an action's severity, in the order the words outrank each other
_ACTION_SEVERITY = [
    (re.compile(r"\bpage\b|\bpaging\b|\bwake\b|\bcall (?:the )?on-?call", re.I), "critical"),
    (re.compile(r"immediately|incident commander|urgent|escalat|war room", re.I), "high"),
    (re.compile(r"\balert\b|\bnotify\b|\binvestigate\b|\bping\b", re.I), "medium"),
    (re.compile(r"monitor|document|\blog\b|review|plan\b|track|\bwatch\b|dashboard", re.I), "low"),
]
_CARRY_ON_RE = re.compile(r"\b(?:continue|maintain|good|normal|baseline|no action)\b", re.I)
# paging, not a page ("we page the on-call", "Critical: page", "→ page", "🔴 page"; not "the search page takes")
_PAGE_RE = re.compile(r"(?:^|\b(?:we|to|then|will|should|must|and|or|please|immediately|is|are|be|gets?)\s+|"
                      r"[:,;+—–(→\u2600-\u27bf\U0001f300-\U0001faff-]\s*)"
                      r"pag(?:e|es|ed)\b|\bpag(?:e|es|ed)\s+(?:the\s+|an?\s+)?(?:on-?call|someone|us|engineer|team|sre|primary|"
                      r"immediately|out)\b|\bpaging\b|\bwakes? (?:up|someone|the on-?call)\b|"
                      r"\b(?:alert|call|ring) (?:the )?on-?call\b(?! (?:channel|rota|schedule))", re.I)

CHANNEL_PATTERNS = [
    # paging, not a page: "page the on-call", "→ page"; not "the status page"
    ("pagerduty", "pager", r"pager ?duty|opsgenie|" + _PAGE_RE.pattern),
    ("sms", "sms", r"\bsms\b|text message"),
    ("phone", "pager", r"\bphone call|\bcall (?:the )?on-?call"),
    ("slack", "chat", r"\bslack\b|\bdiscord\b|\bteams\b|(?<![\w&#])#[a-z][\w-]{2,}"),  # "→ #payments-oncall"
    ("whatsapp", "webhook", r"\bwhatsapp (?:notification|alert|message)s?"),
    # ("Email bounces over 3%" is about e-mail, not a channel)
    ("email", "email", r"\be-?mail(?: alerts?| notifications?)?\b(?!\s+(?:bounce|open|click|deliver|campaign|list|"
                       r"subscri|address|verif|template|marketing|volume|sent|send))"),
]


def tiers_in(text: str) -> list[str]:
    """Every tier a line names in the first of the document's ways it uses ("#support-critical: P0/P1")."""
    for pattern, name in _TIER_PATTERNS:
        found = [name(m) for m in pattern.finditer(text)]
        if found:
            return list(dict.fromkeys(found))
    return []


def tier_in(text: str) -> str | None:
    """The severity tier a heading or line names, in the document's words (``P1``, ``RED``, ``Tier 2``)."""
    for pattern, name in _TIER_PATTERNS:
        m = pattern.search(text)
        if m:
            return name(m)
    return None


def is_target_context(text: str) -> bool:
    """Whether a heading speaks of targets / success criteria rather than alerts."""
    return bool(_TARGET_RE.search(text)) and not _ALERT_RE.search(text)


def is_alert_context(text: str) -> bool:
    """Whether a heading speaks of alerts or thresholds."""
    return bool(_ALERT_RE.search(text))


def severity_of(tier: str) -> str:
    """critical/high/medium/low for a tier name (unknown names: high)."""
    return _SEVERITY.get(tier, "high")


def channel_types(text: str) -> list[tuple[str, str]]:
    """The (name, type) of each notification channel ``text`` names, in a fixed order."""
    return [(name, kind) for name, kind, pattern in CHANNEL_PATTERNS if re.search(pattern, text, re.I)]


def action_severity(action: str) -> str | None:
    """The severity an action's words imply ("Page on-call engineer": critical; "Monitor and document": low)."""
    return next((severity for pattern, severity in _ACTION_SEVERITY if pattern.search(action)), None)


def carries_on(action: str) -> bool:
    """Whether an action only carries on ("Continue normal monitoring"): its condition is the healthy state."""
    return bool(_CARRY_ON_RE.search(action))


def alert_tier(text: str) -> str:
    """The tier of an alert whose document names no rung: PAGE (critical) when it says so, else ALERT."""
    return "PAGE" if _PAGE_RE.search(text) else "ALERT"
