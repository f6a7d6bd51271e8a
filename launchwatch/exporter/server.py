"""The exporter's HTTP server: /metrics, /probe, /, /-/healthy, /-/ready, POST /-/reload, and SIGHUP.

A reload that fails keeps the running plan, sets launchwatch_config_last_reload_successful to 0
and says why on the landing page, in the log and in the /-/reload response. As in Prometheus,
reloading over HTTP is off unless ``--web.enable-lifecycle`` turns it on (anyone who reaches the
port could otherwise make the exporter re-read its plan in a loop); SIGHUP always reloads. The
read endpoints answer GET and HEAD only.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from launchwatch.exporter.engine import Engine, Recorder, Shard
from launchwatch.exporter.exposition import CONTENT_TYPES, negotiate, page
from launchwatch.exporter.fetch import redact_url
from launchwatch.exporter.httpd import HttpServer, Request, Response
from launchwatch.exporter.landing import landing_page
from launchwatch.exporter.selfmetrics import self_families
from launchwatch.plan.runtime import RuntimePlan
from launchwatch.plan.targets import target_problem

if TYPE_CHECKING:  # imported where used: the serving process (launchwatch.exporter.process) runs without them
    from launchwatch.exporter.journeys import Journeys
    from launchwatch.exporter.web_config import WebConfigFile
    from launchwatch.plan.model import Plan

# Loads the plan file (for a reload): the plan or a PlanError. The default loads it in this process.
PlanLoader = Callable[[Path, "str | None"], "Plan | RuntimePlan"]

__all__ = ["Exporter", "ListenError", "serve"]

log = logging.getLogger("launchwatch.exporter")

# Leave Prometheus this much of its scrape timeout to receive and parse the page (as blackbox does).
TIMEOUT_OFFSET = 0.5
# Without Prometheus' scrape timeout header: how long a scrape waits for a journey run it started.
JOURNEY_WAIT = 10.0
# /probe query strings remembered as accepted (module, target), per plan: Prometheus' targets, and a bound
# so a scraper inventing queries cannot grow it.
_VETTED = 1024


class Exporter:
    """The exporter application: holds the running plan and swaps it whole on a good reload.

    >>> app = Exporter(Path("plan.yml"))  # doctest: +SKIP
    """

    def __init__(self, plan_path: Path, *, base_url: str | None = None, shard: Shard | None = None,
                 plan: Plan | RuntimePlan | None = None, lifecycle: bool = False, loader: PlanLoader | None = None,
                 workers: int = 0):
        self.plan_path = plan_path
        self.workers = workers  # worker processes for fetches that overlap (launchwatch.exporter.workers)
        self.lifecycle = lifecycle
        self.base_url = base_url
        self.shard = shard or Shard()
        self.recorder = Recorder()
        self._lock = threading.Lock()
        self._load = loader or _load_here
        plan = plan or self._load(plan_path, base_url)
        self.engine = Engine(plan, shard=shard, recorder=self.recorder, processes=workers)
        self.journeys = _journeys(plan.journeys if self.shard.index == 0 else [], plan.base_url)  # shard 0 runs them
        self.reload_ok = True
        self.reload_error: str | None = None
        self.reload_timestamp = time.time()
        self._last_page: tuple[list[Any], tuple[Any, ...], bytes] | None = None
        self._page_lock = threading.Lock()
        self._accepted: tuple[Engine | None, dict[str, tuple[str, str]]] = (None, {})  # see _vetted
        self._accepted_lock = threading.Lock()

    @property
    def plan(self) -> RuntimePlan:
        return self.engine.plan

    def reload(self) -> tuple[bool, str]:
        """Load the plan file again; on failure keep the running plan. Returns (ok, message)."""
        with self._lock:
            try:
                plan = self._load(self.plan_path, self.base_url)
            except Exception as exc:  # a PlanError, or whatever stopped the loader: the running plan stays
                self.reload_ok, self.reload_error = False, str(exc)
                log.error("reload failed, keeping the running plan: %s", exc)
                return False, str(exc)
            old, self.engine = self.engine, Engine(plan, shard=self.shard, recorder=self.recorder,
                                                   processes=self.workers)
            self.journeys = _journeys(plan.journeys if self.shard.index == 0 else [], plan.base_url, self.journeys)
            old.close()
            self.reload_ok, self.reload_error, self.reload_timestamp = True, None, time.time()
        log.info("reloaded plan %s from %s (%d sources)", plan.plan, self.plan_path, len(self.engine.targets))
        return True, f"reloaded plan {plan.plan}"

    def close(self) -> None:
        """At shutdown: stop taking work, and stop the worker processes now."""
        self.engine.close()
        self.engine.stop()

    def handle(self, request: Request) -> Response:
        """Answer one HTTP request (the server calls this on the connection's thread)."""
        if request.path == "/-/reload":
            if request.method not in ("POST", "PUT"):
                return Response.text(405, "use POST to reload\n", [("Allow", "POST, PUT")])
            if not self.lifecycle:
                return Response.text(403, "Lifecycle API is not enabled: start with --web.enable-lifecycle, "
                                          "or send SIGHUP\n")
            ok, message = self.reload()
            return Response.text(200 if ok else 500, message + "\n")
        if request.method not in ("GET", "HEAD"):
            return Response.text(405, "method not allowed: use GET\n", [("Allow", "GET, HEAD")])
        if request.path == "/metrics":
            return self._metrics(request)
        if request.path == "/probe":
            return self._probe(request)
        if request.path == "/-/healthy":
            return Response.text(200, "launchwatch is healthy\n")
        if request.path == "/-/ready":
            return Response.text(200, "launchwatch is ready\n")
        if request.path == "/":
            engine = self.engine
            body = landing_page(engine.plan.title, engine.plan.plan, engine.last_results(), self.reload_error,
                                journeys=self.journeys.scheduled)
            return Response(200, body, [("Content-Type", "text/html; charset=utf-8")])
        return Response.text(404, "not found: try /metrics\n")

    def _metrics(self, request: Request) -> Response:
        engine, journeys = self.engine, self.journeys
        start = time.monotonic()
        timeout = scrape_timeout(request.header("x-prometheus-scrape-timeout-seconds"))
        running = journeys.start_due()  # runs due now go on in the background while the sources are fetched
        fmt = negotiate(request.header("accept"))
        compress = "gzip" in request.header("accept-encoding")
        results = engine.scrape(timeout, fmt, compress)
        headers = [("Content-Type", CONTENT_TYPES[fmt])]
        if compress:
            headers.append(("Content-Encoding", "gzip"))
        if journeys.scheduled:
            return Response(200, self._page(engine, journeys, results, fmt, compress, start + (
                timeout if timeout is not None else JOURNEY_WAIT), running), headers)
        # Scrapes that shared every fetch (and saw the same counters) get the same page, made once: they
        # finish waiting together, so the first makes it while the others wait for it.
        state = (engine, self.recorder.version, self.reload_ok, self.reload_timestamp, fmt, compress)
        with self._page_lock:
            last = self._last_page
            if (last is not None and last[1] == state and len(last[0]) == len(results)
                    and all(a is b for a, b in zip(last[0], results, strict=True))):
                return Response(200, last[2], headers)
            body = self._page(engine, journeys, results, fmt, compress, 0.0, running)
            self._last_page = (results, state, body)  # (the results are kept with it, so their ids stay theirs)
        return Response(200, body, headers)

    def _page(self, engine: Engine, journeys: Any, results: list[Any], fmt: str, compress: bool,
              journey_deadline: float, running: list[Any]) -> bytes:
        own = self_families(engine.plan.plan, results, self.recorder, reload_ok=self.reload_ok,
                            reload_timestamp=self.reload_timestamp)
        # a run that ends within the scrape's budget is served now; a longer one next time (until then: the last)
        if journeys.scheduled:
            from launchwatch.exporter.journeys import journey_families

            own += journey_families(journeys.collect(journey_deadline, running))
        return page([r.block for r in results if r.ok and r.block], own, fmt, compress=compress)


    def _probe(self, request: Request) -> Response:
        """``/probe?module=NAME&target=URL``: one target with a module's mappings (json_exporter's and
        blackbox_exporter's multi-target pattern). 400 for an unknown module or a target outside the module's
        ``allowed_targets`` (never fetched); 503 when the fetch or the document fails, as json_exporter does."""
        engine = self.engine
        vetted = self._vetted(engine, request.query)
        if isinstance(vetted, Response):
            return vetted
        module, target = vetted
        fmt = negotiate(request.header("accept"))
        result = engine.probe(module, target, scrape_timeout(request.header("x-prometheus-scrape-timeout-seconds")),
                              fmt)
        if not result.ok:
            return Response.text(503, f"{result.reason}: {result.error}\n")
        body = page([result.block] if result.block else [], [], fmt, compress=False)
        return Response(200, body, [("Content-Type", CONTENT_TYPES[fmt])])

    def _vetted(self, engine: Engine, query: str) -> tuple[str, str] | Response:
        """``/probe``'s module and target from the query string, or the 400 that refuses it. Prometheus
        sends the same few queries again and again: an accepted one is remembered (per plan, at most
        ``_VETTED``), so parsing it and checking the allow-list is not paid on every scrape."""
        with self._accepted_lock:
            if self._accepted[0] is not engine:
                self._accepted = (engine, {})
            accepted = self._accepted[1]
            found = accepted.get(query)
        if found is not None:
            return found
        params = parse_qs(query, keep_blank_values=True)
        module = (params.get("module") or ["default"])[0]
        target = (params.get("target") or [""])[0]
        if module not in {m.name for m in engine.plan.modules}:
            return Response.text(400, f"unknown module {module!r}\n")
        if not target:
            return Response.text(400, "the target parameter is missing\n")
        if problem := target_problem(target, engine.plan.module(module).allowed_targets):
            log.info("probe refused module=%s target=%r: %s", module, redact_url(target), problem)
            return Response.text(400, f"target refused: {problem}\n")
        with self._accepted_lock:
            while len(accepted) >= _VETTED:
                accepted.pop(next(iter(accepted)))
            accepted[query] = (module, target)
        return module, target


def _load_here(path: Path, base_url: str | None) -> Plan:
    from launchwatch.plan.loader import load_plan

    return load_plan(path, base_url=base_url)


class _NoJourneys:
    """A plan without journeys: the journeys' module (which reads the validation model) is not even imported."""

    scheduled: list[Any] = []

    def start_due(self) -> list[Any]:
        return []


def _journeys(journeys: Any, base_url: str, previous: Journeys | _NoJourneys | None = None) -> Journeys | _NoJourneys:
    """The plan's journeys as the exporter runs them; a reload keeps the state of unchanged ones."""
    if not journeys and not (previous is not None and previous.scheduled):
        return _NoJourneys()
    from launchwatch.exporter.journeys import Journeys

    if isinstance(previous, Journeys):
        return previous.reloaded(journeys, base_url)
    return Journeys(journeys, base_url)


def scrape_timeout(header: str | None) -> float | None:
    """The time left for fetching, from Prometheus' X-Prometheus-Scrape-Timeout-Seconds header."""
    if not header:
        return None
    try:
        seconds = float(header)
    except ValueError:
        return None
    return max(seconds - TIMEOUT_OFFSET, seconds * 0.5) if seconds > 0 else None


class ListenError(Exception):
    """The address cannot be listened on (in use, not this host's, a privileged port): one line, not a traceback."""


def serve(app: Exporter, host: str, port: int, *, web_config: WebConfigFile | None = None,
          ready: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> None:
    """Serve ``app`` until ``stop`` is set or SIGINT/SIGTERM; SIGHUP reloads the plan."""
    handler = web_config.guard(app.handle) if web_config else app.handle
    tls = (web_config.ssl_context if web_config and web_config.tls else None)
    try:
        server = HttpServer(handler, host, port, tls=tls, peer_allowed=web_config.peer_allowed if tls else None)
    except OSError as exc:
        raise ListenError(f"{host}:{port}: cannot listen: {exc.strerror or exc}") from None
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGHUP, lambda *_: threading.Thread(target=app.reload, daemon=True).start())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    log.info("serving plan %s (%d sources) on %s/metrics", app.plan.plan, len(app.engine.targets), server.url)
    if ready:
        ready(server.url)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        thread.join(5)
        app.close()
