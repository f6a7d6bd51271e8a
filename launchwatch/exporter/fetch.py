"""Fetch one source over HTTP within a deadline and a size cap, naming why it failed.

The whole fetch (connect, headers, every body chunk, decompression) must finish before the
deadline, and the size cap applies to the decompressed body, so a slow-drip or a gzip bomb costs
at most one timeout and one cap's worth of memory. A per-read socket timeout alone cannot promise
that (a server dripping its headers a byte at a time never trips it), so a watchdog cuts the
connections of a fetch that is still running at its deadline.

Sources share their connections per host (``Pools``: one urllib3 pool manager per TLS setting, as
many kept-alive connections per host as fetches run at once), so 1,000 sources on one API keep a
handful of connections, not 1,000; the watchdog cuts only the connections its own fetch took, and a
response not read to its end closes its connection rather than leave it to the next source.
"""

from __future__ import annotations

import base64
import contextlib
import heapq
import http.client
import itertools
import logging
import os
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

import urllib3

if TYPE_CHECKING:  # a source of the model or of its runtime form (launchwatch.plan.runtime), or a journey's step
    from launchwatch.plan.model import SecretRef, Source

__all__ = ["REASONS", "FetchError", "FetchResult", "Fetcher", "Pools", "read_secret", "redact_url"]

log = logging.getLogger("launchwatch.exporter")
# A plan that sets tls.insecure_skip_verify chose it: say so once per source (below), not in an
# unstructured warning on stderr at every fetch.
warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)

# Every value of launchwatch_target_scrape_errors_total{reason}.
REASONS = (
    "timeout", "connection_refused", "connection_reset", "connection_error", "dns", "tls", "redirect",
    "http_status", "too_large", "decode", "invalid_json", "invalid_value", "secret",
    "worker",  # the worker process fetching it died or hung (launchwatch.exporter.workers)
)
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A failed fetch; ``reason`` is one of ``REASONS``; the message carries no secret."""

    def __init__(self, reason: str, message: str, status_code: int | None = None):
        super().__init__(message)
        self.reason = reason
        self.status_code = status_code


@dataclass
class FetchResult:
    status_code: int
    body: bytes
    duration: float
    content_type: str = ""
    tls_not_after: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # the response's, names case-insensitive


def redact_url(url: str, replacement: str = "***@") -> str:
    """``url`` with any ``user:password@`` replaced, fit for logs and pages."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, replacement + netloc, parts.path, parts.query, parts.fragment))


def read_secret(ref: SecretRef) -> str:
    """A secret's value from its environment variable or file; ``FetchError("secret")`` when it is not there."""
    return _secret(ref)


def _secret(ref: SecretRef) -> str:
    if ref.env is not None:
        value = os.environ.get(ref.env)
        if value is None:
            raise FetchError("secret", f"environment variable {ref.env} is not set")
        return value
    try:
        return Path(ref.file or "").read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise FetchError("secret", f"cannot read secret file {ref.file}: {exc.strerror}") from None


