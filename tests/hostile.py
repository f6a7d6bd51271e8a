"""A deliberately misbehaving HTTP(S) server on loopback, on raw sockets so it can do what a polite
server library will not: drip bytes, lie about lengths, reset mid-body, send a gzip bomb.

>>> server = HostileServer({"/drip": drip(b'{"widgets": 1}' * 5)})  # doctest: +SKIP
>>> server.url + "/drip"; server.hung_up("/drip").wait(10); server.stop()  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import select
import socket
import ssl
import struct
import threading
import zlib
from collections.abc import Callable

__all__ = [
    "Behaviour", "Conn", "HostileServer", "chunked", "drip", "drip_head", "gzip_bomb", "redirect", "reply",
    "reset_mid_body", "truncated",
]

_HEAD_LIMIT = 64 * 1024


class Conn:
    """One accepted connection, handed to a behaviour after its request head was read."""

    def __init__(self, sock: socket.socket, path: str, stopping: threading.Event, hung_up: threading.Event):
        self.sock = sock
        self.path = path
        self.stopping = stopping
        self.hung_up = hung_up

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def client_hung_up(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as the client closes or resets the connection."""
        if self.stopping.is_set():
            return True
        if not select.select([self.sock], [], [], seconds)[0]:
            return self.stopping.is_set()
        try:
            gone = self.sock.recv(1024) == b""
        except OSError:
            gone = True
        if gone:
            self.hung_up.set()
        return gone


Behaviour = Callable[[Conn], None]


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Hostile'}"]
    lines += [f"{k}: {v}" for k, v in {**headers, "Connection": "close"}.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _trickle(conn: Conn, data: bytes, interval: float) -> None:
    """Send ``data`` a byte per ``interval`` until done or the client hangs up."""
    for i in range(len(data)):
        if conn.client_hung_up(interval):
            return
        conn.send(data[i:i + 1])


def reply(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Behaviour:
    """A well-formed response carrying whatever ``body`` is (invalid UTF-8, NaN, 1e400...)."""
    hdrs = {"Content-Type": "application/json", **(headers or {}), "Content-Length": str(len(body))}

    def behave(conn: Conn) -> None:
        conn.send(_head(status, hdrs) + body)

    return behave


def redirect(location: str) -> Behaviour:
    """302 to ``location``: point it at itself for a loop."""
    return reply(b"", 302, {"Location": location})


def drip(body: bytes, interval: float = 1.0) -> Behaviour:
    """Honest headers at once, then the body one byte per ``interval`` until done or the client hangs up."""

    def behave(conn: Conn) -> None:
        conn.send(_head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))}))
        _trickle(conn, body, interval)

    return behave


def drip_head(body: bytes, interval: float = 0.5) -> Behaviour:
    """The status line and headers one byte per ``interval``: every single read is quick, the whole is not."""

    def behave(conn: Conn) -> None:
        _trickle(conn, _head(200, {"Content-Type": "application/json", "Content-Length": str(len(body)),
                                   "X-Padding": "p" * 64}) + body, interval)

    return behave


def chunked(body: bytes, chunk: int = 4096) -> Behaviour:
    """``Transfer-Encoding: chunked`` and no Content-Length: the size is known only by reading."""

    def behave(conn: Conn) -> None:
        conn.send(_head(200, {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}))
        for i in range(0, len(body), chunk):
            part = body[i:i + chunk]
            conn.send(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        conn.send(b"0\r\n\r\n")

    return behave


def gzip_bomb(decompressed_mib: int) -> tuple[Behaviour, int]:
    """``Content-Encoding: gzip`` whose body inflates to ``decompressed_mib`` MiB of zeros inside a JSON
    string; returns the behaviour and the compressed size."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: gzip container
    block = b"0" * (1 << 20)
    parts = [comp.compress(b'{"widgets": 1, "pad": "')]
    parts += [comp.compress(block) for _ in range(decompressed_mib)]
    parts += [comp.compress(b'"}'), comp.flush()]
    body = b"".join(parts)
    return reply(body, headers={"Content-Encoding": "gzip"}), len(body)


def reset_mid_body(prefix: bytes, declared: int) -> Behaviour:
    """Promise ``declared`` bytes, send ``prefix``, then abort the connection with a TCP RST."""

    def behave(conn: Conn) -> None:
        conn.send(_head(200, {"Content-Type": "application/json", "Content-Length": str(declared)}) + prefix)
        conn.client_hung_up(0.2)  # let the head and prefix reach the client before the reset
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.sock.close()

    return behave


def truncated(body: bytes, declared: int) -> Behaviour:
    """Promise ``declared`` bytes, send only ``body`` (which may be complete JSON) and close cleanly."""

    def behave(conn: Conn) -> None:
        conn.send(_head(200, {"Content-Type": "application/json", "Content-Length": str(declared)}) + body)

    return behave


class HostileServer:
    """Serves ``routes`` (path -> behaviour) on 127.0.0.1, over TLS when given ``ssl_context``.

    One request per connection. ``hung_up(path)`` is set when a client closed a connection to
    ``path`` before the behaviour finished with it.
    """

    def __init__(self, routes: dict[str, Behaviour], ssl_context: ssl.SSLContext | None = None):
        self.routes = routes
        self._ssl = ssl_context
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._hung_up: dict[str, threading.Event] = {}
        self._conns: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"{'https' if ssl_context else 'http'}://127.0.0.1:{self._listener.getsockname()[1]}"
        self._accepter = threading.Thread(target=self._accept_loop, name="hostile-accept", daemon=True)
        self._accepter.start()

    def hung_up(self, path: str) -> threading.Event:
        with self._lock:
            return self._hung_up.setdefault(path, threading.Event())

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            if not select.select([self._listener], [], [], 0.1)[0]:
                continue
            try:
                sock, _ = self._listener.accept()
            except OSError:
                continue
            with self._lock:
                self._conns.add(sock)
                thread = threading.Thread(target=self._serve, args=(sock,), name="hostile-conn", daemon=True)
                self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(5)
            if self._ssl is not None:
                tls = self._ssl.wrap_socket(sock, server_side=True)  # a client that rejects us ends it here
                with self._lock:
                    self._conns.add(tls)
                sock = tls
            head = b""
            while b"\r\n\r\n" not in head and len(head) < _HEAD_LIMIT:
                data = sock.recv(4096)
                if not data:
                    return
                head += data
            parts = head.split(b"\r\n", 1)[0].split()
            path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
            behave = self.routes.get(path, reply(b'{"error": "no such path"}', 404))
            conn = Conn(sock, path, self._stopping, self.hung_up(path))
            try:
                behave(conn)
            except OSError:  # a send failed: the client is gone
                if not self._stopping.is_set():
                    conn.hung_up.set()
                return
            if sock.fileno() != -1:  # half-close, and let the client read everything before the close
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_WR)
                    sock.settimeout(1)
                    sock.recv(1024)
        except OSError:  # includes ssl.SSLError: a client that rejects our certificate
            pass
        finally:
            with contextlib.suppress(OSError):
                sock.close()

    def stop(self) -> None:
        """Stop accepting, end every behaviour (drips included) and close every connection."""
        self._stopping.set()
        self._accepter.join(5)
        with self._lock:
            conns, threads = list(self._conns), list(self._threads)
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(5)
        for sock in conns:
            with contextlib.suppress(OSError):
                sock.close()
        self._listener.close()
