"""Where each tier's alerts go: the channels a document names, read clause by clause.

"YELLOW goes to #shop-alerts on Slack, RED pages the on-call via PagerDuty" gives YELLOW the chat channel
and RED the pager, not both to both; "#shop-alerts" and "oncall@shop.example" become channels of their own
with that address (Alertmanager's Slack ``channel`` and e-mail ``to``). A tier the document names no channel
for gets one by its severity, so a warning never pages by default.
"""

from __future__ import annotations

import math
import re

from launchwatch.draft.catalogue import field_tiers
from launchwatch.draft.findings import Finding
from launchwatch.draft.outline import heading_level
from launchwatch.draft.quantities import find_quantities
from launchwatch.draft.sentences import continues
from launchwatch.draft.text import COLOUR_TIERS, Line
from launchwatch.draft.tiers import (
    CHANNEL_PATTERNS,
    TARGET,
    action_severity,
    alert_tier,
    channel_types,
    medium_alone,
    tier_in,
    tiers_in,
)

__all__ = ["document_channels", "legend_of", "tier_channels"]

# a chat channel ("→ #payments-oncall"; not a Markdown heading, an issue number or "C#")
_CHAT_RE = re.compile(r"(?<![\w&#])#([a-z][\w-]{2,})", re.I)
_LEGEND_RE = re.compile(r"(?:legend|key)\s*:", re.I)
_DATADOG_SLACK_RE = re.compile(r"(?<![\w@])@slack-([a-z][\w-]{2,})", re.I)
# the dashboard as a tier's channel: in a list of channels ("Email, Dashboard") or alone ("Dashboard only"),
# not a dashboard a runbook step looks at
_DASHBOARD_RE = re.compile(r"\bdashboard(?:\s+only\b|(?=\s*(?:[,/+&]|\band\b|$)))", re.I)
_EMAIL_RE = re.compile(r"\b([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\b")
# a quoted e-mail's header names who wrote it, no channel ("On Fri, … Tom <tom@example.com> wrote:", "From: …")
_MAIL_HEADER_RE = re.compile(r"\bwrote:\s*$|^\W*(?:from|to|cc|bcc|reply-to|sent|date|subject)\s*:", re.I)
# a page said not to happen names no pager: "… posted to #subs-checkout and nobody is paged"
_NOT_PAGED_RE = re.compile(r"\b(?:nobody|no one|no-one|none of us)\s+(?:is|gets|will be)\s+paged\b|"
                           r"\bno pag(?:e|es|ing)\b|\b(?:do not|don'?t|never|without)\s+pag(?:e|ing)\b", re.I)
# clauses: "YELLOW goes to #x, RED pages"; "> 85% → warn; > 95% → page"; a sentence's end
_CLAUSE_RE = re.compile(r"[;,]\s+|\.\s+(?=[A-Z])|\s+\|\s+|\s+but\s+")
# the channel types a tier of each severity is sent to when the document names none for it, best first
_BY_SEVERITY = {"critical": ("pager", "sms", "chat", "email", "webhook"),
                "high": ("pager", "chat", "email", "sms", "webhook"),
                "medium": ("chat", "email", "webhook"),
                "low": ("email", "chat", "webhook")}


def _slug(text: str, prefix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50].strip("-")
    return slug if slug[:1].isalpha() else f"{prefix}-{slug}".strip("-")


def _named(clause: str) -> list[dict[str, str]]:
    """The channels a clause names, in its order: each chat channel and e-mail address its own, and the kinds
    it names without an address ("via PagerDuty"; "on Slack" only when no "#channel" says which)."""
    # "#payments-oncall", and a Datadog monitor's "@slack-search-alerts": that Slack channel
    found = [(m.start(), {"name": _slug(m.group(1), "chat"), "type": "chat", "to": f"#{m.group(1)}"})
             for chat in (_CHAT_RE, _DATADOG_SLACK_RE) for m in chat.finditer(clause)]
    found += [(m.start(), {"name": _slug(f"{m.group(1)}-email", "email"), "type": "email", "to": m.group(0)})
              for m in _EMAIL_RE.finditer(clause)]
    addressed = {c["type"] for _, c in found}
    bare = _NOT_PAGED_RE.sub(" ", _EMAIL_RE.sub(" ", clause))
    found += [(m.start(), {"name": name, "type": kind, **({"service": name} if name == "opsgenie" else {})})
              for name, kind, pattern in CHANNEL_PATTERNS
              if kind not in addressed and (m := re.search(pattern, bare, re.I))]
    # "Opsgenie page": one pager, the one it names
    if any(c.get("service") for _, c in found):
        found = [(at, c) for at, c in found if c["name"] != "pagerduty"]
    return [c for _, c in sorted(found, key=lambda f: f[0])]


def _finding_tier(clause: str, on_line: list[Finding]) -> str | None:
    """The tier of the threshold whose number the clause states ("above 5% we page": that rule's tier)."""
    values = [q.value for q in find_quantities(clause)]
    if not values:
        return None
    for f in on_line:
        if any(math.isclose(v, f.value, rel_tol=1e-9) or math.isclose(1 - v, f.value, rel_tol=1e-9) for v in values):
            return f.tier
    tiers = {f.tier for f in on_line}
    return tiers.pop() if len(tiers) == 1 else None


def _paged_tier(severities: dict[str, str]) -> str | None:
    """The tier a clause that pages without naming one means: the document's first critical tier."""
    return next((t for t, s in severities.items() if s == "critical" and t != TARGET), None)


