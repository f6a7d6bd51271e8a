"""The naming rules of ``promtool check metrics``, applied to a plan's mappings before any scrape.

A plan ``check`` accepts must give a ``/metrics`` page Prometheus' own linter accepts, so the
rules of client_golang's ``promlint`` (which ``promtool check metrics`` runs) that a metric's name,
type and label names decide are checked here, with the linter's own words and the fix. The
remaining rules cannot fail for a plan: every mapping has a help text, and counters must end in
``_total`` (and only counters) by the model's own naming rule.
"""

from __future__ import annotations

import functools
import re

__all__ = ["PERCENTILE_LABEL", "base_units", "clean_name", "label_problem", "name_problems"]

# A precomputed percentile is a gauge with this label (value "p95"); "quantile" belongs to summaries.
PERCENTILE_LABEL = "percentile"

_UNITS = {
    "amperes": "amperes", "bytes": "bytes", "celsius": "celsius", "grams": "grams", "joules": "joules",
    "kelvin": "kelvin", "meters": "meters", "metres": "metres", "seconds": "seconds", "volts": "volts",
    "minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds", "kelvins": "kelvin",
    "fahrenheit": "celsius", "rankine": "celsius", "inches": "meters", "yards": "meters", "miles": "meters",
    "bits": "bytes", "calories": "joules", "pounds": "grams", "ounces": "grams",
}
_PREFIXES = ("pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mibi",
             "giga", "gibi", "tera", "tebi", "peta", "pebi", "")
_ABBREVIATIONS = ("s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d")
_TYPES = ("counter", "gauge", "summary", "histogram", "gauge_histogram")  # client_model's MetricType names
_CAMEL = re.compile(r"[a-z][A-Z]")


def _contains_word(name: str, word: str) -> bool:
    return f"_{word}_" in name or name.endswith(f"_{word}")


# every word a unit rule reads (a prefix and a unit), with the order promtool's rule tries them in:
# (the unit's place in _UNITS, the prefix's in _PREFIXES, the word, its base unit)
_UNIT_WORDS: dict[str, list[tuple[int, int, str, str]]] = {}
for _u, (_unit, _base) in enumerate(_UNITS.items()):
    for _p, _prefix in enumerate(_PREFIXES):
        _UNIT_WORDS.setdefault(_prefix + _unit, []).append((_u, _p, _prefix + _unit, _base))
_ONE_WORD_TYPES = frozenset(t for t in _TYPES if "_" not in t)


def name_problems(name: str) -> list[str]:
    """What promtool would say about a metric of this name (the ``_total`` rules are the model's)."""
    return list(_name_problems(name))


@functools.lru_cache(maxsize=16384)  # a plan repeats its names across sources and reloads
def _name_problems(name: str) -> tuple[str, ...]:
    """The rules in promtool's order, looked up by word rather than tried one by one (a plan of 1,000
    sources has some 10,000 names); tests/test_promtool_metrics.py holds it to the rules' plain reading."""
    out = []
    words = name.split("_")
    # for each unit in order, the first prefix (in order) that makes one of the words: the first that is
    # not already the base unit is the problem
    hits = sorted(hit for word in words for hit in _UNIT_WORDS.get(word, ()))
    tried: set[int] = set()
    for unit_index, _, found, base in hits:
        if unit_index in tried:
            continue
        tried.add(unit_index)
        if found != base:
            out.append(f"use base unit {base!r} instead of {found!r} (and 'scale' to convert the value)")
            break
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix):
            out.append(f"non-histogram and non-summary metrics should not have {suffix!r} suffix (promtool check "
                       f"metrics): a counter ends in '_total'; name a gauge for what it measures, without {suffix!r}")
    lower = name.lower()
    later = set(lower.split("_")[1:])  # "_word_" in lower or lower ends in "_word", for a word without '_'
    for typename in _TYPES:
        if (typename in later) if typename in _ONE_WORD_TYPES else _contains_word(lower, typename):
            out.append(f"metric name should not include type {typename!r}")
    if ":" in name:
        out.append("metric names should not contain ':' (reserved for recording rules)")
    if _CAMEL.search(name):
        out.append("metric names should be written in 'snake_case' not 'camelCase'")
    if not later.isdisjoint(_ABBREVIATIONS):
        out.append("metric names should not contain abbreviated units (e.g. '_ms', '_s', '_mb'): use base units "
                   "('_seconds', '_bytes') and 'scale'")
    return tuple(out)


