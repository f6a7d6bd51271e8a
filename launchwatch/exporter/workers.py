"""Worker processes that fetch, extract and render, so the exporter can use more than one core.

One Python process runs Python on one core at a time (the GIL). The HTTP process keeps what makes
scrapes agree: it claims fetches (concurrent scrapes of one source still share one), counts errors and
assembles pages. It runs one fetch at a time itself; a claimed fetch that overlaps that one goes to
the worker its target is pinned to (a
stable hash of the source's name, or of a /probe target's module and URL, so each worker keeps its
own targets' connections and last documents); the worker fetches, extracts, renders the block in the
scrape's format and sends the result back (a block it sent before: its serial only). So a lone fetch
runs in the HTTP process (a single scraper pays no hand-off), and under load the HTTP process fetches
too, without stalling its own threads on its GIL.

A worker that exits, or holds a fetch past its timeout plus ``GRACE``, is killed: its pending fetches
fail with reason ``worker`` and a new one starts; until it is ready, its targets are fetched in the HTTP
process. Workers ignore SIGINT and SIGHUP (the HTTP process decides), stop when it closes their socket
(it exited, however), and are stopped on shutdown and replaced on reload. docs/performance.md has the
figures.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from launchwatch.exporter.engine import ScrapeResult, Target, recent_probe_target
from launchwatch.exporter.exposition import GZIP_MEMBER_MIN
from launchwatch.exporter.fetch import Pools
from launchwatch.exporter.probe import ProbeOutcome
from launchwatch.exporter.shard import Shard
from launchwatch.plan.runtime import RuntimePlan

__all__ = ["GRACE", "WorkerPool"]

log = logging.getLogger("launchwatch.exporter")
GRACE = 2.0  # seconds past a fetch's own timeout before its worker counts as hung
_RESPAWN_PAUSE = 1.0  # a worker that died within this long of starting is restarted after this pause

Done = Callable[[ScrapeResult], None]


class _Worker:
    """One slot of the pool: its current process, connection and the fetches given to it."""

    def __init__(self, slot: int):
        self.slot = slot
        self.proc: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.ready = False
        self.started = 0.0
        self.hung = ""  # why the watchdog killed it
        self.lock = threading.Lock()  # guards ready, pending and sends
        self.pending: dict[int, tuple[float, float, Done, Target]] = {}  # id -> (deadline, sent at, done, target)


class WorkerPool:
    """``size`` worker processes serving ``plan``'s targets (those ``shard`` owns) and /probe targets."""

    def __init__(self, plan: RuntimePlan, shard: Shard, size: int, *, threads: int):
        self._plan, self._shard, self._threads = plan, shard, threads
        self._level = logging.getLevelName(log.getEffectiveLevel()).lower()
        self._ids = itertools.count()
        self._lock = threading.Lock()
        self._closing = False
        self._stop = threading.Event()
        self._workers = [_Worker(i) for i in range(size)]
        for w in self._workers:
            self._spawn(w)
        threading.Thread(target=self._watch, name="workers-watchdog", daemon=True).start()

    def ready(self) -> bool:
        """Every worker has started and takes fetches."""
        return all(w.ready for w in self._workers)

    def pids(self) -> list[int]:
        """The worker processes' ids (for tests and ps)."""
        return [w.proc.pid for w in self._workers if w.proc is not None and w.proc.poll() is None]

    def submit(self, target: Target, request: tuple[Any, ...], budget: float, fmt: str | None, compress: bool,
               done: Done) -> bool:
        """Send a claimed fetch to its target's worker; ``done`` gets the result (always, once). False: that
        worker is not ready (starting, restarting, closing), fetch it here."""
        key = "\0".join(str(part) for part in request[1:]) if request[0] == "p" else target.source.name
        w = self._workers[zlib.crc32(key.encode()) % len(self._workers)]
        if not w.ready:
            return False
        rid = next(self._ids)
        have = target.remote_block[0] if target.remote_block is not None else None
        now = time.monotonic()
        with w.lock:
            if not w.ready or w.conn is None:
                return False
            w.pending[rid] = (now + budget + GRACE, now, done, target)
            try:
                w.conn.send((rid, request, budget, fmt, compress, have))
            except (OSError, ValueError):  # it is going: its reader restarts it
                del w.pending[rid]
                return False
        return True

    def close(self, grace: float) -> None:
        """Stop every worker: they finish the fetches they hold within ``grace`` seconds, then are killed."""
        with self._lock:
            self._closing = True
        self._stop.set()
        for w in self._workers:
            if not w.lock.acquire(timeout=1.0):  # a send blocked on a stopped worker: it is killed below
                w.ready = False
                continue
            try:
                if w.ready and w.conn is not None:  # (one not ready may still be reading the plan: it is stopped)
                    with contextlib.suppress(OSError, ValueError):
                        w.conn.send(None)  # no more work: finish what you hold and exit
                w.ready = False
            finally:
                w.lock.release()
        deadline = time.monotonic() + grace
        for w in self._workers:
            proc = w.proc
            if proc is None:
                continue
            try:
                proc.wait(max(deadline - time.monotonic(), 0.0) or 0.01)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(1.0)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def _spawn(self, w: _Worker) -> None:
        with self._lock:
            if self._closing:
                return
            parent, child = socket.socketpair()
            try:
                proc = subprocess.Popen([sys.executable, "-m", "launchwatch.exporter.workers", str(child.fileno())],
                                        pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
            except OSError as exc:
                log.error("cannot start worker process %d: %s; its targets are fetched here", w.slot, exc)
                parent.close()
                return
            finally:
                child.close()
            conn = Connection(parent.detach())
            w.proc, w.conn, w.started, w.hung = proc, conn, time.monotonic(), ""
        threading.Thread(target=self._serve, args=(w, proc, conn), name=f"worker-{w.slot}", daemon=True).start()

    def _serve(self, w: _Worker, proc: subprocess.Popen[bytes], conn: Connection) -> None:
        """Give the worker the plan, then deliver its results until it goes; then fail what it held."""
        try:
            conn.send((self._plan, self._shard, self._threads, self._level))
            conn.recv()  # ("ready", pid)
            with w.lock:
                w.ready = not self._closing
            log.info("worker process %d ready (pid %d)", w.slot, proc.pid)
            while True:
                rid, result, serial, same = conn.recv()
                with w.lock:
                    job = w.pending.pop(rid, None)
                if job is not None:
                    _, sent, done, target = job
                    _deliver(done, _received(target, result, serial, same, sent))
        except (EOFError, OSError, ValueError):
            pass
        except Exception as exc:  # a result that cannot be read: this worker is replaced like a dead one
            log.error("worker process %d sent what cannot be read (%s: %s); restarting it", w.slot,
                      type(exc).__name__, exc)
        self._lost(w, proc, conn)

    def _lost(self, w: _Worker, proc: subprocess.Popen[bytes], conn: Connection) -> None:
        with w.lock:
            w.ready = False
            pending, w.pending = w.pending, {}
        conn.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        with self._lock:
            closing = self._closing
        code = proc.returncode
        why = w.hung or (f"was killed by signal {-code}" if code < 0 else f"exited with status {code}")
        if not closing:
            log.warning("worker process %d (pid %d) %s; starting a new one", w.slot, proc.pid, why)
        for _, sent, done, target in pending.values():
            _deliver(done, _failed(target, sent, f"the worker process fetching it {why}"))
        if closing:
            return
        if time.monotonic() - w.started < _RESPAWN_PAUSE:
            self._stop.wait(_RESPAWN_PAUSE)  # not in a tight loop if it cannot start
        self._spawn(w)

    def _watch(self) -> None:
        """Kill a worker that holds a fetch past its deadline (its reader then fails and replaces it)."""
        while not self._stop.wait(0.2):
            now = time.monotonic()
            for w in self._workers:
                try:  # (no lock: a send blocked on a stopped worker holds it)
                    late = [budget for budget, *_ in list(w.pending.values()) if budget < now]
                except RuntimeError:
                    continue
                proc = w.proc
                if late and proc is not None and proc.poll() is None and not w.hung:
                    w.hung = f"did not answer within its fetch timeout plus {GRACE:g}s and was killed"
                    log.warning("worker process %d (pid %d) %s", w.slot, proc.pid, w.hung)
                    proc.kill()


def _deliver(done: Done, result: ScrapeResult) -> None:
    try:
        done(result)
    except Exception:  # a bug in the bookkeeping must not stop the reader of every other result
        log.exception("recording a worker's result failed")


def _received(target: Target, result: Any, serial: Any, same: bool, sent: float) -> ScrapeResult:
    """The worker's result, with the block it did not send again put back."""
    if not isinstance(result, ScrapeResult):  # the worker's own error, as text
        return _failed(target, sent, f"the worker process failed: {result}")
    if same:
        kept = target.remote_block
        if kept is None or kept[0] != serial:  # cannot happen: the worker only says "same" to the serial we hold
            return _failed(target, sent, "the worker process referred to a block it never sent")
        result.block = kept[1]
    elif result.block is not None:
        target.remote_block = (serial, result.block)
    return result


def _failed(target: Target, sent: float, why: str) -> ScrapeResult:
    src = target.source
    return ScrapeResult(src.name, False, time.monotonic() - sent, time.monotonic(), "worker",
                        f"{target.fetcher.safe_url}: {why}", probe=ProbeOutcome(False) if src.probe else None)


# ---------------------------------------------------------------- the worker process

class _Serving:
    """A worker's targets, built on first use, and how it answers one request."""

    def __init__(self, plan: RuntimePlan, shard: Shard, threads: int, conn: Connection):
        self.plan = plan
        self.sources = [s for s in plan.sources if shard.owns(s)]  # the HTTP process's engine.targets, in order
        self.pools = Pools(maxsize=threads + 4)
        self.targets: dict[int, Target] = {}
        self.probes: dict[tuple[str, str], Target] = {}  # least recently used first
        self.lock = threading.Lock()
        self.send_lock = threading.Lock()
        self.conn = conn
        self.serials = itertools.count()

    def target(self, request: tuple[Any, ...]) -> Target:
        with self.lock:
            if request[0] == "s":
                t = self.targets.get(request[1])
                if t is None:
                    t = self.targets[request[1]] = Target(self.sources[request[1]], self.plan.base_url,
                                                          pools=self.pools)
                return t
            return recent_probe_target(self.probes, self.plan, request[1], request[2], self.pools)

    def handle(self, message: tuple[Any, ...]) -> None:
        rid, request, budget, fmt, compress, have = message
        try:
            t = self.target(request)
            result = t.scrape_once(budget)
            serial, same, block = None, False, result.block
            if block is not None:
                sent = t.remote_block
                if sent is not None and sent[1] is block:
                    serial = sent[0]
                    if serial == have:  # the HTTP process holds it: do not send it again
                        result.block, same = None, True
                else:
                    serial = (os.getpid(), next(self.serials))
                    t.remote_block = (serial, block)
                if not same and fmt is not None:  # rendered here, on this core, for the page
                    if compress and len(block.rendered(fmt)) >= GZIP_MEMBER_MIN:
                        block.gzipped(fmt)
                    block.rendered(fmt)
                    if any(f.shared for f in block.families):
                        block.shared(fmt)
            reply: tuple[Any, ...] = (rid, result, serial, same)
        except Exception as exc:  # one line to the HTTP process and the log; the worker goes on
            log.debug("worker request %r failed", request, exc_info=True)
            reply = (rid, f"{type(exc).__name__}: {exc}", None, False)
        with self.send_lock, contextlib.suppress(OSError, ValueError):  # the HTTP process gone: the loop exits
            self.conn.send(reply)


def main(argv: list[str]) -> None:
    """``python -m launchwatch.exporter.workers FD``: serve the pool's requests on the socket FD."""
    try:
        _work(argv)
    except Exception as exc:  # one line, not a traceback: the serving process replaces this worker
        print(f"launchwatch worker process {os.getpid()}: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        os._exit(1)


def _work(argv: list[str]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's ^C reaches the whole group: the HTTP process
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # decides (it reloads, or stops us)
    conn = Connection(int(argv[0]))
    try:
        plan, shard, threads, level = conn.recv()
    except (EOFError, OSError):
        os._exit(0)
    from launchwatch.logs import setup_logging

    setup_logging(level)
    serving = _Serving(plan, shard, threads, conn)
    gc.freeze()  # the plan lives as long as the process
    conn.send(("ready", os.getpid()))
    # Leader and followers: the thread that reads a request fetches it itself (no hand-off to another
    # thread); the next idle one reads the next request meanwhile, so a slow upstream holds one thread only.
    reading = threading.Lock()
    stopping = threading.Event()

    def follow() -> None:
        while True:
            with reading:
                if stopping.is_set():
                    return
                try:
                    message = conn.recv()
                except (EOFError, OSError):
                    os._exit(0)  # the HTTP process is gone: nobody waits for what we hold
                except Exception as exc:  # a request that cannot be read: the stream is lost, so is this worker
                    print(f"launchwatch worker process {os.getpid()}: {type(exc).__name__}: {exc}", file=sys.stderr,
                          flush=True)
                    os._exit(1)
                if message is None:  # a reload or shutdown: the fetches under way finish and are answered
                    stopping.set()
                    return
            serving.handle(message)

    followers = [threading.Thread(target=follow, name=f"fetch_{i}", daemon=True) for i in range(threads)]
    for t in followers:
        t.start()
    for t in followers:
        t.join()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
