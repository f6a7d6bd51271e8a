"""Tiers and channels in the document's own words.

A tier is whatever the document calls its severity rungs (YELLOW/RED ALERTS, CRITICAL, P0–P3,
Tier 1–4, High Priority, Warning); targets and success criteria form the TARGET tier. Each tier gets
a normalised severity so Alertmanager routing and inhibition work the same for every document.
"""

from __future__ import annotations

import re

__all__ = [
    "A_PAGE_BEFORE",
    "CHANNEL_PATTERNS",
    "TARGET",
    "VERDICT_TIERS",
    "action_severity",
    "alert_tier",
    "carries_on",
    "channel_types",
    "coded_tier",
    "every_tier_in",
    "medium_alone",
    "severity_of",
    "tier_aliases",
    "tier_in",
    "tier_named",
    "tiers_in",
]

TARGET = "TARGET"

# tiers named by a code, and by a severity word
_CODE_PATTERNS = [
    (re.compile(r"\bP([0-4])\b"), lambda m: f"P{m.group(1)}"),
    (re.compile(r"\bSEV[- ]?([0-4])\b", re.I), lambda m: f"SEV{m.group(1)}"),
    (re.compile(r"\bTier[- ]?([1-5])\b", re.I), lambda m: f"Tier {m.group(1)}"),
]
_WORD_RE = re.compile(r"\b(Critical|High|Medium|Low)(?: Priority| Alerts?| Severity)?\b", re.I)
# the rungs of ITSM and event-management ladders (ServiceNow's Critical/Major/Minor, Jira's Blocker…Trivial,
# Zabbix's Disaster): only as a name ("### Major events", "(Important)", "| Minor |", "Major:"), not in prose
# ("a major outage", "Minor cosmetic problems", "Important: …" as a reader's note)
_RANKS = "Blocker|Major|Minor|Trivial|Moderate|Important|Urgent|Emergency|Disaster"
_RANK_RE = re.compile(rf"\b({_RANKS})(?=\s+(?:Priority|Alerts?|Severity|Events?|Incidents?|Issues?)\b|\s*\))|"
                      r"\b(Blocker|Major|Minor|Trivial|Moderate|Emergency|Disaster)(?=\s*:)|"
                      rf"^\W*({_RANKS})\W*$", re.I)  # (a heading "Why this is important" names no rung)
_COLOUR_PATTERN = (re.compile(r"\b(RED|YELLOW|ORANGE|AMBER)\b(?: ALERTS?)?"), lambda m: m.group(1))
_TIER_PATTERNS = [
    *_CODE_PATTERNS,
    _COLOUR_PATTERN,
    (_WORD_RE, lambda m: m.group(1).upper()),
    (_RANK_RE, lambda m: next(g for g in m.groups() if g).upper()),
    (re.compile(r"\b(Warning|Warn)\b", re.I), lambda m: "WARNING"),
    # "Rollback triggers (any one)": a condition that stops the rollout now (asked: "When do we roll back?")
    (re.compile(r"\b(?:rollback|roll back|abort) (?:triggers?|criteria|conditions?|if)\b|\bkill[- ]?switch\b|"
                r"\bwhen (?:do|should|would|will|must) (?:we|you) (?:roll ?back|abort|revert)\b|"
                r"\b(?:triggers?|causes?|forces?) an? roll-?back\b", re.I),
     lambda m: "ROLLBACK"),
    # an experiment's guardrail metrics: the bounds a launch must not break while its goal is measured
    (re.compile(r"\bguardrails?\b", re.I), lambda m: "GUARDRAIL"),
]
# a web page, not paging: "Page weight budget", "page load time", "page views"; "per page", "the page"
_NOT_A_PAGE = (r"(?!\s+(?:weight|loads?|load time|views?|size|speed|titles?|layouts?|content|templates?|transitions?|"
               r"renders?|rendering|performance|metrics?|experience)\b)")
# ("Load test acceptance", "Performance budget": bounds to keep; not an error budget, which is burned)
# (asked: "What does success look like?")
_TARGET_RE = re.compile(r"\b(targets?|success (?:criteria|metrics)|criteria|goals?|kpis?|objectives?|slos?|healthy|"
                        r"expected|sla targets?|acceptance|(?<!error )budgets?|"
                        r"(?:success|a good [\w-]+|good) looks? like|^\W*success(?=\s*(?:\(|:|$)))\b", re.I)
