"""The exporter's HTTP/1.1 server: llhttp (Node.js's parser, through httptools) under a thread per connection.

Prometheus keeps one connection open per target and scrapes it every interval; answering on
that connection saves a TCP (and TLS) handshake per scrape. Requests are parsed by llhttp in its
strict mode (RFC 9112: CRLF line ends, no obs-fold, no NUL or bare CR, one Content-Length and
never with Transfer-Encoding, chunked bodies, keep-alive, pipelining); h11 was tried first and
measured 1.8x slower per request (docs/performance.md). This module adds what HTTP semantics and
Prometheus' reachability need on top:

- a new connection must send its first request within ``head_timeout``; between requests a
  keep-alive connection may wait ``idle_timeout``, and once a request has started it must
  arrive whole within ``head_timeout`` (however it trickles);
- ``accept`` never blocks: with every slot taken, the connection that has waited longest for a
  request (idle, silent or dripping its head) is shed to make room, and only when every slot is
  busy answering does a newcomer get 503;
- heads over ``MAX_HEAD`` or with over ``MAX_HEADERS`` fields get 431, bodies over ``MAX_BODY``
  413; an HTTP/1.1 request needs exactly one Host; ``Expect: 100-continue`` gets its 100.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import unquote

import httptools

__all__ = ["HttpServer", "Request", "Response"]

log = logging.getLogger("launchwatch.exporter")

MAX_HEAD = 64 * 1024  # the whole request head
MAX_HEADERS = 100  # header fields in one request (Prometheus sends about six)
MAX_BODY = 64 * 1024
HEAD_TIMEOUT = 10.0  # seconds for a first request (or a TLS handshake), or for a started request to arrive
IDLE_TIMEOUT = 120.0  # a keep-alive connection with no request for this long is closed
MAX_CONNECTIONS = 256


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


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class _Slot:
    sock: socket.socket
    waiting_since: float | None  # waiting for (the rest of) a request since; None while answering one


class HttpServer:
    """Serves ``handler`` on ``host:port``; ``tls`` gives the current TLS context (or None for HTTP)."""

    def __init__(self, handler: Handler, host: str, port: int, *, tls: TlsContext | None = None,
                 peer_allowed: PeerCheck | None = None, max_connections: int = MAX_CONNECTIONS,
                 head_timeout: float = HEAD_TIMEOUT, idle_timeout: float = IDLE_TIMEOUT):
        self.handler = handler
        self.head_timeout = head_timeout
        self.idle_timeout = idle_timeout
        self.max_connections = max_connections
        self.tls = tls
        self.peer_allowed = peer_allowed
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind((host, port))
        self.socket.listen(128)
        self.address = self.socket.getsockname()[:2]
        self._slots: dict[socket.socket, _Slot] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.address
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls and self.tls() else 'http'}://{host}:{port}"

    def serve_forever(self) -> None:
        while not self._closed.is_set():
            try:
                conn, addr = self.socket.accept()
            except OSError:
                if self._closed.is_set():
                    return
                continue
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                room = len(self._slots) < self.max_connections or self._shed_longest_waiting()
                if room:
                    self._slots[conn] = _Slot(conn, time.monotonic())
            if room:
                threading.Thread(target=self._connection, args=(conn, addr), name="http-conn", daemon=True).start()
            else:
                _busy(conn)

    def _shed_longest_waiting(self) -> bool:
        """Make room by closing the connection that has waited longest for a request (lock held)."""
        waiting = [slot for slot in self._slots.values() if slot.waiting_since is not None]
        if not waiting:
            return False
        victim = min(waiting, key=lambda slot: slot.waiting_since or 0.0)
        del self._slots[victim.sock]
        with contextlib.suppress(OSError):
            victim.sock.shutdown(socket.SHUT_RDWR)
        return True

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()
        with self._lock:
            for conn in list(self._slots):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

    def _connection(self, conn: socket.socket, addr: tuple) -> None:
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
            self._serve_requests(sock, conn, peer)
        finally:
            with self._lock:
                self._slots.pop(conn, None)
            with contextlib.suppress(OSError):
                conn.close()

    def _waiting(self, conn: socket.socket, since: float | None) -> None:
        with self._lock:
            slot = self._slots.get(conn)
            if slot is not None:
                slot.waiting_since = since

    def _serve_requests(self, sock: socket.socket, conn: socket.socket, peer: str) -> None:
        reader = _Reader(peer)
        first = True
        while not self._closed.is_set():
            try:
                request, keep_alive = self._read_request(reader, sock, conn, first)
            except _Refused as exc:
                _send(sock, Response.text(exc.status, f"{exc}\n"), head=False, keep_alive=False, version="1.1")
                return
            except (TimeoutError, OSError):
                return
            if request is None:
                return
            self._waiting(conn, None)
            try:
                response = self.handler(request)
            except Exception:
                log.exception("error answering %s %s", request.method, request.path)
                response = Response.text(500, "internal error; see the exporter's log\n")
            if not _send(sock, response, head=request.method == "HEAD", keep_alive=keep_alive,
                         version=reader.version) or not keep_alive:
                return
            first = False

    def _read_request(self, reader: _Reader, sock: socket.socket, conn: socket.socket,
                      first: bool) -> tuple[Request | None, bool]:
        """The next whole request and whether the connection stays open; (None, False) when the client
        left, or waited too long, between requests.

        A first request must arrive within ``head_timeout`` of the connection; a later one may be
        ``idle_timeout`` in coming, but once its first byte is in, all of it within ``head_timeout``."""
        if reader.ready:
            return reader.ready.popleft()
        now = time.monotonic()
        deadline = now + (self.head_timeout if first else self.idle_timeout)
        if reader.partial:
            deadline = min(deadline, now + self.head_timeout)
        self._waiting(conn, now)
        while not reader.ready:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if reader.partial:
                    raise TimeoutError
                return None, False
            sock.settimeout(remaining)
            data = sock.recv(65536)
            if not data:
                if reader.partial:
                    raise _Refused(400, "request cut short")
                return None, False
            if not reader.partial:
                deadline = min(deadline, time.monotonic() + self.head_timeout)
            reader.feed(data)
            if reader.expects_continue:
                reader.expects_continue = False
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        return reader.ready.popleft()


class _Reader:
    """llhttp's callbacks, gathering whole requests (several, when a client pipelines them)."""

    def __init__(self, peer: str):
        self.peer = peer
        self.parser = httptools.HttpRequestParser(self)
        self.ready: deque[tuple[Request, bool]] = deque()
        self.partial = False  # bytes of a request not yet complete have arrived
        self.expects_continue = False
        self.version = "1.1"
        self._head_bytes = 0
        self._reset()

    def _reset(self) -> None:
        self._url = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._body = bytearray()
        self._in_head = True

    def feed(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD:
                raise _Refused(431, "request head too large")
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__ or exc.__cause__
            if isinstance(cause, _Refused):
                raise cause from None
            raise _Refused(400, "malformed request") from None
        except httptools.HttpParserUpgrade:  # e.g. an h2c offer: answer the request, then close
            if self.ready:
                request, _ = self.ready.pop()
                self.ready.append((request, False))
            else:
                raise _Refused(400, "protocol upgrades are not supported") from None
        except httptools.HttpParserError as exc:
            raise _Refused(400, f"malformed request: {exc}") from None

    # llhttp callbacks
    def on_message_begin(self) -> None:
        self._in_head = True
        self.partial = True

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name, value))
        if len(self._headers) > MAX_HEADERS:
            raise _Refused(431, "too many header fields")

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._head_bytes = 0
        names = [n.lower() for n, _ in self._headers]
        self.version = self.parser.get_http_version()
        if names.count(b"host") > 1 or (self.version == "1.1" and b"host" not in names):
            raise _Refused(400, "an HTTP/1.1 request needs exactly one Host header")
        length = next((v for n, v in self._headers if n.lower() == b"content-length"), b"0")
        if int(length or b"0") > MAX_BODY:
            raise _Refused(413, "request body too large")
        expect = next((v for n, v in self._headers if n.lower() == b"expect"), b"")
        self.expects_continue = expect.lower() == b"100-continue" and length not in (b"", b"0")

    def on_body(self, body: bytes) -> None:
        self._body += body
        self.expects_continue = False
        if len(self._body) > MAX_BODY:
            raise _Refused(413, "request body too large")

    def on_message_complete(self) -> None:
        headers: dict[str, str] = {}
        for raw_name, raw_value in self._headers:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        target = self._url.decode("latin-1")
        path, _, query = target.partition("?")
        method = self.parser.get_method().decode("latin-1")
        request = Request(method, unquote(path), query, headers, self.peer, bytes(self._body))
        self.ready.append((request, self.parser.should_keep_alive()))
        self.expects_continue = False
        self.partial = False
        self._reset()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _send(sock: socket.socket, response: Response, *, head: bool, keep_alive: bool, version: str) -> bool:
    """Write ``response`` in one call where it is small (no Nagle stall between head and body);
    False if the peer left."""
    lines = [f"HTTP/1.1 {response.status} {_reason(response.status)}"]
    lines += [f"{k}: {v}" for k, v in response.headers]
    lines.append(f"Content-Length: {len(response.body)}")
    if not keep_alive:
        lines.append("Connection: close")
    elif version == "1.0":
        lines.append("Connection: keep-alive")
    start = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    try:
        if head or not response.body:
            sock.sendall(start)
        elif len(response.body) < 65536:
            sock.sendall(start + response.body)
        else:  # no copy of a large page just to save one segment
            sock.sendall(start)
            sock.sendall(response.body)
    except OSError:
        return False
    return True


def _busy(conn: socket.socket) -> None:
    """Every slot is answering a request: say so and hang up, without a thread."""
    with contextlib.suppress(OSError):
        conn.settimeout(1.0)
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
                     b"Connection: close\r\n\r\n")
    with contextlib.suppress(OSError):
        conn.close()
