"""A local HTTP server whose answers a test sets per path: the misbehaving product."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0


class Upstream:
    """``up.set("/x", Reply(body=b'{"a": 1}'))``; ``up.url`` is its base URL; ``up.hits["/x"]`` counts."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.hits: Counter[str] = Counter()
        self.seen_headers: dict[str, dict[str, str]] = {}
        self.seen_header_lists: dict[str, list[tuple[str, str]]] = {}  # every header as sent, repeats included
        self.seen_requests: dict[str, tuple[str, bytes]] = {}  # path -> (method, body) of the last request
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    outer.hits[self.path] += 1
                    outer.seen_headers[self.path] = dict(self.headers)
                    outer.seen_header_lists[self.path] = list(self.headers.items())
                    outer.seen_requests[self.path] = (self.command, body)
                    reply = outer.replies.get(self.path, Reply(404, b'{"error": "no such path"}'))
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(reply.body)

            do_POST = do_GET

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def set(self, path: str, reply: Reply) -> None:
        with self._lock:
            self.replies[path] = reply

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
