"""Numbers as Grafana shows them in a unit: what a dashboard preview draws and what a report prints,
so a figure reads the same in both (``percentunit`` 0.123 → "12.3%", ``s`` 0.85 → "850 ms")."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

__all__ = ["DURATION_UNITS", "format_value"]


def _number(value: float, decimals: int | None = None) -> str:
    """About three significant digits, trailing zeros dropped; a value under 100 is never rounded up
    into the next whole number (99.95 % shows as 99.95 %, not 100 %), so a value just under a round
    threshold reads as under it."""
    if value == 0:
        return "0"
    if decimals is not None:
        return f"{value:.{max(decimals, 0)}f}"
    if float(value).is_integer():
        return str(int(value))
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    text = _strip(f"{value:.{digits}f}")
    extra = 0
    while abs(value) < 100 and math.floor(abs(float(text))) != math.floor(abs(value)) and extra < 2:
        extra += 1
        text = _strip(f"{value:.{digits + extra}f}")
    return text


def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(value: float, base: float, prefixes: Sequence[str], decimals: int | None) -> tuple[str, str]:
    """(number, prefix) with the value scaled by powers of ``base`` (1.2k, 3.4 MB)."""
    i = 0
    while abs(value) >= base and i < len(prefixes) - 1:
        value /= base
        i += 1
    return _number(value, decimals), prefixes[i]


def _duration(seconds: float, decimals: int | None) -> str:
    sign, s = ("-" if seconds < 0 else ""), abs(seconds)
    if s == 0:
        return "0 s"
    for size, name in ((31536000, "y"), (604800, "w"), (86400, "d"), (3600, "h"), (60, "min"), (1, "s"),
                       (1e-3, "ms"), (1e-6, "µs")):
        if s >= size:
            return f"{sign}{_number(s / size, decimals)} {name}"
    return f"{sign}{_number(s * 1e9, decimals)} ns"


DURATION_UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6, "ns": 1e-9, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SI = ("", "k", "M", "B", "T", "Q")
_DECIMAL = ("B", "kB", "MB", "GB", "TB", "PB")
_BINARY = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
_BOOLEANS = {"bool": ("False", "True"), "bool_yes_no": ("No", "Yes"), "bool_on_off": ("Off", "On")}
_RATES = {"reqps": "req/s", "rps": "rd/s", "wps": "wr/s", "iops": "io/s", "ops": "ops/s", "cps": "c/s",
          "cpm": "c/m", "opm": "ops/m", "rpm": "rd/m", "wpm": "wr/m", "reqpm": "req/m"}


def format_value(value: float, unit: str | None, decimals: int | None = None) -> str:
    """``value`` as Grafana shows it in ``unit`` (the units the generated dashboards use).

    percentunit 0.123 → "12.3%"; s → "850 ms", "3.2 s", "2 h"; bytes (1024s), decbytes and Bps
    (1000s); bool_yes_no → Yes/No; short → "1.2k"; "suffix: X" → "value X"; dateTimeAsIso reads
    the value as milliseconds since the epoch, as Grafana does (UTC here); currencyUSD → "12.5 USD".
    Anything else: the number. NaN and infinities print as Prometheus prints them.
    """
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    unit = (unit or "").strip()
    if unit in _BOOLEANS:
        return _BOOLEANS[unit][value != 0]
    if unit == "percentunit":
        return f"{_number(value * 100, decimals)}%"
    if unit == "percent":
        return f"{_number(value, decimals)}%"
    if unit in DURATION_UNITS:
        return _duration(value * DURATION_UNITS[unit], decimals)
    if unit in ("bytes", "decbytes", "Bps", "binBps", "KBs", "kbytes", "deckbytes"):
        binary = unit in ("bytes", "binBps", "kbytes")
        if unit in ("kbytes", "deckbytes", "KBs"):
            value *= 1024 if binary else 1000
        number, prefix = _scaled(value, 1024 if binary else 1000, _BINARY if binary else _DECIMAL, decimals)
        return f"{number} {prefix}{'/s' if unit in ('Bps', 'binBps', 'KBs') else ''}"
    if unit in _RATES:
        number, prefix = _scaled(value, 1000, _SI, decimals)
        return f"{number}{prefix} {_RATES[unit]}"
    if unit in ("short", "none", ""):
        number, prefix = _scaled(value, 1000, _SI, decimals) if unit == "short" else (_number(value, decimals), "")
        return number + prefix
    if unit.startswith("suffix:"):
        return f"{_number(value, decimals)} {unit[len('suffix:'):].strip()}".rstrip()
    if unit.startswith("prefix:"):
        return f"{unit[len('prefix:'):].strip()}{_number(value, decimals)}"
    if unit in ("dateTimeAsIso", "dateTimeAsIsoNoDateIfToday", "dateTimeAsSystem", "dateTimeAsUS"):
        try:
            return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        except (OverflowError, OSError, ValueError):
            return _number(value, decimals)
    if unit.startswith("currency") and len(unit) > len("currency"):
        number, prefix = _scaled(value, 1000, _SI, decimals)
        return f"{number}{prefix} {unit[len('currency'):]}"
    return _number(value, decimals)
