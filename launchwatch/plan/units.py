"""Prometheus-style durations ("1h30m") and byte sizes ("4MiB"), parsed once at load time."""

from __future__ import annotations

import math
import re

__all__ = ["clock_seconds", "format_duration", "parse_duration", "parse_size"]

_DURATION_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
_SIZE_UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3,
               "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$")


def parse_duration(text: str | int | float) -> float:
    """Seconds in a Prometheus duration such as ``"90s"``, ``"1h30m"`` or ``"250ms"``.

    >>> parse_duration("1h30m")
    5400.0
    """
    if isinstance(text, bool):
        raise ValueError("a duration such as 30s, 5m or 1h is expected, not a boolean")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError("a duration cannot be negative")
        try:
            total = float(text)
        except OverflowError:  # an integer no float can hold
            total = math.inf
    else:
        s = str(text).strip()
        pos, total = 0, 0.0
        for m in _DURATION_RE.finditer(s):
            if m.start() != pos:
                break
            total += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
            pos = m.end()
        if pos != len(s) or not s:
            raise ValueError(f"{text!r} is not a duration (use e.g. 30s, 5m, 1h30m, 250ms)")
    if not math.isfinite(total):
        raise ValueError("a duration must be a finite number of seconds")
    return total


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for ``seconds`` (``5400`` → ``"1h30m"``)."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    out = []
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1)):
        n, ms = divmod(ms, size)
        if n:
            out.append(f"{n}{unit}")
    return "".join(out)


def parse_size(text: str | int) -> int:
    """Bytes in a size such as ``"4MiB"`` or ``1048576``."""
    if isinstance(text, bool):
        raise ValueError("a size such as 1MiB is expected, not a boolean")
    if isinstance(text, int):
        if text <= 0:
            raise ValueError("a size must be positive")
        return text
    m = _SIZE_RE.match(str(text))
    if not m:
        raise ValueError(f"{text!r} is not a size (use e.g. 512KiB, 4MiB, 1048576)")
    number = float(m.group(1)) * _SIZE_UNITS[m.group(2) or ""]
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is too large a size")
    value = int(number)
    if value <= 0:
        raise ValueError("a size must be positive")
    return value


def clock_seconds(clock: str) -> int:
    """``"09:30"`` → seconds since midnight."""
    hours, _, minutes = clock.partition(":")
    return int(hours) * 3600 + int(minutes or 0) * 60
