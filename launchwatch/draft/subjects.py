"""The signal a threshold is about, named from the words around its number: before it ("Error rate >
2%"), after it ("500 bookings per day"), in the heading or parent bullet over it ("start failures" over
"warn: 1%"), or, for "it", in what the sentence named before ("if the nightly batch … it takes longer").
"""

from __future__ import annotations

import re

from launchwatch.draft.findings import Finding
from launchwatch.draft.quantities import duration_seconds, find_quantities, without_unit_named
from launchwatch.draft.tiers import A_PAGE_BEFORE

__all__ = ["AVAILABILITY_RE", "INLINE_TIER_RE", "IN_NOT_WHERE", "LABEL_RE", "VERDICT_VERB", "WINDOW_OVER", "WORRY_RE",
           "antecedent",
           "heading_subject", "named_after", "subject_of"]

# a signal that is an availability, in the languages the glossary reads ("Disponibilité : 99,9 %")
AVAILABILITY_RE = re.compile(r"\b(?:up-?time|availability|available|disponibilidade?|disponibilit[ée])\b", re.I)

# "we get worried at 85%", "Investigate above 8%": the writer's alarm, an alert with no alert word
_WORRY = r"(?:(?:get |are |become |start to (?:get |be )?)?(?:worried|concerned|nervous)|investigate|worry)"
LABEL_RE = re.compile(
    r"\b(?P<label>target(?: error rate| response time)?|alert(?: threshold)?(?: if)?|alert at|alarm at|warn(?:ing)? at|"
    rf"{_WORRY} (?:at|above|over|past|below|under)|"
    rf"(?:warn|{A_PAGE_BEFORE}page)"  # (not "JavaScript per page: 170 KB")
    r"(?=(?: if| when)? (?:below|above|over|under|at|more than|less than|fewer than|[<>≤≥])|\s*:)|"
    r"critical|warning|healthy|goal|expected|trigger)\b\s*:?", re.I)
WORRY_RE = re.compile(_WORRY + r"\b", re.I)  # such a label: the same signal's next rung
# a tier written at the start of a line: "Sev2: card failures above 3%", "Sev3 — sync lag more than 2 hours",
# "Sev2 (Slack #search-rollout): error rate > 1%"
INLINE_TIER_RE = re.compile(r"^\s*(?:P[0-4]|SEV[- ]?[0-4]|Tier[- ]?[1-5]|RED|YELLOW|ORANGE|AMBER)(?:\s*\([^()]*\))?"
                            r"\s*[:—–-]\s*", re.I)


# words that end the phrase before a number without naming anything: "Disk usage at 80%", "conversion falls below",
# "the queue holds more than"
_TRAILING_VERBS_RE = re.compile(
    r"(?:\s+(?:at|of|to|by|in|reach(?:es)?|hits?|up|down|falls?|dips?|rises?|climbs?|goes|gets?|sinks?|slips?|"
    r"creeps?|edges?|jumps?|takes?|holds?|has|have|contains?|shows?|expect(?:ed|ing)?|falling|dropping|dipping|"
    r"climbing|rising|going|getting|hitting|kept|keeps?|keeping|continues?|continuing|still|waited|waiting|been|"
    r"sat|sitting|lasted|taken|took|needs?(?: to be)?))+$",
    re.I)


