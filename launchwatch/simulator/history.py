"""A plan's simulated launch over days, written as the OpenMetrics Prometheus would have scraped.

``launchwatch simulate --plan NAME --history 7d -o FILE`` replays the launch on a virtual clock:
every ``step`` it does what one Prometheus scrape of the exporter does, through the exporter's
own code: each source is claimed and fetched by the engine's ``Target`` (so ``min_interval``
holds), its document parsed and extracted by ``extract``, the exporter's self metrics made by
``self_families`` and the page rendered by ``exposition.page`` in OpenMetrics. The page's samples
get the ``job`` and ``instance`` labels of the generated ``prometheus.yml``, plus ``up``, and the
scrape's timestamp. Only the HTTP hop is left out: the simulator's ``respond`` makes the answer
its server would send (503 when down, half a body when malformed, a delay when slow), and a small
fetcher hands it to the target as the HTTP fetcher would (a status outside ``valid_status_codes``
is an ``http_status`` error, a delay past the timeout a ``timeout``, a body over the cap
``too_large``). Going through HTTP costs 2.6 ms a scrape for whatsapp-quiz and 5.2 ms for
video-sessions plus parsing the page again (docs/history.md), and cannot replay time: the
engine's ``min_interval`` and the fetch durations read the real clock.

The engine reads ``time.monotonic()`` for ``min_interval`` and fetch durations; while a history is
written that module's ``time`` is a virtual clock (``engine_clock``), so a slow endpoint takes its
4 virtual seconds and a source with ``min_interval: 60s`` is fetched every 60-90 virtual seconds,
as it would be. Nothing else in the process may run an exporter meanwhile (the CLI runs this in its
own process; the demo before it starts anything live).

OpenMetrics wants each family's samples together and each series' timestamps increasing, so the
samples are kept per series in arrays (16 bytes each: a 7-day video-sessions history is ~80 MB)
and written family by family at the end, to a temporary file renamed into place.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import random
import tempfile
import time
import types
from array import array
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from launchwatch.exporter import engine as engine_module
from launchwatch.exporter.engine import Engine, ScrapeResult, Target
from launchwatch.exporter.exposition import OPENMETRICS, go_float, page
from launchwatch.exporter.fetch import FetchError, FetchResult
from launchwatch.exporter.selfmetrics import self_families
from launchwatch.exporter.server import scrape_timeout
from launchwatch.plan.model import Plan
from launchwatch.plan.units import format_duration
from launchwatch.prometheus_api import format_time
from launchwatch.simulator.incidents import Incident
from launchwatch.simulator.server import Simulator

__all__ = ["DEFAULT_INSTANCE", "HistoryMeta", "HistorySummary", "VirtualClock", "engine_clock", "history_simulator",
           "meta_path", "read_meta", "simulate_history", "write_history"]

DEFAULT_INSTANCE = "127.0.0.1:9848"  # the exporter address the generated prometheus.yml scrapes by default
_UP = "# HELP up 1 if Prometheus scraped the exporter (Prometheus adds it).\n# TYPE up gauge\nup 1\n"
FETCH_LATENCY = 0.004  # a loopback answer's typical time; each fetch takes this times a log-normal jitter

log = logging.getLogger(__name__)


class VirtualClock:
    """The time of a replayed launch: the scrape being made, plus the fetch delay running now.

    ``now`` is what the simulated product sees (the scrape's time); ``monotonic`` is what the
    exporter's engine sees (the scrape's time plus how long the current fetch has taken).
    After ``release`` both follow the real clock, so a demo's simulator carries on live.

    >>> c = VirtualClock(1000.0); c.set(1030.0); c.wait(4.0); (c.now(), c.monotonic())
    (1030.0, 1034.0)
    """

    def __init__(self, start: float):
        self._t = start
        self._extra = 0.0
        self._live = False

    def now(self) -> float:
        return time.time() if self._live else self._t

    def monotonic(self) -> float:
        return time.time() if self._live else self._t + self._extra

    def set(self, t: float) -> None:
        """Move to the scrape at ``t`` (no fetch delay yet)."""
        self._t, self._extra = t, 0.0

    def begin_fetch(self) -> None:
        """A fetch starts at the scrape's time: fetches of one scrape run side by side."""
        self._extra = 0.0

    def wait(self, seconds: float) -> None:
        self._extra += seconds

    def release(self) -> None:
        """From now on, real time (the history has caught up with the present)."""
        self._live = True


