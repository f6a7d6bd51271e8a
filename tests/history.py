"""A real Prometheus on a backfilled simulated history, for tests that read history (reports, previews).

Use the session fixture, or build your own span with ``backfilled``::

    from tests.history import Backfilled, backfilled_week  # noqa: F401  (pytest finds the fixture by name)

    def test_weekly_report(backfilled_week: Backfilled) -> None:  # noqa: F811 (the imported fixture)
        url = backfilled_week.url                     # Prometheus answering queries on the week
        meta = backfilled_week.meta                   # start, end, step, job, instance, incidents
        path = backfilled_week.history                # the OpenMetrics file, to compute expectations from
        spans = backfilled_week.spans                 # the alerts the backfill made fire (also in ALERTS)

    def test_launch_day(tmp_path: Path) -> None:
        with backfilled("whatsapp-quiz", tmp_path, span="1d", incidents=["down@/api/health at +14h for 15m"]) as h:
            ...

The week ends at ``WEEK_END`` (fixed, so reports pass ``--end``) and uses ``SEED``. Histories and
their backfilled data directories are cached under the system temp dir, keyed by the parameters and
a hash of launchwatch's source, so only the first session after a code change builds them (a week of
whatsapp-quiz: ~15 s to write, ~15 s to backfill); each Prometheus runs on its own copy. Prometheus
answers queries only here: no scrape jobs, no rule evaluation, so nothing is added at "now".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from launchwatch.backfill import AlertSpan, backfill_plan
from launchwatch.plan import builtin_plan_path, load_plan
from launchwatch.simulator.history import HistoryMeta, read_meta
from launchwatch.stack import free_port, start_prometheus, stop_process, wait_ready

__all__ = ["SEED", "WEEK_END", "Backfilled", "backfilled", "backfilled_week", "build_history", "prometheus_on"]

ROOT = Path(__file__).resolve().parent.parent
WEEK_END = "2026-01-08T00:00:00Z"  # a Thursday midnight UTC: the week is Thursday to Wednesday
SEED = 11
CACHE = Path(tempfile.gettempdir()) / "launchwatch-history-cache"


@dataclass
class Backfilled:
    """A Prometheus serving a backfilled history, and what the history holds."""

    url: str
    plan: str
    history: Path
    meta: HistoryMeta
    data_dir: Path
    spans: list[AlertSpan] = field(default_factory=list)

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        """An instant query's result (at the history's end by default)."""
        return _get(self.url, "query", query=expr, time=str(self.meta.end if at is None else at))

    def query_range(self, expr: str, start: float, end: float, step: float | None = None) -> list[dict[str, Any]]:
        return _get(self.url, "query_range", query=expr, start=str(start), end=str(end),
                    step=str(step or self.meta.step))

    def series(self, match: str) -> list[dict[str, str]]:
        """The label sets of every series ``match`` selects over the history's span."""
        return _get(self.url, "series", **{"match[]": match, "start": str(self.meta.start), "end": str(self.meta.end)})


def build_history(plan: str, *, span: str = "7d", end: str = WEEK_END, seed: int = SEED,
                  incidents: list[str] | None = None) -> Path:
    """The cached folder with ``history.om`` (+ sidecar), ``data/`` (backfilled) and ``spans.json``."""
    specs = list(incidents) if incidents else []
    key = hashlib.sha256(json.dumps([plan, span, end, seed, specs, _source_hash()]).encode()).hexdigest()[:20]
    done = CACHE / f"{plan}-{span}-{key}"
    if (done / "spans.json").is_file():
        return done
    CACHE.mkdir(parents=True, exist_ok=True)
    _prune(keep=done)
    work = Path(tempfile.mkdtemp(prefix=f".{plan}-", dir=CACHE))
    try:
        history = work / "history.om"
        args = [sys.executable, "-m", "launchwatch", "simulate", "--plan", plan, "--history", span, "-o",
                str(history), "--end", end, "--seed", str(seed)]
        args += [a for spec in specs for a in ("--incident", spec)]
        proc = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=600)  # own process: virtual clock
        if proc.returncode != 0:
            pytest.fail(f"simulate --history failed: {proc.stderr.strip() or proc.stdout.strip()}")
        summary = backfill_plan(load_plan(builtin_plan_path(plan)), history, work / "data")
        spans = [{"alertname": s.alertname, "labels": dict(s.labels), "start": s.start, "end": s.end}
                 for s in summary.spans]
        (work / "spans.json").write_text(json.dumps(spans, indent=1))
        try:
            os.rename(work, done)
        except OSError:  # another session built it meanwhile: use theirs
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return done


