"""The simulator's HTTP server: a plan's endpoints, plus ``/-/fault`` to inject faults at run time.

Faults handled here, for any endpoint: ``down`` (503), ``slow`` (the response waits
``slow_delay`` seconds), ``malformed-json`` (the body is cut in half). The scenario handles the
business faults inside the documents it builds. ``Simulator.respond`` makes an endpoint's answer
(status, body, delay) without HTTP, so the history writer gets exactly what the server would send.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from launchwatch.simulator.faults import FAULTS, Faults
from launchwatch.simulator.journeys import JourneyApp
from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import Html, Status, build_routes

__all__ = ["Reply", "Simulator"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """An endpoint's answer: what the HTTP server sends after waiting ``delay`` seconds."""

    code: int
    body: bytes
    content_type: str = "application/json"
    delay: float = 0.0


class Simulator:
    """A running simulator for one plan.

    >>> sim = Simulator("whatsapp-quiz", "127.0.0.1", 0)  # doctest: +SKIP
    >>> sim.start(); sim.url  # doctest: +SKIP
    'http://127.0.0.1:40123'
    """

    def __init__(self, plan: str, host: str = "127.0.0.1", port: int = 9849, *, faults: list[str] = (),
                 seed: int | None = None, slow_delay: float = 4.0, speed: float = 1.0, latency: float = 0.0,
                 clock: Callable[[], float] | None = None, wall_start: float | None = None, daily: bool = False):
        """``clock``/``wall_start``/``daily`` go to the ``Launch`` (a virtual clock for history mode)."""
        self.plan = plan
        self.faults = Faults()
        for spec in faults:
            self.faults.set(*Faults.parse(spec))
        self.launch = Launch(self.faults, seed=seed, speed=speed, wall_start=wall_start, daily=daily,
                             **({"clock": clock} if clock is not None else {}))
        self.routes = build_routes(plan, self.launch)
        self.journeys = JourneyApp(plan, self.faults, delay=time.sleep, slow_delay=slow_delay)  # stateful flows
        self.slow_delay = slow_delay
        self.latency = latency
        self.requests: Counter[str] = Counter()
        self._requests_lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self._serving = False

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def start(self) -> Simulator:
        self._serving = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="simulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._serving = True
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving (if it ever did: a simulator used only through ``respond`` just closes its socket)."""
        if self._serving:
            self._server.shutdown()
        self._server.server_close()

    def count(self, path: str) -> None:
        with self._requests_lock:
            self.requests[path] += 1

    def respond(self, path: str, head: bool = False) -> Reply:
        """The answer of the endpoint at ``path`` (which must be one of ``routes``), faults applied.

        ``down`` is a 503, ``malformed-json`` a JSON body cut in half, and ``slow`` and ``latency``
        come back as ``delay`` for the caller to wait (the HTTP server sleeps it before answering)."""
        handler = self.routes[path]
        self.count(path)
        delay = self.latency + (self.slow_delay if self.faults.active("slow", path) else 0.0)
        if self.faults.active("down", path):
            return Reply(503, b"" if head else _json({"status": "down", "error": "service unavailable"}), delay=delay)
        doc = handler()
        code, ctype = 200, "application/json"
        if isinstance(doc, Html):
            body, ctype = doc.body.encode(), "text/html; charset=utf-8"
        elif isinstance(doc, Status):
            code, body = doc.code, _json(doc.document)
        else:
            body = _json(doc)
        if self.faults.active("malformed-json", path) and ctype == "application/json":
            body = body[: len(body) // 2]
        return Reply(code, b"" if head else body, ctype, delay)


def _make_handler(sim: Simulator) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True
        server_version = "launchwatch-simulator"

        def log_message(self, format: str, *args: object) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def do_GET(self) -> None:
            self._serve(head=False)

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_POST(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/-/fault":
                self._set_fault(parts.query)
            elif not self._journey("POST"):
                self._serve(head=False)

        def do_DELETE(self) -> None:
            if urlsplit(self.path).path == "/-/fault":
                sim.faults.clear()
                self._send(200, _json({"faults": sim.faults.snapshot()}))
            elif not self._journey("DELETE"):
                self._send(405, _json({"error": "method not allowed"}))

        def _journey(self, method: str) -> bool:
            """A journey route (``launchwatch.simulator.journeys``) answers; False when none matches."""
            parts = urlsplit(self.path)
            if sim.journeys.match(method, parts.path) is None:
                return False
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                self._send(400, _json({"error": "body must be JSON"}))
                return True
            headers = {k.lower(): v for k, v in self.headers.items()}
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            route, (code, doc) = sim.journeys.handle(method, parts.path, body, headers, query)  # type: ignore[misc]
            sim.count(route)
            self._send(code, b"" if doc is None else _json(doc))
            return True

        def _serve(self, head: bool) -> None:
            path = urlsplit(self.path).path
            if not head and self._journey("GET"):
                return
            if path == "/-/fault":
                doc = {"faults": sim.faults.snapshot(), "available": list(FAULTS)}
                self._send(200, _json(doc), head=head)
                return
            if path == "/-/stats":
                with sim._requests_lock:
                    self._send(200, _json({"requests": dict(sim.requests)}), head=head)
                return
            if path == "/" and path not in sim.routes:
                self._send(200, _json({"plan": sim.plan, "endpoints": sorted(sim.routes),
                                       "faults": sim.faults.snapshot()}), head=head)
                return
            if path not in sim.routes:
                self._send(404, _json({"error": f"no endpoint {path}"}), head=head)
                return
            reply = sim.respond(path)
            if reply.delay:
                time.sleep(reply.delay)
            self._send(reply.code, reply.body, reply.content_type, head=head)

        def _set_fault(self, query: str) -> None:
            params = {k: v[-1] for k, v in parse_qs(query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                try:
                    params.update(json.loads(self.rfile.read(length)))
                except (ValueError, TypeError):
                    self._send(400, _json({"error": "body must be a JSON object"}))
                    return
            name = params.get("fault")
            endpoint = params.get("endpoint") or None
            active = str(params.get("active", "true")).lower() not in ("false", "0", "off", "no")
            try:
                if name in (None, "", "none"):
                    sim.faults.clear()
                elif active:
                    sim.faults.set(name, endpoint)
                else:
                    sim.faults.clear(name, endpoint)
            except ValueError as exc:
                self._send(400, _json({"error": str(exc)}))
                return
            log.info("faults now %s", sim.faults.snapshot())
            self._send(200, _json({"faults": sim.faults.snapshot()}))

        def _send(self, code: int, body: bytes, ctype: str = "application/json", head: bool = False) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (a deadline)
                    self.wfile.write(body)

    return _Handler


def _json(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()
