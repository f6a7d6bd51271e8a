"""The exporter's HTTP server: /metrics, /, /-/healthy, /-/ready, POST /-/reload, and SIGHUP.

A reload that fails keeps the running plan, sets launchwatch_config_last_reload_successful to 0
and says why on the landing page, in the log and in the /-/reload response.
"""

from __future__ import annotations

import gzip
import logging
import signal
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client.exposition import choose_encoder

from launchwatch.exporter.engine import Engine, Recorder, Shard
from launchwatch.exporter.landing import landing_page
from launchwatch.exporter.selfmetrics import self_families
from launchwatch.plan.loader import PlanError, load_plan
from launchwatch.plan.model import Plan

__all__ = ["Exporter", "serve"]

log = logging.getLogger("launchwatch.exporter")

# Leave Prometheus this much of its scrape timeout to receive and parse the page (as blackbox does).
TIMEOUT_OFFSET = 0.5

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class _Collected:
    """What ``generate_latest`` needs: something with ``collect()``."""

    def __init__(self, families: list[Any]):
        self._families = families

    def collect(self) -> list[Any]:
        return self._families


class Exporter:
    """The WSGI application: holds the running plan and swaps it whole on a good reload.

    >>> app = Exporter(Path("plan.yml"))  # doctest: +SKIP
    """

    def __init__(self, plan_path: Path, *, base_url: str | None = None, shard: Shard | None = None,
                 plan: Plan | None = None):
        self.plan_path = plan_path
        self.base_url = base_url
        self.shard = shard or Shard()
        self.recorder = Recorder()
        self._lock = threading.Lock()
        plan = plan or load_plan(plan_path, base_url=base_url)
        self.engine = Engine(plan, shard=shard, recorder=self.recorder)
        self.reload_ok = True
        self.reload_error: str | None = None
        self.reload_timestamp = time.time()

    @property
    def plan(self) -> Plan:
        return self.engine.plan

    def reload(self) -> tuple[bool, str]:
        """Load the plan file again; on failure keep the running plan. Returns (ok, message)."""
        with self._lock:
            try:
                plan = load_plan(self.plan_path, base_url=self.base_url)
            except PlanError as exc:
                self.reload_ok, self.reload_error = False, str(exc)
                log.error("reload failed, keeping the running plan: %s", exc)
                return False, str(exc)
            old, self.engine = self.engine, Engine(plan, shard=self.shard, recorder=self.recorder)
            old.close()
            self.reload_ok, self.reload_error, self.reload_timestamp = True, None, time.time()
        log.info("reloaded plan %s from %s (%d sources)", plan.plan, self.plan_path, len(self.engine.targets))
        return True, f"reloaded plan {plan.plan}"

    def close(self) -> None:
        self.engine.close()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/metrics":
            return self._metrics(environ, start_response)
        if path == "/-/reload":
            if method not in ("POST", "PUT"):
                return _text(start_response, "405 Method Not Allowed", "use POST to reload\n",
                             [("Allow", "POST")])
            ok, message = self.reload()
            return _text(start_response, "200 OK" if ok else "500 Internal Server Error", message + "\n")
        if path == "/-/healthy":
            return _text(start_response, "200 OK", "launchwatch is healthy\n")
        if path == "/-/ready":
            return _text(start_response, "200 OK", "launchwatch is ready\n")
        if path == "/":
            engine = self.engine
            body = landing_page(engine.plan.title, engine.plan.plan, engine.last_results(), self.reload_error)
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return _text(start_response, "404 Not Found", "not found: try /metrics\n")

    def _metrics(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        engine = self.engine
        results = engine.scrape(scrape_timeout(environ.get("HTTP_X_PROMETHEUS_SCRAPE_TIMEOUT_SECONDS")))
        families = [f for r in results if r.ok for f in r.families]
        families += self_families(engine.plan.plan, results, self.recorder, reload_ok=self.reload_ok,
                                  reload_timestamp=self.reload_timestamp)
        encoder, content_type = choose_encoder(environ.get("HTTP_ACCEPT", ""))
        body = encoder(_Collected(families))
        headers = [("Content-Type", content_type)]
        if "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
            body = gzip.compress(body, compresslevel=1)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        start_response("200 OK", headers)
        return [body]


def scrape_timeout(header: str | None) -> float | None:
    """The time left for fetching, from Prometheus' X-Prometheus-Scrape-Timeout-Seconds header."""
    if not header:
        return None
    try:
        seconds = float(header)
    except ValueError:
        return None
    return max(seconds - TIMEOUT_OFFSET, seconds * 0.5) if seconds > 0 else None


def _text(start_response: StartResponse, status: str, text: str,
          extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
                            *(extra or [])])
    return [body]


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


def serve(app: Exporter, host: str, port: int, *, ready: Callable[[str], None] | None = None,
          stop: threading.Event | None = None) -> None:
    """Serve ``app`` until ``stop`` is set or SIGINT/SIGTERM; SIGHUP reloads the plan."""
    server_class = _ThreadingWSGIServer
    if ":" in host:
        import socket

        server_class = type("_V6Server", (_ThreadingWSGIServer,), {"address_family": socket.AF_INET6})
    httpd = make_server(host, port, app, server_class=server_class, handler_class=_QuietHandler)
    bound = httpd.server_address
    url_host = f"[{bound[0]}]" if ":" in bound[0] else bound[0]
    url = f"http://{url_host}:{bound[1]}"
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGHUP, lambda *_: threading.Thread(target=app.reload, daemon=True).start())
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    thread = threading.Thread(target=httpd.serve_forever, name="http", daemon=True)
    thread.start()
    log.info("serving plan %s (%d sources) on %s/metrics", app.plan.plan, len(app.engine.targets), url)
    if ready:
        ready(url)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        httpd.shutdown()
        httpd.server_close()
        app.close()