def subject_of(text: str) -> str:
    """The signal's name in ``text``, the words before a number: labels, comparisons, fillers ("Keep the",
    "if we see") and trailing verbs ("falls", "takes") taken away; "" when nothing is left."""
    if ";" in text:  # "The carrier webhook sometimes lags; webhook delay above": the last clause's, if it names one
        last = subject_of(text.rsplit(";", 1)[1])
        if last:
            return last
    text = without_unit_named(text)
    # "KYC auto-approval should stay around 85%; under 70% …": the level said in passing is no word of the name
    text = re.sub(r"(?:\b(?:around|about|approx\w*|roughly|near|close to)\s*|~\s*)\d[\d.,]*\s*%?", " ", text,
                  flags=re.I)
    named = re.search(r"\b(?:hits|runs|holds|shows|takes)\s*:\s*$", text)  # "Cache hits:" names, it does not hit
    text = re.sub(r"^\s*(?:condition|threshold|trigger|expression|fires when|when)\s*:\s*", "", text, flags=re.I)
    # "We page on-call when p99 latency", "Warn once the error rate"
    text = re.split(r"\b(?:when|whenever|if|once(?=\s+(?:the|our|an?|its)\b))\b|^\W*once\b", text, flags=re.I)[-1]
    # "When the deploy is out and checkout conversion falls below": the clause that compares
    text = re.split(r"\b(?:is|are|was|were)\s+(?:\w+\s+){0,2}?(?:and|but)\s+(?=\w)", text)[-1]
    text = re.sub(r"^\s*\d{1,2}(?:\.\d{1,2})*[.)]?\s+(?=[A-Za-z])", "", text)  # "5. Refund queue", "3.3.1 Orders"
    # "Success criteria for the first week: conversion rate at least": what the label lists, not the label
    text = re.sub(r"^[^:]*\b(?:criteria|targets?|goals?|KPIs?|objectives?)\b[^:]*:\s*(?=[A-Za-z])", "", text,
                  flags=re.I)
    text = INLINE_TIER_RE.sub(" ", text)
    text = LABEL_RE.sub(" ", text)
    text = re.sub(r"\b(is|are|should|must|will|shall|be|stays?|remains?|keep(?: it)?|ACTION|IF|rate of|not|never|"
                  r"(?:we |they )?(?:tolerate|accept|allow))\b", " ", text)  # ("keep it below", "we tolerate up to")
    text = re.sub(r"[\[\]()|:;=<>≤≥~,]+", " ", text)
    text = re.sub(r"\b(above|below|over|under|more than|less than|at least|at most|exceeds?|within)\b", " ",
                  text, flags=re.I)
    text = re.sub(r"\s+", " ", text).strip(" -–—.").rstrip(" /")  # ("80% warn / 90% page": none before 90%)
    text = re.sub(r"^(?:(?:and|but|or|so|then|keep|make sure|ensure|maintain|both|either)(?:\s+|$))?"
                  r"(?:(?:we|you|they|I) (?:see|get|have|receive|count|record|expect|want|review|check|watch|track|"
                  r"monitor|measure|look at)(?:\s+|$))?"
                  r"(?:(?:the|our|a|an)\s+)?",
                  "", text, flags=re.I)  # "Keep the unsubscribe rate below 0.5%", "if we see fewer than 100"
    text = re.sub(r"^(?:after|during|in|within|from|for) (?:the )?(?:first|second|third|next|launch|initial) \w+\s*",
                  "", text, flags=re.I)  # "After the first week, a daily bookings drop …"
    # "Acme commits to a Monthly Uptime Percentage of at least": what is promised
    text = re.sub(r"^(?:[A-Z][\w-]*|we|they)\s+(?:commits? to|guarantees?|promises?)\s+", "", text)
    text = re.sub(r"^(?:a|an|the|our)\s+", "", text, flags=re.I)
    # an action item's verb and what it builds: "Reduce time to detect to", "Dashboard panel for gateway p95 latency"
    text = re.sub(r"^(?:reduce|cut|lower|raise|improve|bring(?: down)?|drive(?: down)?|shrink|decrease)\s+"
                  r"(?!in\b|of\b)(?:(?:the|our)\s+)?|^(?:add\s+)?(?:an?\s+)?(?:dashboard\s+)?(?:panel|graph|chart|widget)\s+"
                  r"(?:for|of|showing)\s+(?:(?:the|our)\s+)?", "", text, flags=re.I)
    text = text if named else _TRAILING_VERBS_RE.sub("", text)
    text = re.sub(r"\s+older(?: than)?$", " age", text)  # "the payout queue is older than 45 min": its age
    text = re.sub(r"\s+(?:lags|is lagging|lagging)(?: by| behind)?$", " lag", text)  # "the pipeline lags more than"
    # ("warn above"; "DB CPU: 60% normal, 80% warn": the state a number is, no signal)
    return "" if re.fullmatch(r"(?:warn|warning|page|alert|critical|notify|normal|usual|typical|ok|fine|healthy|worry|"
                              r"investigate|escalate|roll back|abort)", text, re.I) else text


