"""Backfill a simulated history into a Prometheus data directory, with its rules' results.

Reports list the alerts that fired (``ALERTS`` / ``ALERTS_FOR_STATE``) and alert expressions read
recording rules, but ``promtool tsdb create-blocks-from openmetrics`` writes only the scraped
samples. So ``backfill`` also evaluates the plan's generated rules over the history's span and
writes their results into the same TSDB, as if Prometheus had been running the rules all along:

1. ``promtool tsdb create-blocks-from openmetrics HISTORY DIR``;
2. a query-only Prometheus (no scrape jobs, no rules) is started on DIR;
3. the rules are ordered in levels (a rule comes after every record it reads and every alert whose
   ``ALERTS`` it reads, e.g. escalation stages after their base alert); for each level, every rule's
   expression is evaluated by that Prometheus with ``query_range`` at each evaluation step (the
   history's scrape step, 30 s: the generated ``evaluation_interval``), a recording rule's result
   is its series, and an alerting rule's results go through Prometheus' own alert state machine
   (``rules/alerting.go``: pending at the first true step, firing once ``for`` has passed,
   ``keep_firing_for`` after the expression stops, a resolved alert starting over as pending),
   which gives ``ALERTS{alertstate}`` and ``ALERTS_FOR_STATE`` samples at every step;
4. the level's results are written as OpenMetrics and backfilled by promtool too, and Prometheus
   is restarted so the next level reads them.

vmalert's replay mode was the first choice and was measured (docs/history.md): Debian's vmalert
1.79 refuses three of the five plans' rule files (``keep_firing_for`` is unknown to it), restarts
every alert's ``for`` at each 1,000-point request, and writes no stale markers either.
``promtool tsdb create-blocks-from rules`` evaluates recording rules the same way as step 3 but took
10 s for 21 records over two days (one request and block per rule and 2 h), so one evaluator does both.

What a backfill cannot give (docs/history.md): stale markers. Prometheus marks a series stale when
it stops; backfilled samples simply end, so an instant query still sees a resolved alert, a record
or a down target's business series for up to 5 minutes (the lookback). And a rule that reads its
own ``ALERTS`` (the hold of a shortfall rule, see ``alerting/guards.py``) sees nothing there while
it is evaluated, so it resolves when its guard lapses rather than when the shortfall ends.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml

from launchwatch.plan.model import Plan
from launchwatch.plan.units import format_duration, parse_duration
from launchwatch.prometheus_api import Prometheus, QueryError, format_time, reason
from launchwatch.stack import find_binary, free_port, start_prometheus, stop_process, wait_ready

__all__ = ["AlertSpan", "BackfillError", "BackfillSummary", "Rule", "alert_states", "backfill", "backfill_plan",
           "load_rules", "plan_rule_text", "rule_levels"]

MAX_POINTS = 10_000  # evaluation steps per query_range request (Prometheus refuses over 11,000)
RESOLVED_RETENTION = 15 * 60.0  # Prometheus keeps a resolved alert this long (resolvedRetention)
MAX_BLOCK = "24h"  # promtool's --max-block-duration: a week is a handful of blocks, not 84
_NAME_CHARS = r"[A-Za-z0-9_:]"
_ALERTNAME = re.compile(r'alertname\s*=\s*"([^"]+)"')

Labels = tuple[tuple[str, str], ...]


class BackfillError(Exception):
    """A backfill step failed; the message says which and why, in one line."""


@dataclass(frozen=True)
class Rule:
    """A recording or alerting rule as the rule file gives it (durations in seconds)."""

    group: str
    name: str  # the record's name, or the alert's name
    expr: str
    alert: bool
    hold: float = 0.0  # ``for``
    keep_firing_for: float = 0.0
    labels: Labels = ()


@dataclass(frozen=True)
class AlertSpan:
    """One stretch of an alert firing: from the first firing evaluation to the last (inclusive)."""

    alertname: str
    labels: Labels
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start

    def describe(self) -> str:
        severity = dict(self.labels).get("severity", "")
        return (f"{self.alertname}{' (' + severity + ')' if severity else ''} {format_time(self.start)} → "
                f"{format_time(self.end)} ({format_duration(self.duration) if self.duration else 'one evaluation'})")


@dataclass
class BackfillSummary:
    """What ``backfill`` wrote, for the command to print and for tests."""

    data_dir: Path
    start: float
    end: float
    step: float
    records: int = 0
    record_samples: int = 0
    alerts: int = 0
    alert_samples: int = 0
    levels: int = 0
    spans: list[AlertSpan] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        took = ", ".join(f"{k} {v:.1f} s" for k, v in self.seconds.items())
        return (f"backfilled {self.data_dir}: {format_time(self.start)} → {format_time(self.end)}, "
                f"{self.records} recording rules "
                f"({self.record_samples:,} samples) and {self.alerts} alerting rules ({self.alert_samples:,} ALERTS "
                f"samples) in {self.levels} levels, every {format_duration(self.step)}; {len(self.spans)} alert "
                f"firings; {took}")


def load_rules(files: Iterable[Path]) -> list[Rule]:
    """Every rule of Prometheus rule files, in file and group order."""
    rules = []
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise BackfillError(f"{path}: cannot read rules ({type(exc).__name__}: {exc})") from None
        for group in doc.get("groups") or []:
            for r in group.get("rules") or []:
                labels = tuple(sorted((str(k), str(v)) for k, v in (r.get("labels") or {}).items()))
                if any("{{" in v for _, v in labels):
                    raise BackfillError(f"{path}: rule {r.get('alert') or r.get('record')}: templated labels are "
                                        "not supported by the backfill")
                rules.append(Rule(group["name"], r.get("alert") or r["record"], str(r["expr"]), "alert" in r,
                                  parse_duration(r.get("for", 0)), parse_duration(r.get("keep_firing_for", 0)),
                                  labels))
    return rules


def rule_levels(rules: list[Rule]) -> list[list[Rule]]:
    """Rules in evaluation order: each after the records and the other alerts' ALERTS it reads.

    >>> a = Rule("g", "x:rate5m", "rate(x[5m])", False)
    >>> b = Rule("g", "High", "x:rate5m > 1", True)
    >>> [[r.name for r in level] for level in rule_levels([b, a])]
    [['x:rate5m'], ['High']]
    """
    records = {r.name for r in rules if not r.alert}
    alerts = {r.name for r in rules if r.alert}
    patterns = {n: re.compile(rf"(?<!{_NAME_CHARS}){re.escape(n)}(?!{_NAME_CHARS})") for n in records}
    deps: dict[int, set[str]] = {}
    for i, r in enumerate(rules):
        needs = {n for n, p in patterns.items() if n != r.name and p.search(r.expr)}
        if "ALERTS" in r.expr:
            needs |= {n for n in _ALERTNAME.findall(r.expr) if n in alerts and n != r.name}
        deps[i] = needs
    producers: dict[str, list[int]] = {}
    for i, r in enumerate(rules):
        producers.setdefault(r.name, []).append(i)
    level: dict[int, int] = {}

    def visit(i: int, path: tuple[int, ...]) -> int:
        if i in level:
            return level[i]
        if i in path:
            raise BackfillError(f"rules depend on each other in a cycle: {' -> '.join(rules[j].name for j in path)}")
        below = [visit(j, (*path, i)) for n in deps[i] for j in producers.get(n, [])]
        level[i] = 1 + max(below, default=-1)
        return level[i]

    for i in range(len(rules)):
        visit(i, ())
    out: list[list[Rule]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for i, r in enumerate(rules):
        out[level[i]].append(r)
    return out


def alert_states(rule: Rule, grid: list[float], present: list[dict[Labels, dict[str, str]]]
                 ) -> tuple[dict[Labels, list[tuple[float, str]]], list[AlertSpan]]:
    """Prometheus' alert state machine over evaluation times ``grid``.

    ``present[i]`` holds the alert label sets the expression returned at ``grid[i]``. Returns the
    ``ALERTS`` and ``ALERTS_FOR_STATE`` samples (keyed by their full label set, ``__name__`` first)
    and the firing spans. Mirrors ``AlertingRule.Eval`` of Prometheus 2.42 for a server that ran the
    whole time (restored state), including ``keep_firing_for``.
    """
    active: dict[Labels, _Alert] = {}
    out: dict[Labels, list[tuple[float, str]]] = {}
    spans: list[AlertSpan] = []
    for ts, now in zip(grid, present, strict=True):
        for key, labels in now.items():
            a = active.get(key)
            if a is None or a.state == _INACTIVE:
                active[key] = _Alert(labels, _PENDING, ts)
        for key, a in list(active.items()):
            if key not in now:
                keep = False
                if a.state == _FIRING and rule.keep_firing_for > 0:
                    if a.keep_since is None:
                        a.keep_since = ts
                    keep = ts - a.keep_since < rule.keep_firing_for
                if a.state == _PENDING or (a.resolved_at is not None and ts - a.resolved_at > RESOLVED_RETENTION):
                    del active[key]
                if a.state != _INACTIVE and not keep:
                    if a.state == _FIRING:
                        spans.append(AlertSpan(rule.name, key, a.fired_at, a.last))
                    a.state, a.resolved_at = _INACTIVE, ts
                if not keep:
                    continue
            else:
                a.keep_since = None
            if a.state == _PENDING and ts - a.active_at >= rule.hold:
                a.state, a.fired_at = _FIRING, ts
            a.last = ts
            alerts = (("__name__", "ALERTS"), *sorted({**a.labels, "alertstate": a.state}.items()))
            out.setdefault(alerts, []).append((ts, "1"))
            for_state = (("__name__", "ALERTS_FOR_STATE"), *sorted(a.labels.items()))
            out.setdefault(for_state, []).append((ts, _number(a.active_at)))
    for key, a in active.items():
        if a.state == _FIRING:
            spans.append(AlertSpan(rule.name, key, a.fired_at, a.last))
    return out, sorted(spans, key=lambda s: (s.start, s.alertname))


_PENDING, _FIRING, _INACTIVE = "pending", "firing", "inactive"


class _Alert:
    __slots__ = ("active_at", "fired_at", "keep_since", "labels", "last", "resolved_at", "state")

    def __init__(self, labels: dict[str, str], state: str, active_at: float):
        self.labels, self.state, self.active_at = labels, state, active_at
        self.fired_at = self.last = active_at
        self.keep_since: float | None = None
        self.resolved_at: float | None = None


class _QueryOnlyPrometheus:
    """A Prometheus on the data dir that scrapes nothing and evaluates no rules: it answers queries."""

    def __init__(self, data_dir: Path, work: Path):
        self.data_dir, self.work = data_dir, work
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self) -> None:
        config = self.work / "query-only.yml"
        config.write_text("# launchwatch backfill: answers queries only\nglobal: {scrape_interval: 30s}\n")
        listen = f"127.0.0.1:{free_port()}"
        log = self.work / "prometheus.log"
        self.proc = start_prometheus(config, listen, self.data_dir, log,
                                     extra=["--storage.tsdb.retention.time=100y", "--query.max-samples=200000000"])
        self.url = f"http://{listen}"
        self.api = Prometheus(self.url, timeout=300)
        if not wait_ready(f"{self.url}/-/ready", timeout=60, proc=self.proc):
            self.stop()
            raise BackfillError(f"Prometheus did not start on {self.data_dir}: {_tail(log)}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        try:
            return self.api.range(expr, start, end, step)
        except QueryError as exc:
            raise BackfillError(f"Prometheus refused {expr!r}: {exc}") from None
        except requests.RequestException as exc:
            raise BackfillError(f"query_range of {expr!r} failed: {reason(exc)}") from None


def backfill(history: Path, data_dir: Path, rule_files: list[Path], *, start: float, end: float, step: float,
             echo: Callable[[str], None] = lambda _: None, workers: int = 2) -> BackfillSummary:
    """Backfill ``history`` (OpenMetrics) into ``data_dir`` and the rules' results over [start, end]."""
    promtool = find_binary("promtool")
    if promtool is None or find_binary("prometheus") is None:
        raise BackfillError("prometheus and promtool are not installed (Debian package 'prometheus')")
    if not history.is_file():
        raise BackfillError(f"{history}: no such history file (write one with `launchwatch simulate --history`)")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackfillError(f"{data_dir} is not empty: backfill into a new data directory")
    rules = load_rules(rule_files)
    levels = rule_levels(rules)
    summary = BackfillSummary(data_dir, start, end, step, levels=len(levels))
    data_dir.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    _promtool_openmetrics(promtool, history, data_dir)
    summary.seconds["history blocks"] = time.monotonic() - began
    grid = _grid(start, end, step)
    with tempfile.TemporaryDirectory(prefix="launchwatch-backfill-") as tmp:
        work = Path(tmp)
        prom = _QueryOnlyPrometheus(data_dir, work)
        try:
            for n, level in enumerate(levels, 1):
                began = time.monotonic()
                prom.start()
                results: dict[Labels, list[tuple[float, str]]] = {}
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    for rule, (series, spans) in zip(level, pool.map(lambda r: _evaluate(prom, r, grid, step), level),
                                                     strict=True):
                        results.update(series)
                        count = sum(len(v) for v in series.values())
                        if rule.alert:
                            summary.alerts += 1
                            summary.alert_samples += count
                            summary.spans.extend(spans)
                        else:
                            summary.records += 1
                            summary.record_samples += count
                prom.stop()
                if results:
                    out = work / f"level-{n}.om"
                    _write_openmetrics(results, out)
                    _promtool_openmetrics(promtool, out, data_dir)
                    out.unlink()
                summary.seconds[f"level {n}"] = time.monotonic() - began
                echo(f"  level {n}/{len(levels)}: {len(level)} rules, {sum(len(v) for v in results.values()):,} "
                     f"samples ({time.monotonic() - began:.1f} s)")
        finally:
            prom.stop()
    summary.spans.sort(key=lambda s: (s.start, s.alertname))
    return summary


