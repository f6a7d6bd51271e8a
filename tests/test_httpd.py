"""The exporter's HTTP server as an attacker sees it: real sockets, bounded in count and time.

Malformed and smuggling requests get a status and a closed connection and never reach the handler;
silent, dripping and idle connections cannot lock a fresh scrape out; pipelining, HTTP/1.0 and
100-continue behave as RFC 9112 says.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time

import pytest

from launchwatch.exporter.httpd import MAX_HEAD, HttpServer, Request, Response

# a traceback in any server thread (an uncaught exception) fails the test that caused it
pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")


def _server(max_connections: int = 4, head_timeout: float = 0.5, idle_timeout: float = 120.0,
            handler=None):
    seen: list[Request] = []

    def echo(request: Request) -> Response:
        seen.append(request)
        if request.path == "/boom":
            raise RuntimeError("handler bug")
        return Response.text(200, f"hello {request.path}{' ' + request.body.decode() if request.body else ''}\n")

    srv = HttpServer(handler or echo, "127.0.0.1", 0, head_timeout=head_timeout, max_connections=max_connections,
                     idle_timeout=idle_timeout)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    srv.seen = seen
    srv.thread = thread
    return srv


@pytest.fixture
def server():
    srv = _server()
    yield srv
    _stop(srv)


def exchange(server, raw: bytes, *, wait: float = 5.0) -> bytes:
    with socket.create_connection(server.address, timeout=wait) as s:
        s.sendall(raw)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return out


def scrape(server, timeout: float = 5.0) -> bytes:
    """A fresh-connection scrape, as a restarted Prometheus or curl makes it."""
    return exchange(server, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", wait=timeout)


def _worst(answer, seconds: float = 3.0, pause: float = 0.2) -> float:
    """The slowest of the answers ``answer()`` gets (it asserts each) over ``seconds``."""
    worst = 0.0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        answer()
        worst = max(worst, time.monotonic() - start)
        time.sleep(pause)
    return worst


def _stop(srv) -> None:
    srv.close()
    srv.thread.join(5)


def test_keep_alive_serves_several_requests_on_one_connection(server):
    with socket.create_connection(server.address, timeout=5) as s:
        for i in range(3):
            s.sendall(f"GET /r{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = s.recv(65536)
            assert head.startswith(b"HTTP/1.1 200 OK") and f"hello /r{i}".encode() in head


def test_pipelined_requests_are_answered_in_order(server):
    raw = b"".join(f"GET /p{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode() for i in range(10))
    reply = exchange(server, raw + b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    order = [int(part.split(b"\n")[0]) for part in reply.split(b"hello /p")[1:]]
    assert order == list(range(10)) and reply.endswith(b"hello /last\n")


def test_http_1_0_and_connection_close_end_the_connection(server):
    assert exchange(server, b"GET /a HTTP/1.0\r\n\r\n").endswith(b"hello /a\n")  # answered and closed: no hang
    with socket.create_connection(server.address, timeout=5) as s:  # HTTP/1.0 keep-alive is kept, and said so
        for path in (b"/k1", b"/k2"):
            s.sendall(b"GET " + path + b" HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            reply = s.recv(65536)
            assert b"Connection: keep-alive" in reply and reply.endswith(b"hello " + path + b"\n")
    reply = exchange(server, b"GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert b"Connection: close" in reply and reply.endswith(b"hello /b\n")


def test_expect_100_continue_gets_its_interim_answer(server):
    with socket.create_connection(server.address, timeout=5) as s:
        s.sendall(b"POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        assert s.recv(1024).startswith(b"HTTP/1.1 100")
        s.sendall(b"body")
        assert b"hello /c body" in s.recv(65536)


@pytest.mark.parametrize(("raw", "status"), [
    (b"GARBAGE\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\n\r\n", b"400"),  # no Host
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: \xc2\xb2\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: " + b"9" * 5000 + b"\r\n\r\n", b"400"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde", b"400"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", b"400"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", b"400"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", b"400"),  # NUL in a value
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: a\rContent-Length: 5\r\n\r\nhello", b"400"),  # hidden behind a bare CR
    (b"GET / HTTP/1.1\r\nHost: x\r\nbad header line\r\n\r\n", b"400"),
    (b"GET /" + b"a" * (MAX_HEAD + 10) + b" HTTP/1.1\r\nHost: x\r\n\r\n", b"431"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * (1 << 20) + b"\r\n\r\n", b"431"),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: 1\r\n" * 10000 + b"\r\n", b"431"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", b"413"),
])
def test_bad_and_smuggling_requests_get_a_status_and_a_closed_connection(server, raw, status):
    reply = exchange(server, raw)
    assert reply.startswith(b"HTTP/1.1 " + status), reply[:80]
    assert server.seen == []  # the handler never saw them


def test_a_content_length_behind_a_bare_lf_hides_no_request(server):
    """A bare LF inside the head is refused (strict RFC 9112), so a Content-Length behind it can neither
    frame a body nor smuggle the request in that body."""
    hidden = b"GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n"
    reply = exchange(server, b"POST /x HTTP/1.1\r\nHost: x\r\nX: a\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                     % len(hidden) + hidden)
    assert reply.startswith(b"HTTP/1.1 400") and reply.count(b"HTTP/1.1 ") == 1 and server.seen == []


def test_a_handler_error_is_a_500_and_the_server_keeps_serving(server):
    assert exchange(server, b"GET /boom HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 500")
    assert exchange(server, b"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").endswith(b"hello /ok\n")


def _held(server, count: int, first: bytes) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        s = socket.create_connection(server.address, timeout=5)
        if first:
            s.sendall(first)
        socks.append(s)
    return socks


@pytest.mark.parametrize(("attack", "count", "first"), [
    ("silent", 300, b""),  # connected, never a byte
    ("slowloris", 500, b"GET / HTTP/1.1\r\nHost: x\r\nX-a: b"),  # a head started and never finished
    ("idle keep-alive", 1000, b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n"),  # one request, then nothing
])
def test_held_connections_never_lock_a_fresh_scrape_out(attack, count, first):
    """More held connections than the default 256 slots (head and idle timeouts far longer than the
    test): every fresh scrape still gets in at once, because a newcomer sheds the connection that
    waited longest; once the attack ends the server's threads are back to where they were."""
    baseline = threading.active_count()
    srv = _server(max_connections=256, head_timeout=60, idle_timeout=600)
    held: list[socket.socket] = []
    try:
        held = _held(srv, count, first)
        for _ in range(5):
            start = time.monotonic()
            assert scrape(srv, timeout=3).endswith(b"hello /metrics\n"), attack
            assert time.monotonic() - start < 2.5
    finally:
        for s in held:
            s.close()
        _stop(srv)
    deadline = time.monotonic() + 10
    while threading.active_count() > baseline and time.monotonic() < deadline:
        time.sleep(0.1)
    assert threading.active_count() <= baseline


