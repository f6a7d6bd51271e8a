"""Rules a document states without a number: a failure a tier names, a health check's expected state.

"Site completely down" under Tier 1 or "Can connect to database? Yes/No" under a health check is a
check failing (``== 0``); the drafter says in a ``note`` that the value is its reading, not the
document's. What no probe or business metric can show (bugs, looks, security) is left to the user.
"""

from __future__ import annotations

import re

from launchwatch.draft.findings import Finding
from launchwatch.draft.text import Line

__all__ = ["RULE_PREFIX_RE", "expected_state", "failure_findings"]

# a numbered rule is an item of its list: "Rule 2: All Services Down"
RULE_PREFIX_RE = re.compile(r"^(?:rule|alert|check|item|scenario)\s*#?\d+\s*[:.)-]\s*", re.I)
# a failure named without a number, under a tier heading: "Site completely down", "Email delivery failure"
_OUTAGE_RE = re.compile(r"\b(?:down|outages?|inaccessible|unreachable|unavailable|offline|not (?:working|"
                        r"responding|loading)|failures?)\b", re.I)
_DEGRADED_RE = re.compile(r"\b(?:failing|fails|issues|problems)\b", re.I)
_FLOW_FAILURE_RE = re.compile(r"\b(?:processing|delivery|system)\s+failures?\b", re.I)
# what no probe or business metric shows: people's reports, bugs, looks, security and data incidents
_NOT_OBSERVED_RE = re.compile(r"\b(?:minor|cosmetic|documentation|enhancements?|ui|ux|bugs?|requests?|"
                              r"feedback|complaints?|security|breach|loss|corruption|major feature)\b", re.I)
# a health check's expected state: "Expected: HTTP 200", "Can connect to database? Yes/No", "Twilio SMS: Operational"
_EXPECTED_STATE_RE = re.compile(
    r"^(?:expected\s*:\s*(?:http\s*)?(?P<status>2\d\d)\b.*|(?P<can>can .{3,60}?)\?\s*yes\s*/\s*no|"
    r"(?P<what>[^:]{2,60}?)\s*:\s*operational|verify\s*:\s*(?P<all>all .{3,40}) responding)\.?$", re.I)
_CHECK_CONTEXT_RE = re.compile(r"\b(?:checks?|health|status|verif\w*)\b", re.I)


def expected_state(line: Line, path: list[str], tier: str) -> Finding | None:
    """A health check's expected state under a check / status heading: the check failing (``== 0``) alerts."""
    m = _EXPECTED_STATE_RE.match(line.text)
    if not m or not any(_CHECK_CONTEXT_RE.search(h) for h in path[-2:]):
        return None
    if m.group("status"):
        subject = next((h for h in reversed(path) if not _CHECK_CONTEXT_RE.fullmatch(h)), "site") + " http"
    else:
        subject = m.group("can") or m.group("what") or m.group("all")
    subject = re.sub(r"^(?:can|check)\s+", "", subject.strip(), flags=re.I)
    return Finding(line.number, subject, "==", 0.0, "up", tier, path, line.text,
                   note="a health check's expected state: drafted as the check failing (== 0); review the "
                        "metric that reports it")


def failure_findings(line: Line, path: list[str], tier: str) -> list[Finding]:
    """A failure an alert tier names without a number ("Site completely down", "Payment processing failure"):
    the check of that thing failing (``== 0``), confirmed by the next minute's check for an outage, held 5m for
    "issues"; a flow's failure ("processing / delivery failure") also as most of its attempts failing."""
    text = RULE_PREFIX_RE.sub("", line.text)
    outage, degraded = _OUTAGE_RE.search(text), _DEGRADED_RE.search(text)
    if _NOT_OBSERVED_RE.search(text) or not (outage or degraded):
        return []
    subject = re.sub(r"\b(?:completely|complete|totally|total|entirely|fully)\b", " ", text, flags=re.I)
    subject = re.sub(r"\s+", " ", _OUTAGE_RE.sub(" ", _DEGRADED_RE.sub(" ", subject))).strip(" -–—.:;,")
    subject = subject or (path[-1] if path else "service")
    why = "the document gives no number: drafted as {what}; review the value and the metric that shows it"
    out = [Finding(line.number, subject, "==", 0.0, "up", tier, path, text, for_=60.0 if outage else 300.0,
                   note=why.format(what=f"{subject}'s check failing (== 0)"))]
    if _FLOW_FAILURE_RE.search(text):
        out.append(Finding(line.number, f"{subject} failures", ">", 0.5, "ratio", tier, path, text, for_=300.0,
                           window=900.0, note=why.format(what="more than half of the attempts failing in 15m")))
    return out