def _evaluate(prom: _QueryOnlyPrometheus, rule: Rule, grid: list[float], step: float
              ) -> tuple[dict[Labels, list[tuple[float, str]]], list[AlertSpan]]:
    """A rule's results at every step of ``grid``: a record's series, or an alert's ALERTS samples."""
    index = {_ms(t): i for i, t in enumerate(grid)}
    present: list[dict[Labels, dict[str, str]]] = [{} for _ in grid]
    series: dict[Labels, list[tuple[float, str]]] = {}
    extra = dict(rule.labels)
    for lo in range(0, len(grid), MAX_POINTS):
        chunk = grid[lo:lo + MAX_POINTS]
        for s in prom.query_range(rule.expr, chunk[0], chunk[-1], step):
            metric = {k: v for k, v in s["metric"].items() if k != "__name__"}
            if rule.alert:
                labels = {**metric, **extra, "alertname": rule.name}
                key = tuple(sorted(labels.items()))
                for ts, _ in s["values"]:
                    i = index.get(_ms(float(ts)))
                    if i is not None:
                        present[i][key] = labels
            else:
                key = (("__name__", rule.name), *sorted({**metric, **extra}.items()))
                series.setdefault(key, []).extend((float(ts), v) for ts, v in s["values"])
    if rule.alert:
        return alert_states(rule, grid, present)
    return series, []


