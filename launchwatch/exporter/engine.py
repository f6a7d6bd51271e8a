"""The scrape engine: every source fetched fresh and concurrently on each Prometheus scrape.

Concurrent scrapes of one source share one fetch (an HA pair of Prometheus servers costs the
product one request, not two); a source with ``min_interval`` is fetched at most that often.
A failed source yields a result with ``ok=False`` and no business samples; the others are untouched.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from launchwatch.exporter.exposition import Block
from launchwatch.exporter.extract import ExtractError, extract, parse_json
from launchwatch.exporter.fetch import Fetcher, FetchError, Pools
from launchwatch.exporter.probe import ProbeOutcome, evaluate
from launchwatch.exporter.shard import Shard
from launchwatch.plan.runtime import RuntimePlan, RuntimeSource, runtime_plan
from launchwatch.plan.units import format_duration
from launchwatch.plan.urls import resolve_url

if TYPE_CHECKING:
    from launchwatch.exporter.workers import WorkerPool
    from launchwatch.plan.model import Plan, Source

__all__ = ["Engine", "Recorder", "ScrapeResult", "Shard", "Target"]

log = logging.getLogger("launchwatch.exporter")
_PROBE_TARGETS = 256  # /probe targets kept with their connections and last document


@dataclass
class ScrapeResult:
    """One source's outcome for one scrape."""

    target: str
    ok: bool
    duration: float
    finished_at: float
    reason: str | None = None
    error: str | None = None
    status_code: int | None = None
    block: Block | None = None  # the business samples, rendered at most once per change
    missing: list[str] = field(default_factory=list)
    probe: ProbeOutcome | None = None
    tls_not_after: float | None = None
    cached: bool = False
    metric: str = ""  # the mapping that failed, when one did
    failed: list[tuple[str, str]] = field(default_factory=list)  # isolation: metric: (reason, metric) dropped


@dataclass(frozen=True)
class _Seen:
    body: bytes
    block: Block | None
    missing: list[str]
    failed: list[tuple[str, str]]
    doc: Any


