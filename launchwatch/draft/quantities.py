"""Quantities: "comparator number unit" read into an operator and a value in base units.

Percentages become ratios (0–1), durations seconds, sizes bytes, bit rates bytes per second;
everything else is a plain count. The operator comes from symbols or words ("above", "less than",
"at least", "within").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["DURATION_UNITS", "WORD_NUMBER", "Quantity", "duration_seconds", "find_quantities", "in_unit", "negate",
           "unit_named_in", "without_unit_named", "word_number"]

DURATION_UNITS = {
    "ms": 0.001, "msec": 0.001, "millisecond": 0.001, "milliseconds": 0.001,
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    # Spanish and Portuguese, as launch documents for Latin American products write them
    "segundo": 1, "segundos": 1, "minuto": 60, "minutos": 60, "hora": 3600, "horas": 3600, "dia": 86400,
    "dias": 86400, "día": 86400, "días": 86400, "semana": 604800, "semanas": 604800,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
    "month": 2592000, "months": 2592000,
}
_SIZE_UNITS = {"b": 1, "bytes": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
               "kib": 1024, "mib": 1024 ** 2, "gib": 1024 ** 3, "tib": 1024 ** 4}
_RATE_UNITS = {"bps": 1 / 8, "kbps": 125, "mbps": 125e3, "gbps": 125e6}

_OPS = [
    # "must not exceed 2 GB" is at most 2 GB; "should never drop below 99%" at least 99%
    (r"(?:(?:must|should|may|will|does|do|can) )?(?:not|never) (?:exceed|go above|be above|rise above|be more than|"
     r"be over|go over|go beyond|go past)", "<="),
    (r"(?:(?:must|should|may|will|does|do|can) )?(?:not|never) (?:drop below|fall below|go below|dip below|be below|"
     r"be under|be less than)", ">="),
    (r">=|≥|=>|at least|no (?:less|shorter|lower|fewer) than|minimum(?: of)?|min\.?|pass(?:es)?|cross(?:es)?|"
     r"crossing|passing|"
     r"(?:greater|more|higher) than or equal to|at or above", ">="),
    (r"<=|≤|=<|at most|no (?:more|longer|higher|later|older) than|maximum(?: of)?|max\.?|up to|within|"
     r"(?:less|fewer|lower) than or equal to|at or below", "<="),
    (r">|over|above|more than|greater than|higher than|exceeds?|exceeding|in excess of|slower than|longer than|"
     r"later than|beyond|(?:creeps?|creeping|goes|going|gets|getting|climbs?|climbing|rises?|rising|moves?|moving|"
     r"edges?|edging) past|"
     # "…; past 100 we page" (not "in the past 24 hours", a window)
     r"(?<!the )past(?!\s+(?:\d[\d.,]*\s*)?(?:hours?|hrs?|h|minutes?|mins?|m|days?|d|weeks?|w|months?)\b)", ">"),
    (r"<|under|below|less than|fewer than|lower than|faster than|shorter than|sooner than", "<"),
    (r"==", "=="),  # "`sync_worker_up` == 0", as PromQL writes it
    (r"!=|≠", "!="),
]
_OP_RE = "|".join(f"(?:{pattern})" for pattern, _ in _OPS)
_OP_BEFORE = rf"(?P<op>(?<![\w/])(?:{_OP_RE})\s+)?"  # a comparator before a number written in words
# a number written in words: "five", "ninety-five", "a hundred", "two hundred and fifty", "a thousand"
_WORDS = {w: n for n, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                                      "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                                      "seventeen", "eighteen", "nineteen"])}
_WORDS.update({w: 10 * n for n, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                                "ninety"], 2)})
_WORD = rf"(?:{'|'.join(sorted(_WORDS, key=len, reverse=True))})"
WORD_NUMBER = (rf"(?:(?:an?|{_WORD})\s+(?:hundred|thousand)(?:\s+(?:and\s+)?{_WORD}(?:[- ]{_WORD})?)?|"
               rf"{_WORD}(?:[- ]{_WORD})?)")
_WORD_NUMBER_RE = re.compile(rf"{_OP_BEFORE}\b(?P<w>{WORD_NUMBER})\b(?!-)"
                             r"(?:\s+(?P<unit>percent|per cent|seconds?|minutes?|hours?|days?|weeks?)\b)?", re.I)
_MULTIPLES = {"double": 2.0, "twice": 2.0, "triple": 3.0, "three": 3.0, "four": 4.0}
# ("error rate doubles vs last week": a verb, compared as the shapes around it say)
_MULTIPLE_RE = re.compile(rf"{_OP_BEFORE}\b(?P<m>double|twice|triple|three times|four times|"
                          r"(?P<verb>(?:doubl|tripl)(?:es|ed|ing)))\b", re.I)
_UNIT_RE = (r"%|percent\b|per cent\b|ms\b|msec\b|milliseconds?\b|secs?\b|seconds?\b|s\b|mins?\b|minutes?\b|m\b|hrs?\b|"
            r"hours?\b|h\b|days?\b|d\b|weeks?\b|wk\b|w\b|months?\b|[kmgt]i?b\b|bytes\b|[kmg]?bps\b|p\b|k\b|"
            r"segundos?\b|minutos?\b|horas?\b|d[ií]as?\b|semanas?\b")
# "more than 1 in 200", "2 out of 1,000 payments", "5 per 1,000 sessions": a share, 0.005, 0.002 and 0.005
_ONE_IN_RE = re.compile(rf"{_OP_BEFORE}\b(?P<n>\d+(?:\.\d+)?)\s+(?:in|out of|per)\s+(?P<d>\d{{1,3}}(?:,\d{{3}})+|\d+)\b"
                        rf"(?!\s?(?:{_UNIT_RE}))", re.I)  # ("5 in 30 min": five in a window, no share)
_SPELLED_DURATIONS = r"seconds?|secs?|minutes?|mins?|hours?|days?|weeks?|months?"
# "1,500" is fifteen hundred; "0,5 %" and "1,5 s" (a decimal comma, as much of Europe writes) a half and a half
_DECIMAL_COMMA = r"(?<![\d,])\d+,\d{1,2}(?![\d,])"
_NUM = rf"\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|{_DECIMAL_COMMA}|\d+(?:\.\d+)?|\.\d+"
_BETWEEN_RE = re.compile(rf"\b(?:not |outside )?between\s+(?P<lo>{_NUM})\s?(?P<u1>{_UNIT_RE})?\s+and\s+"
                         rf"(?P<hi>{_NUM})\s?(?P<u2>{_UNIT_RE})?", re.I)
QUANTITY_RE = re.compile(
    rf"(?P<op>(?<![\w/])(?:{_OP_RE})\s*:?\s*)?(?P<cur>[$€£]\s?)?(?P<num>{_NUM})"
    rf"(?:\s*(?P<range>-|–|to)\s*[$€£]?(?P<num2>{_NUM}))?(?P<plus>\+)?"
    rf"(?:-(?=(?:{_SPELLED_DURATIONS})\b)|\s?)"  # "6-hour", "30-minute"
    rf"(?:(?:consecutive|straight|successive|continuous|full|whole)\s+(?=(?:{_SPELLED_DURATIONS})\b))?"  # "3 full days"
    rf"(?P<unit>{_UNIT_RE})?"
    rf"(?P<outof>/(?:5|10)\b)?",
    re.IGNORECASE)


_OR_MORE_RE = re.compile(r"\s+(?:or|and)\s+(?:(?P<up>more|higher|above|greater|over|up)|less|lower|below|fewer|"
                         r"under|down)\b", re.I)
# "1m30s", "2h15m": a duration as Go and Prometheus write it, in two or three units
_COMPACT_RE = re.compile(rf"(?P<op>(?<![\w/])(?:{_OP_RE})\s*:?\s*)?(?<![\w.])"
                         r"(?P<d>(?:\d+h)?(?:\d+m(?!s))?(?:\d+s)?)(?![\w.])", re.I)
# "over an hour", "for a minute": one of the unit, after a word that makes it a hold or a window
_ONE_UNIT_RE = re.compile(r"\b(?:over|in|for|within|during|past|last)\s+(?P<a>(?P<half>half\s+)?an?)\s+(?:full\s+)?"
                          r"(?P<unit>hour|minute|day|week)\b", re.I)
_LAST_UNIT_RE = re.compile(r"(?<=\bthe )(?:last|past|previous)\s+(?P<unit>hour|minute|day|week)\b|"
                           r"(?<=\bover the )(?P<whole>hour|day|week)\b", re.I)  # "≥ 99.5% over the day"


@dataclass(frozen=True)
class Quantity:
    """A number found in a line, with its comparator (None when the text gives none)."""

    op: str | None
    value: float
    kind: str  # ratio | duration | size | rate | count
    start: int
    end: int
    raw: str
    high: float | None = None  # a range's upper end ("2-5%")
    plus: bool = False  # "5+ customers"


def word_number(words: str) -> float:
    """The value of a number written in words ("ninety-five" 95, "a hundred and fifty" 150, "two thousand")."""
    total = current = 0
    for word in re.findall(r"[a-z]+", words.lower()):
        if word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
        else:
            current += _WORDS.get(word, 0)
    return float(total + current)


def _op(word: str | None) -> str | None:
    if not word:
        return None
    word = word.strip().rstrip(":").strip().lower()
    for pattern, op in _OPS:
        if re.fullmatch(pattern, word, re.IGNORECASE):
            return op
    return None


def _scale(unit: str | None) -> tuple[float, str]:
    if not unit:
        return 1.0, "count"
    u = unit.lower()
    if u == "p":
        return 1.0, "count"  # a video resolution's lines: 720p
    if u == "k":
        return 1000.0, "count"  # "10k messages"
    if u in ("%", "percent", "per cent", "pct"):
        return 0.01, "ratio"
    if u in DURATION_UNITS:
        return float(DURATION_UNITS[u]), "duration"
    if u in _SIZE_UNITS:
        return float(_SIZE_UNITS[u]), "size"
    if u in _RATE_UNITS:
        return float(_RATE_UNITS[u]), "rate"
    return 1.0, "count"


def _num(text: str) -> float:
    if re.fullmatch(_DECIMAL_COMMA, text):
        return float(text.replace(",", "."))
    return float(text.replace(",", ""))


def find_quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` with its comparator and base-unit value.

    >>> [(q.op, q.value) for q in find_quantities("Error rate >2% and P95 < 500ms")]
    [('>', 0.02), ('<', 0.5)]
    """
    out = [Quantity(None, float(DURATION_UNITS[m.group("unit").lower()]) / (2 if m.group("half") else 1), "duration",
                    m.start("a"), m.end(), text[m.start("a"):m.end()]) for m in _ONE_UNIT_RE.finditer(text)]
    out += [Quantity(None, float(DURATION_UNITS[(m.group("unit") or m.group("whole")).lower()]), "duration", m.start(),
                     m.end(), m.group(0)) for m in _LAST_UNIT_RE.finditer(text)]  # "in the last hour"
    for m in _MULTIPLE_RE.finditer(text):  # "more than double yesterday's"
        start = m.start("op") if m.group("op") else m.start("m")
        times = _MULTIPLES[m.group("m").lower().split()[0][:6]]  # ("doubles": double)
        out.append(Quantity(_op(m.group("op")), times, "count", start, m.end(), text[start:m.end()].strip()))
    for m in _WORD_NUMBER_RE.finditer(text):  # "above five percent", "for ten minutes", "fewer than a hundred"
        unit = m.group("unit")
        if unit is None and (m.group("op") is None or re.match(r"\s+of\b", text[m.end():], re.I)):
            continue  # (a count in words is one only after a comparison: not "one of these", "at least one of")
        scale, kind = _scale("%" if unit and unit.lower().startswith("per") else unit)
        start = m.start("op") if m.group("op") else m.start("w")
        out.append(Quantity(_op(m.group("op")), _clean(word_number(m.group("w")) * scale), kind, start, m.end(),
                            text[start:m.end()].strip()))
    shares = []
    for m in _BETWEEN_RE.finditer(text):  # "not between 20% and 80%": a range, below its low or above its high end
        unit = m.group("u1") or m.group("u2")
        scale, kind = _scale(unit)
        start = m.start()
        shares.append(Quantity(None, _clean(_num(m.group("lo")) * scale), kind, start, m.end(),
                               text[start:m.end()].strip(), _clean(_num(m.group("hi")) * scale)))
    for m in _ONE_IN_RE.finditer(text):
        denominator = _num(m.group("d"))
        # ("3 out of 5 probes failing" is a share too; "4.6 out of 5", "4 out of 5 stars" a score)
        few = re.search(r"out of", m.group(0), re.I) and m.group("n").isdigit() and \
            not re.match(r"\s*(?:stars?|points?)\b", text[m.end():], re.I) and \
            not re.search(r"\b(?:rating|score|csat|nps)\b", text[max(0, m.start() - 40):m.start()], re.I)
        per = re.search(r"\bper\s", m.group(0), re.I)  # "5 per 1,000 sessions" (not "5 per 2 checks")
        if denominator > _num(m.group("n")) and (denominator >= 10 or few) and (not per or denominator >= 100):
            start = m.start("op") if m.group("op") else m.start("n")
            shares.append(Quantity(_op(m.group("op")), _clean(_num(m.group("n")) / denominator), "ratio", start,
                                   m.end(), text[start:m.end()].strip()))
    for m in _COMPACT_RE.finditer(text):  # "1m30s", "2h15m": Go's and Prometheus' way of writing a duration
        parts = re.findall(r"(\d+)([hms])", m.group("d"), re.I)
        if len(parts) >= 2:
            start = m.start("op") if m.group("op") else m.start("d")
            shares.append(Quantity(_op(m.group("op")), float(sum(int(n) * DURATION_UNITS[u.lower()] for n, u in parts)),
                                   "duration", start, m.end(), text[start:m.end()].strip()))
    out += shares
    for m in QUANTITY_RE.finditer(text):
        if any(q.start <= m.start("num") < q.end for q in shares):
            continue  # a number of "1 in 200", "1m30s"
        start = m.start("num") if not m.group("op") else m.start()
        before = text[max(0, m.start("num") - 1):m.start("num")]
        if before.isalpha() or before in ("/", "#", ".") or (before == "-" and m.start("num") >= 2
                                                              and text[m.start("num") - 2].isalnum()):
            continue  # part of a word or path (P95, /api/v1, v1.2)
        last = max(m.end(g) for g in ("num", "num2", "plus", "unit", "outof") if m.group(g))
        after = text[last:last + 1]
        if after.isalpha() and not m.group("unit") and not m.group("plus") \
                and not re.match(r"x\b", text[last:], re.IGNORECASE):
            continue  # glued to a word that is no unit ("3rd"); "2x" stays
        scale, kind = _scale(m.group("unit"))
        if m.group("unit") == "M" and not re.match(r"\s*(?:window|hold|for|ago|rolling)\b", text[last:], re.I):
            scale, kind = 1e6, "count"  # "1.5M messages": millions (a minute is "m", "min")
        num2 = m.group("num2")
        value = _num(m.group("num")) * scale
        high = _num(num2) * scale if num2 else None
        if m.group("range") and m.group("range").lower() == "-" and num2 and not m.group("unit") \
                and len(m.group("num2")) >= 3 and len(m.group("num")) == 4:
            continue  # a date 2025-12
        op = _op(m.group("op"))
        plus = bool(m.group("plus")) or (bool(m.group("unit")) and text[last:last + 1] == "+" and op is None)
        last += plus and not m.group("plus")  # "1s+", "2h+": that much or more, the plus after the unit
        tail = _OR_MORE_RE.match(text[last:]) if op is None and not num2 else None
        if tail:  # "3% or more", "2 s or higher", "1% or less": the comparison said after the number
            op, last = (">=" if tail.group("up") else "<="), last + tail.end()
        out.append(Quantity(op, _clean(value), kind, start, last, text[start:last].strip(),
                            _clean(high) if high is not None else None, plus))
    return _compound(sorted(out, key=lambda q: q.start), text)


