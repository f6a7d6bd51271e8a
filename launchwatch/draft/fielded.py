"""Alerts a config file lists as objects, a field per part: "- name: HighErrorRate / metric: payment_error_ratio /
op: > / threshold: 0.03 / for: 5m / severity: page" (YAML, or the JSON a service keeps its alerts in).

Each object with a number to compare and a comparison (or a metric) is one threshold on the metric it names,
under its own name. Read line by line, the same text gave nothing: no line of it compares anything.
"""

from __future__ import annotations

import re

from launchwatch.draft.findings import Finding
from launchwatch.draft.names import WRITTEN_KINDS
from launchwatch.draft.promrules import block_end
from launchwatch.draft.quantities import duration_seconds
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import VERDICT_TIERS, tier_in

__all__ = ["field_blocks"]

_ITEM_RE = re.compile(r"^(?P<indent>\s*)-\s+(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
_FIELD_RE = re.compile(r"^\s*(?:-\s+)?(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*)$")
# each part of an alert, by the names config files give it
_PARTS = {"name": ("name", "alert", "title", "id"), "metric": ("metric", "signal", "sli", "series"),
          "op": ("op", "operator", "comparison", "comparator", "condition_op"),
          "threshold": ("threshold", "value", "limit", "bound", "level"),
          "for": ("for", "duration", "sustained", "hold", "pending"), "window": ("window", "over", "range", "lookback"),
          "severity": ("severity", "priority", "tier", "level_name", "urgency")}
_OPS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "==": "==", "gt": ">", "gte": ">=", "ge": ">=", "lt": "<",
        "lte": "<=", "le": "<=", "eq": "==", "above": ">", "below": "<", "over": ">", "under": "<",
        "greater_than": ">", "less_than": "<", "greater than": ">", "less than": "<", "at_least": ">=",
        "at_most": "<=", "at least": ">=", "at most": "<="}
_NUMBER_RE = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?", re.I)


def _parts(lines: list[Line], start: int, end: int) -> dict[str, tuple[str, int]]:
    """Each part the object names (its first spelling wins), with its value and the line index it is on."""
    out: dict[str, tuple[str, int]] = {}
    for i in range(start, end):
        m = _FIELD_RE.match(lines[i].raw)
        if not m:
            continue
        key = m.group("key").lower()
        part = next((p for p, names in _PARTS.items() if key in names), None)
        if part:
            out.setdefault(part, (m.group("value").strip().strip("\"'"), i))
    return out


def field_blocks(lines: list[Line], paths: list[list[str]]) -> tuple[list[Finding], set[int]]:
    """The thresholds of the alert objects in ``lines``, and the line indices they take."""
    findings: list[Finding] = []
    taken: set[int] = set()
    for i, line in enumerate(lines):
        if not _ITEM_RE.match(line.raw) or i in taken:
            continue
        end = block_end(lines, i)
        parts = _parts(lines, i, end)
        value, op = parts.get("threshold"), _OPS.get(parts.get("op", ("", 0))[0].lower())
        if value is None or not _NUMBER_RE.fullmatch(value[0]) or (op is None and "metric" not in parts):
            continue
        name = parts.get("name", ("", 0))[0]
        metric = parts.get("metric", (name, 0))[0]
        severity = parts.get("severity", ("", 0))[0]
        tier = (tier_in(severity) or VERDICT_TIERS.get(severity.lower()) or severity.strip(" .*").upper()) \
            if severity else "ALERT"
        kind = next((k for suffix, k in WRITTEN_KINDS.items() if metric.endswith(suffix)), "count")
        hold = duration_seconds(parts["for"][0]) if "for" in parts else None
        window = duration_seconds(parts["window"][0]) if "window" in parts else None
        number = float(value[0])
        said = " ".join(f"{k}: {v}" for k, (v, _) in parts.items())
        findings.append(Finding(
            lines[value[1]].number, metric.replace("_", " "), op or ">", number, kind, tier,
            paths[i], said, for_=hold, window=window,
            counter=kind == "count" and window is not None, name=name or None,
            metric=metric if re.fullmatch(r"[a-z_][a-z0-9_]*", metric) else None,
            note=None if op else "no comparison given: read as above the threshold; review"))
        taken.update(range(i, end))
    return findings, taken
