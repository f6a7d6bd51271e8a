"""A small HTTP/1.1 server: keep-alive, optional TLS and basic auth, one thread per connection.

Prometheus keeps one connection open per target and scrapes it every interval; answering on
that connection (wsgiref closes it after each response) saves a TCP handshake, and with TLS a
TLS handshake, per scrape. Requests are tiny GETs, so the parser is deliberately minimal and
bounded: oversized or slow request heads are refused, never buffered without limit.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

__all__ = ["HttpServer", "Request", "Response"]

log = logging.getLogger("launchwatch.exporter")

MAX_LINE = 8192
MAX_HEADERS = 100
MAX_BODY = 64 * 1024
HEAD_TIMEOUT = 10.0  # seconds to send a request head (or finish a TLS handshake) once started
IDLE_TIMEOUT = 120.0  # a keep-alive connection with no request for this long is closed
MAX_CONNECTIONS = 256

_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed", 413: "Content Too Large", 414: "URI Too Long", 429: "Too Many Requests",
            431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented",
            503: "Service Unavailable", 505: "HTTP Version Not Supported"}


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # names lower-cased
    peer: str = ""
    body: bytes = b""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name, default)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def text(cls, status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
        return cls(status, text.encode(), [("Content-Type", "text/plain; charset=utf-8"), *(headers or [])])


Handler = Callable[[Request], Response]
TlsContext = Callable[[], "ssl.SSLContext | None"]
PeerCheck = Callable[[ssl.SSLSocket], bool]


class _BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class HttpServer:
    """Serves ``handler`` on ``host:port``; ``tls`` gives the current TLS context (or None for HTTP)."""

    def __init__(self, handler: Handler, host: str, port: int, *, tls: TlsContext | None = None,
                 peer_allowed: PeerCheck | None = None, max_connections: int = MAX_CONNECTIONS):
        self.handler = handler
        self.tls = tls
        self.peer_allowed = peer_allowed
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.socket.listen(128)
        self.address = self.socket.getsockname()[:2]
        self._slots = threading.BoundedSemaphore(max_connections)
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.address
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls and self.tls() else 'http'}://{host}:{port}"

    def serve_forever(self) -> None:
        while not self._closed.is_set():
            self._slots.acquire()
            try:
                conn, addr = self.socket.accept()
            except OSError:
                self._slots.release()
                if self._closed.is_set():
                    return
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._connection, args=(conn, addr), name="http-conn", daemon=True).start()

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()
        with self._lock:
            for conn in list(self._open):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def _connection(self, conn: socket.socket, addr: tuple) -> None:
        with self._lock:
            self._open.add(conn)
        peer = addr[0]
        try:
            sock = conn
            context = self.tls() if self.tls else None
            if context is not None:
                conn.settimeout(HEAD_TIMEOUT)
                try:
                    sock = context.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    log.debug("TLS handshake with %s failed: %s", peer, exc)
                    return
                if self.peer_allowed and not self.peer_allowed(sock):
                    log.info("refused %s: its client certificate names none of client_allowed_sans", peer)
                    return
            self._serve_requests(sock, peer)
        finally:
            with self._lock:
                self._open.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()
            self._slots.release()

    def _serve_requests(self, sock: socket.socket, peer: str) -> None:
        rfile = sock.makefile("rb", buffering=65536)
        try:
            while not self._closed.is_set():
                sock.settimeout(IDLE_TIMEOUT)
                try:
                    line = rfile.readline(MAX_LINE + 1)
                except (TimeoutError, OSError):
                    return
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    continue  # tolerated between requests (RFC 9112, 2.2)
                sock.settimeout(HEAD_TIMEOUT)
                try:
                    request, keep_alive = _read_request(line, rfile, peer)
                except _BadRequest as exc:
                    _send(sock, Response.text(exc.status, f"{exc}\n"), head=False, keep_alive=False)
                    return
                except (TimeoutError, OSError):
                    return
                try:
                    response = self.handler(request)
                except Exception:
                    log.exception("error answering %s %s", request.method, request.path)
                    response = Response.text(500, "internal error; see the exporter's log\n")
                if not _send(sock, response, head=request.method == "HEAD", keep_alive=keep_alive):
                    return
                if not keep_alive:
                    return
        finally:
            rfile.close()


def _read_request(line: bytes, rfile, peer: str) -> tuple[Request, bool]:
    if len(line) > MAX_LINE:
        raise _BadRequest(414, "request line too long")
    try:
        method, target, version = line.decode("latin-1").rstrip("\r\n").split(" ")
    except ValueError:
        raise _BadRequest(400, "malformed request line") from None
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise _BadRequest(505, f"unsupported protocol {version[:20]!r}")
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        raw = rfile.readline(MAX_LINE + 1)
        if len(raw) > MAX_LINE:
            raise _BadRequest(431, "header line too long")
        if raw in (b"\r\n", b"\n", b""):
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequest(400, "malformed header line")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    else:
        raise _BadRequest(431, "too many header lines")
    if "transfer-encoding" in headers:
        raise _BadRequest(501, "chunked request bodies are not supported")
    length = headers.get("content-length", "0")
    if not length.isdigit():
        raise _BadRequest(400, "bad Content-Length")
    if int(length) > MAX_BODY:
        raise _BadRequest(413, "request body too large")
    body = rfile.read(int(length)) if int(length) else b""
    path, _, query = target.partition("?")
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    return Request(method, unquote(path), query, headers, peer, body), keep_alive


def _send(sock: socket.socket, response: Response, *, head: bool, keep_alive: bool) -> bool:
    """Write ``response`` in one call (no Nagle stall between head and body); False if the peer left."""
    lines = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'Unknown')}"]
    lines += [f"{k}: {v}" for k, v in response.headers]
    lines.append(f"Content-Length: {len(response.body)}")
    if not keep_alive:
        lines.append("Connection: close")
    head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    try:
        if head or not response.body:
            sock.sendall(head_bytes)
        elif len(response.body) < 65536:
            sock.sendall(head_bytes + response.body)
        else:  # no copy of a large page just to save one segment
            sock.sendall(head_bytes)
            sock.sendall(response.body)
    except OSError:
        return False
    return True
