"""Which URLs ``/probe?target=`` may fetch: a module's ``allowed_targets``, so the exporter is no open proxy.

An entry is a URL prefix (``https://api.example.com/v1/``: same scheme, host and port, and a path
under it) or a host with an optional port (``api.example.com``, ``10.0.0.5:8080``: http or https,
any path). Targets with a user name or password, other schemes, or hosts spelled differently
are refused before anything is fetched; redirects are not followed for probed targets.

>>> allowed("http://127.0.0.1:8000/examples/data.json", ["http://127.0.0.1:8000/examples/"])
True
>>> allowed("http://127.0.0.1:8000/examples/../secret", ["http://127.0.0.1:8000/examples/"])
False
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["DEFAULT_PORTS", "Allowed", "allowed", "parse_allowed", "target_problem"]


@dataclass(frozen=True)
class Allowed:
    schemes: tuple[str, ...]
    host: str
    port: int | None  # None: the scheme's default port
    path: str  # a prefix; "/" for any path


DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_allowed(entry: str) -> Allowed:
    """One ``allowed_targets`` entry; ValueError with a message for the plan if it is neither form."""
    if "://" in entry:
        parts = urlsplit(entry)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"allowed target {entry!r}: an http(s) URL prefix or a host[:port]")
        if parts.username is not None or parts.query or parts.fragment:
            raise ValueError(f"allowed target {entry!r}: no user, query or fragment in a prefix")
        return Allowed((parts.scheme,), parts.hostname.lower(), _port(parts, entry), parts.path or "/")
    parts = urlsplit("//" + entry)
    if not parts.hostname or parts.path or parts.username is not None:
        raise ValueError(f"allowed target {entry!r}: an http(s) URL prefix or a host[:port]")
    return Allowed(("http", "https"), parts.hostname.lower(), _port(parts, entry), "/")


def _port(parts, text: str) -> int | None:
    try:
        return parts.port
    except ValueError:
        raise ValueError(f"{text!r}: bad port") from None


def target_problem(url: str, entries: list[str]) -> str | None:
    """Why ``url`` may not be probed, or None when an entry admits it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "not a URL"
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return "not an http(s) URL"
    if parts.username is not None or parts.password is not None:
        return "a target may not carry a user name or password"
    path = parts.path or "/"
    if "\\" in path or any(seg in ("..", ".") for seg in path.split("/")) or "%2e" in path.lower():
        return "dot segments in the path"
    path = posixpath.normpath(path) + ("/" if path.endswith("/") and path != "/" else "")
    host = parts.hostname.lower()
    for entry in entries:
        a = parse_allowed(entry)
        if parts.scheme not in a.schemes or host != a.host:
            continue
        want = a.port if a.port is not None else DEFAULT_PORTS[parts.scheme]
        if (port if port is not None else DEFAULT_PORTS[parts.scheme]) != want:
            continue
        if path.startswith(a.path) or path + "/" == a.path:
            return None
    return "not in the module's allowed_targets"


def allowed(url: str, entries: list[str]) -> bool:
    return target_problem(url, entries) is None