def _write_openmetrics(results: dict[Labels, list[tuple[float, str]]], out: Path) -> None:
    """Rule results as OpenMetrics: one family per metric name, each series' samples in time order."""
    by_name: dict[str, list[Labels]] = {}
    for key in results:
        by_name.setdefault(key[0][1], []).append(key)
    with out.open("w", encoding="utf-8") as fh:
        for name, keys in sorted(by_name.items()):
            fh.write(f"# TYPE {name} gauge\n")
            for key in sorted(keys):
                labels = ",".join(f'{k}="{_escape(v)}"' for k, v in key[1:])
                prefix = f"{name}{{{labels}}} " if labels else f"{name} "
                fh.write("".join(f"{prefix}{v} {_number(ts)}\n" for ts, v in sorted(results[key])))
        fh.write("# EOF\n")


def _promtool_openmetrics(promtool: str, source: Path, data_dir: Path) -> None:
    proc = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", f"--max-block-duration={MAX_BLOCK}",
                           str(source), str(data_dir)], capture_output=True, text=True)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines() or ["no output"]
        raise BackfillError(f"promtool could not backfill {source.name}: {lines[-1]}")


def _grid(start: float, end: float, step: float) -> list[float]:
    n = round((end - start) / step)
    return [start + k * step for k in range(n + 1)]