@contextlib.contextmanager
def prometheus_on(data: Path, work: Path, config: Path | None = None) -> Iterator[str]:
    """Prometheus on a copy of ``data`` (query-only unless ``config``); its URL; always stopped."""
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "data"
    shutil.copytree(data, copy)
    if config is None:
        config = work / "query-only.yml"
        config.write_text("global: {scrape_interval: 30s}\n")
    listen = f"127.0.0.1:{free_port()}"
    proc = start_prometheus(config, listen, copy, work / "prometheus.log",
                            extra=["--storage.tsdb.retention.time=100y"])
    try:
        if not wait_ready(f"http://{listen}/-/ready", timeout=60, proc=proc):
            pytest.fail(f"Prometheus did not start on {copy}: see {work / 'prometheus.log'}")
        yield f"http://{listen}"
    finally:
        stop_process(proc)


@contextlib.contextmanager
def backfilled(plan: str, work: Path, *, span: str = "7d", end: str = WEEK_END, seed: int = SEED,
               incidents: list[str] | None = None, config: Path | None = None) -> Iterator[Backfilled]:
    """A Prometheus on ``plan``'s backfilled history (default incidents unless ``incidents``)."""
    folder = build_history(plan, span=span, end=end, seed=seed, incidents=incidents)
    spans = [AlertSpan(s["alertname"], tuple(sorted(s["labels"].items())), s["start"], s["end"])
             for s in json.loads((folder / "spans.json").read_text())]
    history = folder / "history.om"
    with prometheus_on(folder / "data", work, config) as url:
        yield Backfilled(url, plan, history, read_meta(history), work / "data", spans)


@pytest.fixture(scope="session")
def backfilled_week(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backfilled]:
    """whatsapp-quiz's simulated launch week (``WEEK_END``, ``SEED``) with its scripted incidents."""
    with backfilled("whatsapp-quiz", tmp_path_factory.mktemp("week")) as history:
        yield history


def _prune(keep: Path, age: float = 3600.0) -> None:
    """Drop cached histories of older code (each is ~150 MB of OpenMetrics) untouched for ``age`` seconds."""
    now = time.time()
    for entry in CACHE.iterdir():
        if entry != keep and now - entry.stat().st_mtime > age:
            shutil.rmtree(entry, ignore_errors=True)


def _get(url: str, path: str, **params: str) -> Any:
    with urllib.request.urlopen(f"{url}/api/v1/{path}?{urllib.parse.urlencode(params)}", timeout=60) as resp:
        data = json.load(resp)["data"]
    return data["result"] if isinstance(data, dict) else data


# What a history and its backfill are made from (report or dashboard changes do not invalidate the cache).
_SOURCES = ("simulator", "exporter", "alerting", "plan", "plans", "backfill.py", "expressions.py",
            "selfmetric_names.py", "stack.py")


def _source_hash() -> str:
    digest = hashlib.sha256()
    paths = [p for name in _SOURCES for p in ([ROOT / "launchwatch" / name] if name.endswith(".py")
                                              else (ROOT / "launchwatch" / name).rglob("*"))]
    for path in sorted(paths):
        if path.suffix in (".py", ".yml") and "__pycache__" not in path.parts:
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()