class Target:
    """A source and its fetch state."""

    def __init__(self, source: Source | RuntimeSource, base_url: str, *, label: str | None = None,
                 redirects: bool = True, pools: Pools | None = None):
        self.source = source
        self.label = label  # what @target reads (default: the source's name)
        self.fetcher = Fetcher(source, resolve_url(base_url, source.url), redirects=redirects, pools=pools)
        self.help_suffix = (
            f" (refreshed at most every {format_duration(source.min_interval)})" if source.min_interval else ""
        )
        self._lock = threading.Lock()
        self._inflight: Future[ScrapeResult] | None = None  # the fetch now running, shared by concurrent scrapes
        self._seen: _Seen | None = None  # the last good document and what came of it
        self.last: ScrapeResult | None = None
        self.remote_block: tuple[Any, Block] | None = None  # the block a worker process sent last, by its serial
        self.index = -1  # its place among the engine's targets (a /probe target has none)

    def last_duration(self) -> float:
        last = self.last
        return last.duration if last is not None else 0.0

    def claim(self) -> tuple[Future[ScrapeResult], bool]:
        """The future result of a fetch and whether the caller must run it (``run_into``).

        A fetch already running is shared (two scrapers, one request to the product); a result
        younger than ``min_interval`` is reused; otherwise the caller gets a new fetch to run.
        """
        with self._lock:
            if self._inflight is not None and not self._inflight.done():
                return self._inflight, False
            last = self.last
            if (self.source.min_interval and last is not None and last.ok
                    and time.monotonic() - last.finished_at < self.source.min_interval):
                done: Future[ScrapeResult] = Future()
                done.set_result(last)
                return done, False
            self._inflight = Future()
            return self._inflight, True

    def run_into(self, future: Future[ScrapeResult], timeout: float, on_done: Recorder) -> None:
        """Fetch now and fulfil ``future`` (from ``claim``), whatever happens."""
        try:
            result = self.scrape_once(timeout)
        except BaseException as exc:  # never leave sharers of this fetch waiting
            future.set_exception(exc)
            raise
        self.finish(future, result, on_done)

    def finish(self, future: Future[ScrapeResult], result: ScrapeResult, on_done: Recorder) -> None:
        """Record ``result`` as this target's last and fulfil ``future`` (wherever the fetch ran)."""
        with self._lock:
            previous, self.last = self.last, result
            future.set_result(result)
            if self._inflight is future:
                self._inflight = None  # its sharers hold it; a done future kept per target is only memory
            # A scrape that stopped waiting for this fetch has counted its timeout already (also when the
            # worker process holding it was then killed for it: one failed fetch, one count).
            counted = getattr(future, "timeout_counted", False) and result.reason in ("timeout", "worker")
        on_done(self, previous, result, count_error=not counted)

    def scrape_once(self, timeout: float) -> ScrapeResult:
        src = self.source
        start = time.monotonic()
        try:
            fetched = self.fetcher.fetch(timeout)
        except FetchError as exc:
            self._seen = None
            return ScrapeResult(src.name, False, time.monotonic() - start, time.monotonic(), exc.reason, str(exc),
                                status_code=exc.status_code, probe=ProbeOutcome(False) if src.probe else None)
        seen = self._seen
        if seen is not None and seen.body == fetched.body:  # same document: same samples, already rendered
            block, missing, failed, doc = seen.block, seen.missing, seen.failed, seen.doc
        else:
            try:
                doc = parse_json(fetched.body) if src.needs_json else None
                extraction = extract(src, doc, self.help_suffix, self.label) if src.metrics else None
            except ExtractError as exc:
                self._seen = None
                return ScrapeResult(src.name, False, time.monotonic() - start, time.monotonic(), exc.reason,
                                    self.fetcher.redact(f"{self.fetcher.safe_url}: {exc}"),
                                    status_code=fetched.status_code,
                                    probe=ProbeOutcome(False) if src.probe else None, metric=exc.metric)
            block = Block(extraction.families) if extraction else None
            missing = extraction.missing if extraction else []
            failed = [(e.reason, e.metric) for e in extraction.failed] if extraction else []
            if extraction and extraction.failed:
                log.debug("target %s: mappings dropped (isolation: metric): %s", src.name,
                          self.fetcher.redact("; ".join(str(e) for e in extraction.failed)))
            keep_doc = doc if src.probe and src.probe.assertions else None  # a big document is not kept
            self._seen = _Seen(fetched.body, block, missing, failed, keep_doc)
        probe = evaluate(src.probe, fetched, doc) if src.probe else None
        return ScrapeResult(
            src.name, True, time.monotonic() - start, time.monotonic(), status_code=fetched.status_code,
            block=block, missing=missing, probe=probe, tls_not_after=fetched.tls_not_after, failed=failed,
        )

    def close(self) -> None:
        self.fetcher.close()


def probe_target(plan: RuntimePlan, module: str, url: str, pools: Pools) -> Target:
    """The target ``/probe?module=...&target=...`` fetches. Redirects are not followed: they could lead
    past the allow-list."""
    return Target(plan.module(module).as_source(url), "", label=url, redirects=False, pools=pools)


def recent_probe_target(cache: dict[tuple[str, str], Target], plan: RuntimePlan, module: str, url: str,
                        pools: Pools) -> Target:
    """``(module, url)``'s target from ``cache`` (made if new), kept most recently used last; past
    ``_PROBE_TARGETS`` the least recently used is closed, so /probe's open-ended targets stay bounded.
    The caller holds the cache's lock."""
    key = (module, url)
    target = cache.pop(key, None) or probe_target(plan, module, url, pools)
    cache[key] = target
    while len(cache) > _PROBE_TARGETS:
        cache.pop(next(iter(cache))).close()
    return target


