"""The exporter's HTTP server against clients that misbehave: bounded, never stuck, keep-alive when asked."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from launchwatch.exporter.httpd import MAX_LINE, HttpServer, Request, Response


@pytest.fixture
def server():
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        if request.path == "/boom":
            raise RuntimeError("handler bug")
        return Response.text(200, f"hello {request.path}\n")

    srv = HttpServer(handler, "127.0.0.1", 0, head_timeout=0.5, max_connections=4)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.seen = seen
    yield srv
    srv.close()
    thread.join(5)


def exchange(server, raw: bytes, *, wait: float = 5.0) -> bytes:
    with socket.create_connection(server.address, timeout=wait) as s:
        s.sendall(raw)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except TimeoutError:
            pass
        return out


def test_keep_alive_serves_several_requests_on_one_connection(server):
    with socket.create_connection(server.address, timeout=5) as s:
        for i in range(3):
            s.sendall(f"GET /r{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = s.recv(65536)
            assert head.startswith(b"HTTP/1.1 200 OK") and f"hello /r{i}".encode() in head


def test_http_1_0_and_connection_close_end_the_connection(server):
    assert exchange(server, b"GET /a HTTP/1.0\r\n\r\n").endswith(b"hello /a\n")
    reply = exchange(server, b"GET /b HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert b"Connection: close" in reply and reply.endswith(b"hello /b\n")


@pytest.mark.parametrize(("raw", "status"), [
    (b"GARBAGE\r\n\r\n", b"400"),
    (b"GET / HTTP/2.0\r\n\r\n", b"505"),
    (b"GET /" + b"a" * (MAX_LINE + 10) + b" HTTP/1.1\r\n\r\n", b"414"),
    (b"GET / HTTP/1.1\r\nX: " + b"a" * (MAX_LINE + 10) + b"\r\n\r\n", b"431"),
    (b"GET / HTTP/1.1\r\n" + b"X: 1\r\n" * 200 + b"\r\n", b"431"),
    (b"POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n", b"413"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", b"501"),
    (b"GET / HTTP/1.1\r\nbad header line\r\n\r\n", b"400"),
])
def test_bad_requests_get_a_status_and_a_closed_connection(server, raw, status):
    reply = exchange(server, raw)
    assert reply.startswith(b"HTTP/1.1 " + status), reply[:80]
    assert server.seen == []  # the handler never saw them


def test_a_handler_error_is_a_500_and_the_server_keeps_serving(server):
    assert exchange(server, b"GET /boom HTTP/1.1\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 500")
    assert exchange(server, b"GET /ok HTTP/1.1\r\nConnection: close\r\n\r\n").endswith(b"hello /ok\n")


def test_a_slow_or_silent_client_is_cut_off_and_does_not_hold_others_up(server):
    slow = [socket.create_connection(server.address) for _ in range(3)]  # 3 of the 4 connection slots
    try:
        for s in slow:
            s.sendall(b"GET / HT")  # a head started and never finished
        assert exchange(server, b"GET /meanwhile HTTP/1.1\r\nConnection: close\r\n\r\n").endswith(b"/meanwhile\n")
        deadline = time.monotonic() + 5
        for s in slow:
            s.settimeout(max(deadline - time.monotonic(), 0.1))
            assert s.recv(100) == b""  # the server hung up after head_timeout
    finally:
        for s in slow:
            s.close()