@contextlib.contextmanager
def engine_clock(clock: VirtualClock) -> Iterator[None]:
    """Let the exporter engine read ``clock`` instead of ``time.monotonic`` while the block runs."""
    real = engine_module.time
    if not isinstance(real, types.ModuleType) or not hasattr(real, "monotonic"):
        raise RuntimeError("launchwatch.exporter.engine no longer reads time.monotonic(); history mode needs "
                           "its clock to replay min_interval and fetch durations")
    shim = types.SimpleNamespace(**{k: getattr(real, k) for k in dir(real) if not k.startswith("__")})
    shim.monotonic = clock.monotonic
    engine_module.time = shim  # type: ignore[assignment]
    try:
        yield
    finally:
        engine_module.time = real


class _InProcessFetcher:
    """The target's fetcher without the HTTP hop: the simulator's answer, judged as ``Fetcher`` does."""

    def __init__(self, sim: Simulator, clock: VirtualClock, target: Target, rng: random.Random):
        real = target.fetcher
        self.source = target.source
        self.safe_url = real.safe_url
        self.path = urlsplit(real.url).path or "/"
        self._sim, self._clock, self._rng = sim, clock, rng
        real.close()

    def fetch(self, timeout: float) -> FetchResult:
        src = self.source
        if self.path not in self._sim.routes:
            code, body, ctype, delay = 404, b'{"error":"no endpoint"}', "application/json", 0.0
        else:
            reply = self._sim.respond(self.path, head=src.method == "HEAD")
            code, body, ctype, delay = reply.code, reply.body, reply.content_type, reply.delay
        delay += FETCH_LATENCY * math.exp(self._rng.gauss(0.0, 0.3))
        if delay > timeout:
            self._clock.wait(timeout)
            raise FetchError("timeout", f"{self.safe_url} did not finish within {timeout:g}s")
        self._clock.wait(delay)
        if len(body) > src.max_response_bytes:
            raise FetchError("too_large", f"{self.safe_url} body is over the {src.max_response_bytes}-byte cap")
        if code not in src.valid_status_codes:
            raise FetchError("http_status", f"{self.safe_url} answered HTTP {code}", code)
        return FetchResult(code, body, delay, ctype)

    def redact(self, text: str) -> str:
        return text  # the simulator takes no credentials

    def close(self) -> None:
        pass


@dataclass
class HistorySummary:
    """What was written, for the command to print and tests to check."""

    path: Path
    plan: str
    start: float
    end: float
    step: float
    scrapes: int
    series: int
    samples: int
    bytes: int
    seconds: float
    seed: int
    incidents: list[Incident] = field(default_factory=list)

    def describe(self) -> str:
        return (f"wrote {self.path}: plan {self.plan}, {format_time(self.start)} → {format_time(self.end)} "
                f"({format_duration(self.end - self.start)}, {self.scrapes} scrapes every "
                f"{format_duration(self.step)}), {self.series} series, {self.samples:,} samples, "
                f"{self.bytes / 1e6:.1f} MB, {self.seconds:.1f} s (seed {self.seed})")


@dataclass(frozen=True)
class HistoryMeta:
    """The sidecar ``FILE.incidents.json``: span, labels and incidents of a history file."""

    plan: str
    job: str
    instance: str
    start: float
    end: float
    step: float
    seed: int
    incidents: tuple[Incident, ...]

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan, "job": self.job, "instance": self.instance, "start": self.start,
                "end": self.end, "start_iso": format_time(self.start), "end_iso": format_time(self.end),
                "step": self.step,
                "seed": self.seed, "incidents": [i.to_json() for i in self.incidents]}


def meta_path(history: Path) -> Path:
    """Where the incidents and span of ``history`` are written: ``FILE.incidents.json``."""
    return history.with_name(history.name + ".incidents.json")


