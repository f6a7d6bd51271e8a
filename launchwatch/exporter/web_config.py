"""``--web.config.file``: TLS and basic auth for /metrics, in the format of Prometheus' exporter-toolkit.

The file is the one other exporters use, so an operator's existing config and habits carry
over. Like the toolkit, changes are picked up without a restart (certificates, users); a change
that does not load is logged and the last good configuration stays in force. What the toolkit
accepts but Python's ``ssl`` cannot do faithfully is refused by name rather than half-honoured.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import logging
import os
import ssl
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import bcrypt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from launchwatch.exporter.httpd import Request, Response
from launchwatch.plan.loader import PlanError, Problem, load_model_file
from launchwatch.plan.model import Duration

__all__ = ["WebConfig", "WebConfigFile", "load_web_config"]

log = logging.getLogger("launchwatch.exporter")

_TLS_VERSIONS = {"TLS10": ssl.TLSVersion.TLSv1, "TLS11": ssl.TLSVersion.TLSv1_1,
                 "TLS12": ssl.TLSVersion.TLSv1_2, "TLS13": ssl.TLSVersion.TLSv1_3}
TlsVersion = Literal["TLS10", "TLS11", "TLS12", "TLS13"]
_SECURITY_HEADERS = Literal["Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                            "X-XSS-Protection", "Strict-Transport-Security"]
AUTH_CACHE_SIZE = 1024  # remembered credential checks (good and bad), as exporter-toolkit caches them
RATE_CLIENTS = 4096  # clients with their own rate-limit bucket; the longest-unseen is forgotten first


@functools.cache
def _dummy_hash() -> bytes:
    """Checked when the user is unknown, so a wrong name costs what a wrong password does (made on first use)."""
    return bcrypt.hashpw(b"launchwatch", bcrypt.gensalt(10))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TlsServerConfig(_Strict):
    cert: str | None = None
    key: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    client_ca: str | None = None
    client_ca_file: str | None = None
    client_auth_type: Literal["NoClientCert", "VerifyClientCertIfGiven", "RequireAndVerifyClientCert",
                              "RequestClientCert", "RequireAnyClientCert"] = "NoClientCert"
    client_allowed_sans: list[str] = Field(default_factory=list)
    min_version: TlsVersion = "TLS12"
    max_version: TlsVersion = "TLS13"
    cipher_suites: list[str] = Field(default_factory=list)
    prefer_server_cipher_suites: bool = True
    curve_preferences: list[str] = Field(default_factory=list)

    @field_validator("client_auth_type")
    @classmethod
    def _verified_only(cls, value: str) -> str:
        if value in ("RequestClientCert", "RequireAnyClientCert"):
            raise ValueError(f"{value} accepts certificates nobody verified and is not supported; "
                             "use RequireAndVerifyClientCert with client_ca_file")
        return value

    @field_validator("cipher_suites", "curve_preferences")
    @classmethod
    def _go_names(cls, value: list[str]) -> list[str]:
        if value:
            raise ValueError("Go cipher suite and curve names are not supported; leave it empty to use "
                             "OpenSSL's defaults (min_version/max_version are supported)")
        return value

    @model_validator(mode="after")
    def _pairs(self) -> TlsServerConfig:
        for inline, file in (("cert", "cert_file"), ("key", "key_file"), ("client_ca", "client_ca_file")):
            if getattr(self, inline) and getattr(self, file):
                raise ValueError(f"give '{inline}' or '{file}', not both")
        if not (self.cert or self.cert_file) or not (self.key or self.key_file):
            raise ValueError("needs a certificate (cert_file or cert) and its key (key_file or key)")
        verifies = self.client_auth_type in ("VerifyClientCertIfGiven", "RequireAndVerifyClientCert")
        if verifies and not (self.client_ca or self.client_ca_file):
            raise ValueError(f"client_auth_type {self.client_auth_type} needs client_ca_file (or client_ca)")
        if self.client_allowed_sans and self.client_auth_type != "RequireAndVerifyClientCert":
            raise ValueError("client_allowed_sans needs client_auth_type RequireAndVerifyClientCert")
        if _TLS_VERSIONS[self.min_version] > _TLS_VERSIONS[self.max_version]:
            raise ValueError(f"min_version {self.min_version} is above max_version {self.max_version}")
        return self

    def files(self) -> list[str]:
        return [f for f in (self.cert_file, self.key_file, self.client_ca_file) if f]


class HttpServerConfig(_Strict):
    http2: bool = True  # accepted for compatibility; launchwatch answers HTTP/1.1, which Prometheus uses
    headers: dict[_SECURITY_HEADERS, str] = Field(default_factory=dict)


class RateLimit(_Strict):
    interval: Duration = 0.0
    burst: Annotated[int, Field(ge=0)] = 0


class WebConfig(_Strict):
    """The exporter-toolkit web configuration (``docs/web-configuration.md`` of prometheus/exporter-toolkit)."""

    tls_server_config: TlsServerConfig | None = None
    http_server_config: HttpServerConfig = Field(default_factory=HttpServerConfig)
    basic_auth_users: dict[str, str] = Field(default_factory=dict)
    rate_limit: RateLimit | None = None

    @field_validator("basic_auth_users")
    @classmethod
    def _bcrypt_hashes(cls, users: dict[str, str]) -> dict[str, str]:
        for user, hashed in users.items():
            if ":" in user:
                raise ValueError(f"user name {user!r} contains ':', which basic auth cannot carry")
            if not hashed.startswith(("$2a$", "$2b$", "$2y$")) or len(hashed) != 60:
                raise ValueError(f"the password of {user!r} is not a bcrypt hash "
                                 "(make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n')")
        return users


def load_web_config(path: str | Path) -> WebConfig:
    """Read and check the file, including that its certificates and keys load."""
    return _load(path)[0]


def _load(path: str | Path) -> tuple[WebConfig, ssl.SSLContext | None]:
    """The configuration and the TLS context it describes (None without TLS), each made once."""
    config = load_model_file(path, WebConfig, what="web config")
    if config.tls_server_config is None:
        return config, None
    try:
        return config, _ssl_context(config.tls_server_config, Path(path).parent)
    except (OSError, ssl.SSLError, ValueError) as exc:
        raise PlanError([Problem(str(path), 0, "tls_server_config", f"cannot load the certificate or key: "
                                                                      f"{exc}")]) from None


def _ssl_context(tls: TlsServerConfig, base: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = _TLS_VERSIONS[tls.min_version]
    ctx.maximum_version = _TLS_VERSIONS[tls.max_version]
    if tls.prefer_server_cipher_suites:
        ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    if tls.cert_file and tls.key_file:
        ctx.load_cert_chain(base / tls.cert_file, base / tls.key_file)
    else:
        _load_inline_chain(ctx, tls, base)
    if tls.client_auth_type != "NoClientCert":
        ctx.verify_mode = ssl.CERT_REQUIRED if tls.client_auth_type == "RequireAndVerifyClientCert" \
            else ssl.CERT_OPTIONAL
        if tls.client_ca_file:
            ctx.load_verify_locations(cafile=str(base / tls.client_ca_file))
        else:
            ctx.load_verify_locations(cadata=tls.client_ca)
    return ctx


def _load_inline_chain(ctx: ssl.SSLContext, tls: TlsServerConfig, base: Path) -> None:
    """``ssl`` loads certificates only from files: write inline PEM to a private temporary file."""
    cert = tls.cert if tls.cert else (base / (tls.cert_file or "")).read_text()
    key = tls.key if tls.key else (base / (tls.key_file or "")).read_text()
    fd, name = tempfile.mkstemp(prefix="launchwatch-tls-", suffix=".pem")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(cert.strip() + "\n" + key.strip() + "\n")
        ctx.load_cert_chain(name)
    finally:
        os.unlink(name)


class WebConfigFile:
    """The configuration in force: reloaded when the file (or a certificate it names) changes."""

    CHECK_EVERY = 1.0

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.config, self._context = _load(self.path)
        self._stamp = self._fingerprint(self.config)
        self._checked = time.monotonic()
        self._lock = threading.Lock()
        self._bcrypt_lock = threading.Lock()  # one bcrypt at a time: a guessing flood costs one core, not all
        self._cache_key = os.urandom(32)  # the cache holds keyed hashes of credentials, never the credentials
        self._auth_cache: dict[bytes, bool] = {}
        self._buckets: dict[str, tuple[float, float]] = {}  # client address -> (tokens, last refill)

    @property
    def tls(self) -> bool:
        return self.config.tls_server_config is not None

    def ssl_context(self) -> ssl.SSLContext | None:
        self._refresh()
        return self._context

    def peer_allowed(self, sock: ssl.SSLSocket) -> bool:
        """client_allowed_sans: the verified client certificate must name one of them."""
        tls = self.config.tls_server_config
        if tls is None or not tls.client_allowed_sans:
            return True
        cert = sock.getpeercert() or {}
        names = {value for _, value in cert.get("subjectAltName", ())}
        return bool(names & set(tls.client_allowed_sans))

    def _fingerprint(self, config: WebConfig) -> tuple:
        files = [self.path] + [self.path.parent / f for f in (config.tls_server_config.files()
                                                               if config.tls_server_config else [])]
        out = []
        for f in files:
            try:
                st = f.stat()
                out.append((str(f), st.st_mtime_ns, st.st_size))
            except OSError:
                out.append((str(f), None, None))
        return tuple(out)

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked < self.CHECK_EVERY:
            return
        with self._lock:
            if now - self._checked < self.CHECK_EVERY:
                return
            self._checked = now
            stamp = self._fingerprint(self.config)
            if stamp == self._stamp:
                return
            self._stamp = stamp
            try:
                config, context = _load(self.path)
                if (config.tls_server_config is None) != (self.config.tls_server_config is None):
                    raise PlanError([Problem(str(self.path), 0, "tls_server_config",
                                             "turning TLS on or off needs a restart")])
            except PlanError as exc:
                log.error("web config change not applied, keeping the previous one: %s", exc)
                return
            self.config, self._context, self._auth_cache = config, context, {}
            self._stamp = self._fingerprint(config)
            log.info("web config %s reloaded", self.path)

    def guard(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """``handler`` behind this configuration's rate limit (per client address), basic auth and
        response headers (on every answer, 401 and 429 included)."""

        def guarded(request: Request) -> Response:
            self._refresh()
            config = self.config
            limit = config.rate_limit
            if limit and limit.interval > 0 and not self._take_token(limit, request.peer):
                response = Response.text(429, "too many requests\n")
            elif config.basic_auth_users and not self._authorized(request.header("authorization"), config):
                response = Response.text(401, "Unauthorized\n", [("WWW-Authenticate", 'Basic realm="launchwatch"')])
            else:
                response = handler(request)
            response.headers.extend(config.http_server_config.headers.items())
            return response

        return guarded

    def _take_token(self, limit: RateLimit, client: str) -> bool:
        """A token from ``client``'s own bucket: one client's flood never empties the scraper's."""
        with self._lock:
            now = time.monotonic()
            tokens, refilled = self._buckets.pop(client, (float(limit.burst), now))
            tokens = min(float(max(limit.burst, 1)), tokens + (now - refilled) / limit.interval)
            allowed = tokens >= 1
            self._buckets[client] = (tokens - 1 if allowed else tokens, now)  # re-inserted: most recently seen
            if len(self._buckets) > RATE_CLIENTS:
                del self._buckets[next(iter(self._buckets))]
            return allowed

    def _authorized(self, header: str, config: WebConfig) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        if not sep:
            return False
        hashed = config.basic_auth_users.get(user)
        # Good and bad results are remembered (bcrypt costs ~60 ms at cost 10), under a keyed hash of the
        # credentials; checks run one at a time (as exporter-toolkit does), so guessing cannot take every core.
        key = hmac.new(self._cache_key, b"\0".join([user.encode(), password.encode(), (hashed or "").encode()]),
                       hashlib.sha256).digest()
        cached = self._auth_cache.get(key)
        if cached is not None:
            return cached
        with self._bcrypt_lock:
            cached = self._auth_cache.get(key)  # checked by another request while this one waited
            if cached is None:
                matches = bcrypt.checkpw(password.encode(), hashed.encode() if hashed else _dummy_hash())
                cached = matches and hashed is not None
                if len(self._auth_cache) >= AUTH_CACHE_SIZE:
                    self._auth_cache.clear()
                self._auth_cache[key] = cached
        return cached
