"""The hours a document limits a rule to: "during business hours", "(09:00-23:00 only)".

A rule that pages on zero bookings "during business hours" must not page at 3 a.m.: the draft
marks it ``business_hours: true`` and gives the plan the hours the document states (or 09:00–18:00
Monday to Friday, UTC, to review).
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from launchwatch.draft.text import Line
from launchwatch.draft.tiers import TARGET, tiers_in

__all__ = ["hours_in", "overnight_hours", "routing_hours", "tier_hours"]

_WORDS_RE = re.compile(r"\b(?:during|in|within|only in|only during)\s+(?:normal\s+|our\s+)?(?:business|office|working)"
                       r"\s+hours\b|\b(?:business|office|working) hours only\b|"
                       r"[,;(]\s*(?:business|office|working) hours\s*\)?\s*$", re.I)  # ("a ticket, business hours")
# "(09:00-23:00 only)", "between 08:00 and 22:00", "between 8am and 10pm"
_TIME = r"\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)(?![a-z])|\d{1,2}:\d{2}"  # (not "17:00 America/…")
_CLOCK_RE = re.compile(rf"(?P<between>\bbetween\s+)?(?P<a>{_TIME})\s*(?:[-–]|to|and)\s*(?P<b>{_TIME})"
                       r"(?:\s*(?P<zone>(?-i:[A-Z]{2,5}\b|[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)))?(?P<only>\s*(?:only\b|\)))?",
                       re.I)
_WEEKDAYS_RE = re.compile(r"\b(?:weekdays?|mon(?:day)?\s*[-–]\s*fri(?:day)?|monday to friday)\b", re.I)
# the abbreviations documents write, as the IANA zone Alertmanager needs (its summer time included)
_ZONES = {"UTC": "UTC", "GMT": "UTC", "CET": "Europe/Berlin", "CEST": "Europe/Berlin", "EET": "Europe/Helsinki",
          "EEST": "Europe/Helsinki", "WET": "Europe/Lisbon", "WEST": "Europe/Lisbon", "BST": "Europe/London",
          "MSK": "Europe/Moscow", "IST": "Asia/Kolkata", "SGT": "Asia/Singapore", "HKT": "Asia/Hong_Kong",
          "JST": "Asia/Tokyo", "KST": "Asia/Seoul", "AEST": "Australia/Sydney", "AEDT": "Australia/Sydney",
          "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York", "CT": "America/Chicago",
          "CST": "America/Chicago", "CDT": "America/Chicago", "MT": "America/Denver", "MST": "America/Denver",
          "MDT": "America/Denver", "PT": "America/Los_Angeles", "PST": "America/Los_Angeles",
          "PDT": "America/Los_Angeles", "BRT": "America/Sao_Paulo"}

# a zone said a few words after the clock ("09:00-18:00 Mon-Fri CET")
_ZONE_WORD_RE = re.compile(rf"\b(?:{'|'.join(_ZONES)}|[A-Z][a-z]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b")


def _zone(word: str | None) -> str | None:
    """The IANA zone a document's word names ("CET", "Europe/Berlin"), or None."""
    if not word:
        return None
    name = _ZONES.get(word.upper(), word)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _clock(time: str) -> str:
    """A clock time as Alertmanager writes it: "8am" → "08:00", "10:30 pm" → "22:30", "9:00" → "09:00"."""
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*([ap])?.*", time.strip(), re.I)
    hour = int(m.group(1)) % 12 + (12 if (m.group(3) or "").lower() == "p" else 0) if m.group(3) else int(m.group(1))
    return f"{hour:02d}:{m.group(2) or '00'}"


def _limiting_clock(text: str) -> re.Match[str] | None:
    """The clock range that limits a rule: "between 8am and 10pm", "(09:00-23:00 only)", "9:00-17:00 Mon-Fri", or
    any beside "during business hours" (not "deploys 14:00-15:00", a time the text only mentions)."""
    words = _WORDS_RE.search(text)
    return next((m for m in _CLOCK_RE.finditer(text) if m.group("between") or m.group("only") or words or
                 _WEEKDAYS_RE.match(text[m.end():].lstrip(" ,"))), None)


def hours_in(text: str) -> dict[str, Any] | None:
    """The business hours ``text`` limits its rule to (the plan's ``business_hours``), or None."""
    words = _WORDS_RE.search(text)
    clock = _limiting_clock(text)
    if clock:
        start, end = _clock(clock.group("a")), _clock(clock.group("b"))
        if start < end <= "24:00":
            days = ["monday:friday"] if _WEEKDAYS_RE.search(text) or words else ["sunday:saturday"]
            # the zone right after the clock, or after the days that follow it ("09:00-18:00 Mon-Fri CET")
            later = _ZONE_WORD_RE.search(text[clock.end():clock.end() + 20])
            zone = _zone(clock.group("zone")) or _zone(later.group(0) if later else None)
            return {"weekdays": days, "start": start, "end": end, "location": zone or "UTC"}
    if words:
        return {"weekdays": ["monday:friday"], "start": "09:00", "end": "18:00", "location": "UTC"}
    return None


def overnight_hours(text: str) -> str | None:
    """The clock range ``text`` limits its rule to when it runs past midnight ("between 10pm and 2am" →
    "22:00-02:00"): a plan's business_hours run within one day, as Alertmanager's time intervals do."""
    clock = _limiting_clock(text)
    if clock is None:
        return None
    start, end = _clock(clock.group("a")), _clock(clock.group("b"))
    return f"{start}-{end}" if end <= start else None


# hours that decide who is woken ("Between 22:00 and 07:00 only SEV1 pages", "quiet hours 23:00-07:00")
_ROUTING_RE = re.compile(r"\bquiet hours\b|\bonly\b.{0,40}\b(?:pages?|paged|alerts?|notif\w*)\b|"
                         r"\b(?:waits?|hold|held|queued?)\b.{0,30}\b(?:morning|business hours|next day)\b|"
                         r"\b(?:no|never)\s+pag(?:e|es|ing)\b|\bdo not (?:page|disturb)\b", re.I)


def routing_hours(text: str) -> str | None:
    """The clock range a line routes alerts by ("22:00 and 07:00"), when it does and no rule holds it."""
    clock = _CLOCK_RE.search(text)
    if clock and _ROUTING_RE.search(text):
        return f"{clock.group('a')}–{clock.group('b')}"
    return None


def tier_hours(lines: list[Line], held: set[int], aliases: dict[str, str]) -> dict[str, tuple[int, dict[str, Any]]]:
    """The hours a tier's definition limits all its rules to ("P2: Slack #payments, business hours only"), with
    the line that says so: a line (or heading) naming one tier, with hours, that is no rule itself (``held``:
    the lines thresholds were read from)."""
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    for line in lines:
        named = list(dict.fromkeys(aliases.get(t, t) for t in tiers_in(line.text)))
        # "P2 and P3 alerts go to #data-oncall during business hours only": the tiers the line opens with, all
        listed = _TIER_LIST_RE.match(line.text)
        if len(named) > 1 and not (listed and len(list(tiers_in(listed.group(0)))) == len(list(tiers_in(line.text)))):
            continue
        if named and TARGET not in named and line.number not in held and not set(named) & set(out):
            hours = hours_in(line.text)
            for tier in named if hours is not None else []:
                out[tier] = (line.number, hours)
    return out


_TIER_LIST_RE = re.compile(r"^\W*[\w-]+(?:\s*(?:,|&|/|\band\b|\bor\b)\s*[\w-]+)+(?=\s)")