def _sentences(lines: list[Line], paths: list[list[str]]) -> list[tuple[Line, list[str]]]:
    """The lines with each sentence wrapped over several read as one, as the thresholds are read ("… is worth
    a Slack / ping to #loyalty-alerts": one clause, one channel, not "slack" and "#loyalty-alerts")."""
    out = []
    i, fence = 0, False
    while i < len(lines):
        line, path, nxt = lines[i], paths[i], i + 1
        if line.raw.strip().startswith(("```", "~~~")):
            fence = not fence
        while not fence and nxt < len(lines) and paths[nxt] == path and continues(line, lines[nxt]):
            line, nxt = line.joined(lines[nxt]), nxt + 1
        out.append((line, path))
        i = nxt
    return out


def document_channels(lines: list[Line], paths: list[list[str]], findings: list[Finding], severities: dict[str, str],
                      aliases: dict[str, str]) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """The channels the document names, and which tiers it names them for (tier → channel names).

    A clause's tier is the one it names, else the one of the threshold whose number it states, else the
    critical tier when it pages, else the previous clause's on the line, else its heading's. A colour
    legend says it for each colour ("legend: 🔴 page, 🟠 ping #oncall, 🟡 just watch"). A severity word the
    document gives a coded tier ("### Critical (P0)") names that tier ("Critical Alerts: Phone": P0's)."""
    channels: dict[str, dict[str, str]] = {}
    per_tier: dict[str, list[str]] = {t: [] for t in severities}
    for tier, (_, named) in legend_of(lines).items():
        channels.update((c["name"], c) for c in named)
        per_tier[tier] = [c["name"] for c in named] or ["dashboard"]  # "🟡 just watch"
    fields = field_tiers(lines, paths)  # an alert catalogue's "Severity: P1" under "### HighErrorRate"
    by_line: dict[int, list[Finding]] = {}
    for f in findings:
        by_line.setdefault(f.line, []).append(f)
    for line, path in _sentences(lines, paths):
        listed = channel_types(line.text) or _CHAT_RE.search(line.text) or _EMAIL_RE.search(line.text) or \
            _DATADOG_SLACK_RE.search(line.text)
        titled = heading_level(line)
        if _LEGEND_RE.match(line.text) or not (listed or re.search(r"\bdashboard\s+only\b", line.text, re.I)) or \
                _MAIL_HEADER_RE.search(line.text) or (titled and titled[0] <= 6 and medium_alone(titled[1])):
            continue  # (not "## Email": the product's e-mail)
        on_line = [f for n in (line.number, *(n for _, n in line.starts)) for f in by_line.get(n, [])]
        heading = next((aliases.get(t, t) for t in (tier_in(p) for p in reversed(path)) if t), None) or \
            fields.get(tuple(path))
        tier = None
        for clause in _CLAUSE_RE.split(line.text):
            named = _named(clause)
            paged = alert_tier(clause) == "PAGE" or any(c["type"] == "pager" for c in named) or \
                re.search(r"\b(?:critical|urgent|downtime)\b", clause, re.I)
            named_tiers = list(dict.fromkeys(aliases.get(t, t) for t in tiers_in(clause)))
            tier = (named_tiers[0] if named_tiers else _finding_tier(clause, on_line)
                    or (_paged_tier(severities) if paged else None) or tier or heading)
            named += [{"name": "dashboard"}] if _DASHBOARD_RE.search(clause) else []
            for c in named:
                if c["name"] != "dashboard":  # (always a channel of the draft)
                    channels.setdefault(c["name"], c)
                for t in named_tiers or [tier]:
                    if t in per_tier and t != TARGET and c["name"] not in per_tier[t]:
                        per_tier[t].append(c["name"])
    if "opsgenie" in channels and "pagerduty" in channels and \
            not any(re.search(r"pager ?duty", line.text, re.I) for line in lines):
        # a document whose pager is Opsgenie pages through it ("we page if …")
        del channels["pagerduty"]
        for tier, names in per_tier.items():
            per_tier[tier] = list(dict.fromkeys("opsgenie" if n == "pagerduty" else n for n in names))
    out = [{**c, "description": "named by the document; TODO: " + ("check the address" if c.get("to") else
                                                                     "its address")} for c in channels.values()]
    out.append({"name": "dashboard", "type": "dashboard", "description": "Shown on the dashboard only"})
    return out, per_tier


def tier_channels(tier: str, severity: str, channels: list[dict[str, str]],
                  per_tier: dict[str, list[str]]) -> list[str]:
    """The channels of a tier: those the document names for it, else the first it names of the kind a tier of
    that severity goes to (a page for critical, chat for a warning, e-mail for low), else the dashboard."""
    if tier == TARGET:  # a target is watched on the dashboard; missing it notifies no one by default
        return ["dashboard"]
    if per_tier.get(tier):
        return per_tier[tier]
    for kind in _BY_SEVERITY[severity]:
        named = next((c["name"] for c in channels if c["type"] == kind), None)
        if named:
            return [named]
    return ["dashboard"]


def legend_of(lines: list[Line]) -> dict[str, tuple[str | None, list[dict[str, str]]]]:
    """A colour legend's meaning per tier: its severity and its channels ("ORANGE ping #oncall": medium,
    the chat channel; "YELLOW just watch": low, no channel)."""
    out: dict[str, tuple[str | None, list[dict[str, str]]]] = {}
    for line in lines:
        if not _LEGEND_RE.match(line.text):
            continue
        for part in re.split(r"[,;]", line.text.split(":", 1)[1]):
            m = re.match(rf"\s*({'|'.join(COLOUR_TIERS)})\s*[=:→-]?\s*(?P<meaning>.+)", part)
            if m:
                meaning = m.group("meaning")
                out[m.group(1)] = (action_severity(meaning), _named(meaning))
    return out
