"""The naming rules of ``promtool check metrics``, applied to a plan's mappings before any scrape.

A plan ``check`` accepts must give a ``/metrics`` page Prometheus' own linter accepts, so the
rules of client_golang's ``promlint`` (which ``promtool check metrics`` runs) that a metric's name,
type and label names decide are checked here, with the linter's own words and the fix. The
remaining rules cannot fail for a plan: every mapping has a help text, and counters must end in
``_total`` (and only counters) by the model's own naming rule.
"""

from __future__ import annotations

import re

__all__ = ["PERCENTILE_LABEL", "label_problem", "name_problems"]

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


def name_problems(name: str) -> list[str]:
    """What promtool would say about a metric of this name (the ``_total`` rules are the model's)."""
    out = []
    words = name.split("_")
    for unit, base in _UNITS.items():
        found = next((p + unit for p in _PREFIXES if p + unit in words), None)
        if found and found != base:
            out.append(f"use base unit {base!r} instead of {found!r} (and 'scale' to convert the value)")
            break
    for suffix in ("_bucket", "_count", "_sum"):
        if name.endswith(suffix):
            out.append(f"non-histogram and non-summary metrics should not have {suffix!r} suffix (promtool check "
                       f"metrics): a counter ends in '_total'; name a gauge for what it measures, without {suffix!r}")
    lower = name.lower()
    for typename in _TYPES:
        if _contains_word(lower, typename):
            out.append(f"metric name should not include type {typename!r}")
    if ":" in name:
        out.append("metric names should not contain ':' (reserved for recording rules)")
    if _CAMEL.search(name):
        out.append("metric names should be written in 'snake_case' not 'camelCase'")
    if any(_contains_word(lower, a) for a in _ABBREVIATIONS):
        out.append("metric names should not contain abbreviated units (e.g. '_ms', '_s', '_mb'): use base units "
                   "('_seconds', '_bytes') and 'scale'")
    return out


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
