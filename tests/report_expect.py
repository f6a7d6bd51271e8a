"""What a report row should say, computed from the simulated history file itself, not through the
report code: the test's second opinion.

It reads the OpenMetrics history line by line and applies the meaning docs/reports.md gives each
row (a counter's total is what it grew by across the period, a ratio is the ratio of two totals, a
level's average is the mean of its samples …) with Prometheus 2.42's range semantics: a range
``[R]`` evaluated at ``end`` holds the samples from ``end - R`` to ``end``, both included.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from launchwatch.plan.model import Plan
from launchwatch.plan.reports import ReportRow
from launchwatch.plan.thresholds import Threshold

_LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+) (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_COUNT_LIKE_NOT = ("_seconds", "_bytes", "_ratio", "_percent", "_celsius")
PROBE_SUCCESS = "launchwatch_probe_success"


@dataclass
class Series:
    labels: dict[str, str]
    times: list[float]
    values: list[float]

    def between(self, start: float, end: float) -> list[tuple[float, float]]:
        return [(t, v) for t, v in zip(self.times, self.values, strict=True) if start <= t <= end]


class History:
    """Every series of an OpenMetrics file, by metric name (counter samples keep their ``_total``)."""

    def __init__(self, path: Path):
        found: dict[tuple[str, tuple[tuple[str, str], ...]], Series] = {}
        self.by_name: dict[str, list[Series]] = defaultdict(list)
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                m = _LINE.match(line.rstrip("\n"))
                if m is None:
                    continue
                name, labels_text, value, ts = m.groups()
                labels = dict(_LABEL.findall(labels_text or ""))
                key = (name, tuple(sorted(labels.items())))
                series = found.get(key)
                if series is None:
                    series = found[key] = Series(labels, [], [])
                    self.by_name[name].append(series)
                series.times.append(float(ts))
                series.values.append(float(value))

    def select(self, name: str, job: str, matchers: dict[str, str]) -> list[Series]:
        want = {"job": job, **matchers}
        return [s for s in self.by_name.get(name, []) if all(s.labels.get(k) == v for k, v in want.items())]


def _increase(series: list[Series], start: float, end: float) -> float | None:
    total, seen = 0.0, False
    for s in series:
        points = s.between(start, end)
        if len(points) >= 2:
            total += points[-1][1] - points[0][1]
            seen = True
    return total if seen else None


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if num is None or not den else num / den


def _over_time(series: list[Series], start: float, end: float, agg: str) -> list[float]:
    out = []
    for s in series:
        values = [v for _, v in s.between(start, end)]
        if values:
            out.append({"avg": sum(values) / len(values), "max": max(values), "min": min(values),
                        "last": values[-1]}[agg])
    return out


def _anchor(plan: Plan, signal: str, phase: str | None) -> Threshold:
    found = [t for t in plan.thresholds if t.signal_name == signal and t.kind != "drop"]
    return next((t for t in found if not t.phases or phase is None or phase in t.phases), found[0])


def expected(plan: Plan, history: History, row: ReportRow, start: float, end: float,
             phase: str | None) -> float | str | None:
    """The row's figure for ``[start, end]``; the string ``"skip"`` for raw ``expr`` rows."""
    job = plan.job_name
    if row.expr is not None:
        return "skip"
    if row.slo is not None:
        slo = next(s for s in plan.slos if s.name == row.slo)
        if slo.probe_target:
            per_series = _over_time(history.select(PROBE_SUCCESS, job, {"target": slo.probe_target}), start, end, "avg")
            return sum(per_series) / len(per_series) if per_series else None
        bad = _ratio(_increase(history.select(str(slo.errors), job, {}), start, end),
                     _increase(history.select(str(slo.total), job, {}), start, end))
        return None if bad is None else 1 - bad
    if row.metric is not None:
        series = history.select(row.metric, job, row.matchers)
        if row.per is not None:
            return _ratio(_increase(series, start, end),
                          _increase(history.select(row.per, job, row.per_matchers), start, end))
        if row.metric.endswith("_total"):
            return _increase(series, start, end)
        agg = row.aggregation or "last"
        values = _over_time(series, start, end, agg)
        if not values:
            return None
        if agg in ("max", "min"):
            return max(values) if agg == "max" else min(values)
        counts = not row.metric.endswith(_COUNT_LIKE_NOT)
        return sum(values) if counts else sum(values) / len(values)
    assert row.signal is not None
    th = _anchor(plan, row.signal, phase)
    numerator = history.select(th.metric, job, th.matchers)
    agg = row.aggregation or {"ratio": "ratio", "increase": "total", "age": "last"}.get(th.kind, "avg")
    if agg == "ratio":
        return _ratio(_increase(numerator, start, end),
                      _increase(history.select(str(th.denominator), job, th.denominator_matchers), start, end))
    if agg == "total":
        return _increase(numerator, start, end)
    if th.kind == "value" and not th.by:
        values = _over_time(numerator, start, end, agg)
        return (min(values) if agg == "min" else max(values)) if values else None
    return "skip"  # a windowed signal summed up with a subquery: the engine's own arithmetic