A_PAGE_BEFORE = r"(?<!per )(?<!each )(?<!every )(?<!the )(?<!a )(?<!web )"
_ALERT_RE = re.compile(rf"\b(alerts?|alerting|{A_PAGE_BEFORE}page{_NOT_A_PAGE}|paging|on-?call|warning thresholds?|"
                       r"thresholds?|escalat\w*)\b", re.I)

# the tier a verdict word after a condition names ("… is a warning", "…: page", "These three are tickets")
VERDICT_TIERS = {"warning": "WARNING", "warn": "WARNING", "critical": "CRITICAL", "page": "PAGE", "ticket": "TICKET",
               "info": "INFO"}

_SEVERITY = {"P0": "critical", "P1": "high", "P2": "medium", "P3": "low", "P4": "low",
             "SEV0": "critical", "SEV1": "critical", "SEV2": "high", "SEV3": "medium", "SEV4": "low",
             "Tier 1": "critical", "Tier 2": "high", "Tier 3": "medium", "Tier 4": "low", "Tier 5": "low",
             "RED": "critical", "ORANGE": "high", "AMBER": "medium", "YELLOW": "medium",
             "CRITICAL": "critical", "HIGH": "high", "MEDIUM": "medium", "LOW": "low", "WARNING": "medium",
             "ALERT": "medium", "PAGE": "critical", "TICKET": "low", "INFO": "low", "ROLLBACK": "critical",
             "BLOCKER": "critical", "EMERGENCY": "critical", "DISASTER": "critical", "URGENT": "critical",
             "MAJOR": "high", "IMPORTANT": "high", "MODERATE": "medium", "MINOR": "medium", "TRIVIAL": "low",
             "GUARDRAIL": "high", TARGET: "low"}

# an action's severity, in the order the words outrank each other
_ACTION_SEVERITY = [
    (re.compile(rf"\bpage\b{_NOT_A_PAGE}|\bpaging\b|\bwake\b|\bcall (?:the )?on-?call", re.I), "critical"),
    (re.compile(r"immediately|incident commander|urgent|escalat|war room", re.I), "high"),
    (re.compile(r"\balert\b|\bnotify\b|\binvestigate\b|\bping\b", re.I), "medium"),
    (re.compile(r"monitor|document|\blog\b|review|plan\b|track|\bwatch\b|dashboard", re.I), "low"),
]
_CARRY_ON_RE = re.compile(r"\b(?:continue|maintain|good|normal|baseline|no action)\b", re.I)
# paging, not a page ("we page the on-call", "Critical: page", "→ page", "🔴 page"; not "the search page takes")
_PAGE_RE = re.compile(r"(?:^|\b(?:we|to|then|will|should|must|and|or|please|immediately|is|are|be|gets?|pager ?duty|"
                      r"opsgenie)\s+|"
                      r"[:,;+—–(→\u2600-\u27bf\U0001f300-\U0001faff-]\s*)"
                      rf"pag(?:e|es|ed)\b{_NOT_A_PAGE}|\bpag(?:e|es|ed)\s+(?:the\s+|an?\s+)?(?:on-?call|someone|us|engineer|team|sre|primary|"
                      r"immediately|out)\b|\bpaging\b|\bwakes? (?:up|someone|the on-?call)\b|"
                      r"\b(?:alert|call|ring) (?:the )?on-?call\b(?! (?:channel|rota|schedule))", re.I)

CHANNEL_PATTERNS = [
    # paging, not a page: "page the on-call", "→ page"; not "the status page"
    ("opsgenie", "pager", r"\bopsgenie\b"),
    ("pagerduty", "pager", r"pager ?duty|" + _PAGE_RE.pattern),
    ("sms", "sms", r"\bsms\b|text message"),
    # ("Critical Alerts: Phone, SMS"; not "Phone Support" or "phone number")
    ("phone", "pager", r"\bphone(?: calls?)?\b(?!\s+(?:support|number|app|screen|users?|verification|lines?))|"
                       r"\bcall (?:the )?on-?call"),
    ("slack", "chat", r"\bslack\b|\bdiscord\b|\bteams\b|(?<![\w&#])#[a-z][\w-]{2,}"),  # "→ #payments-oncall"
    ("whatsapp", "webhook", r"\bwhatsapp (?:notification|alert|message)s?"),
    # ("Email bounces over 3%" is about e-mail, not a channel)
    ("email", "email", r"\be-?mail(?: alerts?| notifications?)?\b(?!\s+(?:bounce|open|click|deliver|campaign|list|"
                       r"subscri|address|verif|template|marketing|volume|sent|send))"),
]


