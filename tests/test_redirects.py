"""A redirect to another origin carries no secret: neither Authorization nor a header read from a secret."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from launchwatch.exporter.fetch import Fetcher
from launchwatch.plan.model import Source


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]]
    location: str | None = None

    def do_GET(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.location and self.path == "/start":
            self.send_response(302)
            self.send_header("Location", self.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"ok": 1}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(location: str | None) -> tuple[ThreadingHTTPServer, type[_Recorder]]:
    handler = type("Handler", (_Recorder,), {"seen": [], "location": location})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


@pytest.mark.parametrize("same_origin", [False, True])
def test_secret_headers_do_not_follow_a_redirect_to_another_origin(monkeypatch, same_origin):
    monkeypatch.setenv("LW_TEST_API_KEY", "k-0123456789")
    monkeypatch.setenv("LW_TEST_TOKEN", "t-0123456789")
    final, final_seen = _serve(None)
    # another host name (same machine) is another origin; the same server is the same origin
    first, first_seen = _serve("/final" if same_origin else f"http://localhost:{final.server_address[1]}/final")
    try:
        source = Source.model_validate({
            "name": "s", "url": "/start", "timeout": "5s", "probe": {"max_duration": "5s"},
            "headers": {"X-Api-Key": {"env": "LW_TEST_API_KEY"}, "X-Tenant": "acme"},
            "auth": {"bearer": {"env": "LW_TEST_TOKEN"}}})
        fetcher = Fetcher(source, f"http://127.0.0.1:{first.server_address[1]}/start")
        result = fetcher.fetch(5.0)
        assert result.status_code == 200
        sent, *rest = first_seen.seen
        assert sent["x-api-key"] == "k-0123456789" and sent["authorization"] == "Bearer t-0123456789"
        [followed] = rest if same_origin else final_seen.seen
        assert followed["x-tenant"] == "acme"  # a plain header may follow
        if same_origin:
            assert followed["x-api-key"] == "k-0123456789" and "authorization" in followed
        else:
            assert "x-api-key" not in followed and "authorization" not in followed
        fetcher.close()
    finally:
        for server in (first, final):
            server.shutdown()
            server.server_close()