def label_problem(label: str) -> str | None:
    """What promtool would say about a label of this name on a gauge or counter."""
    if label == "quantile":
        return (f"non-summary metrics should not have 'quantile' label (promtool check metrics): name a "
                f"precomputed percentile with {PERCENTILE_LABEL!r} instead, e.g. {PERCENTILE_LABEL}: p95")
    if label == "le":
        return "non-histogram metrics should not have 'le' label (promtool check metrics): rename it"
    if _CAMEL.search(label):
        return "label names should be written in 'snake_case' not 'camelCase'"
    return None


def clean_name(name: str) -> str:
    """``name`` changed until promtool has nothing to say about it (for names launchwatch makes up:
    ``init``, ``import json-exporter``): a word it reads as a unit abbreviation or a type ('_s', '_mb',
    '_gauge') joins the word before it, and a name ending in '_count', '_sum' or '_bucket' (summaries'
    and histograms') gets '_value'. Non-base units stay: converting them needs a scale, which the
    caller decides.

    >>> clean_name("disk_mb_free"), clean_name("orders_count")
    ('diskmb_free', 'orders_count_value')
    """
    for _ in range(8):
        if not name_problems(name):
            return name
        words = name.split("_")
        if words[-1] in ("count", "sum", "bucket"):
            words.append("value")
        for i in range(len(words) - 1, 0, -1):
            if words[i].lower() in _ABBREVIATIONS or words[i].lower() in _TYPES:
                words[i - 1:i + 1] = [words[i - 1] + words[i]]
        name = "_".join(words)
    return name


_PREFIX_FACTORS = {"pico": 1e-12, "nano": 1e-9, "micro": 1e-6, "milli": 1e-3, "centi": 1e-2, "deci": 1e-1,
                   "deca": 10.0, "hecto": 100.0, "kilo": 1e3, "kibi": 1024.0, "mega": 1e6, "mibi": 2.0 ** 20,
                   "giga": 1e9, "gibi": 2.0 ** 30, "tera": 1e12, "tebi": 2.0 ** 40, "peta": 1e15, "pebi": 2.0 ** 50,
                   "": 1.0}
# what one of the unit is in its base unit; temperatures other than kelvin/celsius are not a factor away
_UNIT_FACTORS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0, "weeks": 604800.0, "bits": 0.125,
                 "inches": 0.0254, "yards": 0.9144, "miles": 1609.344, "calories": 4.184, "pounds": 453.59237,
                 "ounces": 28.349523125, "kelvins": 1.0, **{base: 1.0 for base in set(_UNITS.values())}}


def base_units(name: str) -> tuple[str, float] | None:
    """The name in base units and the factor its values take (``foo_milliseconds`` → ``foo_seconds``,
    0.001), or None when the name has no unit to convert (or one no factor converts, e.g. fahrenheit).

    >>> base_units("latency_milliseconds"), base_units("transfer_kibibytes")
    (('latency_seconds', 0.001), ('transfer_bytes', 1024.0))
    """
    words = name.split("_")
    for i, word in enumerate(words):
        for prefix, pf in _PREFIX_FACTORS.items():
            unit = word[len(prefix):] if word.startswith(prefix) else None
            if unit in _UNIT_FACTORS and unit in _UNITS and (prefix or _UNITS[unit] != unit):
                words[i] = _UNITS[unit]
                return "_".join(words), pf * _UNIT_FACTORS[unit]
    return None
