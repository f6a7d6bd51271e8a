"""Go-template ``humanize`` functions as Prometheus renders them, for thresholds and test expectations.

The generated promtool tests compare rendered annotations exactly, so the Python side must print
a value the way Prometheus' templates do (``%.4g`` with SI prefixes, percentages, durations).
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["count", "humanize", "humanize_duration", "humanize_percentage", "humanizer_for", "value_template"]


def _g4(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        return _go_nonfinite(v)
    return "%.4g" % v  # noqa: UP031 - Go's %.4g, not a format-string style choice


def _go_nonfinite(v: float) -> str:
    """Go prints NaN and infinities as ``NaN``, ``+Inf``, ``-Inf``."""
    return "NaN" if math.isnan(v) else ("+Inf" if v > 0 else "-Inf")


def _small(v: float) -> str:
    """A magnitude under 1 with a sub-unit SI prefix (0.0012 → ``1.2m``), as both humanizers print it."""
    prefix = ""
    for p in ("m", "u", "n", "p", "f", "a", "z", "y"):
        if abs(v) >= 1:
            break
        prefix = p
        v *= 1000
    return _g4(v) + prefix


def humanize(v: float) -> str:
    """``{{ $value | humanize }}``: 4 significant digits with an SI prefix (1234 → ``1.234k``)."""
    if v == 0 or math.isnan(v) or math.isinf(v):
        return _g4(v)
    if abs(v) >= 1:
        prefix = ""
        for p in ("k", "M", "G", "T", "P", "E", "Z", "Y"):
            if abs(v) < 1000:
                break
            prefix = p
            v /= 1000
        return _g4(v) + prefix
    return _small(v)


def humanize_percentage(v: float) -> str:
    """``{{ $value | humanizePercentage }}``: a ratio as a percentage (0.05 → ``5%``)."""
    return _g4(v * 100) + "%"


def _go_int64(v: float) -> int:
    """Go's ``int64(v)`` on amd64: out-of-range values become the smallest int64."""
    return int(v) if -(2**63) <= v < 2**63 else -(2**63)


def _go_div(a: int, b: int) -> int:
    """Go's integer division, truncated toward zero (Python's ``//`` floors)."""
    q = abs(a) // b
    return q if a >= 0 else -q


def humanize_duration(v: float) -> str:
    """``{{ $value | humanizeDuration }}``: seconds as ``1d 2h 3m 4s``, ``12.5s`` or ``250ms``."""
    if math.isnan(v) or math.isinf(v):
        return _go_nonfinite(v)
    if v == 0:
        return "0s"
    if abs(v) >= 1:
        sign = "-" if v < 0 else ""
        v = abs(v)
        whole = _go_int64(v)
        minutes_total, hours_total = _go_div(whole, 60), _go_div(whole, 3600)
        seconds = whole - minutes_total * 60
        minutes = minutes_total - _go_div(minutes_total, 60) * 60
        hours = hours_total - _go_div(hours_total, 24) * 24
        days = _go_div(whole, 86400)
        if days:
            return f"{sign}{days}d {hours}h {minutes}m {seconds}s"
        if hours:
            return f"{sign}{hours}h {minutes}m {seconds}s"
        if minutes:
            return f"{sign}{minutes}m {seconds}s"
        return f"{sign}{_g4(v)}s"
    return _small(v) + "s"


def count(v: float) -> str:
    """``{{ $value | printf "%.0f" }}``: a count, rounded (an extrapolated increase is rarely whole)."""
    return "%.0f" % v  # noqa: UP031 - Go's %.0f


_FUNCS = {"humanize": humanize, "humanizePercentage": humanize_percentage, "humanizeDuration": humanize_duration,
          "count": count}
# How each unit is written inside a Go template pipeline.
TEMPLATE = {"humanize": "humanize", "humanizePercentage": "humanizePercentage",
            "humanizeDuration": "humanizeDuration", "count": 'printf "%.0f"'}


def humanizer_for(unit: str) -> Callable[[float], str]:
    """The Python twin of a unit's Go template function."""
    return _FUNCS[unit]


def value_template(unit: str) -> str:
    """``{{ $value | <fn> }}`` for ``unit``."""
    return f"{{{{ $value | {TEMPLATE[unit]} }}}}"
