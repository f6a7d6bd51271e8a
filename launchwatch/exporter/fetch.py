"""Fetch one source over HTTP within a deadline and a size cap, naming why it failed.

libcurl (through pycurl) does the HTTP: the whole fetch (connect, headers, every body chunk,
decompression) must finish before the deadline — curl's own transfer timeout, so a server dripping
its headers a byte at a time costs one timeout, not one per read — and the size cap applies to the
decompressed body as it arrives, so a gzip bomb costs at most one cap's worth of memory.
urllib3 did this before at three times the CPU per fetch (docs/performance.md), most of it in
http.client's header parsing and a watchdog thread that cut late fetches.

Sources share their connections (``Pools``: kept-alive connections per origin, one per curl handle),
so 1,000 sources on one API keep a handful of connections, not 1,000; a handle is taken for one
fetch and given back, so handles number the fetches that run at once, not the sources.
Redirects are followed here, not by curl, so that a redirect to another origin carries no
credential: Authorization, cookies and every header whose value is a secret are dropped, as
urllib3 does for the first two.
"""

from __future__ import annotations

import base64
import errno
import functools
import logging
import os
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import pycurl

from launchwatch.plan.targets import DEFAULT_PORTS

if TYPE_CHECKING:  # a source of the model or of its runtime form (launchwatch.plan.runtime), or a journey's step
    from launchwatch.plan.model import SecretRef, Source

__all__ = ["REASONS", "FetchError", "FetchResult", "Fetcher", "Pools", "read_secret", "redact_url"]

log = logging.getLogger("launchwatch.exporter")

# Every value of launchwatch_target_scrape_errors_total{reason}.
REASONS = (
    "timeout", "connection_refused", "connection_reset", "connection_error", "dns", "tls", "redirect",
    "http_status", "too_large", "decode", "invalid_json", "invalid_value", "secret",
    "worker",  # the worker process fetching it died or hung (launchwatch.exporter.workers)
)
MAX_REDIRECTS = 5


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


