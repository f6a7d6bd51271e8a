"""Escalation lines: who else hears of a problem still open after a while.

"P0 incidents: Escalate to Tier 2 after 30 minutes" becomes, in a plan, an alert that fires while a P0
incident is open (its age above 0) with an ``escalate:`` step to a "tier-2" channel after 30m; a later
"Unresolved P0/P1: Escalate to management after 4 hours" adds a step to both tiers' alerts. An escalation
that names no tier ("Escalate if unresolved in 2 hours") belongs on alerts only the user can choose, so
it goes to the notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from launchwatch.draft.names import alert_name, metric_name
from launchwatch.draft.quantities import duration_seconds
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import tier_in
from launchwatch.plan.units import format_duration

__all__ = ["Escalation", "find_escalations", "incident_thresholds"]

_ESCALATE_RE = re.compile(
    r"^(?:(?P<subject>[^:]{2,60}):\s*)?(?:if [^,]{0,60},\s*)?(?:[^:;]{1,80}?,?\s+(?:then|and)\s+)?"
    r"(?:(?P<who>(?:unacknowledged|unresolved|open) [\w /-]{2,30}?)\s+)?"  # ("Unacknowledged pages escalate …")
    r"escalates?\s+(?:(?P<raised>P[0-4]|SEV[- ]?[0-4])\s+)?(?:to\s+(?P<level>[^,;]+?)\s+)?"
    r"(?:if (?:still )?(?:unresolved|open|unacknowledged|not (?:mitigated|resolved|fixed|acknowledged))\s+)?"
    r"(?:after|in|within)\s+(?P<after>[^,;(]+)", re.I)  # ("Escalate SEV2 to SEV1 if not mitigated within 45 minutes")
_TIER_RE = re.compile(r"\b(P[0-4]|SEV[- ]?[0-4])\b", re.I)


@dataclass
class Escalation:
    """One escalation the document states: the tiers it is for, who hears, and after how long."""

    line: int
    path: list[str]
    text: str
    tiers: list[str]
    level: str
    after: float
    named: str | None = None  # a severity its subject names ("Critical: page, then escalate …"), not an incident tier


def find_escalations(lines: list[Line], paths: list[list[str]]) -> list[Escalation]:
    """Every "…: Escalate to X after D" line, with the incident tiers its subject names."""
    out = []
    for line, path in zip(lines, paths, strict=True):
        m = _ESCALATE_RE.match(line.text.strip(" -*•"))
        after = duration_seconds(m.group("after")) if m else None
        if not m or not after:
            continue
        tiers = [t.upper().replace(" ", "").replace("-", "")
                 for t in _TIER_RE.findall(f"{m.group('subject') or ''} {m.group('raised') or ''}")]
        level = (m.group("level") or "next level").strip(" .")
        out.append(Escalation(line.number, path, line.text.strip(), list(dict.fromkeys(tiers)), level, after,
                              tier_in(m.group("subject") or m.group("who") or "")))
    return out


def channel_name(level: str) -> str:
    """The channel an escalation level is told on: "Tier 2" → ``tier-2``."""
    return "-".join(re.findall(r"[a-z0-9]+", level.lower())[:4]) or "escalation"


def incident_thresholds(escalations: list[Escalation], taken: set[str]) -> tuple[list[dict[str, Any]],
                                                                                  list[dict[str, str]]]:
    """Per incident tier an escalation names: the alert that fires while one is open, its steps in order;
    and, for the notes, the escalations that name no tier."""
    by_tier: dict[str, dict[str, Any]] = {}
    notes = []
    for e in escalations:
        where = " > ".join(p for p in e.path if p) or "(top)"
        if not e.tiers:
            which = f"the {e.named} alerts" if e.named else "the alerts it is for"
            notes.append({"target": e.text[:200], "section": where,
                          "reason": f"line {e.line}: an escalation that names no incident tier; add `escalate: "
                                    f"[{{after: {format_duration(e.after)}, level: {channel_name(e.level)}, "
                                    f"channels: [...]}}]` to {which}"})
            continue
        for tier in e.tiers:
            t = by_tier.get(tier)
            if t is None:
                t = by_tier[tier] = {
                    "alert": alert_name(f"{tier} incident open", "", taken),
                    "summary": f"A {tier} incident is unresolved",
                    "section": f'{where}: "{e.text[:140]}"',
                    "tier": tier,
                    "metric": metric_name(f"oldest unresolved {tier} incident age", "duration"),
                    "op": ">",
                    "value": 0.0,
                    "source_line": e.line,
                    "note": "fires while one is open; the escalations run on the age of the oldest. "
                            "TODO: the metric that holds it",
                    "escalate": [],
                }
            elif e.line != t["source_line"]:
                t["section"] += f'; "{e.text[:140]}"'
            t["escalate"].append({"after": e.after, "level": channel_name(e.level),
                                  "channels": [channel_name(e.level)]})
    out = []
    for t in by_tier.values():
        steps = sorted(t["escalate"], key=lambda s: s["after"])
        t["escalate"] = [{**s, "after": format_duration(s["after"])} for s in steps]
        out.append(t)
    return out, notes