def test_a_connection_flood_does_not_starve_the_scrape():
    """Another client connects and hangs up as fast as it can for 3 s; a scrape every 0.2 s still
    gets its answer promptly."""
    srv = _server(max_connections=256, head_timeout=5)
    stop = threading.Event()
    opened = [0]

    def flood() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                socket.create_connection(srv.address, timeout=1).close()
                opened[0] += 1

    flooders = [threading.Thread(target=flood, daemon=True) for _ in range(2)]
    for t in flooders:
        t.start()
    def answered() -> None:
        assert scrape(srv, timeout=5).endswith(b"hello /metrics\n")

    try:
        worst = _worst(answered)
    finally:
        stop.set()
        for t in flooders:
            t.join(5)
        _stop(srv)
    assert opened[0] > 100 and worst < 2.0, (opened[0], worst)


def test_a_silent_or_slow_client_is_cut_off_after_the_head_timeout(server):
    slow = _held(server, 2, b"GET / HT") + _held(server, 1, b"")
    try:
        deadline = time.monotonic() + 5  # head_timeout is 0.5 s: a TimeoutError here means it never hung up
        for s in slow:
            s.settimeout(max(deadline - time.monotonic(), 0.1))
            data = b""
            while chunk := s.recv(100):
                data += chunk
            assert data == b"" or data.startswith(b"HTTP/1.1 4"), data[:40]
    finally:
        for s in slow:
            s.close()