class Fetcher:
    """HTTP client for one source (or a journey's step: anything with a source's request fields);
    keeps its connection alive between scrapes.

    Plain urllib3 rather than requests: the same connection pool underneath at well under half
    the CPU per request, which is most of what a fresh scrape costs.
    """

    def __init__(self, source: Source, url: str, *, redirects: bool = True, pools: Pools | None = None):
        self.source = source
        self.redirects = redirects  # /probe targets: a redirect could lead past the allow-list
        parts = urlsplit(url)
        self.url_auth = (parts.username or "", parts.password or "") if parts.username is not None else None
        self.url = redact_url(url, replacement="") if self.url_auth else url  # credentials go in a header
        self.safe_url = redact_url(url)
        if source.tls.insecure_skip_verify:
            log.warning("target %s: TLS certificate verification is off (tls.insecure_skip_verify)", source.name)
        # a redirect to another origin carries no credential: urllib3 strips Authorization and cookies,
        # and here every header whose value is a secret (an API key header would otherwise follow)
        secret_headers = {name.lower() for name, value in source.headers.items() if not isinstance(value, str)}
        self._retries = _RETRIES.new(remove_headers_on_redirect=_RETRIES.remove_headers_on_redirect | secret_headers)
        self._own_pools = pools is None  # a fetcher on its own (a journey's step, a test) keeps its own
        self._pools = pools if pools is not None else Pools(maxsize=2)
        self._pool = self._pools.manager(source.tls)
        self._body = source.body.encode("utf-8") if source.body is not None else None
        self._sent: tuple[dict[str, str], str | None] = ({}, None)  # the last request's headers and basic auth

    def close(self) -> None:
        if self._own_pools:
            self._pools.close()

    def _headers(self) -> dict[str, str]:
        src = self.source
        headers = {"Accept": "application/json", "Accept-Encoding": _ACCEPT_ENCODING, "User-Agent": "launchwatch"}
        for name, value in src.headers.items():  # names are case-insensitive: the plan's replaces the default
            _put(headers, name, value if isinstance(value, str) else _secret(value))
        basic = None
        if src.auth is not None and src.auth.bearer is not None:  # 'auth' wins over an Authorization header
            _put(headers, "Authorization", "Bearer " + _secret(src.auth.bearer))
        elif src.auth is not None and src.auth.basic is not None:
            basic = f"{src.auth.basic.username}:{_secret(src.auth.basic.password)}"
        elif self.url_auth is not None:
            basic = f"{unquote(self.url_auth[0])}:{unquote(self.url_auth[1])}"
        if basic is not None:
            _put(headers, "Authorization", "Basic " + base64.b64encode(basic.encode("utf-8")).decode("ascii"))
        self._sent = (headers, basic)
        return headers

    def redact(self, text: str) -> str:
        """``text`` without any credential the last request sent (a body may echo them back).

        Worked out here, on the error path, rather than on every fetch."""
        headers, basic = self._sent
        sent = [v for k, v in headers.items() if k.lower() not in _PLAIN_HEADERS]
        if basic is not None:
            sent += basic.split(":", 1)
        sent += [part for v in sent for part in v.split(" ", 1)[1:]]  # "Bearer x" -> also "x"
        for secret in sorted({v for v in sent if len(v) >= 4}, key=len, reverse=True):
            text = text.replace(secret, "***")
        return text

    def fetch(self, timeout: float) -> FetchResult:
        """One fresh request; raises ``FetchError`` on any failure, including a bad status code."""
        src = self.source
        start = time.monotonic()
        deadline = start + timeout
        headers = self._headers()
        fetch = _InFlight()
        _USING.fetch = fetch  # the pools note every connection this request takes (redirects: more than one)
        alarm = _WATCHDOG.arm(deadline, fetch.cut)
        resp = None
        try:
            try:
                resp = self._pool.request(src.method, self.url, headers=headers, body=self._body,
                                          timeout=urllib3.Timeout(connect=timeout, read=timeout),
                                          preload_content=False, decode_content=True, redirect=self.redirects,
                                          retries=self._retries)
            except urllib3.exceptions.HTTPError as exc:
                raise (self._late(timeout) if fetch.was_cut else _classify(exc, self.safe_url, timeout)) from None
            try:
                tls_not_after = _tls_not_after(resp)
                body = self._read(resp, deadline, timeout)
            except FetchError:
                resp.close()  # not read to its end: the connection goes, not to another source's request
                if fetch.was_cut:
                    raise self._late(timeout) from None
                raise
            except BaseException:
                resp.close()
                raise
        finally:
            _USING.fetch = None
            _WATCHDOG.disarm(alarm)
            fetch.finish()  # from here on the watchdog leaves the connections alone: they go back to the pool
            if resp is not None:
                resp.release_conn()
        if fetch.was_cut:  # a body read to "the end" that the watchdog made
            raise self._late(timeout)
        duration = time.monotonic() - start
        if resp.status not in src.valid_status_codes:
            raise FetchError("http_status", f"{self.safe_url} answered HTTP {resp.status}", resp.status)
        return FetchResult(resp.status, body, duration, resp.headers.get("Content-Type", ""), tls_not_after,
                           resp.headers)

    def _late(self, timeout: float) -> FetchError:
        return FetchError("timeout", f"{self.safe_url} did not finish within {timeout:g}s")

    def _read(self, resp: urllib3.BaseHTTPResponse, deadline: float, timeout: float) -> bytes:
        cap = self.source.max_response_bytes
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap and "Content-Encoding" not in resp.headers:
            raise FetchError("too_large", f"{self.safe_url} body is {declared} bytes, over the {cap}-byte cap")
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError("timeout", f"{self.safe_url} body not received within {timeout:g}s")
                _set_read_timeout(resp, max(deadline - time.monotonic(), 0.001))
                chunk = resp.read1(_CHUNK, decode_content=True)  # b"" only at the end of the body
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise FetchError("too_large", f"{self.safe_url} body is over the {cap}-byte cap")
                chunks.append(chunk)
        except FetchError:
            raise
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError):
            raise FetchError("timeout", f"{self.safe_url} body not received within {timeout:g}s") from None
        except urllib3.exceptions.DecodeError as exc:
            raise FetchError("decode", f"{self.safe_url} body cannot be decoded: {type(exc).__name__}") from None
        except (urllib3.exceptions.ProtocolError, ConnectionError, OSError) as exc:
            raise FetchError("connection_reset", f"{self.safe_url}: {_broken_body(exc)}") from None
        return b"".join(chunks)