class Recorder:
    """Counts errors and missing values, and logs a target's state changes (not every failure)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.errors: dict[tuple[str, str, str], int] = {}  # (target, reason, metric) -> count
        self.missing: dict[tuple[str, str], int] = {}
        self.version = 0  # changes with every count: a page made at the same version shows the same counts

    def count_error(self, target: str, reason: str, metric: str = "") -> None:
        with self._lock:
            key = (target, reason, metric)
            self.errors[key] = self.errors.get(key, 0) + 1
            self.version += 1

    def __call__(self, target: Target, previous: ScrapeResult | None, result: ScrapeResult, *,
                 count_error: bool = True) -> None:
        if result.reason and count_error:
            self.count_error(result.target, result.reason, result.metric)
        for reason, metric in result.failed:
            self.count_error(result.target, reason, metric)
        with self._lock:
            for name in result.missing:
                key = (result.target, name)
                self.missing[key] = self.missing.get(key, 0) + 1
            if result.missing:
                self.version += 1
        was = (previous.ok, previous.reason) if previous else (True, None)
        if (result.ok, result.reason) != was:
            if result.ok:
                log.info("target up target=%s", result.target)
            else:
                log.warning("target down target=%s reason=%s error=%r", result.target, result.reason, result.error)


def _uncounted(*_: Any, **__: Any) -> None:
    """/probe's results go to its own answer, not to /metrics' counters."""


class Engine:
    """Scrapes a plan's sources; one per loaded plan, replaced whole on reload.

    It runs on the plan's runtime form (``launchwatch.plan.runtime``), a fraction of the validation
    model's memory; given the model, it builds that form first."""

    def __init__(self, plan: Plan | RuntimePlan, *, shard: Shard | None = None, recorder: Recorder | None = None,
                 max_workers: int | None = None, processes: int = 0):
        plan = runtime_plan(plan)
        self.plan = plan
        shard = shard or Shard()
        workers = max_workers or plan.max_concurrency
        # every target's connections in one place, kept per host: as many as fetches can run at once
        # (the pool's threads, and a scrape's own), not one per source
        self.pools = Pools(maxsize=workers + 4)
        self.targets = [Target(s, plan.base_url, pools=self.pools) for s in plan.sources if shard.owns(s)]
        for i, t in enumerate(self.targets):
            t.index = i  # how a worker process, which builds the same list, knows it
        self.recorder = recorder or Recorder()
        self._pool = ThreadPoolExecutor(max_workers=workers,
                                        thread_name_prefix="fetch")
        self._probe_lock = threading.Lock()
        self._probe_targets: dict[tuple[str, str], Target] = {}  # /probe's (module, URL), least recently used first
        self.workers: WorkerPool | None = None  # worker processes that fetch when fetches overlap (workers.py)
        if processes > 0:
            from launchwatch.exporter.workers import WorkerPool

            self.workers = WorkerPool(plan, shard, processes, threads=workers)
        # Fetches under way in this process: one runs on the scraping thread (a lone one pays no hand-off);
        # one that overlaps it goes to its worker. Letting more run here stalls them all on this process's
        # GIL: 8 distinct /probe targets with --workers 2 made 3,087-3,293 fetches/s with one here, 2,096-2,243
        # with two or three, 2,811-2,997 with none while another ran anywhere (bench/versus.py's load).
        self._here = 0
        self._here_lock = threading.Lock()

    def _start(self, t: Target, fut: Future[ScrapeResult], budget: float, on_done: Recorder, request: tuple[Any, ...],
               *, inline: bool, fmt: str | None, compress: bool) -> bool:
        """Hand a claimed fetch to the target's worker process; False if it must run in this process."""
        pool = self.workers
        if pool is None or (inline and self._here == 0):
            return False
        return pool.submit(t, request, budget, fmt, compress, lambda result: t.finish(fut, result, on_done))

    def _run_here(self, t: Target, fut: Future[ScrapeResult], budget: float, on_done: Recorder) -> None:
        if self.workers is None:
            t.run_into(fut, budget, on_done)
            return
        with self._here_lock:
            self._here += 1
        try:
            t.run_into(fut, budget, on_done)
        finally:
            with self._here_lock:
                self._here -= 1

    def scrape(self, timeout: float | None = None, fmt: str | None = None, compress: bool = False,
               ) -> list[ScrapeResult]:
        """Fetch every source (each within its own timeout, all within ``timeout``) and wait.

        One fetch runs on the calling thread: a plan with one source never pays a thread hand-off.
        With worker processes, fetches that overlap others run there (each source in its own worker),
        pre-rendered in ``fmt`` (gzipped if ``compress``) for the page.
        """
        start = time.monotonic()
        futures = []
        mine = []
        for t in self.targets:
            budget = t.source.timeout if timeout is None else min(t.source.timeout, timeout)
            fut, run = t.claim()
            futures.append((t, budget, fut))
            if run:
                mine.append((t, budget, fut))
        # Quickest first (by last fetch): one slow upstream's sources queue behind healthy ones, not ahead.
        mine.sort(key=lambda job: job[0].last_duration())
        alone = len(mine) == 1
        mine = [(t, budget, fut) for t, budget, fut in mine
                if not self._start(t, fut, budget, self.recorder, ("s", t.index), inline=alone, fmt=fmt,
                                   compress=compress)]
        inline = mine.pop(0) if mine else None
        for t, budget, fut in mine:
            try:
                self._pool.submit(self._run_here, t, fut, budget, self.recorder)
            except RuntimeError:  # this engine was replaced by a reload mid-scrape: fetch inline
                self._run_here(t, fut, budget, self.recorder)
        if inline is not None:
            t, budget, fut = inline
            self._run_here(t, fut, budget, self.recorder)
        results = []
        for t, budget, fut in futures:
            remaining = budget - (time.monotonic() - start) + 0.05
            try:
                results.append(fut.result(timeout=max(remaining, 0.0)))
            except FutureTimeout:
                with t._lock:
                    if fut.done():  # finished just now: use it after all
                        results.append(fut.result())
                        continue
                    fut.timeout_counted = True  # type: ignore[attr-defined]
                self.recorder.count_error(t.source.name, "timeout")
                results.append(ScrapeResult(t.source.name, False, budget, time.monotonic(), "timeout",
                                            f"{t.fetcher.safe_url} did not answer within {budget:g}s",
                                            probe=ProbeOutcome(False) if t.source.probe else None))
        return results

    def probe(self, module: str, url: str, timeout: float | None, fmt: str | None = None) -> ScrapeResult:
        """Fetch ``url`` with ``module``'s settings and mappings, now (``/probe``; the caller checked the
        allow-list). Redirects are not followed: they could lead past the allow-list."""
        with self._probe_lock:
            target = recent_probe_target(self._probe_targets, self.plan, module, url, self.pools)
        budget = target.source.timeout if timeout is None else min(target.source.timeout, timeout)
        fut, run = target.claim()
        if run and not self._start(target, fut, budget, _uncounted, ("p", module, url), inline=True, fmt=fmt,
                                   compress=False):
            self._run_here(target, fut, budget, _uncounted)  # /probe answers for itself: no /metrics counters
        try:
            return fut.result(timeout=budget + 0.05)
        except FutureTimeout:
            return ScrapeResult(module, False, budget, time.monotonic(), "timeout",
                                f"{target.fetcher.safe_url} did not answer within {budget:g}s")

    def last_results(self) -> Iterable[tuple[Target, ScrapeResult | None]]:
        return [(t, t.last) for t in self.targets]

    def close(self) -> None:
        """Stop taking work; fetches already started finish (a scrape may be waiting on them),
        then the connections close."""
        self._pool.shutdown(wait=False)
        threading.Thread(target=self._drain, name="engine-drain", daemon=True).start()

    def stop(self) -> None:
        """At shutdown: the worker processes stop now (a reload's ``close`` lets their fetches finish)."""
        if self.workers is not None:
            self.workers.close(grace=0.0)

    def _drain(self) -> None:
        if self.workers is not None:  # the fetches they run finish within their timeouts
            self.workers.close(grace=max((t.source.timeout for t in self.targets), default=0.0) + 1.0)
        self._pool.shutdown(wait=True)
        with self._probe_lock:
            probed = list(self._probe_targets.values())
        for t in [*self.targets, *probed]:
            t.close()
        self.pools.close()