def read_meta(history: Path) -> HistoryMeta:
    """The sidecar of ``history``; ValueError with the reason when it is missing or broken."""
    path = meta_path(history)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return HistoryMeta(doc["plan"], doc["job"], doc["instance"], float(doc["start"]), float(doc["end"]),
                           float(doc["step"]), int(doc["seed"]),
                           tuple(Incident.from_json(i) for i in doc["incidents"]))
    except FileNotFoundError:
        raise ValueError(f"{path} not found: it is written beside the history by `launchwatch simulate "
                         f"--history`") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a history sidecar ({type(exc).__name__}: {exc})") from None


class _Store:
    """Samples per series, families in page order: what OpenMetrics needs to write them grouped."""

    def __init__(self, job: str, instance: str):
        self.families: dict[str, list[Any]] = {}  # base name -> [HELP line, TYPE line, [series keys]]
        self.series: dict[str, tuple[array, array]] = {}  # full key -> (timestamps ms, values)
        self._keys: dict[str, str] = {}  # key as on the page -> key with job and instance
        self._target = f'instance="{_escape(instance)}",job="{_escape(job)}"'
        self.samples = 0

    def add_page(self, text: str, ts_ms: int) -> None:
        family: list[Any] | None = None
        for line in text.split("\n"):
            if not line:
                continue
            if line[0] == "#":
                if line.startswith("# HELP "):
                    base = line.split(" ", 3)[2]
                    family = self.families.get(base)
                    if family is None:
                        family = self.families[base] = [line, None, []]
                elif line.startswith("# TYPE ") and family is not None:
                    family[1] = line
                continue
            cut = line.rfind(" ")
            raw = line[:cut]
            key = self._keys.get(raw)
            if key is None:
                key = self._keys[raw] = (raw[:-1] + "," + self._target + "}" if raw.endswith("}")
                                         else raw + "{" + self._target + "}")
                self.series[key] = (array("q"), array("d"))
                if family is None:
                    raise ValueError(f"sample before any # HELP line: {line!r}")
                family[2].append(key)
            stamps, values = self.series[key]
            stamps.append(ts_ms)
            values.append(float(line[cut + 1:]))
            self.samples += 1

    def write(self, out: Any) -> None:
        for help_line, type_line, keys in self.families.values():
            out.write(help_line + "\n")
            if type_line:
                out.write(type_line + "\n")
            for key in keys:
                stamps, values = self.series[key]
                prefix = key + " "
                out.write("".join([f"{prefix}{go_float(v)} {_seconds(t)}\n"
                                   for t, v in zip(stamps, values, strict=True)]))


def write_history(plan: Plan, sim: Simulator, clock: VirtualClock, out: Path, *, start: float, end: float,
                  step: float = 30.0, incidents: list[Incident] | None = None, instance: str = DEFAULT_INSTANCE,
                  seed: int = 0, scrape_timeout_seconds: float = 10.0) -> HistorySummary:
    """Scrape ``sim`` (whose launch reads ``clock``) every ``step`` from ``start`` to ``end`` through
    the exporter's code for ``plan`` and write the samples to ``out`` as OpenMetrics, with the
    sidecar ``FILE.incidents.json``. ``incidents`` switch the simulator's faults on and off."""
    began = time.monotonic()
    incidents = sorted(incidents or [], key=lambda i: i.start)
    try:  # before the work: a path that cannot be written fails now, not after a week's replay
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    except OSError as exc:
        raise OSError(f"cannot write {out}: {exc.strerror or exc}") from None
    store = _Store(plan.job_name, instance)
    engine = Engine(plan, max_workers=1)
    rng = random.Random(seed ^ 0x5EED)
    for target in engine.targets:
        target.fetcher = _InProcessFetcher(sim, clock, target, rng)  # type: ignore[assignment]
    budget = scrape_timeout(f"{scrape_timeout_seconds:g}")
    quiet = logging.getLogger("launchwatch.exporter")
    level, quiet.level = quiet.level, logging.ERROR  # a scripted outage is not news: no "target down" lines
    scrapes = 0
    on: set[tuple[str, str | None]] = set()
    try:
        with os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20) as fh:
            try:
                with engine_clock(clock):
                    t = start
                    while t <= end + 1e-6:
                        clock.set(t)
                        wanted = {(i.fault, i.endpoint) for i in incidents if i.active(t)}
                        if wanted != on:
                            sim.faults.clear()
                            for fault, endpoint in sorted(wanted, key=str):
                                sim.faults.set(fault, endpoint)
                            on = wanted
                        results = _scrape(engine, clock, budget)
                        own = self_families(plan.plan, results, engine.recorder, reload_ok=True,
                                            reload_timestamp=start)
                        body = page([r.block for r in results if r.ok and r.block], own, OPENMETRICS, compress=False)
                        store.add_page(body.decode("utf-8") + _UP, round(t * 1000))
                        scrapes += 1
                        t = start + scrapes * step
            finally:
                sim.faults.clear()
                quiet.level = level
                engine.close()
            store.write(fh)
            fh.write("# EOF\n")
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    meta = HistoryMeta(plan.plan, plan.job_name, instance, start, end, step, seed, tuple(incidents))
    meta_path(out).write_text(json.dumps(meta.to_json(), indent=2) + "\n", encoding="utf-8")
    return HistorySummary(out, plan.plan, start, end, step, scrapes, len(store.series), store.samples,
                          out.stat().st_size, time.monotonic() - began, seed, incidents)


