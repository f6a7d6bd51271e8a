"""A question-and-answer page ("**Q: What error rate pages the on-call?**" over "A: Anything above 3% for 5
minutes"): the question heads its answer as a heading does, and names what the answer's "anything" or "it" is.
"""

from __future__ import annotations

import re

from launchwatch.draft.subjects import subject_of

__all__ = ["ANSWER_RE", "asked_about", "is_question_line"]

# the answer's mark, and a "Yes:" or "No," that answers the question rather than saying what is measured (not "No
# more than 2%", not "No orders in 30 minutes")
ANSWER_RE = re.compile(r"^(?:A|[Aa]ns(?:wer)?|ANSWER)\s*\d{0,2}\s*:\s+(?:(?i:yes|no|yep|nope)\s*[:,;.—–-]\s*)?(?=\S)")
_QUESTION_RE = re.compile(r"^(?:Q|[Qq]uestion|QUESTION)\s*\d{0,2}\s*[:.)]\s*(?P<q>\S.*?)\s*\??\s*$")
# what a question asks around its signal: "What error rate pages the on-call", "Do we page on low order volume",
# "What about payment declines", "Which latency counts as too slow"
_ASKED_RE = re.compile(
    r"^(?:(?:what|which)\s+(?:about\s+)?|(?:how|when)\s+about\s+|(?:do|does|should|will|would|can)\s+"
    r"(?:we|you|it|they|the on-?call)\s+\w+\s+(?:on|for|about|when|if)\s+(?:an?\s+|the\s+)?"
    r"(?:low|high|slow|falling|rising|bad)?\s*)"
    r"(?!(?:does|do|is|are|should|would|will|can|happens?|if)\b)(?P<what>[a-z][\w -]{1,50}?)"
    r"(?:\s+(?:pages?|alerts?|triggers?|warns?|counts?|is|are|should|do|does|means?|wakes?|do we|would)\b.*)?$",
    re.I)


def _asked(title: str) -> str:
    m = _QUESTION_RE.match(title)
    return (m.group("q") if m else title).strip().rstrip("?").strip()


def is_question_line(text: str) -> bool:
    """Whether a plain line is a question that heads the answer below it ("Q: When do we roll back?")."""
    return bool(_QUESTION_RE.match(text)) and text.rstrip().endswith("?")


def asked_about(path: list[str]) -> str:
    """The signal the question over a line asks about ("What error rate pages the on-call?" → error rate), or ""
    when the line sits under no question or the question names none ("How slow is too slow?")."""
    if not path or not (_QUESTION_RE.match(path[-1]) or path[-1].rstrip().endswith("?")):
        return ""
    m = _ASKED_RE.match(_asked(path[-1]))
    what = subject_of(m.group("what")) if m else ""
    return "" if re.fullmatch(r"(?:threshold|limit|number|value|level|alert|page|happens?|else|if|we|it)s?", what,
                              re.I) else what