class Headers(Mapping[str, str]):
    """A response's header fields, looked up without regard to case (a repeated field: values joined by ", ")."""

    __slots__ = ("_fields",)

    def __init__(self) -> None:
        self._fields: dict[str, tuple[str, str]] = {}

    def add(self, name: str, value: str) -> None:
        key = name.lower()
        had = self._fields.get(key)
        self._fields[key] = (name, value if had is None else f"{had[1]}, {value}")

    def __getitem__(self, name: str) -> str:
        return self._fields[name.lower()][1]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._fields

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._fields.values())

    def __len__(self) -> int:
        return len(self._fields)


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
    its connections stay alive between scrapes in its ``Pools``."""

    def __init__(self, source: Source, url: str, *, redirects: bool = True, pools: Pools | None = None):
        self.source = source
        self.redirects = redirects  # /probe targets: a redirect could lead past the allow-list
        parts = urlsplit(url)
        self.url_auth = (parts.username or "", parts.password or "") if parts.username is not None else None
        self.url = redact_url(url, replacement="") if self.url_auth else url  # credentials go in a header
        self.safe_url = redact_url(url)
        if source.tls.insecure_skip_verify:
            log.warning("target %s: TLS certificate verification is off (tls.insecure_skip_verify)", source.name)
        # a redirect to another origin carries no credential: Authorization and cookies (as urllib3 and
        # browsers drop them), and every header whose value is a secret (an API key header would otherwise follow)
        self._cross_origin_drop = _CROSS_ORIGIN_DROP | {
            name.lower() for name, value in source.headers.items() if not isinstance(value, str)}
        self._own_pools = pools is None  # a fetcher on its own (a journey's step, a test) keeps its own
        self._pools = pools if pools is not None else Pools(maxsize=2)
        self._tls = _tls_options(source.tls)
        self._body = source.body.encode("utf-8") if source.body is not None else None
        self._sent: tuple[dict[str, str], str | None] = ({}, None)  # the last request's headers and basic auth

    def close(self) -> None:
        if self._own_pools:
            self._pools.close()

    def _headers(self) -> dict[str, str]:
        src = self.source
        headers = {"Accept": "application/json", "User-Agent": "launchwatch"}
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
        method, body, url = src.method, self._body, self.url
        curl = self._pools.take(url)
        try:
            for hop in range(MAX_REDIRECTS + 1):
                got, left = _Reply(src.max_response_bytes), deadline - time.monotonic()
                if left <= 0:  # spent on the redirects before this one
                    raise FetchError("timeout", f"{self.safe_url} did not finish within {timeout:g}s")
                if hop:
                    self._pools.renew(curl)  # nothing of the last hop's request (its method, its body) stays
                self._prepare(curl, method, url, headers, body, got, left)
                try:
                    curl.perform()
                except pycurl.error as exc:
                    raise self._failed(curl, exc, got, url, timeout) from None
                status = curl.getinfo(pycurl.RESPONSE_CODE)
                location = got.headers.get("Location") if self.redirects and status in _REDIRECTS else None
                if location is None:
                    break
                if hop == MAX_REDIRECTS:
                    raise FetchError("redirect", f"{self.safe_url}: too many redirects (loop?)")
                target = urljoin(url, location.strip())
                if _origin(target) != _origin(url):
                    headers = {k: v for k, v in headers.items() if k.lower() not in self._cross_origin_drop}
                if status == 303 and method != "HEAD":  # RFC 9110 15.4.4: GET, and the body stays behind
                    method, body = "GET", None
                    headers = {k: v for k, v in headers.items() if not k.lower().startswith("content-")}
                url = target
            tls_not_after = self._pools.not_after(curl, url, self._tls) if url.startswith("https:") else None
        finally:
            self._pools.give(curl, url)
        duration = time.monotonic() - start
        if status not in src.valid_status_codes:
            raise FetchError("http_status", f"{self.safe_url} answered HTTP {status}", status)
        return FetchResult(status, b"".join(got.chunks), duration, got.headers.get("Content-Type", ""),
                           tls_not_after, got.headers)

    def _prepare(self, curl: pycurl.Curl, method: str, url: str, headers: dict[str, str], body: bytes | None,
                 got: _Reply, left: float) -> None:
        ms = max(int(left * 1000), 1)
        setopt = curl.setopt
        setopt(pycurl.URL, url)
        setopt(pycurl.TIMEOUT_MS, ms)
        setopt(pycurl.CONNECTTIMEOUT_MS, ms)
        lines = [f"{k}: {v}" if v else f"{k};" for k, v in headers.items()]  # "Name;" sends an empty value
        if body is not None:
            setopt(pycurl.POSTFIELDS, body)
            lines += ["Expect:"] + ([] if any(k.lower() == "content-type" for k in headers) else ["Content-Type:"])
            if method != "POST":
                setopt(pycurl.CUSTOMREQUEST, method)
        elif method == "HEAD":
            setopt(pycurl.NOBODY, 1)
        elif method != "GET":
            setopt(pycurl.CUSTOMREQUEST, method)
        setopt(pycurl.HTTPHEADER, lines)
        setopt(pycurl.HEADERFUNCTION, got.header)
        setopt(pycurl.WRITEFUNCTION, got.write)
        if url.startswith("https:"):
            for option, value in self._tls:
                setopt(option, value)

    def _failed(self, curl: pycurl.Curl, exc: pycurl.error, got: _Reply, url: str, timeout: float) -> FetchError:
        """What went wrong, by curl's error code (never by its message text, which names hosts and may
        change between versions); never echo the URL's credentials."""
        code = exc.args[0] if exc.args else 0
        where = self.safe_url
        if got.declared is not None:
            return FetchError("too_large", f"{where} body is {got.declared} bytes, over the {got.cap}-byte cap")
        if got.over:
            return FetchError("too_large", f"{where} body is over the {got.cap}-byte cap")
        if code == pycurl.E_OPERATION_TIMEDOUT:
            if got.head_done:
                return FetchError("timeout", f"{where} body not received within {timeout:g}s")
            return FetchError("timeout", f"{where} did not answer within {timeout:g}s")
        if code in (pycurl.E_COULDNT_RESOLVE_HOST, pycurl.E_COULDNT_RESOLVE_PROXY):
            return FetchError("dns", f"{where}: host name does not resolve")
        if code == pycurl.E_COULDNT_CONNECT:
            if curl.getinfo(pycurl.OS_ERRNO) == errno.ECONNREFUSED:
                return FetchError("connection_refused", f"{where}: connection refused")
            return FetchError("connection_error", f"{where}: cannot connect")
        if code in _TLS_ERRORS:
            return FetchError("tls", f"{where}: {_tls_problem(curl.getinfo(pycurl.SSL_VERIFYRESULT))}")
        if code == pycurl.E_BAD_CONTENT_ENCODING:
            return FetchError("decode", f"{where}: body cannot be decoded")
        if code == pycurl.E_PARTIAL_FILE:
            read, length = curl.getinfo(pycurl.SIZE_DOWNLOAD_T), curl.getinfo(pycurl.CONTENT_LENGTH_DOWNLOAD_T)
            if length > read:
                more = length - read
                return FetchError("connection_reset",
                                  f"{where}: connection closed mid-body ({read} bytes read, {more} more expected)")
            return FetchError("connection_reset", f"{where}: connection closed mid-body")
        if code in (pycurl.E_RECV_ERROR, pycurl.E_SEND_ERROR, pycurl.E_GOT_NOTHING):
            mid = " mid-body" if got.head_done else ""
            return FetchError("connection_reset", f"{where}: connection reset by peer{mid}")
        if code in (pycurl.E_URL_MALFORMAT, pycurl.E_UNSUPPORTED_PROTOCOL):
            return FetchError("connection_error", f"{where}: invalid URL")
        return FetchError("connection_error", f"{where}: curl error {code}")


