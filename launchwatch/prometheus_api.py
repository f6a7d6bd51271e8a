"""Prometheus' HTTP API as the previews and the reports read it: instant and range queries, and the
times a person writes (``now-1h``, ISO 8601, Unix seconds), with one-line errors.

>>> parse_time("now-1h", now=7200.0)
3600.0
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from launchwatch.plan.units import parse_duration

__all__ = ["Prometheus", "PrometheusError", "QueryError", "format_time", "parse_range", "parse_time", "reason"]


class PrometheusError(Exception):
    """Nothing usable answers at the URL (unreachable, not Prometheus): one line, never a traceback."""


class QueryError(Exception):
    """Prometheus answered a query with an error."""


def parse_range(text: str) -> float:
    """Seconds in a range such as ``6h``, ``7d`` or Grafana's ``now-6h``."""
    try:
        seconds = parse_duration(text.strip().removeprefix("now-"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time range (use e.g. 30m, 6h, 7d)") from None
    if seconds <= 0:
        raise ValueError(f"{text!r}: the time range must be longer than 0")
    return seconds


def format_time(t: float) -> str:
    """Unix seconds as the ISO 8601 UTC time ``parse_time`` reads back (``2026-01-01T00:00:00Z``)."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, now: float | None = None) -> float:
    """Unix seconds for ``now``, ``now-1h``, an ISO 8601 time (UTC unless it says otherwise) or Unix seconds."""
    now = time.time() if now is None else now
    s = text.strip()
    if s == "now":
        return now
    if s.startswith("now-"):
        return now - parse_range(s)
    try:
        return float(s)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{text!r} is not a time (use now, now-1h, 2024-05-01T12:00:00Z or Unix seconds)") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class Prometheus:
    """The HTTP API of one Prometheus: instant and range queries, errors as ``QueryError``."""

    def __init__(self, base_url: str, timeout: float = 15.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_maxsize=8)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def check(self) -> None:
        """Fail with one line when nothing answers like Prometheus at the URL, before anything is asked."""
        if not re.match(r"https?://[^/]", self.base_url):
            raise PrometheusError(f"{self.base_url!r} is not a Prometheus URL (use http://HOST:PORT)")
        try:
            self._get("query", {"query": "1"})
        except requests.RequestException as exc:
            raise PrometheusError(f"Prometheus unreachable at {self.base_url}: {reason(exc)}") from None
        except QueryError as exc:
            raise PrometheusError(f"{self.base_url} does not answer like Prometheus: {exc}") from None

    def instant(self, expr: str, at: float) -> list[dict[str, Any]]:
        return list(self._get("query", {"query": expr, "time": f"{at:.3f}"}))

    def range(self, expr: str, start: float, end: float, step: float) -> list[dict[str, Any]]:
        return list(self._get("query_range", {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}",
                                              "step": f"{step:g}"}))

    def _get(self, path: str, params: dict[str, str]) -> Any:
        resp = self.session.get(f"{self.base_url}/api/v1/{path}", params=params, timeout=self.timeout)
        try:
            body = resp.json()
        except ValueError:
            raise QueryError(f"HTTP {resp.status_code}: not a Prometheus API answer") from None
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error", f"HTTP {resp.status_code}") if isinstance(body, dict) else "bad answer"
            kind = body.get("errorType") if isinstance(body, dict) else None
            raise QueryError(f"{kind}: {error}" if kind else str(error))
        return body.get("data", {}).get("result", [])


def reason(exc: Exception) -> str:
    """Why a request failed, in a few words (``Connection refused``, ``timed out``)."""
    text = str(exc)
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if found:
        return found.group(1).strip()
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return text.split(":")[-1].strip()[:120] or type(exc).__name__