def test_every_slot_answering_gives_a_newcomer_503_not_a_wait():
    release = threading.Event()

    def handler(request: Request) -> Response:
        release.wait(10)
        return Response.text(200, "late\n")

    srv = _server(max_connections=2, head_timeout=5, handler=handler)
    busy = _held(srv, 2, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        time.sleep(0.3)  # both handlers are running
        start = time.monotonic()
        assert exchange(srv, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", wait=3).startswith(b"HTTP/1.1 503")
        assert time.monotonic() - start < 2
    finally:
        release.set()
        for s in busy:
            s.close()
        _stop(srv)


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_slow_readers_of_a_large_page_do_not_block_the_scrape():
    """200 clients ask for a 2 MB page and never read it: each costs one slot until the send times out;
    the scrape still gets in at once, and threads and descriptors come back."""
    big = b"x" * (2 << 20)
    threads0, fds0 = threading.active_count(), _fds()
    srv = _server(max_connections=256, head_timeout=2,
                  handler=lambda r: Response(200, big if r.path == "/big" else b"small\n"))
    readers = []
    try:
        for _ in range(200):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(srv.address)
            s.sendall(b"GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            readers.append(s)
        start = time.monotonic()
        assert scrape(srv, timeout=5).endswith(b"small\n")
        assert time.monotonic() - start < 2
    finally:
        for s in readers:
            s.close()
        _stop(srv)
    deadline = time.monotonic() + 10
    while (threading.active_count() > threads0 or _fds() > fds0 + 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert threading.active_count() <= threads0 and _fds() <= fds0 + 2


def test_a_wrong_password_flood_leaves_the_scraper_its_answers(tmp_path):
    """Four clients guess passwords as fast as they can (bcrypt at cost 10, ~60 ms a guess); the scraper,
    whose good password is checked once and then cached, keeps getting 200 within 2 s."""
    import base64

    import bcrypt

    from launchwatch.exporter.web_config import WebConfigFile

    (tmp_path / "web.yml").write_text(
        f"basic_auth_users: {{prometheus: '{bcrypt.hashpw(b'right', bcrypt.gensalt(10)).decode()}'}}\n")
    web = WebConfigFile(tmp_path / "web.yml")
    srv = _server(max_connections=256, head_timeout=5, handler=web.guard(lambda r: Response.text(200, "ok\n")))
    stop = threading.Event()
    guesses = [0]

    def guess(n: int) -> None:
        i = 0
        while not stop.is_set():
            auth = base64.b64encode(f"prometheus:guess-{n}-{i}".encode())
            exchange(srv, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic " + auth
                     + b"\r\n\r\n", wait=10)
            i += 1
            guesses[0] += 1

    flood = [threading.Thread(target=guess, args=(n,), daemon=True) for n in range(4)]
    for t in flood:
        t.start()
    good = base64.b64encode(b"prometheus:right")

    def answered() -> None:
        reply = exchange(srv, b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic "
                         + good + b"\r\n\r\n", wait=10)
        assert reply.startswith(b"HTTP/1.1 200"), reply[:60]

    try:
        worst = _worst(answered, pause=0.1)
    finally:
        stop.set()
        for t in flood:
            t.join(10)
        _stop(srv)
    assert guesses[0] > 5 and worst < 2.0, (guesses[0], worst)
