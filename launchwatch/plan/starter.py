"""A starter plan from a sample of a product's JSON: what ``launchwatch init`` writes.

Most of a first plan is mechanical: a JSONPath per number, a Prometheus name from that path, a
base unit from the key. This module does that part, and says in a YAML comment next to each
guess what only a person can confirm (is it really a counter? which status words exist?), so the
review is reading comments rather than reading the product's JSON key by key.
"""

from __future__ import annotations

import math
import re
import shlex
import sys
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import yaml

from launchwatch.exporter.extract import ExtractError, parse_json
from launchwatch.plan.metric_lint import PERCENTILE_LABEL, clean_name, label_problem
from launchwatch.plan.model import (
    PLAN_NAME_RE,
    RESERVED_LABELS,
    RESERVED_METRIC_PREFIXES,
    RESERVED_METRICS,
    Source,
)
from launchwatch.plan.urls import has_credentials, without_credentials

__all__ = [
    "DEFAULT_BASE_URL",
    "FETCH_TIMEOUT",
    "Sample",
    "StarterError",
    "fetch_sample",
    "init",
    "plan_name",
    "read_sample",
    "sample_mappings",
    "starter_plan",
    "word_tokens",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
FETCH_TIMEOUT = 10.0
_MAX_SAMPLE_BYTES = 64 * 1024 * 1024
_EXPORTER_CAP = 4 * 1024 * 1024  # the exporter's default max_response_bytes
_MAX_NOTES = 30  # "not mapped" lines per source; the rest are counted


class StarterError(Exception):
    """Why no plan was written, in one line; ``exit_code`` 2 for a usage mistake, 1 for the rest."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class Sample:
    """A parsed JSON document and where it came from (never with credentials)."""

    doc: Any
    origin: str  # what messages and the plan's description call it: a file name or a URL
    size: int
    url: str | None = None  # where the product serves it, when known
    name_hint: str = ""  # the default plan name: the file's stem or the URL's host
    dropped_credentials: bool = False


# --- reading the sample ---------------------------------------------------------------------------------

def read_sample(path: str | Path, url: str | None = None) -> Sample:
    """The JSON file at ``path``; ``url`` says where the product serves it (optional)."""
    path = Path(path)
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise StarterError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None
    if len(body) > _MAX_SAMPLE_BYTES:
        raise StarterError(f"{path}: {len(body)} bytes is more than a sample needs "
                           f"({_MAX_SAMPLE_BYTES // 2**20} MiB at most)")
    doc = _parse(body.removeprefix(b"\xef\xbb\xbf"), str(path))  # an editor's BOM is no reason to refuse
    safe_url = None
    dropped = False
    if url is not None:
        safe_url, dropped = _checked_url(url, "--url")
    return Sample(doc, path.name, len(body), safe_url, path.stem, dropped)


def fetch_sample(url: str, timeout: float = FETCH_TIMEOUT) -> Sample:
    """One GET of ``url`` with the exporter's own fetcher: if init can read it, so can the exporter."""
    from launchwatch.exporter.fetch import Fetcher, FetchError

    safe_url, dropped = _checked_url(url, "--from-url")
    source = Source.model_validate({"name": "init", "url": url, "probe": {}, "max_response_bytes": _MAX_SAMPLE_BYTES})
    fetcher = Fetcher(source, url)
    try:
        result = fetcher.fetch(timeout)
    except FetchError as exc:
        raise StarterError(fetcher.redact(str(exc))) from None
    finally:
        fetcher.close()
    doc = _parse(result.body, without_credentials(url))
    host = urlsplit(safe_url).hostname or ""
    return Sample(doc, _without_query(safe_url), len(result.body), safe_url, host.removeprefix("www."), dropped)


def _checked_url(url: str, option: str) -> tuple[str, bool]:
    """``url`` if it is an absolute http(s) URL, without any ``user:password@`` (the plan holds no secret)."""
    shown = without_credentials(url)
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        port = parts.port  # raises on a port that is not a number
    except ValueError:
        ok, port = False, None
    if not ok:
        raise StarterError(f"{option} {shown!r}: not an http(s) URL (e.g. https://shop.example.com/api/stats)", 2)
    if not has_credentials(url):
        return url, False
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), True


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _parse(body: bytes, where: str) -> Any:
    """Strict JSON, as the exporter reads it; a syntax error says line and column."""
    try:
        doc = parse_json(body)
    except ExtractError as exc:
        raise StarterError(f"{where}: {_json_problem(body, str(exc))}") from None
    if not isinstance(doc, dict | list):
        raise StarterError(f"{where}: the JSON is {_kind_phrase(doc)}; a sample must be an object or an array "
                           "at the top")
    return doc


def _json_problem(body: bytes, fallback: str) -> str:
    import json

    try:
        json.loads(body.decode("utf-8"))
    except json.JSONDecodeError as exc:
        return f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
    except (ValueError, RecursionError):
        pass
    return fallback.replace("body is", "the sample is").replace("body not", "the sample is not")


