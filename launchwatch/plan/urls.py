"""Credentials in plan URLs: find them, and show a URL without them.

A source URL may carry ``user:password@`` (the exporter sends it as basic auth and never shows it);
channel and runbook URLs may not, since generated files would spell them out. A password holding a raw
'#', '/' or '?' is not where a URL parser looks for one, so the '@' is searched for more widely here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["ambiguous_credentials", "has_credentials", "resolve_url", "without_credentials"]

_SCHEMELESS_USERINFO = re.compile(r"^[^/?#]*@")  # "user:pass@host/x": credentials with no scheme


def has_credentials(url: str) -> bool:
    """Whether ``url`` carries (or may carry) ``user:password@``."""
    _, sep, rest = url.partition("://")
    if not sep:
        return bool(_SCHEMELESS_USERINFO.match(url))
    return "@" in _authority(url, rest) or ambiguous_credentials(url)


def ambiguous_credentials(url: str) -> bool:
    """An '@' a URL parser does not read as ending ``user:password``: a raw '#', '/' or '?' in the
    password (``http://u:a#b@host``), or a URL with no scheme; the request would go somewhere else."""
    _, sep, rest = url.partition("://")
    if not sep:
        return bool(_SCHEMELESS_USERINFO.match(url))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number ("u:a" of "u:a#b@host")
    except ValueError:
        return "@" in rest
    return "@" not in parts.netloc and "@" in parts.fragment


def without_credentials(url: str) -> str:
    """``url`` fit for a message: all before its last '@' is hidden when it may carry credentials."""
    if not has_credentials(url):
        return url
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}***@{rest.rpartition('@')[2]}" if sep else f"***@{url.rpartition('@')[2]}"


def _authority(url: str, rest: str) -> str:
    try:
        return urlsplit(url).netloc
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return re.split(r"[/?#]", rest, maxsplit=1)[0]


def resolve_url(base_url: str, url: str) -> str:
    """A source URL made absolute against the plan's ``base_url``."""
    if "://" in url or not base_url:
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")