class _Reply:
    """One response as curl hands it over: header lines, then the (decoded) body in chunks, capped."""

    __slots__ = ("cap", "chunks", "declared", "head_done", "headers", "over", "size")

    def __init__(self, cap: int):
        self.cap = cap
        self.chunks: list[bytes] = []
        self.size = 0
        self.headers = Headers()
        self.head_done = False
        self.over = False
        self.declared: int | None = None  # a Content-Length over the cap, refused before the body

    def header(self, line: bytes) -> int | None:
        if line.startswith(b"HTTP/"):  # a new response (after a 100 Continue): its own fields
            self.headers, self.head_done = Headers(), False
            return None
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            self.headers.add(name.strip(), value.strip())
        elif not line.strip():
            self.head_done = True
            length = self.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > self.cap and "Content-Encoding" not in self.headers:
                self.declared = int(length)
                return 0  # stop here: curl ends the transfer (and closes its connection)
        return None

    def write(self, data: bytes) -> int | None:
        self.size += len(data)
        if self.size > self.cap:
            self.over = True
            return 0
        self.chunks.append(data)
        return None


def _put(headers: dict[str, str], name: str, value: str) -> None:
    """Set a header, replacing any of the same name in another case: one header, never two."""
    for other in [k for k in headers if k.lower() == name.lower()]:
        del headers[other]
    headers[name] = value


