"""Phases from the document's time sections: launch day, first 24 hours, week 1, first month, ongoing."""

from __future__ import annotations

import re

__all__ = ["PHASE_ORDER", "phase_in"]

PHASE_ORDER = ["launch-day", "week-1", "month-1", "ongoing"]
_PATTERNS = [
    ("ongoing", r"\bafter (?:the )?(?:first (?:week|month|30 days)|week 1\b|month 1\b)"),  # (before "first week")
    ("launch-day", r"launch day|launch moment|first (?:24|48) hours|\bday 1\b|first hour|\bT\+0|launch hour|"
                   r"first 24h|hour 0|go-live"),
    ("week-1", r"week 1\b|first week|\bweek one\b|days? [1-7]\b|7 days"),
    ("month-1", r"first month|month 1\b|first 30 days|weeks? 2-4|30 days|first-month"),
    ("ongoing", r"ongoing|steady state|long[- ]term|after (?:the first|launch)|post-month|90 days|beyond"),
]


def phase_in(text: str) -> str | None:
    """The phase a heading names, or None."""
    text = re.sub(r"\s*[–—]\s*", "-", text)  # "Weeks 2–4"
    for name, pattern in _PATTERNS:
        if re.search(pattern, text, re.I):
            return name
    return None