def _put(headers: dict[str, str], name: str, value: str) -> None:
    """Set a header, replacing any of the same name in another case: one header, never two."""
    for other in [k for k in headers if k.lower() == name.lower()]:
        del headers[other]
    headers[name] = value


# No retries (a failed fetch is a finding, and a retry would stretch the scrape), five redirects.
_RETRIES = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=5, raise_on_redirect=True,
                         raise_on_status=False)
_ACCEPT_ENCODING = urllib3.util.make_headers(accept_encoding=True)["accept-encoding"]
_PLAIN_HEADERS = frozenset({"accept", "accept-encoding", "user-agent", "content-type"})
# urllib3 logs each redirect's full target URL (credentials included) at INFO; launchwatch logs its own way.
logging.getLogger("urllib3").setLevel(logging.WARNING)
# More fetches to one host at once than connections kept for it: the extra connection is closed after use,
# which urllib3 reports as a warning; it is how the pool is meant to work here.
logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)


class _InFlight:
    """One fetch's connections, for the watchdog to cut at the deadline (and only until the fetch ends)."""

    __slots__ = ("_lock", "connections", "finished", "was_cut")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connections: list[urllib3.connection.HTTPConnection] = []
        self.finished = False
        self.was_cut = False

    def cut(self) -> None:
        """The deadline passed mid-fetch: shut this fetch's connections so the blocked read returns."""
        with self._lock:
            if self.finished:  # its connections are back in the pool, maybe another source's now
                return
            self.was_cut = True
            for conn in self.connections:
                sock = getattr(conn, "wire", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)

    def finish(self) -> None:
        with self._lock:
            self.finished = True


_USING = threading.local()  # .fetch: the _InFlight of the fetch running on this thread


class _Watched(urllib3.connection.HTTPConnection):
    wire: socket.socket | None = None  # the socket of the last connect(), kept for the response's reads

    def connect(self) -> None:
        super().connect()
        self.wire = self.sock  # http.client drops .sock when the server closes; the body still reads it


class _WatchedTls(urllib3.connection.HTTPSConnection):
    wire: socket.socket | None = None

    def connect(self) -> None:
        super().connect()
        self.wire = self.sock


class _Noting:
    """A pool that notes each connection it hands out in the fetch running on this thread."""

    def _get_conn(self, timeout: float | None = None) -> urllib3.connection.HTTPConnection:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        fetch = getattr(_USING, "fetch", None)
        if fetch is not None:
            fetch.connections.append(conn)
        return conn


class _HttpPool(_Noting, urllib3.HTTPConnectionPool):
    ConnectionCls = _Watched


class _HttpsPool(_Noting, urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedTls


class Pools:
    """Connections kept alive per host and shared by every fetcher given this: one pool manager per
    TLS setting (verification on, with a CA file, or off), ``maxsize`` connections kept per host."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._managers: dict[tuple[str | None, bool], urllib3.PoolManager] = {}

    def manager(self, tls: Any) -> urllib3.PoolManager:
        key = (tls.ca_file, bool(tls.insecure_skip_verify))
        with self._lock:
            found = self._managers.get(key)
            if found is None:
                settings: dict[str, object] = {"cert_reqs": "CERT_REQUIRED"}
                if tls.insecure_skip_verify:
                    settings = {"cert_reqs": "CERT_NONE", "assert_hostname": False}
                elif tls.ca_file:
                    settings["ca_certs"] = tls.ca_file
                # hosts kept: every host of a big plan (a pool evicted is only reconnected, never wrong)
                found = urllib3.PoolManager(num_pools=1024, maxsize=self.maxsize, block=False, retries=_RETRIES,
                                            **settings)
                found.pool_classes_by_scheme = {"http": _HttpPool, "https": _HttpsPool}
                self._managers[key] = found
        return found

    def close(self) -> None:
        with self._lock:
            for manager in self._managers.values():
                manager.clear()


class _Watchdog:
    """One daemon thread running callbacks at their deadlines; ``disarm`` before then cancels one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[list] = []  # [deadline, seq, callback or None once disarmed]
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, callback: Callable[[], None]) -> list:
        entry = [deadline, next(self._seq), callback]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fetch-watchdog", daemon=True)
                self._thread.start()
            if self._heap[0] is entry:
                self._cond.notify()
        return entry

    def disarm(self, entry: list) -> None:
        with self._cond:
            entry[2] = None

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][2] is None:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                callback = heapq.heappop(self._heap)[2]
            with contextlib.suppress(Exception):
                callback()


_WATCHDOG = _Watchdog()


