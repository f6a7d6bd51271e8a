"""The exporter's HTTP/1.1 server: h11's protocol state machine under a thread per connection.

Prometheus keeps one connection open per target and scrapes it every interval; answering on
that connection saves a TCP (and TLS) handshake per scrape. The protocol itself (request line,
headers, Content-Length, chunked bodies, keep-alive, pipelining, 100-continue) is h11's, a
maintained RFC 9110/9112 implementation; this module adds what keeps the port reachable for
Prometheus whoever else reaches it:

- a new connection must send its first request within ``head_timeout``; between requests a
  keep-alive connection may wait ``idle_timeout``, and once a request has started it must
  arrive whole within ``head_timeout`` (however it trickles);
- ``accept`` never blocks: with every slot taken, the connection that has waited longest for a
  request (idle, silent or dripping its head) is shed to make room, and only when every slot is
  busy answering does a newcomer get 503;
- heads over ``MAX_HEAD`` or with over ``MAX_HEADERS`` fields get 431, bodies over ``MAX_BODY`` 413, a request with both
  Content-Length and Transfer-Encoding 400 (a smuggling primitive behind a proxy).
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
from http import HTTPStatus
from urllib.parse import unquote

import h11

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
        http = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        first = True
        while not self._closed.is_set():
            try:
                request = self._read_request(http, sock, conn, peer, first)
            except _Refused as exc:
                _send_error(http, sock, exc.status, str(exc))
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
            if not _send(http, sock, response, head=request.method == "HEAD") or http.our_state is not h11.DONE or \
                    http.their_state is not h11.DONE:
                return
            http.start_next_cycle()
            first = False

    def _read_request(self, http: h11.Connection, sock: socket.socket, conn: socket.socket, peer: str,
                      first: bool) -> Request | None:
        """The next whole request, or None when the client left (or waited too long) between requests.

        A first request must arrive within ``head_timeout`` of the connection; a later one may be
        ``idle_timeout`` in coming, but once its first byte is in, all of it within ``head_timeout``."""
        now = time.monotonic()
        deadline = now + (self.head_timeout if first else self.idle_timeout)
        self._waiting(conn, now)
        started = False
        request: Request | None = None
        body = bytearray()
        head_bytes = 0
        while True:
            try:
                event = http.next_event()
            except h11.RemoteProtocolError as exc:  # malformed, too large, or cut short: refuse and close
                raise _Refused(exc.error_status_hint, str(exc)) from None
            if event is h11.NEED_DATA:
                if request is not None and http.they_are_waiting_for_100_continue:
                    sock.sendall(http.send(h11.InformationalResponse(status_code=100, headers=[])))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None if not started else _raise_timeout()
                sock.settimeout(remaining)
                data = sock.recv(65536)
                if request is None:
                    head_bytes += len(data)
                    if head_bytes > MAX_HEAD:  # h11 bounds only a head still incomplete after a read
                        raise _Refused(431, "request head too large")
                if data and not started:
                    started = True
                    deadline = min(deadline, time.monotonic() + self.head_timeout)
                http.receive_data(data)
            elif isinstance(event, h11.Request):
                started = True
                request = _request(event, peer)
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_BODY:
                    raise _Refused(413, "request body too large")
            elif isinstance(event, h11.EndOfMessage):
                assert request is not None
                request.body = bytes(body)
                return request
            elif isinstance(event, h11.ConnectionClosed):
                return None


def _raise_timeout() -> None:
    raise TimeoutError


def _request(event: h11.Request, peer: str) -> Request:
    if len(event.headers) > MAX_HEADERS:
        raise _Refused(431, "too many header fields")
    headers: dict[str, str] = {}
    for raw_name, raw_value in event.headers:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if "content-length" in headers and "transfer-encoding" in headers:
        raise _Refused(400, "both Content-Length and Transfer-Encoding")
    if int(headers.get("content-length", "0") or 0) > MAX_BODY:
        raise _Refused(413, "request body too large")
    target = event.target.decode("latin-1")
    path, _, query = target.partition("?")
    return Request(event.method.decode("latin-1"), unquote(path), query, headers, peer)


def _reason(status: int) -> bytes:
    try:
        return HTTPStatus(status).phrase.encode()
    except ValueError:
        return b"Unknown"


def _send(http: h11.Connection, sock: socket.socket, response: Response, *, head: bool = False) -> bool:
    """Write ``response`` (no body for a HEAD request) in one call where it is small (no Nagle stall
    between head and body); False if the peer left or the protocol state forbids it."""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"Content-Length", str(len(response.body)).encode()))
    try:
        start = http.send(h11.Response(status_code=response.status, headers=headers,
                                       reason=_reason(response.status))) or b""
        body = (http.send(h11.Data(data=response.body)) or b"") if response.body and not head else b""
        end = http.send(h11.EndOfMessage()) or b""
    except h11.LocalProtocolError as exc:
        log.debug("cannot answer: %s", exc)
        return False
    try:
        if len(body) < 65536:
            sock.sendall(start + body + end)
        else:  # no copy of a large page just to save one segment
            sock.sendall(start)
            sock.sendall(body)
            if end:
                sock.sendall(end)
    except OSError:
        return False
    return True


def _send_error(http: h11.Connection, sock: socket.socket, status: int, message: str) -> None:
    """Answer a refused request and close (h11 lets a server answer after the client's protocol error)."""
    if http.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
        return
    response = Response.text(status, f"{message}\n", [("Connection", "close")])
    with contextlib.suppress(h11.LocalProtocolError):
        _send(http, sock, response)


def _busy(conn: socket.socket) -> None:
    """Every slot is answering a request: say so and hang up, without a thread."""
    with contextlib.suppress(OSError):
        conn.settimeout(1.0)
        conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
                     b"Connection: close\r\n\r\n")
    with contextlib.suppress(OSError):
        conn.close()