def _compound(qs: list[Quantity], text: str) -> list[Quantity]:
    """"1 min 30 s", "2 hours 15 minutes": one duration, not a minute and then a half-minute of its own."""
    out: list[Quantity] = []
    for q in qs:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == q.kind == "duration" and q.op is None and prev.high is None and \
                0 < q.value < prev.value and re.fullmatch(r"\s*(?:and\s+)?", text[prev.end:q.start]) and \
                re.match(r"\d", q.raw) and re.search(r"[a-z]$", prev.raw, re.I):
            out[-1] = Quantity(prev.op, _clean(prev.value + q.value), "duration", prev.start, q.end,
                               text[prev.start:q.end].strip())
            continue
        out.append(q)
    return out


def _clean(value: float) -> float:
    rounded = round(value, 9)
    return float(int(rounded)) if rounded == int(rounded) else rounded


def duration_seconds(text: str) -> float | None:
    """"5 minutes" → 300.0; None when ``text`` holds no duration."""
    for q in find_quantities(text):
        if q.kind == "duration":
            return q.value
    return None


def negate(op: str) -> str:
    """The comparison that breaks a target: a target "> 99%" is missed at 99% and below (<=), a target
    ">= 99%" below 99% (<); the built-in plans write missed targets the same way."""
    return {">": "<=", ">=": "<", "<": ">=", "<=": ">", "==": "!=", "!=": "=="}[op]