@functools.lru_cache(maxsize=4096)
def _origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of ``url``: which kept-alive connections it may use. Asked twice per fetch of the
    same few URLs (urlsplit and its properties were 7 % of a /probe answer's CPU), so remembered."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # "http://host:99999/" (a redirect's Location, a journey's filled URL): curl refuses it
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CROSS_ORIGIN_DROP = frozenset({"authorization", "cookie", "proxy-authorization"})
_PLAIN_HEADERS = frozenset({"accept", "accept-encoding", "user-agent", "content-type"})
_TLS_ERRORS = frozenset({
    pycurl.E_PEER_FAILED_VERIFICATION, pycurl.E_SSL_CONNECT_ERROR, pycurl.E_SSL_CACERT_BADFILE,
    pycurl.E_SSL_CERTPROBLEM, pycurl.E_SSL_CIPHER, pycurl.E_SSL_ISSUER_ERROR, pycurl.E_SSL_INVALIDCERTSTATUS,
    pycurl.E_SSL_PINNEDPUBKEYNOTMATCH, pycurl.E_SSL_CRL_BADFILE, pycurl.E_SSL_SHUTDOWN_FAILED})


def _tls_options(tls: Any) -> tuple[tuple[int, Any], ...]:
    """curl's TLS options for a source's ``tls`` block: the system's CAs unless it names its own (then only
    those), or no verification at all when it says so; the certificate chain kept for its expiry."""
    if tls.insecure_skip_verify:
        return (pycurl.SSL_VERIFYPEER, 0), (pycurl.SSL_VERIFYHOST, 0), (pycurl.OPT_CERTINFO, 1)
    if tls.ca_file:
        return (pycurl.CAINFO, str(tls.ca_file)), (pycurl.OPT_CERTINFO, 1)
    return (*_SYSTEM_CAS, (pycurl.OPT_CERTINFO, 1))


def _system_cas() -> tuple[tuple[int, str], ...]:
    """This machine's CA store as Python's ssl finds it (curl's wheel would look where it was built)."""
    paths = ssl.get_default_verify_paths()
    found: list[tuple[int, str]] = []
    if paths.cafile and os.path.exists(paths.cafile):
        found.append((pycurl.CAINFO, paths.cafile))
    if paths.capath and os.path.isdir(paths.capath):
        found.append((pycurl.CAPATH, paths.capath))
    return tuple(found)


_SYSTEM_CAS = _system_cas()


class Pools:
    """Kept-alive connections per origin, kept the way Go's http.Transport keeps them: a curl handle holds
    one connection; idle handles wait per origin, at most ``maxsize`` for one origin (as many as fetches
    to it run at once) and ``IDLE_MAX`` in all, the least recently used origin's going first. A fetch
    takes an idle handle of its origin, or a new one.

    Handles share nothing: libcurl does not support sharing its connection cache between threads
    fetching at once (a worker process crashed with SIGSEGV when they did), and one connection per
    handle needs no sharing."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._lock = threading.Lock()
        self._idle: OrderedDict[tuple[str, str, int | None], list[pycurl.Curl]] = OrderedDict()
        self._count = 0  # idle handles, all origins
        self._expiry: dict[tuple[tuple[str, str, int | None], tuple[tuple[int, Any], ...]], float] = {}
        self._closed = False

    def take(self, url: str) -> pycurl.Curl:
        """A handle for a request to ``url``: one whose connection is to its origin when one is idle."""
        origin = _origin(url)
        with self._lock:
            stack = self._idle.get(origin)
            curl = stack.pop() if stack else None
            if curl is not None:
                self._count -= 1
                if not stack:
                    del self._idle[origin]
        if curl is None:
            curl = pycurl.Curl()
        self.renew(curl, reset=False)
        return curl

    def renew(self, curl: pycurl.Curl, *, reset: bool = True) -> None:
        """Back to curl's defaults and ours, for another request; the handle's connection stays."""
        if reset:
            curl.reset()
        for option, value in _ALWAYS:
            curl.setopt(option, value)

    def give(self, curl: pycurl.Curl, url: str) -> None:
        """``curl`` is done; it last talked to ``url`` (after any redirects), and keeps that connection."""
        curl.reset()  # the next fetch starts from curl's defaults; the connection stays
        origin = _origin(url)
        drop = []
        with self._lock:
            stack = self._idle.setdefault(origin, [])
            self._idle.move_to_end(origin)
            if self._closed or len(stack) >= self.maxsize:
                drop.append(curl)
            else:
                stack.append(curl)
                self._count += 1
            while self._count > IDLE_MAX:
                oldest, handles = next(iter(self._idle.items()))
                drop.append(handles.pop(0))
                self._count -= 1
                if not handles:
                    del self._idle[oldest]
            if not stack:
                self._idle.pop(origin, None)
        for handle in drop:
            handle.close()

    def not_after(self, curl: pycurl.Curl, url: str, tls: tuple[tuple[int, Any], ...]) -> float | None:
        """Expiry (Unix seconds) of the server's certificate, when verified: from this fetch's handshake, or
        remembered from the last one (a kept-alive connection has no new handshake to report)."""
        if (pycurl.SSL_VERIFYPEER, 0) in tls:
            return None
        key = (_origin(url), tls)
        found = _leaf_not_after(curl)
        with self._lock:
            if found is not None:
                self._expiry[key] = found
                return found
            return self._expiry.get(key)

    def close(self) -> None:
        """Close the idle handles (and their connections); a handle still fetching closes when given back."""
        with self._lock:
            self._closed = True
            idle = [curl for handles in self._idle.values() for curl in handles]
            self._idle.clear()
            self._count = 0
        for curl in idle:
            curl.close()


# Idle handles (kept-alive connections) of one Pools, all origins together: Go's http.Transport keeps 100.
IDLE_MAX = 100

# Set on every handle for every fetch: HTTP/1.1 only (keep-alive as Prometheus' targets expect; no HTTP/2
# by ALPN), no proxy from the environment (the plan says where to go), every encoding curl can decode,
# no signals (threads), redirects followed by Fetcher (above), never by curl; one connection kept.
_ALWAYS = (
    (pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_1), (pycurl.PROXY, ""), (pycurl.ACCEPT_ENCODING, ""),
    (pycurl.NOSIGNAL, 1), (pycurl.FOLLOWLOCATION, 0), (pycurl.PROTOCOLS, pycurl.PROTO_HTTP | pycurl.PROTO_HTTPS),
    (pycurl.MAXCONNECTS, 1),
)


def _leaf_not_after(curl: pycurl.Curl) -> float | None:
    try:
        chain = curl.getinfo(pycurl.INFO_CERTINFO)
    except pycurl.error:
        return None
    for name, value in chain[0] if chain else ():
        if name == "Expire date":
            try:
                return float(ssl.cert_time_to_seconds(value))
            except ValueError:
                return None
    return None


# OpenSSL's X509 verify codes (stable across versions): what is wrong with the server's certificate
_EXPIRED, _SELF_SIGNED, _SELF_SIGNED_IN_CHAIN = 10, 18, 19
_NO_ISSUER = (2, 20, 21)  # unable to get issuer certificate (locally), unable to verify the first certificate
_WRONG_NAME = (62, 64)  # host name or IP address mismatch


def _tls_problem(code: int) -> str:
    """What is wrong with the server's certificate (OpenSSL's verify result), and how a plan can trust it."""
    skip = "tls.insecure_skip_verify: true skips verification"
    if code == _EXPIRED:
        return f"certificate has expired (renew it; {skip})"
    if code in (_SELF_SIGNED, _SELF_SIGNED_IN_CHAIN):
        return f"self-signed certificate is not trusted (trust it with tls.ca_file, or {skip})"
    if code in _NO_ISSUER:
        return f"certificate's issuer is not trusted (set tls.ca_file to its CA certificate, or {skip})"
    if code in _WRONG_NAME:
        return "certificate is not valid for this host name"
    if code:
        return f"certificate verify failed (OpenSSL verify code {code})"
    return "TLS handshake failed"