def _ms(t: float) -> int:
    return round(t * 1000)


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")



def _tail(log: Path) -> str:
    try:
        lines = [line for line in log.read_text(errors="replace").splitlines() if "level=error" in line]
    except OSError:
        return f"see {log}"
    return lines[-1] if lines else f"see {log}"



def plan_rule_text(plan: Plan, phase: str | None = None) -> str:
    """The plan's generated Prometheus rule file, exactly as ``launchwatch generate`` writes it."""
    from launchwatch.alerting.generate import GenerateOptions, alerting_files

    try:
        files = alerting_files([plan], GenerateOptions(phase=phase, dashboards=False))
    except ValueError as exc:
        raise BackfillError(str(exc)) from None
    return files[f"prometheus/rules/{plan.plan}.yml"]


def backfill_plan(plan: Plan, history: Path, data_dir: Path, *, phase: str | None = None,
                  echo: Callable[[str], None] = lambda _: None) -> BackfillSummary:
    """Backfill ``history`` (written by ``simulate --history``, with its sidecar) and ``plan``'s generated rules."""
    from launchwatch.simulator.history import read_meta

    try:
        meta = read_meta(history)
    except ValueError as exc:
        raise BackfillError(str(exc)) from None
    if meta.job != plan.job_name:
        raise BackfillError(f"{history} was written for job {meta.job!r}, but plan {plan.plan}'s rules select "
                            f"job {plan.job_name!r}")
    with tempfile.TemporaryDirectory(prefix="launchwatch-rules-") as tmp:
        rules = Path(tmp) / f"{plan.plan}.yml"
        rules.write_text(plan_rule_text(plan, phase), encoding="utf-8")
        return backfill(history, data_dir, [rules], start=meta.start, end=meta.end, step=meta.step, echo=echo)