def _kind_phrase(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string"


# --- names ----------------------------------------------------------------------------------------------

def plan_name(text: str, *, fallback: str | None = "starter") -> str:
    """``text`` made a plan name (``[a-z][a-z0-9-]*``): "Shop API.json" -> "shop-api"."""
    name = re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")
    if name and not name[0].isalpha():
        name = f"plan-{name}"
    if not name:
        if fallback is None:
            raise StarterError(f"--name {text!r}: no letters or digits to make a plan name from", 2)
        name = fallback
    assert PLAN_NAME_RE.match(name)
    return name


def _source_name(url: str | None) -> str:
    """The URL path's last segment ("/api/health" -> "health"), else "main"."""
    if not url:
        return "main"
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if not segments:
        return "main"
    stem = segments[-1].rsplit(".", 1)[0] if "." in segments[-1][1:] else segments[-1]
    name = re.sub(r"[^a-z0-9_]+", "-", _ascii(stem).lower()).strip("-_")
    if not name:
        return "main"
    return name if name[0].isalpha() else f"source-{name}"


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _tokens(key: str) -> list[str]:
    """A JSON key's words: "latencyMs" and "latency-ms" and "Latency MS" all give ["latency", "ms"]."""
    text = _ascii(key).replace("'", "")  # "it's" is one word, not "it" and a unit "s"
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    return [t for t in re.split(r"[^a-zA-Z0-9]+", text.lower()) if t]


def _singular(tokens: list[str]) -> list[str]:
    if not tokens:
        return tokens
    word = tokens[-1]
    if word in _NOT_PLURAL:
        pass
    elif word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "uses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        word = word[:-1]
    return [*tokens[:-1], word]


def _label_name(tokens: list[str], taken: set[str]) -> str:
    name = "_".join(tokens) or "key"
    if name[0].isdigit() or name in RESERVED_LABELS or label_problem(name):
        name = f"item_{name}"  # `target`, `job`, `plan`… are set by Prometheus, the exporter or the alerts
    unique, n = name, 1
    while unique in taken:
        n += 1
        unique = f"{name}_{n}"
    taken.add(unique)
    return unique


# --- JSONPath -------------------------------------------------------------------------------------------

_SHORTHAND = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _member(key: str) -> str | None:
    """The JSONPath step to ``key`` (``.name`` or ``['a-b']``); None when no query can name it."""
    if _SHORTHAND.match(key):
        return "." + key
    if any((ord(c) < 0x20 and c not in _ESCAPES) or 0xD800 <= ord(c) <= 0xDFFF for c in key):
        return None
    return "['" + "".join(_ESCAPES.get(c, c) for c in key) + "']"


# --- guessing one metric --------------------------------------------------------------------------------

_QUANTILE = re.compile(r"p(\d{2,4})")
# Checked from the end of a name, past these, for a unit: latency_ms_avg is in milliseconds.
_AGGREGATES = frozenset({"avg", "average", "mean", "median", "max", "min", "sum", "last", "current", "latest",
                         "peak", "total", "count"})
_UNITS: dict[str, tuple[str, float, str]] = {}
for _words, _base, _factor, _what in (
    (("ms", "msec", "msecs", "millis", "millisecond", "milliseconds"), "seconds", 0.001, "milliseconds"),
    (("us", "usec", "usecs", "micros", "microsecond", "microseconds"), "seconds", 1e-6, "microseconds"),
    (("ns", "nanos", "nanosecond", "nanoseconds"), "seconds", 1e-9, "nanoseconds"),
    (("s", "sec", "secs", "second", "seconds"), "seconds", 1.0, ""),
    (("min", "mins", "minute", "minutes"), "seconds", 60.0, "minutes"),
    (("h", "hr", "hrs", "hour", "hours"), "seconds", 3600.0, "hours"),
    (("day", "days"), "seconds", 86400.0, "days"),
    (("pct", "percent", "percentage"), "ratio", 0.01, "percent"),
    (("ratio",), "ratio", 1.0, ""),
    (("bytes", "byte"), "bytes", 1.0, ""),
    (("kb", "kib", "kilobytes"), "bytes", 1024.0, "KiB"),
    (("mb", "mib", "megabytes"), "bytes", 1024.0**2, "MiB"),
    (("gb", "gib", "gigabytes"), "bytes", 1024.0**3, "GiB"),
):
    for _word in _words:
        _UNITS[_word] = (_base, _factor, _what)
_TIMESTAMP_WORDS = frozenset({"at", "ts", "timestamp", "time", "epoch"})
# A value over a window (today, last 24h), an average or a level can go down: not a counter.
_NOT_COUNTER = frozenset({"today", "yesterday", "daily", "hourly", "weekly", "monthly", "yearly", "last", "recent",
                          "rolling", "window", "current", "now", "rate", "per", "avg", "average", "mean", "min", "max",
                          "median", "active", "pending", "queued", "open", "concurrent", "inflight", "remaining",
                          "left", "available", "free", "used", "size", "depth", "length", "level", "balance", "ratio",
                          "pct", "percent", "percentage", "score", "limit", "capacity"})
_WINDOW = re.compile(r"\d+(s|m|h|d|w|min|mins|hr|hrs|hours?|days?)")
_EVENTS = frozenset({
    # things that happened (a count of them only grows) ...
    "placed", "failed", "completed", "created", "sent", "delivered", "received", "processed", "succeeded",
    "rejected", "dropped", "retried", "started", "finished", "opened", "clicked", "registered", "cancelled",
    "canceled", "refunded", "paid", "purchased", "sold", "shipped", "returned", "approved", "declined", "errored",
    "expired", "converted", "activated", "churned", "joined", "uploaded", "downloaded", "viewed", "visited",
    "submitted", "answered", "accepted", "bounced", "unsubscribed", "subscribed", "won", "lost", "skipped",
    "abandoned", "resolved", "escalated", "closed", "reopened", "published", "deleted", "added", "removed",
    "imported", "exported", "acknowledged", "signed_up", "logged_in", "timed_out",
    # ... and plural nouns of events
    "errors", "failures", "requests", "retries", "attempts", "events", "signups", "logins", "purchases", "visits",
    "pageviews", "views", "clicks", "calls", "downloads", "uploads", "timeouts", "crashes", "exceptions", "hits",
    "misses", "deliveries", "bounces", "conversions", "registrations", "transactions", "orders", "payments",
    "refunds", "messages", "emails", "notifications", "installs", "restarts", "deploys", "deployments",
})
_COUNTS = frozenset({"counts", "count", "counters", "counter", "totals", "total", "events", "stats", "statistics",
                     "metrics", "activity", "usage"})
_NOT_PLURAL = frozenset({"status", "address", "process", "progress", "success", "access", "alias", "series", "news",
                         "bonus", "virus", "plus", "minus", "seconds", "minutes", "hours", "days", "bytes", "millis",
                         "micros", "nanos", "secs", "mins", "hrs"})

# Status words: the first list of each family counts as healthy (1), the second not (0).
_GOOD_WORDS = frozenset({"ok", "okay", "healthy", "up", "pass", "passing", "passed", "green", "operational",
                         "online", "available", "success", "successful"})
_BAD_WORDS = frozenset({"degraded", "down", "error", "fail", "failed", "failing", "unhealthy", "warn", "warning",
                        "yellow", "red", "critical", "offline", "unavailable", "outage", "maintenance", "failure",
                        "partial_outage", "major_outage", "degraded_performance"})
_STATUS_FAMILIES: tuple[tuple[frozenset[str], tuple[str, ...], tuple[str, ...]], ...] = (
    (frozenset({"healthy", "unhealthy"}), ("healthy",), ("unhealthy",)),
    (frozenset({"up"}), ("up",), ()),
    (frozenset({"pass", "passing", "passed", "warn", "warning"}), ("pass",), ("warn",)),
    (frozenset({"green", "yellow", "red"}), ("green",), ("yellow", "red")),
    (frozenset({"operational", "degraded_performance", "partial_outage", "major_outage"}), ("operational",),
     ("degraded_performance", "partial_outage", "major_outage")),
    (frozenset({"online", "offline"}), ("online",), ("offline",)),
    (frozenset({"available", "unavailable"}), ("available",), ("unavailable",)),
    (frozenset({"success", "successful", "failure"}), ("success",), ("failure",)),
)
_BASE_STATUS = (("ok",), ("degraded", "down", "error", "fail"))


def _is_status(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in _GOOD_WORDS | _BAD_WORDS


def _status_map(values: list[str]) -> dict[str, float]:
    """Every status word the sample's values suggest, in the sample's own case (OK, Ok or ok)."""
    lowered = {v.strip().lower() for v in values}
    good, bad = list(_BASE_STATUS[0]), list(_BASE_STATUS[1])
    for trigger, more_good, more_bad in _STATUS_FAMILIES:
        if lowered & trigger:
            good += [w for w in more_good if w not in good]
            bad += [w for w in more_bad if w not in bad]
    first = values[0].strip()
    case = str.upper if first.isupper() and len(first) > 1 else (str.title if first.istitle() else str.lower)
    out = {case(w): 1.0 for w in good} | {case(w): 0.0 for w in bad}
    for v in values:  # the sample's exact spelling always maps
        out.setdefault(v, 1.0 if v.strip().lower() in _GOOD_WORDS else 0.0)
    return out


def _quantile(token: str) -> str | None:
    """"p95" -> "p95" (the PERCENTILE_LABEL's value), "P999" -> "p999"; only from p50 up (p0-p3 are
    incident priorities)."""
    m = _QUANTILE.fullmatch(token)
    if m is None:
        return None
    digits = m.group(1)
    value = 1.0 if digits == "100" else int(digits) / 10 ** len(digits)
    return f"p{digits}" if 0.5 <= value <= 1 else None


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer no float holds
        return False


@dataclass
class _Guess:
    tokens: list[str]
    type: str = "gauge"
    scale: float = 1.0
    scale_note: str = ""
    quantile: str | None = None
    value_map: dict[str, float] = field(default_factory=dict)
    help_note: str = ""
    comment: str = ""


def _guess(tokens: list[str], key: str, parent: str | None, values: list[Any], fallback: list[str]) -> _Guess | str:
    """Name, type and unit of a metric from its path's words and the sample's values; a str says why none."""
    present = [v for v in values if v is not None]
    if not present:
        return "null in the sample (its kind is unknown)"
    if all(isinstance(v, str) for v in present):
        if all(_is_status(v) for v in present):
            return _status_guess(tokens, present)
        if all(re.fullmatch(r"\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*", v) for v in present):
            return "a number in a string (the exporter reads JSON numbers only)"
        return "a string"
    if not all(isinstance(v, bool | int | float) for v in present):
        return "values of mixed kinds"
    if all(isinstance(v, bool) for v in present):
        return _Guess(tokens, help_note="1 for true, 0 for false")
    if not all(_finite(v) for v in present):
        return "a number no float can hold"
    return _number_guess(tokens, key, parent, [float(v) for v in present], fallback)


def _status_guess(tokens: list[str], values: list[str]) -> _Guess:
    name = tokens if tokens[-1:] == ["ok"] else [*tokens, "ok"]
    return _Guess(name, value_map=_status_map(values), help_note="a status word: 1 healthy, 0 not",
                  comment="holds a status word: a value missing from value_map fails the whole source "
                          "(launchwatch_target_up 0), so list every value the endpoint can return.")


def _number_guess(tokens: list[str], key: str, parent: str | None, numbers: list[float],
                  fallback: list[str]) -> _Guess | str:
    core = list(tokens)
    quantile = None
    for i in range(len(core) - 1, -1, -1):
        quantile = _quantile(core[i])
        if quantile:
            del core[i]
            break
    key_words = _tokens(key)
    marker = core.pop() if core and core[-1] in ("total", "count") else None
    while marker and core[-1:] == ["total"]:  # errors_total.total
        core.pop()
    guess = _Guess(core, quantile=quantile)
    base = None
    if _epoch_scale(numbers) and set(core[-2:]) & _TIMESTAMP_WORDS:
        while core and (core[-1] in _TIMESTAMP_WORDS or _UNITS.get(core[-1], ("",))[0] == "seconds"):
            core.pop()
        guess.scale = _epoch_scale(numbers)
        guess.scale_note = "Unix milliseconds → seconds" if guess.scale != 1 else ""
        guess.help_note = "Unix time"
        base = ["timestamp", "seconds"]
    else:
        for i in range(len(core) - 1, -1, -1):
            if core[i] in _UNITS:
                unit, factor, what = _UNITS[core.pop(i)]
                base = [unit]
                guess.scale = factor
                if what == "percent":
                    guess.scale_note = "percent → ratio 0-1"
                elif what:
                    guess.scale_note = f"{what} → {unit}"
                break
            if core[i] not in _AGGREGATES:
                break
    if not all(math.isfinite(n * guess.scale) for n in numbers):
        return f"a number too large to scale to {base[0] if base else 'base units'}"
    looks_counted = marker is not None or _is_event(key_words, parent)
    explicit = key_words[-1:] == ["total"] and len(key_words) > 1  # requests_total: Prometheus style already
    windowed = any(t in _NOT_COUNTER or _WINDOW.fullmatch(t) for t in tokens)
    is_counter = (looks_counted and all(n >= 0 for n in numbers) and quantile is None
                  and base not in (["ratio"], ["timestamp", "seconds"]) and (explicit or not windowed))
    if is_counter:
        guess.type = "counter"
        reason = repr(key) if marker or len(key_words) > 1 or parent is None else f"{key!r} under {parent!r}"
        guess.comment = (f"type counter is guessed from the name ({reason}): if the value can go down, change it "
                         "to gauge and drop the _total suffix.")
    guess.tokens = [*(core or fallback), *(base or []), *(["count"] if marker == "count" and not is_counter else [])]
    if is_counter:
        guess.tokens.append("total")
    return guess


def _epoch_scale(numbers: list[float]) -> float:
    """1 for Unix seconds, 0.001 for Unix milliseconds (2001-2286), 0 for anything else."""
    if all(1e9 <= n < 1e10 for n in numbers):
        return 1.0
    if all(1e12 <= n < 1e13 for n in numbers):
        return 0.001
    return 0.0


def _is_event(key_words: list[str], parent: str | None) -> bool:
    """An event word under a counts-ish object ("placed" under "orders"), or both in one key (orders_placed)."""
    if not key_words:
        return False
    joined = "_".join(key_words)
    if joined not in _EVENTS and key_words[-1] not in _EVENTS:
        return False
    if len(key_words) > 1 and _countish(key_words[-2:-1]):
        return True
    return parent is not None and _countish(_tokens(parent))


def _countish(words: list[str]) -> bool:
    if not words:
        return False
    word = words[-1]
    plural = word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3
    return word in _COUNTS or (plural and word not in _NOT_PLURAL)


# --- walking the sample ---------------------------------------------------------------------------------

@dataclass
class _Metric:
    name: str
    type: str
    path: str
    origin: str  # where the value comes from, for help
    value: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    const_labels: dict[str, str] = field(default_factory=dict)
    value_map: dict[str, float] = field(default_factory=dict)
    scale: float = 1.0
    scale_note: str = ""
    help_note: str = ""
    comments: list[str] = field(default_factory=list)
    family: str = ""  # quantile mappings of one family (same path but the quantile) may share a name
    help: str = ""


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "scalar"


def _shape(value: Any) -> Any:
    """What two map values must share to be one metric labelled by their keys."""
    if isinstance(value, dict):
        return frozenset((k, _shape(v)) for k, v in value.items() if v is not None)
    if isinstance(value, list):
        return "array"
    return "string" if isinstance(value, str) else "number"


def _has_leaf(shape: Any) -> bool:
    if isinstance(shape, frozenset):
        return any(_has_leaf(s) for _, s in shape)
    return shape != "array"


class _Walk:
    """Every number, boolean and status word of a document, as metric mappings, in document order."""

    def __init__(self, source_tokens: list[str]):
        self.source_tokens = source_tokens
        self.metrics: list[_Metric] = []
        self.notes: list[tuple[str, str]] = []  # (path, why it is not mapped)
        self._pending: list[str] = []  # a comment for the next metric (the first of an array or a map)

    def visit(self, node: Any, path: str, tokens: list[str], key: str | None, parent: str | None) -> None:
        if isinstance(node, dict):
            if not node:
                self.notes.append((path, "an empty object"))
            elif not self._keyed_map(node, path, tokens, key):
                for k, v in node.items():
                    step = _member(k)
                    if step is None:
                        self.notes.append((f"{path}[{k!r}]", "a key no JSONPath can name (control characters)"))
                        continue
                    self.visit(v, path + step, tokens + _tokens(k), k, key)
        elif isinstance(node, list):
            self._array(node, path, tokens, key)
        else:
            self._emit(self._guess(tokens, key, parent, [node]), path, path=path)

    def _guess(self, tokens: list[str], key: str | None, parent: str | None, values: list[Any]) -> _Guess | str:
        return _guess(tokens or self.source_tokens, key or "", parent, values, self.source_tokens)

    def _emit(self, guess: _Guess | str, where: str, *, path: str, value: str | None = None,
              labels: dict[str, str] | None = None) -> None:
        if isinstance(guess, str):
            self.notes.append((where, guess))
            return
        words = list(guess.tokens)
        while guess.type != "counter" and words[-1:] == ["total"]:
            words.pop()  # only counters end in _total
        name = "_".join(words or self.source_tokens)
        if not name[0].isalpha():
            name = "_".join(self.source_tokens) + "_" + name
        name = clean_name(name)
        labels = dict(labels or {})
        const = {}
        if guess.quantile is not None:
            labels = {(f"item_{k}" if k == PERCENTILE_LABEL else k): v for k, v in labels.items()}
            const[PERCENTILE_LABEL] = guess.quantile
        comments, self._pending = self._pending, []
        if guess.comment:
            comments.append(f"{where} {guess.comment}" if guess.value_map else guess.comment)
        self.metrics.append(_Metric(name, guess.type, path, where, value, labels, const, guess.value_map,
                                    guess.scale, guess.scale_note, guess.help_note, comments,
                                    family=_family(path, value)))

    def _keyed_map(self, node: dict[str, Any], path: str, tokens: list[str], key: str | None) -> bool:
        """A map whose values share a shape (queues by name, checks by dependency): one metric per field,
        labelled by the map's keys, instead of one metric per key."""
        values = list(node.values())
        if len(values) < 2 or any(_member(k) is None for k in node):
            return False
        if not tokens:  # the document itself: named after the source ("queues" for /api/queues)
            tokens, key = self.source_tokens, "_".join(self.source_tokens)
        own = _tokens(key or "")
        own = own[1:] if own[:1] == ["by"] and len(own) > 1 else own  # by_region: labelled region
        label = _label_name(_singular(own) if _singular(own) != own else (own if own != ["main"] else ["key"]), set())
        if all(_is_status(v) for v in values):
            self._pending.append(f"One series per key of {path}, labelled {label}.")
            self._emit(self._guess(tokens, key, None, values), f"{path}.*", path=f"{path}.*", labels={label: "@key"})
            return True
        if not all(isinstance(v, dict) and v for v in values):
            return False
        shape = _shape(values[0])
        if not _has_leaf(shape) or any(_shape(v) != shape for v in values[1:]):
            return False
        self._pending.append(f"One series per key of {path}, labelled {label}.")
        fields, arrays = _fields(values)
        for rel in arrays:
            self.notes.append((f"{path}.*{rel}", "an array inside each value (map it by hand)"))
        for rel, (keys, leaf_values) in fields.items():
            words = [w for k in keys for w in _tokens(k)]
            guess = self._guess(tokens + words, keys[-1], keys[-2] if len(keys) > 1 else key, leaf_values)
            if len(keys) == 1:  # a field of the value itself: $.queues.*.depth, labelled by its parent's key
                self._emit(guess, f"{path}.*{rel}", path=f"{path}.*{rel}", labels={label: "@parentkey"})
            else:  # deeper: @parentkey would name the wrong level, so the value is read relative to the entry
                self._emit(guess, f"@{rel} in each value of {path}", path=f"{path}.*", value=f"@{rel}",
                           labels={label: "@key"})
        self._pending = []
        return True

    def _array(self, items: list[Any], path: str, tokens: list[str], key: str | None) -> None:
        if not tokens:  # the document itself: named after the source ("orders" for /api/orders)
            tokens, key = self.source_tokens, "_".join(self.source_tokens)
        if not items:
            self.notes.append((path, "an empty array (its items' shape is unknown)"))
            return
        kinds = {_kind(i) for i in items}
        if kinds <= {"scalar", "null"}:
            self._pending.append(f"One series per item of {path}, labelled by position (index).")
            self._emit(self._guess(tokens, key, None, items), f"{path}[*]", path=f"{path}[*]",
                       labels={"index": "@key"})
            self._pending = []
        elif kinds == {"object"}:
            self._objects(items, path, tokens, key)
        elif kinds == {"array"}:
            self.notes.append((path, "an array of arrays (map it by hand)"))
        else:
            self.notes.append((path, "an array of mixed items (objects with other values)"))

    def _objects(self, items: list[dict[str, Any]], path: str, tokens: list[str], key: str | None) -> None:
        fields, arrays = _fields(items)
        for rel in arrays:
            self.notes.append((f"{path}[*]{rel}", "an array inside each item (map it by hand)"))
        labels, used, why = _item_labels(items, fields)
        self._pending.append(f"One series per item of {path}, {why}.")
        for rel, (keys, leaf_values) in fields.items():
            if rel in used:
                continue
            words = [w for k in keys for w in _tokens(k)]
            guess = self._guess(tokens + words, keys[-1], keys[-2] if len(keys) > 1 else key, leaf_values)
            if isinstance(guess, _Guess) and len(keys) == 1 and _tokens(keys[0])[-1:] == ["id"]:
                guess = "an id, not a measurement"
            self._emit(guess, f"@{rel} in each item of {path}", path=f"{path}[*]", value=f"@{rel}",
                       labels=labels)
        self._pending = []


_LAST_STEP = re.compile(r"""(\.[A-Za-z_][A-Za-z0-9_]*|\['(?:[^'\\]|\\.)*'\])\Z""")


def _family(path: str, value: str | None) -> str:
    """Where a value's siblings live: quantiles of one family ($.latency_ms.p50, .p95) may share a name."""
    return path + "|" + _LAST_STEP.sub("", value) if value is not None else _LAST_STEP.sub("", path)


def _fields(objects: list[dict[str, Any]]) -> tuple[dict[str, tuple[list[str], list[Any]]], list[str]]:
    """Every scalar field of a list of objects, at any depth: relative path -> (keys along it, values)."""
    out: dict[str, tuple[list[str], list[Any]]] = {}
    arrays: list[str] = []
    nested: set[str] = set()  # an object or array here in some item: a number there would fail the source

    def walk(obj: dict[str, Any], rel: str, keys: list[str]) -> None:
        for k, v in obj.items():
            step = _member(k)
            if step is None:
                continue
            if isinstance(v, dict | list):
                nested.add(rel + step)
            if isinstance(v, dict):
                walk(v, rel + step, [*keys, k])
            elif isinstance(v, list):
                if rel + step not in arrays:
                    arrays.append(rel + step)
            else:
                out.setdefault(rel + step, ([*keys, k], []))[1].append(v)

    for obj in objects:
        walk(obj, "", [])
    return {rel: found for rel, found in out.items() if rel not in nested}, arrays


_TIMESTAMP_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def _item_labels(items: list[dict[str, Any]], fields: dict[str, tuple[list[str], list[Any]]]
                 ) -> tuple[dict[str, str], set[str], str]:
    """Labels that tell an array's items apart: their short string fields, else an id, else the position."""
    strings: list[tuple[str, str]] = []
    ids: list[tuple[str, str]] = []
    for rel, (keys, values) in fields.items():
        if len(keys) != 1 or len(values) != len(items):
            continue
        if all(isinstance(v, str) and _label_like(v) for v in values) and not all(_is_status(v) for v in values):
            strings.append((rel, keys[0]))
        elif all(type(v) is int for v in values) and _tokens(keys[0])[-1:] == ["id"]:
            ids.append((rel, keys[0]))

    def distinct(chosen: list[tuple[str, str]]) -> bool:
        return len({tuple(str(item[k]) for _, k in chosen) for item in items}) == len(items)

    chosen = strings[:3]
    if ids and not (chosen and distinct(chosen)):
        chosen.append(ids[0])
    taken = {PERCENTILE_LABEL}
    labels = {_label_name(_tokens(k), taken): f"@{rel}" for rel, k in chosen}
    used = {rel for rel, _ in chosen}
    named = ", ".join(repr(k) for _, k in chosen)
    if chosen and distinct(chosen):
        return labels, used, f"labelled by its {named} (drop any label that changes often)"
    labels[_label_name(["index"], taken)] = "@key"
    if not chosen:
        return labels, used, "labelled by position (index): no string field tells the items apart"
    return labels, used, f"labelled by its {named} and its position (index): those alone repeat in the sample"


def _label_like(text: str) -> bool:
    return 0 < len(text) <= 64 and text.isprintable() and not _TIMESTAMP_TEXT.match(text) and \
        not (" " in text and len(text) > 32)


# --- names across the plan ------------------------------------------------------------------------------

# Prometheus writes these itself for every target; launchwatch_ is the exporter's own namespace.
def _settle_names(metrics: list[_Metric], source_tokens: list[str]) -> None:
    """Unique names: quantiles of one family share one, anything else that collides is numbered."""
    prefix = "_".join(source_tokens)
    groups: dict[str, list[_Metric]] = {}
    for m in metrics:
        if m.name in RESERVED_METRICS or m.name.startswith(RESERVED_METRIC_PREFIXES):
            m.name = f"{prefix}_{m.name}"
        wanted, n = m.name, 1
        while True:
            group = groups.get(m.name)
            if group is None:
                groups[m.name] = [m]
                break
            if _joins(group, m):
                group.append(m)
                break
            n += 1
            m.name = f"{wanted.removesuffix('_total')}_{n}_total" if m.type == "counter" else f"{wanted}_{n}"
    for group in groups.values():
        parts = [m.origin.partition(" in each ") for m in group]  # "@.p95_ms in each item of $.endpoints"
        origins = ", ".join(what for what, _, _ in parts) + "".join(f"{sep}{where}" for _, sep, where in parts[:1])
        notes = {m.scale_note for m in group}
        help_notes = {m.help_note for m in group}
        extra = [n for n in (*sorted(help_notes), *(sorted(notes) if len(notes) == 1 else ["scaled to base units"]))
                 if n]
        text = f"From {origins}" + (f" ({'; '.join(extra)})" if extra else "") + "."
        for m in group:
            m.help = text


def _joins(group: list[_Metric], m: _Metric) -> bool:
    first = group[0]
    quantiles = {g.const_labels.get(PERCENTILE_LABEL) for g in group}
    return (PERCENTILE_LABEL in m.const_labels and m.family == first.family and m.type == first.type
            and m.labels == first.labels and m.value_map == first.value_map
            and m.const_labels[PERCENTILE_LABEL] not in quantiles and None not in quantiles)


# --- writing YAML ---------------------------------------------------------------------------------------

def _scalar(value: Any, flow: bool = False) -> str:
    """One YAML scalar on one line, quoted only as YAML needs (yaml.safe_dump decides)."""
    style = '"' if isinstance(value, str) and not value.isprintable() else None
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=sys.maxsize,
                          default_style=style)
    text = text.removesuffix("\n").removesuffix("\n...")
    if flow and isinstance(value, str) and text[:1] not in ("'", '"') and re.search(r"[,\[\]{}#:]", text):
        text = "'" + value.replace("'", "''") + "'"  # plain in a block, not inside {…}
    return text


def _flow(mapping: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{_scalar(k, True)}: {_scalar(v, True)}" for k, v in mapping.items()) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(value)


def _printable(text: str) -> str:
    """``text`` safe in a YAML comment: a key's newline or U+2028 would end the comment mid-line."""
    return text if text.isprintable() else "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _comment(text: str, indent: str) -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(_printable(text), 104 - len(indent),
                                                            break_on_hyphens=False, break_long_words=False)]


