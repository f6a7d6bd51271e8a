"""The simulator's HTTP server: a plan's endpoints, plus ``/-/fault`` to inject faults at run time.

Faults handled here, for any endpoint: ``down`` (503), ``slow`` (the response waits
``slow_delay`` seconds), ``malformed-json`` (the body is cut in half). The scenario handles the
business faults inside the documents it builds.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from launchwatch.simulator.faults import FAULTS, Faults
from launchwatch.simulator.launch import Launch
from launchwatch.simulator.scenarios import Handler, Html, Status, build_routes

__all__ = ["Simulator"]

log = logging.getLogger(__name__)


class Simulator:
    """A running simulator for one plan.

    >>> sim = Simulator("whatsapp-quiz", "127.0.0.1", 0)  # doctest: +SKIP
    >>> sim.start(); sim.url  # doctest: +SKIP
    'http://127.0.0.1:40123'
    """

    def __init__(self, plan: str, host: str = "127.0.0.1", port: int = 9849, *, faults: list[str] = (),
                 seed: int | None = None, slow_delay: float = 4.0, speed: float = 1.0, latency: float = 0.0):
        self.plan = plan
        self.faults = Faults()
        for spec in faults:
            self.faults.set(*Faults.parse(spec))
        self.launch = Launch(self.faults, seed=seed, speed=speed)
        self.routes = build_routes(plan, self.launch)
        self.slow_delay = slow_delay
        self.latency = latency
        self.requests: Counter[str] = Counter()
        self._requests_lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _make_handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{port}"

    def start(self) -> Simulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="simulator", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def count(self, path: str) -> None:
        with self._requests_lock:
            self.requests[path] += 1


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
            else:
                self._serve(head=False)

        def do_DELETE(self) -> None:
            if urlsplit(self.path).path == "/-/fault":
                sim.faults.clear()
                self._send(200, _json({"faults": sim.faults.snapshot()}))
            else:
                self._send(405, _json({"error": "method not allowed"}))

        def _serve(self, head: bool) -> None:
            path = urlsplit(self.path).path
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
            handler = sim.routes.get(path)
            if handler is None:
                self._send(404, _json({"error": f"no endpoint {path}"}), head=head)
                return
            sim.count(path)
            self._endpoint(path, handler, head)

        def _endpoint(self, path: str, handler: Handler, head: bool) -> None:
            if sim.latency:
                time.sleep(sim.latency)
            if sim.faults.active("slow", path):
                time.sleep(sim.slow_delay)
            if sim.faults.active("down", path):
                self._send(503, _json({"status": "down", "error": "service unavailable"}), head=head)
                return
            doc = handler()
            code, ctype = 200, "application/json"
            if isinstance(doc, Html):
                body, ctype = doc.body.encode(), "text/html; charset=utf-8"
            elif isinstance(doc, Status):
                code, body = doc.code, _json(doc.document)
            else:
                body = _json(doc)
            if sim.faults.active("malformed-json", path) and ctype == "application/json":
                body = body[: len(body) // 2]
            self._send(code, body, ctype, head=head)

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
                self.wfile.write(body)

    return _Handler


def _json(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()
