"""A loopback webhook that collects Alertmanager's notifications, for the end-to-end alerting tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Webhook:
    """Collects Alertmanager's webhook notifications, each with the monotonic time it arrived."""

    def __init__(self) -> None:
        self.received: list[tuple[float, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append((time.monotonic(), json.loads(body)))
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def notifications(self) -> list[dict]:
        return [body for _, body in list(self.received)]

    def seen(self, alertname: str, status: str) -> bool:
        return any(a["labels"].get("alertname") == alertname and a["status"] == status
                   for n in self.notifications for a in n["alerts"])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