def _metric_yaml(m: _Metric) -> list[str]:
    ind, sub = "      ", "        "
    lines = [line for c in m.comments for line in _comment(c, ind)]
    lines.append(f"{ind}- name: {_scalar(m.name)}")  # a metric named `no` or `on` is not a boolean
    lines.append(f"{sub}help: {_scalar(m.help)}")
    lines.append(f"{sub}type: {m.type}")
    lines.append(f"{sub}path: {_scalar(m.path)}")
    if m.value is not None:
        lines.append(f"{sub}value: {_scalar(m.value)}")
    if m.labels:
        lines.append(f"{sub}labels: {_flow(m.labels)}")
    if m.value_map:
        pairs = ", ".join(f"{_scalar(k, True)}: {_number(v)}" for k, v in m.value_map.items())
        lines.append(f"{sub}value_map: {{{pairs}}}")
    if m.scale != 1:
        note = f"  # {m.scale_note}" if m.scale_note else ""
        lines.append(f"{sub}scale: {_number(m.scale) if m.scale >= 1 else format(m.scale, 'g')}{note}")
    if m.const_labels:
        lines.append(f"{sub}const_labels: {_flow(m.const_labels)}")
    return lines


def _example_threshold(metrics: list[_Metric]) -> list[str]:
    """A commented-out alert on one of the plan's own metrics, valid once uncommented."""
    status = next((m for m in metrics if m.value_map and not m.labels), None)
    counter = next((m for m in metrics if m.type == "counter" and not m.labels), None)
    gauge = next((m for m in metrics if m.type == "gauge" and not m.labels), None) or \
        next((m for m in metrics if m.type == "gauge"), None)
    pick = status or counter or gauge or metrics[0]
    camel = "".join(w.capitalize() for w in pick.name.removesuffix("_total").split("_") if w)
    camel = camel if camel[:1].isalpha() else f"Metric{camel}"
    if pick is status:
        alert, summary, body = camel.removesuffix("Ok") + "NotOk", f"{pick.path} is not a healthy status word", \
            ["kind: value", 'op: "<"', "value: 1", "for: 5m"]
    elif pick.type == "counter":
        alert, summary, body = f"{camel}Stalled", f"No growth in {pick.name} for 30 minutes", \
            ["kind: increase", "window: 30m", 'op: "=="', "value: 0", "for: 5m"]
    else:
        alert, summary, body = f"{camel}High", f"{pick.name} is above the level that needs attention", \
            ["kind: value", 'op: ">"', "value: 100   # in base units (seconds, ratios 0-1, bytes)", "for: 5m"]
    lines = [
        "# Alerts: uncomment, set the value your launch document gives, then `launchwatch check` this file and",
        "# `launchwatch generate --config FILE --out out/` writes the rules, their tests and the routing",
        "# (README: \"The alerting part of a plan\").",
        "# channels:",
        '#   - {name: team-chat, type: chat, to: "#launch"}   # Slack; webhook URL from <secrets-dir>/<plan>/team-chat',
        "# tiers:",
        "#   - {name: RED, severity: critical, channels: [team-chat], response: 5m, resolution: 30m}",
        "# thresholds:",
        f"#   - alert: {alert}",
        f"#     summary: {_scalar(summary)}",
        "#     section: starter example   # where the launch document sets this threshold",
        "#     tier: RED",
        f"#     metric: {_scalar(pick.name)}",
    ]
    return lines + [f"#     {line}" for line in body]


