"""Prometheus names from the document's phrases: one metric per distinct phrase, CamelCase alerts.

Metric names carry their base unit (``_seconds``, ``_ratio``, ``_bytes``); counts measured over a
window are counters (``_total``) judged by their increase.
"""

from __future__ import annotations

import re
import unicodedata

from launchwatch.plan.metric_lint import name_problems

__all__ = ["WRITTEN_KINDS", "alert_name", "metric_name", "phrase_key", "written_metric"]

# a Spanish, Portuguese or French phrase's fillers ("tasa de error de la API", "taux d'erreur de l'API"): in no
# name, as "the" and "of" are in none
_ROMANCE = {"de", "del", "la", "las", "el", "los", "con", "y", "da", "do", "das", "dos", "em", "en", "para", "por",
            "un", "una", "um", "uma", "si", "le", "les", "des", "du", "d", "l", "et", "pour", "par", "sur", "au", "aux",
            "une"}
_STOP = {"the", "a", "an", "of", "for", "to", "and", "or", "in", "on", "is", "are", "be", "with", "per",
         "target", "alert", "threshold", "if", "when", "than", "more", "less", "above", "below", "over",
         "under", "at", "least", "most", "average", "avg", "our", "we", "rate", "time", "zero", "no",
         "rule", "metric", "healthy", "critical", "warning", "goal", "by", "from", "that", "this", "all",
         *_ROMANCE}
_KEEP = {"rate", "time", "average", "avg"}
_SUFFIX = {"ratio": "_ratio", "duration": "_seconds", "size": "_bytes", "rate": "_bytes_per_second", "count": "",
           "up": "_up"}


def ascii_words(text: str) -> str:
    """The text with its letters' accents taken off ("finalización" is "finalizacion"), as names are ASCII."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _words(phrase: str) -> list[str]:
    """The phrase's words that name the signal: not its fillers, nor "zero" of "zero orders in 30 min" — but
    the "zero" of "zero-result searches", a kind of search, and the "on" of "on time"."""
    kept = _KEEP | ({"zero"} if re.search(r"\bzero(?:-\w|\s+(?:\w+\s+)?results?\b)", phrase, re.I) else set()) | \
        ({"on"} if re.search(r"\bon[ -]time\b", phrase, re.I) else set())  # ("delivered on time": not "delivered time")
    words = re.findall(r"[a-z0-9]+", ascii_words(phrase).lower().replace("_", " "))
    # ("Reconciliation mismatches: any", "Any payment webhook failing": the condition's quantifier)
    return [w for w in words if (w not in _STOP or w in kept) and w != "any"]


def phrase_key(phrase: str, counted: bool = False) -> str:
    """A normalised key: two spellings of one signal ("Error rate", "error_rate") give one key."""
    # "Send latency p95" and "p95 send latency": one signal, one name (the first one written); what is counted,
    # "payout" and "payouts" too (not "Email service: Operational" and "All services responding", two checks)
    words = [_singular(w) if counted else w for w in _words(phrase)[:6]]
    return " ".join(sorted(words, key=lambda w: not re.fullmatch(r"p\d{2,3}", w)))


def _singular(word: str) -> str:
    """The word without its plural's "s" ("payouts", "queries"), for matching only: a name keeps its spelling."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _lint_clean(word: str) -> bool:
    """Whether promtool's naming rules accept the word inside a name (no 'days', 'ms', 'gauge')."""
    return not name_problems(f"x_{word}_x")


def metric_name(phrase: str, kind: str, counter: bool = False) -> str:
    """``Error rate`` + ratio → ``error_rate_ratio``; ``Slow queries`` per day → ``slow_queries_total``."""
    words = [w for w in _words(phrase) if _lint_clean(w)][:5] or ["signal"]
    base = "_".join(words)
    if base[0].isdigit():  # (a name cannot start with a digit: "5xx responses" are HTTP's, http_5xx_responses)
        base = ("http_" if re.match(r"[1-5]xx(?:_|$)", base) else "m_") + base
    suffix = "_total" if counter else _SUFFIX.get(kind, "")
    # a unit the suffix adds, or a suffix promtool keeps for histograms and summaries ("feedback_count")
    for unit in ("_seconds", "_ratio", "_bytes", "_total", "_up", "_count", "_sum", "_bucket"):
        if base.endswith(unit) and len(base) > len(unit):
            base = base[: -len(unit)]
    name = base + suffix
    if name.startswith(("launchwatch_", "scrape_")) or name in ("up", "ALERTS"):
        name = "app_" + name
    return name


def alert_name(phrase: str, tier: str, taken: set[str], given: str | None = None) -> str:
    """A unique CamelCase alert name: the document's own (``given``), else from the phrase and its tier
    (``ErrorRateRed``)."""
    words = [w for w in re.findall(r"[A-Za-z0-9]+", ascii_words(phrase)) if w.lower() not in _ROMANCE][:5] or \
        ["Threshold"]
    tier_words = re.findall(r"[A-Za-z0-9]+", tier)
    base = given or "".join(w[:1].upper() + w[1:].lower() for w in words + tier_words)
    if not base[0].isalpha():
        base = "Alert" + base
    name, n = base, 2
    while name in taken:  # ("ErrorRateRed2"; "ResponseTimeP0No2", not "ResponseTimeP02")
        name, n = f"{base}{'No' if base[-1].isdigit() else ''}{n}", n + 1
    taken.add(name)
    return name


_WRITTEN_RE = re.compile(r"`([a-zA-Z_:][a-zA-Z0-9_:]*_[a-zA-Z0-9_:]+)`")
# what a written name's suffix says the number is
WRITTEN_KINDS = {"_seconds": "duration", "_ratio": "ratio", "_bytes": "size", "_up": "up"}


def written_metric(raw: str, phrase: str) -> str | None:
    """The metric the line writes in backticks for ``phrase`` ("`inventory_sync_lag_seconds` above 120"): the one
    name on the line whose words hold the phrase's, when promtool's naming rules accept it; else None (the
    drafter names it)."""
    names = {n for n in _WRITTEN_RE.findall(raw) if not name_problems(n)}
    words = set(_words(phrase))
    fits = [n for n in names if words and words <= set(_words(n))]
    return fits[0] if len(fits) == 1 else None