# "## Email", "### SMS": a section on the product's own e-mail or texts, not a channel it notifies
_MEDIUM_ALONE_RE = re.compile(r"[\W\d]*(?:e-?mails?|sms|text messages?|phone)\W*", re.I)


def medium_alone(title: str) -> bool:
    """Whether a heading's title is only a medium's name ("## Email"): the product's topic, not a channel."""
    return _MEDIUM_ALONE_RE.fullmatch(title) is not None


def tiers_in(text: str) -> list[str]:
    """Every tier a line names in the first of the document's ways it uses ("#support-critical: P0/P1")."""
    for pattern, name in _TIER_PATTERNS:
        found = [name(m) for m in pattern.finditer(text)]
        if found:
            return list(dict.fromkeys(found))
    return []


def every_tier_in(text: str) -> list[str]:
    """Every tier a line names, in any of the ways ("Warning and Critical must hold …": both)."""
    return list(dict.fromkeys(name(m) for pattern, name in _TIER_PATTERNS for m in pattern.finditer(text)))


def tier_aliases(headings: list[str]) -> dict[str, str]:
    """The severity words a document gives its coded tiers ("### Critical (P0)", "### Tier 2: High Priority"):
    word → code, so "Critical Alerts: Phone, SMS" and "15 minutes for critical" speak of P0 rather than of a
    second critical tier. A word the document gives two codes is no alias."""
    codes: dict[str, set[str]] = {}
    for heading in dict.fromkeys(headings):
        coded = {name(m) for pattern, name in _CODE_PATTERNS for m in pattern.finditer(heading)}
        words = {m.group(1).upper() for m in _WORD_RE.finditer(heading)}
        if len(coded) == 1 and len(words) == 1:
            codes.setdefault(words.pop(), set()).add(coded.pop())
    return {word: next(iter(code)) for word, code in codes.items() if len(code) == 1}


def coded_tier(column: str) -> str | None:
    """The tier a table column is named for by code or colour, in any case ("| SEV2 | SEV1 |", "| p1 |",
    "| Red |"); None for any other column ("| Critical |" is a label the row's reading knows)."""
    text = column.strip().upper()
    for pattern, name in [*_CODE_PATTERNS, _COLOUR_PATTERN]:
        m = pattern.fullmatch(text)
        if m:
            return name(m)
    return None


def tier_in(text: str) -> str | None:
    """The severity tier a heading or line names, in the document's words (``P1``, ``RED``, ``Tier 2``)."""
    for pattern, name in _TIER_PATTERNS:
        m = pattern.search(text)
        if m:
            return name(m)
    return None


def tier_named(words: str) -> str | None:
    """The tier a few words name and nothing else, in any case ("low", "p2", "red", "Tier 2"): alone they can mean
    nothing else, as a column's name cannot; None when they say more ("Escalate to Tier 2")."""
    for pattern, name in _TIER_PATTERNS:
        m = pattern.fullmatch(words.strip().upper())
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


# "we open a ticket when …", "a ticket is filed if …": work for office hours, not a page
_TICKET_RE = re.compile(r"\b(?:open|file|raise|create|cut)s? an? (?:\w+ )?ticket\b|\ban? (?:\w+ )?ticket is "
                        r"(?:opened|filed|raised|created|cut)\b", re.I)


def alert_tier(text: str) -> str:
    """The tier of an alert whose document names no rung: PAGE (critical) when it says so, TICKET when it says a
    ticket is opened, else ALERT."""
    if _PAGE_RE.search(text):
        return "PAGE"
    return "TICKET" if _TICKET_RE.search(text) else "ALERT"
