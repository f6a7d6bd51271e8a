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
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

__all__ = ["HttpServer", "Request", "Response"]

log = logging.getLogger("launchwatch.exporter")

MAX_LINE = 8192
MAX_HEADERS = 100
MAX_HEAD = MAX_LINE * 8  # the whole request head
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
                 peer_allowed: PeerCheck | None = None, max_connections: int = MAX_CONNECTIONS,
                 head_timeout: float = HEAD_TIMEOUT):
        self.handler = handler
        self.head_timeout = head_timeout
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
                conn.settimeout(self.head_timeout)
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
        conn = _Connection(sock)
        while not self._closed.is_set():
            try:
                head = conn.read_head(IDLE_TIMEOUT, self.head_timeout)
                if head is None:
                    return
                request, keep_alive = _parse_head(head, peer)
                length = int(request.header("content-length", "0"))
                if length:
                    request.body = conn.read_body(length, self.head_timeout)
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
            if not _send(sock, response, head=request.method == "HEAD", keep_alive=keep_alive) or not keep_alive:
                return


class _Connection:
    """Reads request heads and bodies off one socket, each within a deadline, however the bytes trickle in."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = bytearray()

    def _fill(self, timeout: float) -> bool:
        if timeout <= 0:
            raise TimeoutError
        self.sock.settimeout(timeout)
        chunk = self.sock.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def read_head(self, idle: float, limit: float) -> bytes | None:
        """The next request head (up to the blank line); None when the client left between requests.

        Waiting for a request may take ``idle``; once its first byte is in, the whole head must
        arrive within ``limit`` (a client dripping its head a byte at a time is cut off).
        """
        deadline = None
        while True:
            while self.buf[:2] == b"\r\n":  # blank lines between requests are tolerated (RFC 9112, 2.2)
                del self.buf[:2]
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.buf[:end])
                del self.buf[:end + 4]
                return head
            if len(self.buf) > MAX_HEAD:
                first = self.buf.find(b"\r\n")
                raise _BadRequest(414 if first < 0 or first > MAX_LINE else 431, "request head too large")
            if deadline is None and self.buf:
                deadline = time.monotonic() + limit
            if not self._fill(idle if deadline is None else deadline - time.monotonic()):
                if self.buf:
                    raise _BadRequest(400, "request head cut short")
                return None

    def read_body(self, length: int, limit: float) -> bytes:
        deadline = time.monotonic() + limit
        while len(self.buf) < length:
            if not self._fill(deadline - time.monotonic()):
                raise _BadRequest(400, "request body cut short")
        body = bytes(self.buf[:length])
        del self.buf[:length]
        return body


def _parse_head(head: bytes, peer: str) -> tuple[Request, bool]:
    lines = head.split(b"\r\n")
    if len(lines[0]) > MAX_LINE:
        raise _BadRequest(414, "request line too long")
    try:
        method, target, version = lines[0].decode("latin-1").split(" ")
    except ValueError:
        raise _BadRequest(400, "malformed request line") from None
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise _BadRequest(505, f"unsupported protocol {version[:20]!r}")
    if len(lines) > MAX_HEADERS + 1:
        raise _BadRequest(431, "too many header lines")
    headers: dict[str, str] = {}
    for raw in lines[1:]:
        if len(raw) > MAX_LINE:
            raise _BadRequest(431, "header line too long")
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise _BadRequest(400, "malformed header line")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if "transfer-encoding" in headers:
        raise _BadRequest(501, "chunked request bodies are not supported")
    length = headers.get("content-length", "0")
    if not length.isdigit():
        raise _BadRequest(400, "bad Content-Length")
    if int(length) > MAX_BODY:
        raise _BadRequest(413, "request body too large")
    path, _, query = target.partition("?")
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    return Request(method, unquote(path), query, headers, peer), keep_alive


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
