"""Rules a document states without a number: a failure a tier names, a health check's expected state.

"Site completely down" under Tier 1 or "Can connect to database? Yes/No" under a health check is a
check failing (``== 0``); the drafter says in a ``note`` that the value is its reading, not the
document's. What no probe or business metric can show (bugs, looks, security) is left to the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from launchwatch.draft.findings import Finding
from launchwatch.draft.quantities import WORD_NUMBER, duration_seconds, word_number
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import is_alert_context
from launchwatch.expressions import SCRAPE_INTERVAL
from launchwatch.plan.units import format_duration, parse_duration

__all__ = ["RULE_PREFIX_RE", "expected_state", "failed_in_a_row", "failure_findings", "names_an_outage"]

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
def _n(group: str) -> str:
    """A count, in digits or words ("3", "three"), as the named group."""
    return rf"(?P<{group}>\d+|{WORD_NUMBER})"


# a check failing several times running: "health check fails 3 times in a row", "3 consecutive failed probes",
# "after 5 failures in a row"
_IN_A_ROW_RE = re.compile(
    r"\bfail(?:s|ed|ing)?\s+" + _n("n") + r"\s+(?:times\s+)?(?:in a row|consecutively|running)\b|"
    r"\b" + _n("c") + r"\s+(?:consecutive|successive|straight)\s+(?:failures|fails|failed\s+\w+|times)\b|"
    r"\b" + _n("r") + r"\s+(?:failures|fails|failed\s+(?:checks?|probes?|pings?|requests?|scrapes?))\s+"
    r"in a row\b", re.I)
# how far apart the checks are: "30 s apart", "every 30 seconds", "at 1-minute intervals"
_APART_RE = re.compile(r"\d+(?:\.\d+)?\s*[a-z]+\s+apart\b|\bevery\s+\d+(?:\.\d+)?\s*[a-z]+|"
                       r"\d+(?:\.\d+)?[- ]?[a-z]+\s+intervals?\b", re.I)


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


def names_an_outage(text: str) -> bool:
    """Whether a line speaks of something down or failing ("Checkout API down", "login fails"; not "issues")."""
    return bool(_OUTAGE_RE.search(text) or re.search(r"\bfail(?:s|ed|ing)?\b", text, re.I))


def failed_in_a_row(line: Line, path: list[str], tier: Callable[[], str]) -> Finding | None:
    """A check failing N times running ("Checkout API down (health check fails 3 times in a row, 30 s apart)"):
    the check failing (``== 0``) held N - 1 intervals, the first failure starting it; the generated Prometheus'
    scrape interval stands in when the document gives none. ``tier`` is asked only for such a line."""
    m = _IN_A_ROW_RE.search(line.text)
    if not m:
        return None
    word = next(g for g in m.group("n", "c", "r") if g)
    n = int(word) if word.isdigit() else int(word_number(word))
    apart = _APART_RE.search(line.text)
    every = duration_seconds(apart.group(0)) if apart else None
    interval = every or parse_duration(SCRAPE_INTERVAL)
    before = re.split(r"[(\[]", RULE_PREFIX_RE.sub("", line.text[:m.start()]))[0]
    clause = re.split(r"[,;]|\b(?:or|and|if|when|whenever)\b", before, flags=re.I)[-1]  # ("Error rate > 5% or …")
    subject = re.sub(r"\b(?:health\s+)?(?:checks?|probes?)\b|^\s*the\b", " ", _OUTAGE_RE.sub(" ", clause), flags=re.I)
    # ("Health check fails 3 times in a row" under "## Alerting": the check's, not the heading's)
    heading = path[-1] if path and not is_alert_context(path[-1]) else None
    checked = re.search(r"\b(?:health\s+)?(?:check|probe)", clause, re.I)
    subject = re.sub(r"\s+", " ", subject).strip(" -–—.:;,") or heading or (checked.group(0) if checked else "service")
    said = f"{n} failures in a row, {format_duration(interval)} apart" if every else (
        f"{n} failures in a row; the document gives no interval, so the generated Prometheus' scrape interval "
        f"({SCRAPE_INTERVAL}) stands in")
    return Finding(line.number_at(m.start()), subject, "==", 0.0, "up", tier(), path, line.text,
                   for_=(n - 1) * interval,
                   note=f"{said}: the check failing (== 0) held {n - 1} intervals after the first; review the "
                        "metric that shows it")


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