def _set_read_timeout(raw: urllib3.BaseHTTPResponse, seconds: float) -> None:
    """Shrink the socket timeout so one blocking read cannot outlast the deadline."""
    sock = _socket(raw)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(seconds)


def _socket(resp: urllib3.BaseHTTPResponse) -> socket.socket | None:
    """The response's socket: urllib3's public ``connection`` is one of ours (``_watched_pools``),
    which keeps the socket its ``connect()`` made. tests/test_fetch_tls.py holds this path."""
    return getattr(resp.connection, "wire", None)


def _tls_not_after(resp: urllib3.BaseHTTPResponse) -> float | None:
    """Expiry (Unix seconds) of the server's certificate, when the connection was verified TLS."""
    sock = _socket(resp)
    if not isinstance(sock, ssl.SSLSocket):
        return None
    try:
        cert = sock.getpeercert()
    except (ValueError, OSError):
        return None
    not_after = cert.get("notAfter") if cert else None
    return float(ssl.cert_time_to_seconds(not_after)) if not_after else None


def _classify(exc: urllib3.exceptions.HTTPError, url: str, timeout: float) -> FetchError:
    """Map a urllib3 exception to a reason, by the types in its chain (never by message text, which
    differs between platforms and languages); never echo the URL's credentials."""
    cause = exc.reason if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason else exc
    chain = list(_chain(exc))
    if isinstance(cause, urllib3.exceptions.SSLError):
        return FetchError("tls", f"{url}: {_tls_problem(chain)}")
    if isinstance(cause, urllib3.exceptions.ResponseError):  # status retries are off: only redirects give it
        return FetchError("redirect", f"{url}: too many redirects (loop?)")
    if isinstance(cause, urllib3.exceptions.DecodeError):
        return FetchError("decode", f"{url}: body cannot be decoded")
    if isinstance(cause, urllib3.exceptions.LocationValueError | urllib3.exceptions.LocationParseError):
        return FetchError("connection_error", f"{url}: invalid URL")
    if _found(chain, urllib3.exceptions.NameResolutionError, socket.gaierror):
        return FetchError("dns", f"{url}: host name does not resolve")
    if _found(chain, ConnectionRefusedError):
        return FetchError("connection_refused", f"{url}: connection refused")
    if _found(chain, ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError):
        return FetchError("connection_reset", f"{url}: connection reset by peer")
    # After the checks above: urllib3's NewConnectionError (refused, unresolvable) is a TimeoutError subclass.
    if isinstance(cause, urllib3.exceptions.TimeoutError):
        return FetchError("timeout", f"{url} did not answer within {timeout:g}s")
    return FetchError("connection_error", f"{url}: {type(cause).__name__}")


def _found(chain: list[BaseException], *types: type[BaseException]) -> bool:
    return any(isinstance(e, types) for e in chain)


def _broken_body(exc: BaseException) -> str:
    chain = list(_chain(exc))
    short = next((e for e in chain if isinstance(e, urllib3.exceptions.IncompleteRead)), None)
    if short is not None and isinstance(short.partial, int) and isinstance(short.expected, int):
        return f"connection closed mid-body ({short.partial} bytes read, {short.expected} more expected)"
    if _found(chain, ConnectionResetError, BrokenPipeError):
        return "connection reset by peer mid-body"
    return f"connection broke mid-body: {type(exc).__name__}"


# OpenSSL's X509 verify codes (stable across versions): what is wrong with the server's certificate
_EXPIRED, _SELF_SIGNED, _SELF_SIGNED_IN_CHAIN = 10, 18, 19
_NO_ISSUER = (2, 20, 21)  # unable to get issuer certificate (locally), unable to verify the first certificate
_WRONG_NAME = (62, 64)  # host name or IP address mismatch


def _tls_problem(chain: list[BaseException]) -> str:
    """What is wrong with the server's certificate, and how a plan can trust it."""
    skip = "tls.insecure_skip_verify: true skips verification"
    verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if verify is None:
        return "TLS handshake failed"
    code = verify.verify_code
    if code == _EXPIRED:
        return f"certificate has expired (renew it; {skip})"
    if code in (_SELF_SIGNED, _SELF_SIGNED_IN_CHAIN):
        return f"self-signed certificate is not trusted (trust it with tls.ca_file, or {skip})"
    if code in _NO_ISSUER:
        return f"certificate's issuer is not trusted (set tls.ca_file to its CA certificate, or {skip})"
    if code in _WRONG_NAME:
        return "certificate is not valid for this host name"
    return f"certificate verify failed: {verify.verify_message}"


def _chain(exc: BaseException):
    """``exc`` and every exception it was caused by or wraps (cause, context, args, urllib3's reason)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend([e.__cause__, e.__context__, *[a for a in e.args if isinstance(a, BaseException)]])
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