def _scrape(engine: Engine, clock: VirtualClock, budget: float | None) -> list[ScrapeResult]:
    """One scrape's results: each target claimed and, unless ``min_interval`` says reuse, fetched."""
    results = []
    for target in engine.targets:
        clock.begin_fetch()
        timeout = target.source.timeout if budget is None else min(target.source.timeout, budget)
        future, run = target.claim()
        if run:
            target.run_into(future, timeout, engine.recorder)
        results.append(_result(future))
    return results


def _result(future: Future[ScrapeResult]) -> ScrapeResult:
    return future.result(timeout=0)


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _seconds(ms: int) -> str:
    return str(ms // 1000) if ms % 1000 == 0 else f"{ms / 1000:.3f}"




def simulate_history(plan_name: str, out: Path, *, span: float, step: float = 30.0, end: float | None = None,
                     seed: int | None = None, incidents: str | list[str] = "default",
                     instance: str = DEFAULT_INSTANCE, sim: Simulator | None = None,
                     clock: VirtualClock | None = None) -> HistorySummary:
    """Write ``span`` seconds of the built-in plan's simulated launch ending at ``end`` (rounded down
    to ``step``). ``incidents``: "default" (the plan's table), "none", or ``FAULT[@PATH] at START for
    DURATION`` specs. A ``sim`` built on ``clock`` (``history_simulator``) may be passed to keep it
    running afterwards (the demo does)."""
    from launchwatch.plan import builtin_plan_path, load_plan
    from launchwatch.simulator.incidents import parse_incident, script

    if step <= 0 or span < step:
        raise ValueError(f"the history ({format_duration(span)}) must be at least one step ({format_duration(step)})")
    end = (time.time() if end is None else end) // step * step
    start = end - (span // step) * step
    seed = random.SystemRandom().randrange(1 << 31) if seed is None else seed
    if incidents == "default":
        chosen = script(plan_name, start, end)
    elif incidents == "none":
        chosen = []
    else:
        chosen = [parse_incident(spec, start) for spec in incidents]
    plan = load_plan(builtin_plan_path(plan_name))
    owned = sim is None
    if sim is None or clock is None:
        sim, clock = history_simulator(plan_name, start, seed)
    unknown = sorted({i.endpoint for i in chosen if i.endpoint and i.endpoint not in sim.routes})
    if unknown:
        if owned:
            sim.stop()
        raise ValueError(f"no endpoint {', '.join(unknown)} in the {plan_name} simulator; endpoints: "
                         f"{', '.join(sorted(sim.routes))}")
    try:
        return write_history(plan, sim, clock, out, start=start, end=end, step=step, incidents=chosen,
                             instance=instance, seed=seed)
    finally:
        if owned:
            sim.stop()


def history_simulator(plan_name: str, start: float, seed: int, host: str = "127.0.0.1",
                      port: int = 0) -> tuple[Simulator, VirtualClock]:
    """A simulator whose launch began at ``start`` on a virtual clock, with the day's rhythm."""
    clock = VirtualClock(start)
    return Simulator(plan_name, host, port, seed=seed, clock=clock.now, wall_start=start, daily=True), clock