def starter_plan(sample: Sample, name: str | None = None) -> str:
    """The plan YAML for ``sample``; the same sample and name always give the same bytes."""
    plan = plan_name(name, fallback=None) if name is not None else plan_name(sample.name_hint)
    source = _source_name(sample.url)
    source_tokens = _tokens(source) or ["main"]
    walk = _Walk(source_tokens)
    walk.visit(sample.doc, "$", [], None, None)
    if not walk.metrics:
        raise StarterError(f"{sample.origin}: nothing numeric found: no number, boolean or status word to map "
                           "(strings and empty arrays say nothing a metric can hold)")
    _settle_names(walk.metrics, source_tokens)
    if sample.url is not None:
        parts = urlsplit(sample.url)
        base_url = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        url = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        base_comment = url_comment = ""
    else:
        base_url, url = DEFAULT_BASE_URL, "/" + quote(sample.origin)
        base_comment = "  # change to the product's address (or: launchwatch run --base-url URL)"
        url_comment = "  # change to the endpoint that serves this JSON"
    description = (f"Generated by `launchwatch init` from {sample.origin}; the names, types and units are "
                   "guesses to review.")
    lines = [
        f"# Starter plan written by `launchwatch init` from {_printable(sample.origin)}.",
        "# Every name, type, unit and label below is a guess from the sample's keys and values: read the",
        "# comments, fix what is wrong (docs/starter.md says what to look for), then:",
        "#   launchwatch check FILE",
        "#   launchwatch run --config FILE            # the metrics at http://127.0.0.1:9848/metrics",
        "#   launchwatch generate --config FILE --out out/",
        f"plan: {_scalar(plan)}",
        f"title: {_scalar(f'{plan} (starter plan)')}",
        f"description: {_scalar(description)}",
        f"base_url: {_scalar(base_url)}{base_comment}",
        "",
        "sources:",
        f"  - name: {_scalar(source)}",
        f"    url: {_scalar(url)}{url_comment}",
    ]
    if sample.dropped_credentials:
        lines.append("    # the URL's user:password was left out: a plan holds no secret. Add")
        lines.append("    # auth: {basic: {username: NAME, password: {env: VARIABLE}}}")
    lines.append("    timeout: 5s")
    if sample.size > _EXPORTER_CAP // 2:
        mib = math.ceil(sample.size * 2 / 2**20)
        lines.append(f"    max_response_bytes: {mib}MiB   # the sample is {sample.size} bytes; the default cap is 4MiB")
    lines.append("    metrics:")
    for m in walk.metrics:
        lines += _metric_yaml(m)
    if walk.notes:
        lines.append("      # Not mapped (nothing a metric can hold in the sample):")
        for path, why in walk.notes[:_MAX_NOTES]:
            lines += _comment(f"  {path}: {why}", "      ")
        if len(walk.notes) > _MAX_NOTES:
            lines.append(f"      #   … and {len(walk.notes) - _MAX_NOTES} more")
    lines.append("")
    lines += _example_threshold(walk.metrics)
    return "\n".join(lines) + "\n"


