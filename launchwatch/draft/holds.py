"""A hold, or a tier, stated once for many rules.

"Warning and Critical must hold for 10 minutes before anyone is notified, except crash-free sessions (30
minutes, because Crashlytics batches uploads)" or "All alerts must persist for 5 minutes" sets how long each
rule of its section must hold, where the rule itself says nothing; read line by line, it was a threshold of
its own ("before anyone notified > 30 min") and the rules it speaks of kept the drafter's default. "These three
are warnings; nobody is paged for them", under a table of alerts, gives them their tier the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from launchwatch.draft.findings import Finding
from launchwatch.draft.quantities import duration_seconds, find_quantities
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import TARGET, VERDICT_TIERS, action_severity, every_tier_in

__all__ = ["StandingHold", "StandingTier", "apply_holds", "apply_tiers", "named_tier_holds", "standing_hold",
           "standing_tier"]

_HOLD_RE = re.compile(r"\b(?:must|should|needs? to|ha(?:ve|s) to|to)\s+(?:hold|persist|last|be sustained|stay)\b|"
                      r"\b(?:held|holds?|sustained|persists?|persisting)\s+for\b|"
                      r"\bfor\s+(?:at least\s+)?\S+\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|[smh])\s+before\b|"
                      r"\b(?:fire|fires|notify|notifies|page|pages)\s+only\s+after\b|"
                      r"\bbreach(?:es|ed)?\s+(?:for|lasting)\b", re.I)  # "A guardrail breach for more than 30 min"
_PAGES_RE = re.compile(r"\bpages\b|\bpaged\b|\bpaging\b|\bpage (?:the|an?|someone)\b", re.I)
_ALL_RE = re.compile(r"\b(?:all|every|each|these|those|the above)\b.{0,30}?\b(?:alerts?|thresholds?|rules?|"
                     r"conditions?|levels?|rungs?)\b|^\s*(?:alerts?|thresholds?|rules?)\b|"
                     # "Flip the flag off when any of these holds for 10 minutes:", over the list of them
                     r"\b(?:any|all|each|either|one) of (?:these|those|the following|them)\b|"
                     # "Warnings go to #ops; criticals page. Both must hold for 10 minutes.": the rules just named
                     r"(?:^|[.;:]\s+)(?:both|they|all of them|each of them)\s+(?:must|should|need|needs|have to)\b",
                     re.I)
_EXCEPT_RE = re.compile(r"\bexcept(?:\s+for)?\s+(?P<what>[^(),;.]+?)\s*[(,]\s*(?:which\s+)?(?:(?:must|should)\s+)?"
                        r"(?:holds?\s+)?(?:for\s+)?(?P<held>[^),;]*)", re.I)


@dataclass
class StandingHold:
    """How long the rules of a section hold: ``tiers`` (None: every alert's), ``exceptions`` by what they judge."""

    line: int
    path: list[str]
    seconds: float
    tiers: set[str] | None
    exceptions: list[tuple[str, float]]
    severity: str | None = None  # what the statement does ("… pages the on-call"): its rules' severity


def standing_hold(line: Line, path: list[str]) -> StandingHold | None:
    """The hold ``line`` states for the rules around it; None when it states a threshold or no such hold."""
    text = line.text
    qs = find_quantities(text)
    holding = [q for q in qs if q.op is None or (q.op in (">", ">=") and re.search(r"\bfor\s*$", text[:q.start]))]
    if not qs or any(q.kind != "duration" for q in qs) or holding != qs or not _HOLD_RE.search(text):
        return None
    exceptions, spans = [], []
    for m in _EXCEPT_RE.finditer(text):
        held = duration_seconds(m.group("held"))
        if held is not None:
            exceptions.append((m.group("what").strip(), held))
            spans.append(range(m.start(), m.end()))
    seconds = next((q.value for q in qs if not any(q.start in span for span in spans)), None)
    head = text[:min((s.start for s in spans), default=len(text))]
    tiers = set(every_tier_in(re.sub(r"\b(\w{3,}?)s\b", r"\1", head))) - {TARGET}  # ("Warnings should hold …")
    if seconds is None or not (tiers or _ALL_RE.search(head)):
        return None
    return StandingHold(line.number, path, seconds, tiers or None, exceptions,
                        "critical" if _PAGES_RE.search(text) else None)


def named_tier_holds(line: Line, path: list[str], tiers: set[str]) -> list[StandingHold]:
    """'We page when any vital is "Poor" for 30 minutes and open a ticket when it is "Needs improvement" for 2
    hours', under a table whose columns named those tiers: each clause holds the tier it names that long (a
    tier of the document's own words, which every_tier_in cannot know)."""
    # (a column's words as written, "Poor"; not the drafter's verdicts, PAGE, nor tiers standing_hold knows)
    tiers = {t for t in tiers if t != t.upper() and not every_tier_in(t)}
    qs = find_quantities(line.text)
    if not tiers or not qs or any(q.kind != "duration" or q.op not in (None, ">", ">=") for q in qs):
        return []
    out = []
    for clause in re.split(r"[;.]\s|,?\s+and\s+(?=[^.;]*\bfor\b)", line.text):
        named = [t for t in tiers if re.search(rf"(?<![\w-]){re.escape(t)}(?![\w-])", clause, re.I)]
        held = [q for q in find_quantities(clause) if re.search(r"\bfor\s*(?:more than\s+|over\s+)?$",
                                                                 clause[:q.start], re.I) or q.op is not None]
        if len(named) == 1 and len(held) == 1:
            # (what the clause does: "We page when …" critical, "open a ticket when …" low)
            severity = action_severity(clause) or ("low" if re.search(r"\btickets?\b", clause, re.I) else None)
            out.append(StandingHold(line.number, path, held[0].value, {named[0].upper()}, [], severity))
    return out


@dataclass
class StandingTier:
    """The tier a sentence gives the alerts of its section that name none ("These three are warnings")."""

    line: int
    path: list[str]
    tier: str


_TIER_STATED_RE = re.compile(r"^\W*(?:these|those|the above|they|all (?:of )?(?:these|those|them))(?:\s+(?:\w+\s+)?"
                             r"(?:alerts?|rules?|thresholds?|signals?|ones?))?\s+(?:\w+\s+)?(?:are|is)\s+(?:all\s+)?"
                             r"(?:an?\s+)?(?P<tier>warnings?|tickets?|pages?|critical|info)\b", re.I)


def standing_tier(line: Line, path: list[str]) -> StandingTier | None:
    """The tier ``line`` states for the alerts around it; None when it states none (or states a number)."""
    m = _TIER_STATED_RE.match(line.text)
    if m is None or find_quantities(line.text):
        return None
    return StandingTier(line.number, path, VERDICT_TIERS[m.group("tier").lower().rstrip("s")])


def apply_tiers(tiers: list[StandingTier], findings: list[Finding]) -> None:
    """Give each alert of a stated tier's section that names no tier of its own (ALERT) that tier."""
    for stated in tiers:
        for f in findings:
            if f.tier == "ALERT" and f.path[:len(stated.path)] == stated.path and f.line < stated.line:
                f.tier = stated.tier
                said = f"tier: from line {stated.line}"
                f.note = f"{f.note}; {said}" if f.note else said


def _stems(words: str) -> set[str]:
    return {w.lower().rstrip("s") for w in re.findall(r"[A-Za-z][\w-]*", words)}


def apply_holds(holds: list[StandingHold], findings: list[Finding]) -> None:
    """Hold each alert of a hold's section (and the sections under it) that states no duration of its own; a
    hold that names its tiers and has none of them there ("A guardrail breach for more than 30 minutes pages",
    under "Monitoring") holds that tier's alerts wherever they are."""
    for hold in holds:
        named = [f for f in findings if f.tier != TARGET and (hold.tiers is None or f.tier.upper() in hold.tiers)]
        scoped = [f for f in named if f.path[:len(hold.path)] == hold.path]
        for f in scoped or (named if hold.tiers else []):
            if f.for_ is not None:
                continue
            f.for_ = next((held for what, held in hold.exceptions if _stems(what) <= _stems(f.phrase)), hold.seconds)
            # (what a hold naming the tier does outranks the table's word for it: "We page when … "Poor" …")
            f.severity = (hold.severity if hold.tiers else None) or f.severity or hold.severity
            said = f"for: from line {hold.line}, a hold stated for these rules"
            f.note = f"{f.note}; {said}" if f.note else said
