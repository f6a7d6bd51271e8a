"""Datadog monitors a document already holds: Terraform ``datadog_monitor`` resources or the API's JSON.

A team moving from Datadog to Prometheus brings its monitors along. Each monitor's warning and critical
thresholds, compared as its query compares ("… > 0.05"), over the query's window ("avg(last_10m)": a level
averaged over ten minutes, firing at once), are its thresholds, tiered WARNING and CRITICAL under the
monitor's name; its query is kept in the note, since the draft's metric stands in for it. Read line by line,
the same text gave a metric per line ("checkout_launch_monitors_have_today") and contradictions between
monitors.
"""

from __future__ import annotations

import re

from launchwatch.draft.findings import Finding, Unclear
from launchwatch.draft.promrules import COMPARISON_RE, rule_kind, stand_in_note
from launchwatch.draft.text import Line
from launchwatch.plan.units import parse_duration

__all__ = ["monitor_blocks"]

_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"')
# name = "…" (HCL) or "name": "…", (JSON); thresholds as `critical = 0.05` or `"critical": 0.05`, one per line
# or several ("thresholds": {"critical": 0.3, "warning": 0.15})
_KEY_RE = re.compile(r'(?<![\w.])"?(?P<key>name|query|message)"?\s*[=:]\s*"(?P<value>(?:[^"\\]|\\.)*)"')
_THRESHOLD_RE = re.compile(r'(?<![\w.])"?(?P<key>warning|critical)"?\s*[=:]\s*(?P<value>-?(?:\d+(?:\.\d*)?|\.\d+))\b')
_WINDOW_RE = re.compile(r"\(last_(?P<window>\d+[smhdw])\)")  # a Prometheus duration too


def _blocks(lines: list[Line]) -> list[tuple[int, int]]:
    """Every brace-delimited block (start, end) — a resource's, an object's — innermost first; braces inside
    strings (a query's "{env:prod}") are no block."""
    out, opened = [], []
    for i, line in enumerate(lines):
        code = _STRING_RE.sub('""', line.raw)
        for ch in code:
            if ch == "{":
                opened.append(i)
            elif ch == "}" and opened:
                out.append((opened.pop(), i + 1))
    return out


def _fields(lines: list[Line], start: int, end: int) -> dict[str, tuple[str, int]]:
    out: dict[str, tuple[str, int]] = {}
    for i in range(start, end):
        for m in _KEY_RE.finditer(lines[i].raw):
            out.setdefault(m.group("key"), (m.group("value").strip(), i))
        keys_only = _STRING_RE.sub(lambda q: q.group(0) if q.group(0).strip('"') in ("warning", "critical") else '""',
                                   lines[i].raw)  # (not a "critical: 5" inside a message)
        for t in _THRESHOLD_RE.finditer(keys_only):
            out.setdefault(t.group("key"), (t.group("value"), i))
    return out


def monitor_blocks(lines: list[Line], paths: list[list[str]]) -> tuple[list[Finding], list[Unclear], set[int]]:
    """The thresholds of the Datadog monitors in ``lines``, what could not be read of them, and the line indices
    they take (no other shape reads those)."""
    findings: list[Finding] = []
    unclear: list[Unclear] = []
    taken: set[int] = set()
    read: list[tuple[int, int]] = []  # the monitors' blocks
    for start, end in _blocks(lines):
        if any(start <= s and e <= end for s, e in read):
            continue  # (a block around a monitor already read: the list, the file)
        fields = _fields(lines, start, end)
        if "query" not in fields or "name" not in fields or not ({"critical", "warning"} & set(fields) or
                                                                 COMPARISON_RE.search(fields["query"][0])):
            continue
        taken.update(range(start, end))
        read.append((start, end))
        name, (query, at) = fields["name"][0], fields["query"]
        path = paths[start]
        cmp = COMPARISON_RE.search(query)
        if cmp is None:
            unclear.append(Unclear(lines[at].number, f"{name}: {query}", path,
                                   f"line {lines[at].number}: the Datadog monitor {name!r} compares no number at the "
                                   "end of its query: write its rule by hand"))
            continue
        window = _WINDOW_RE.search(query)
        held = parse_duration(window.group("window")) if window else None
        rungs = [(tier, float(fields[key][0]), fields[key][1])  # (_THRESHOLD_RE reads numbers only)
                 for key, tier in (("warning", "WARNING"), ("critical", "CRITICAL")) if key in fields]
        for tier, value, line_at in rungs or [("CRITICAL", float(cmp.group("num")), at)]:
            findings.append(Finding(
                lines[line_at].number, name, cmp.group("op"), value, rule_kind(query[:cmp.start()], value), tier,
                path, f"{name}: {query}", for_=0.0, window=held,
                note=stand_in_note(f"the Datadog monitor {name!r}", query[:cmp.start()].strip(),
                                   ", judged over its window at once, as Datadog does")))
    return findings, unclear, taken