def sample_mappings(sample: Sample) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The sample's metric mappings as plan entries (the starter plan's guesses, without its comments), and
    what it could not map ((path, why)): ``launchwatch draft --from-json`` fills a draft's source from them."""
    walk = _Walk(_tokens(_source_name(sample.url)) or ["main"])
    walk.visit(sample.doc, "$", [], None, None)
    _settle_names(walk.metrics, walk.source_tokens)
    out = []
    for m in walk.metrics:
        entry: dict[str, Any] = {"name": m.name, "help": m.help, "type": m.type, "path": m.path}
        optional = {"value": m.value, "labels": m.labels, "value_map": m.value_map,
                    "scale": m.scale if m.scale != 1 else None, "const_labels": m.const_labels}
        out.append(entry | {k: v for k, v in optional.items() if v})
    return out, walk.notes


def word_tokens(text: str) -> list[str]:
    """A name's or a JSON key's words, the last one singular ("latencyMs" → latency, ms; "orders" → order)."""
    return _singular(_tokens(text))


# --- the command ----------------------------------------------------------------------------------------

def init(*, from_json: str | None, from_url: str | None, name: str | None, url: str | None, output: str | None,
         force: bool, echo: Callable[..., None]) -> None:
    """``launchwatch init``: read or fetch the sample, write the plan, say what to do next.

    Raises ``StarterError`` (one line, an exit code) for anything that stops it; never leaves a
    half-written or unloadable plan behind.
    """
    from launchwatch.plan.loader import PlanError, load_plan_text

    if from_json is None and from_url is None:
        raise StarterError("give --from-json SAMPLE.json or --from-url URL", 2)
    if from_json is not None and from_url is not None:
        raise StarterError("give --from-json or --from-url, not both", 2)
    if url is not None and from_url is not None:
        raise StarterError("--url goes with --from-json; --from-url already says where the JSON is", 2)
    sample = read_sample(from_json, url) if from_json is not None else fetch_sample(from_url or "")
    text = starter_plan(sample, name)
    try:
        plan = load_plan_text(text, "<starter plan>")
    except PlanError as exc:  # a bug here, never the user's: say so rather than write a broken plan
        raise StarterError(f"the starter plan does not load ({exc.problems[0]}); please report it with the "
                           "sample") from None
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        where, say = "-", (lambda msg: echo(msg, err=True))
    else:
        path = Path(output) if output else Path(f"{plan.plan}.yml")
        if path.is_dir():
            raise StarterError(f"{path}: is a directory; give -o a file name, e.g. -o {path / (plan.plan + '.yml')}")
        if path.exists() and not force:
            raise StarterError(f"{path}: already exists; use --force to overwrite it, or -o another file")
        try:
            with path.open("w" if force else "x", encoding="utf-8", newline="\n") as out:
                out.write(text)
        except FileExistsError:
            raise StarterError(f"{path}: already exists; use --force to overwrite it, or -o another file") from None
        except OSError as exc:
            raise StarterError(f"{path}: cannot write: {exc.strerror or type(exc).__name__}") from None
        where, say = str(path), echo
    mappings = sum(len(s.metrics) for s in plan.sources)
    say(f"wrote {where if where != '-' else 'the plan to stdout'}: plan {plan.plan}, source "
        f"{plan.sources[0].name}, {len(plan.metrics)} metrics from {mappings} mappings; the comments mark the guesses")
    if sample.url is None:
        say(f"base_url is a placeholder ({DEFAULT_BASE_URL}): set it to the product's address, or give --url "
            "to launchwatch init")
    file_arg = shlex.quote(where) if where != "-" else "PLAN.yml"
    say("next:")
    say(f"  launchwatch check {file_arg}")
    say(f"  launchwatch run --config {file_arg}")
    say(f"  launchwatch generate --config {file_arg} --out out/")