# where the words after a number stop naming it: at "in" (not the where of what is done: "8% of orders in pilot
# cities are scheduled ahead"), and at "is"/"are" (not before what is done: "… are scheduled ahead")
IN_NOT_WHERE = r"\bin\b(?!\s+(?:[a-z]+\s+){0,2}(?:are|is)\s+[a-z]+ed\b)"
_BE_NOT_DONE = r"\b(?:is|are)\b(?!\s+[a-z]+ed\b)"


# a verdict said right after a number: "…; below 20 pages" (not "3 pages per day", what is counted)
VERDICT_VERB = r"(?:pages|paged|warns|notifies|escalates)\b(?!\s+(?:per|a|an|each|every|in|of|over)\b)"


# a window said after what a number is of: "… return zero results over 1 hour", "over the last 30 minutes"
WINDOW_OVER = r"\bover(?=\s+(?:the\s+|a\s+)?(?:last\s+|past\s+|rolling\s+)?\d)"


def named_after(rest: str) -> str:
    """The signal a number names after it: "500 bookings per day" → bookings; "5% of booking requests fail for
    10 minutes" → booking requests fail; "" when the words after it are no noun ("we page", "for 10 minutes")."""
    if re.match(r"\s*(?:[:→]|(?:we|you|they|it|i|someone|somebody|whoever|then|for|in|within|over|during|escalate|"
                r"page|notify|alert|call|ping|post|open|file|investigate|roll ?back|means|indicates|suggests|is|"
                r"are|counts as|would be)\b)", rest, re.I):  # ("Below 25% means the prompt is broken")
        return ""  # ("If > 1 hour: Escalate to Tier 2": what to do, not what is measured)
    if re.match(rf"\s*{VERDICT_VERB}", rest, re.I):
        return ""  # "Signups below 100 per hour is a warning; below 20 pages": the verdict (not "3 pages per day")
    # ("… of queries return zero results over 1 hour": a window, not the name's)
    words = re.split(r"[(,;.:→]|->|=>|\b(?:for|within|per|by|during|and|at|needs?|requires?|should|must|means|"
                     r"triggers?)\b|" + WINDOW_OVER + "|" + IN_NOT_WHERE + "|" + _BE_NOT_DONE,
                     re.sub(r"^\s*of\s+", "", rest))[0]
    named = subject_of(words)
    return named if len(named) >= 3 else ""


def heading_subject(path: list[str]) -> tuple[str, float | None]:
    """The signal the heading over a line names, and the window it states ("failed downloads over 30 minutes")."""
    head = path[-1]
    m = re.search(r"\b(?:over|in|within|during|per)\s+(?:the\s+)?(?:last\s+|past\s+)?(?=\d)", head, re.I)
    window = duration_seconds(head[m.end():]) if m else None
    compared = next((q for q in find_quantities(head) if q.op), None)
    if compared and not window:  # "## Storage used ≥ 85%", a heading that is a rule: what it compares
        return subject_of(head[:compared.start]) or head, None
    return (subject_of(head[:m.start()]) if m and window else subject_of(head)) or head, window


def antecedent(head: str, phrase: str, out: list[Finding]) -> str:
    """What "it" stands for: the thing "the …" names before it ("if the nightly batch hasn't finished …, or if
    it takes longer than 90 minutes"), or the "Sign-ups:" label the sentence opens with, or the signal of the
    threshold before ("p95 under 300ms; if it's slower than 1 second"); else the phrase as it is."""
    named = list(re.finditer(r"\b(?:the|our)\s+([a-z][\w-]*(?:\s+[a-z][\w-]*){0,3}?)\s+(?:has|hasn't|have|is|isn't|was|"
                             r"does|doesn't|did|didn't|runs?|takes?|finish\w*|complet\w*)\b", head, re.I))
    if named:
        return named[-1].group(1)
    label = re.match(r"\s*([A-Za-z][^:]{2,40}):", head)
    if label:
        return subject_of(label.group(1))
    if not out:  # "Session length is concerning when it falls below 2 minutes": what the sentence is about
        opening = re.match(r"\s*(?:the\s+|our\s+)?([A-Za-z][\w -]{2,40}?)\s+(?:is|are|was|gets?)\b", head, re.I)
        if opening:
            return opening.group(1)
    return out[-1].phrase if out else phrase