# "p95 latency (ms)", "Disk used (GB)", "Queue wait in seconds": a unit the row or column names once
_UNIT_NAMED_RE = re.compile(r"\(\s*(?P<a>%|percent|ms|msec|milliseconds|s|secs?|seconds|mins?|minutes|h|hrs?|hours|"
                            r"days|[kmgt]i?b|bytes|[kmg]?bps)\s*\)|"
                            r"\bin (?P<b>%|percent|ms|milliseconds|seconds|minutes|hours|days|[kmgt]i?b|bytes)\b|"
                            r"(?<=[a-z0-9])_(?P<c>pct|percent|ms|msec|seconds|secs|minutes|mins|hours|bytes)\b",
                            re.I)  # ("widget_load_p95_ms: 1500", a config file's key)


def unit_named_in(text: str) -> str | None:
    """The unit a label names for its bare numbers ("p95 checkout latency (ms)" → "ms")."""
    m = _UNIT_NAMED_RE.search(text)
    return (m.group("a") or m.group("b") or m.group("c")) if m else None


def key_unit_in(text: str) -> str | None:
    """The unit a name written as an identifier ends in ("api_latency_ms above" → "ms"): the words before a
    number, where the label keeps none of it."""
    m = _UNIT_NAMED_RE.search(text)
    return m.group("c") if m else None


def known_unit(unit: str) -> bool:
    """Whether ``unit`` scales or kinds a bare number ("%", "min", "GB"); "count" and unknown words do not."""
    return _scale(unit) != (1.0, "count")


def in_unit(q: Quantity, unit: str) -> Quantity:
    """A bare number read in ``unit``: 800 under "latency (ms)" is 0.8 seconds."""
    scale, kind = _scale(unit)
    high = _clean(q.high * scale) if q.high is not None else None
    return Quantity(q.op, _clean(q.value * scale), kind, q.start, q.end, q.raw, high, q.plus)


def without_unit_named(text: str) -> str:
    """The label without the unit it names: "p95 checkout latency (ms)" → "p95 checkout latency"."""
    return _UNIT_NAMED_RE.sub(" ", text)
