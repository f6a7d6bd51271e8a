"""Render a generated Grafana dashboard to a PNG, with live data from a real Prometheus.

Why: no Grafana runs where the dashboards are built and tested, yet a person changing a plan wants
to *see* the result: which value is red, which panel says NO DATA, whether the layout reads. A
preview draws each panel the way Grafana would (its grid position, its queries with the dashboard's
variables, its unit, its threshold colours, its NO DATA mapping), so the colours and numbers in the
picture are the ones an on-call person would see, not a mock-up.

It is a preview, not a second Grafana: only what the generated dashboards use is drawn, in
Grafana's dark theme, times in UTC. Drawing uses matplotlib's Agg canvas directly (no pyplot, no
display, no global backend switch); queries go to Prometheus' HTTP API with ``requests``.
"""

from __future__ import annotations

import functools
import json
import math
import re
import textwrap
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import requests
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle, Wedge
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from launchwatch.dashboards.build import build_all
from launchwatch.grafana_units import DURATION_UNITS, format_value
from launchwatch.plan.model import Plan
from launchwatch.prometheus_api import Prometheus, PrometheusError, QueryError, reason
from launchwatch.prometheus_api import parse_range as _parse_range
from launchwatch.prometheus_api import parse_time as _parse_time

__all__ = [
    "PanelPreview",
    "Preview",
    "PreviewError",
    "Prometheus",
    "QueryError",
    "ShownValue",
    "colour_for",
    "default_variables",
    "format_value",
    "grafana_colour",
    "legend_for",
    "load_dashboard",
    "parse_range",
    "parse_time",
    "plan_dashboards",
    "preview_file",
    "preview_plans",
    "render_dashboard",
    "substitute",
]

# Layout, in inches: Grafana's 24 columns and 30 px rows (about 80 px x 38 px on a 1920 px screen).
COLUMN = 0.75
ROW = 0.42
HEADER = 0.75
GAP = 0.05
TITLE = 0.28
DPI = 100
POINTS = 200  # about this many points per line of a timeseries

# Grafana's dark theme and its named colours (``colors`` of the default palette).
BACKGROUND = "#111217"
PANEL = "#181b1f"
BORDER = "#2c3235"
TEXT = "#ccccdc"
MUTED = "#8e8e9e"
ERROR = "#f2495c"
GRAFANA_COLOURS = {
    "green": "#73bf69", "semi-dark-green": "#56a64b", "dark-green": "#37872d", "light-green": "#96d98d",
    "red": "#f2495c", "semi-dark-red": "#e02f44", "dark-red": "#c4162a", "light-red": "#ff7383",
    "orange": "#ff9830", "semi-dark-orange": "#fa6400", "dark-orange": "#fa6400", "light-orange": "#ffb357",
    "yellow": "#fade2a", "semi-dark-yellow": "#f2cc0c", "dark-yellow": "#e0b400", "light-yellow": "#ffee52",
    "blue": "#5794f2", "semi-dark-blue": "#3274d9", "dark-blue": "#1f60c4", "light-blue": "#8ab8ff",
    "purple": "#b877d9", "semi-dark-purple": "#a352cc", "dark-purple": "#8f3bb8", "light-purple": "#ca95e5",
    "text": TEXT, "transparent": PANEL,
}
PALETTE = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0",
           "#508642", "#cca300", "#447ebc", "#c15c17"]  # Grafana's "palette-classic"
FALLBACK_COLOUR = "text"  # a panel without threshold steps

_INSTANT = ("stat", "gauge", "bargauge", "table")
_RANGE = ("timeseries", "state-timeline")
_SEVERITY_ORDER = ("critical", "high", "medium", "warning", "low", "info")


class PreviewError(Exception):
    """A preview cannot be made at all (unreadable file, not a dashboard, Prometheus unreachable):
    one line for the person who asked, never a traceback."""


@dataclass(frozen=True)
class ShownValue:
    """One value a panel shows, as the person sees it: the test compares these with Prometheus."""

    legend: str
    value: float
    text: str
    colour: str  # hex


@dataclass
class PanelPreview:
    """What was drawn for one panel and where (pixels, from the image's top left)."""

    title: str
    type: str
    box: tuple[int, int, int, int]  # left, top, right, bottom
    values: list[ShownValue] = field(default_factory=list)
    error: str | None = None


@dataclass
class Preview:
    """The written image and what each panel shows in it."""

    path: Path
    width: int
    height: int
    panels: list[PanelPreview]


# --------------------------------------------------------------------------------------------- values


def grafana_colour(name: str | None) -> str:
    """A Grafana colour (a palette name, ``#rrggbb`` or ``rgba(...)``) as ``#rrggbb``: the image
    must use the very colour Grafana would, so "orange" is Grafana's orange, not CSS orange."""
    if not name:
        return GRAFANA_COLOURS[FALLBACK_COLOUR]
    key = name.strip().lower()
    if key in GRAFANA_COLOURS:
        return GRAFANA_COLOURS[key]
    rgba = re.fullmatch(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*[\d.]+\s*)?\)", key)
    if rgba:
        return "#" + "".join(f"{min(int(c), 255):02x}" for c in rgba.groups())
    try:
        return str(matplotlib.colors.to_hex(key))
    except ValueError:
        return GRAFANA_COLOURS[FALLBACK_COLOUR]


def colour_for(value: float, steps: Sequence[Mapping[str, Any]]) -> str:
    """The colour name of the threshold step ``value`` falls in, as Grafana picks it.

    Grafana walks the steps (sorted, the first one the base with value null) and keeps the last
    whose value is <= the number; NaN compares false everywhere, so it keeps the base. The panel's
    NO DATA mapping, not this, colours a NaN that is shown as NO DATA.
    """
    if not steps:
        return FALLBACK_COLOUR
    active = str(steps[0].get("color") or FALLBACK_COLOUR)
    for step in steps[1:] if steps[0].get("value") is None else steps:
        limit = step.get("value")
        if limit is None or value >= float(limit):
            active = str(step.get("color") or FALLBACK_COLOUR)
        else:
            break
    return active


_NICE_SECONDS = [m * 10.0**e for e in range(-9, 0) for m in (1, 2, 5)] + [
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800]


_LEGEND = re.compile(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def legend_for(legend_format: str | None, labels: Mapping[str, str]) -> str:
    """A series' name: its legendFormat with each ``{{label}}`` filled in (a missing label is empty,
    as in Grafana), or, without a format, ``metric{label="value", ...}``."""
    if legend_format and legend_format != "__auto":
        return _LEGEND.sub(lambda m: labels.get(m.group(1), ""), legend_format).strip()
    name = labels.get("__name__", "")
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    return f"{name}{{{rest}}}" if rest else name


# ------------------------------------------------------------------------------------ time and variables


def _regex_escape(value: str) -> str:
    """A value inside a PromQL regex string literal, as Grafana escapes multi-value variables."""
    return re.sub(r"([\\$^*{}\[\]'+?.()|])", r"\\\\\1", value)


def _variable_value(var: Mapping[str, Any]) -> str | None:
    current = var.get("current") or {}
    values = current.get("value")
    if values is None:
        return None
    values = values if isinstance(values, list) else [values]
    if "$__all" in values:
        return str(var.get("allValue") or ".+")
    values = [str(v) for v in values]
    if not (var.get("multi") or var.get("includeAll")):
        return values[0] if values else ""
    escaped = [_regex_escape(v) for v in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def default_variables(board: Mapping[str, Any], range_seconds: float, step_seconds: float) -> dict[str, str]:
    """The values Grafana would substitute when the dashboard opens: each variable's current value
    (``All`` as its allValue, else ``.+``), ``$__rate_interval`` 1m, ``$__range`` the time range,
    ``$__interval`` the step."""
    values: dict[str, str] = {}
    for var in board.get("templating", {}).get("list", []):
        if var.get("type") == "datasource" or not var.get("name"):
            continue
        value = _variable_value(var)
        if value is not None:
            values[str(var["name"])] = value
    values.setdefault("instance", ".+")
    rng, step = round(range_seconds), max(1, round(step_seconds))
    values.update({"__rate_interval": "1m", "__range": f"{rng}s", "__range_s": str(rng),
                   "__range_ms": str(rng * 1000), "__interval": f"{step}s", "__interval_ms": str(step * 1000)})
    return values


_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")


def substitute(expr: str, variables: Mapping[str, str]) -> str:
    """``expr`` with ``$name`` and ``${name}`` replaced; anything else with a ``$`` (a regex
    back-reference such as ``$1`` in label_replace) is left exactly as written."""
    def one(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return variables.get(name, m.group(0))
    return _VARIABLE.sub(one, expr)


# ------------------------------------------------------------------------------------------ Prometheus


def parse_range(text: str) -> float:
    """Seconds in a range such as ``6h``, ``7d`` or Grafana's ``now-6h``."""
    try:
        return _parse_range(text)
    except ValueError as exc:
        raise PreviewError(str(exc)) from None


def parse_time(text: str, now: float | None = None) -> float:
    """Unix seconds for ``now``, ``now-1h``, an ISO 8601 time (UTC unless it says otherwise) or Unix seconds."""
    try:
        return _parse_time(text, now)
    except ValueError as exc:
        raise PreviewError(str(exc)) from None


def _checked(prometheus: str | Prometheus) -> Prometheus:
    """The Prometheus to query, checked once before anything is drawn."""
    prom = prometheus if isinstance(prometheus, Prometheus) else Prometheus(prometheus)
    try:
        prom.check()
    except PrometheusError as exc:
        raise PreviewError(str(exc)) from None
    return prom


# ---------------------------------------------------------------------------------------- fetching data


@dataclass
class _Series:
    legend: str
    labels: dict[str, str]
    ref: str
    points: list[tuple[float, float]]  # (unix seconds, value)


@dataclass
class _Data:
    series: list[_Series] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class _Context:
    prometheus: Prometheus
    variables: Mapping[str, str]
    start: float
    end: float
    step: float


def _value(text: Any) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan


def _fetch(panel: Mapping[str, Any], ctx: _Context) -> _Data:
    """The panel's query results (never raises: an error becomes the panel's error text)."""
    kind = panel.get("type")
    try:
        if kind == "alertlist":
            return _Data(_alerts(panel, ctx))
        if kind not in _INSTANT + _RANGE:
            return _Data()
        out = []
        for target in panel.get("targets", []):
            if target.get("hide") or not target.get("expr"):
                continue
            expr = substitute(str(target["expr"]), ctx.variables)
            ref = str(target.get("refId", "A"))
            if kind in _INSTANT:
                for r in ctx.prometheus.instant(expr, ctx.end):
                    value = r.get("value") or [ctx.end, "NaN"]
                    out.append(_Series(legend_for(target.get("legendFormat"), r.get("metric", {})),
                                       r.get("metric", {}), ref, [(float(value[0]), _value(value[1]))]))
            else:
                for r in ctx.prometheus.range(expr, ctx.start, ctx.end, ctx.step):
                    out.append(_Series(legend_for(target.get("legendFormat"), r.get("metric", {})),
                                       r.get("metric", {}), ref,
                                       [(float(t), _value(v)) for t, v in r.get("values", [])]))
        return _Data(out)
    except QueryError as exc:
        return _Data(error=str(exc))
    except requests.RequestException as exc:
        return _Data(error=f"Prometheus: {reason(exc)}")


def _alerts(panel: Mapping[str, Any], ctx: _Context) -> list[_Series]:
    """The firing and pending alerts the panel's label filter selects, from Prometheus' ALERTS."""
    matchers = str(panel.get("options", {}).get("alertInstanceLabelFilter") or "").strip().strip("{}").strip()
    selector = 'alertstate=~"firing|pending"' + (f",{matchers}" if matchers else "")
    result = ctx.prometheus.instant(substitute(f"ALERTS{{{selector}}}", ctx.variables), ctx.end)
    return [_Series(r["metric"].get("alertname", "?"), r["metric"], "A", []) for r in result]


# ------------------------------------------------------------------------------------------ drawing


@dataclass(frozen=True)
class _Box:
    """A panel's rectangle in inches from the figure's top left."""

    left: float
    top: float
    width: float
    height: float


class _Canvas:
    """The figure and its coordinates: inches from the top left, as a person reads a dashboard."""

    def __init__(self, width: float, height: float) -> None:
        self.width, self.height = width, height
        self.figure = Figure(figsize=(width, height), dpi=DPI, facecolor=BACKGROUND)
        FigureCanvasAgg(self.figure)

    def rect(self, box: _Box) -> tuple[float, float, float, float]:
        """``box`` as figure fractions (left, bottom, width, height), for ``add_axes``."""
        return (box.left / self.width, 1 - (box.top + box.height) / self.height,
                box.width / self.width, box.height / self.height)

    def text(self, x: float, y: float, text: str, **kwargs: Any) -> None:
        """Text at (x, y) inches from the top left."""
        kwargs.setdefault("color", TEXT)
        self.figure.text(x / self.width, 1 - y / self.height, text, **kwargs)

    def fill(self, box: _Box, colour: str, edge: str | None = None) -> None:
        self.figure.add_artist(Rectangle((box.left / self.width, 1 - (box.top + box.height) / self.height),
                                         box.width / self.width, box.height / self.height,
                                         transform=self.figure.transFigure, facecolor=colour,
                                         edgecolor=edge or colour, linewidth=0.8, zorder=-10))

    def axes(self, box: _Box) -> Any:
        ax = self.figure.add_axes(self.rect(box))
        ax.set_facecolor(PANEL)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.tick_params(colors=MUTED, labelsize=7, length=2)
        return ax

    def pixels(self, box: _Box) -> tuple[int, int, int, int]:
        return (round(box.left * DPI), round(box.top * DPI), round((box.left + box.width) * DPI),
                round((box.top + box.height) * DPI))


@functools.lru_cache(maxsize=1)
def _measurer() -> RendererAgg:
    return RendererAgg(1, 1, DPI)


@functools.lru_cache(maxsize=8192)
def _text_width(text: str, size: float, bold: bool = False) -> float:
    """Width in inches of ``text`` drawn in DejaVu Sans at ``size`` points: measured, not guessed, so a
    bold title or a table header is cut exactly where it would cross its panel's edge."""
    font = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    with matplotlib.rc_context({"text.parse_math": False}):
        width, _, _ = _measurer().get_text_width_height_descent(text, font, ismath=False)
    return float(width) / DPI


def _fit(text: str, width: float, height: float, biggest: float, bold: bool = True) -> float:
    """The largest font size (points, 6 at least) at which ``text`` fits the box (inches)."""
    measured = _text_width(text or " ", 10.0, bold) or 0.01
    return max(6.0, min(biggest, height * 72 * 0.8, 10.0 * width / measured))


def _truncate(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text``, cut with an ellipsis so that it is no wider than ``width`` inches at ``size`` points."""
    if _text_width(text, size, bold) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with its ellipsis
    while low < high:
        mid = (low + high + 1) // 2
        if _text_width(text[:mid] + "…", size, bold) <= width:
            low = mid
        else:
            high = mid - 1
    return text[: max(low, 1)] + "…"


def _defaults(panel: Mapping[str, Any]) -> Mapping[str, Any]:
    return panel.get("fieldConfig", {}).get("defaults", {}) or {}


def _steps(panel: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(_defaults(panel).get("thresholds", {}).get("steps", []) or [])


def _threshold_colour(value: float, panel: Mapping[str, Any]) -> str:
    """The hex colour of ``value`` under the panel's thresholds (percentage mode against min..max)."""
    defaults = _defaults(panel)
    if defaults.get("thresholds", {}).get("mode") == "percentage":
        low, high = defaults.get("min") or 0.0, defaults.get("max") or 100.0
        value = (value - low) / (high - low) * 100 if high != low else math.nan
    return grafana_colour(colour_for(value, _steps(panel)))


def _no_data(panel: Mapping[str, Any]) -> tuple[str, str]:
    """(text, hex colour) for a missing or NaN value: the panel's special NaN mapping, else Grafana's grey."""
    for mapping in _defaults(panel).get("mappings", []) or []:
        options = mapping.get("options", {})
        if mapping.get("type") == "special" and options.get("match") in ("nan", "null+nan"):
            result = options.get("result", {})
            return str(result.get("text") or "NaN"), grafana_colour(result.get("color") or FALLBACK_COLOUR)
    return "No data", MUTED


def _shown(panel: Mapping[str, Any], legend: str, value: float) -> ShownValue:
    """How one value of a value-now panel reads: NO DATA mapping for NaN, else unit and threshold colour."""
    if math.isnan(value):
        text, colour = _no_data(panel)
        return ShownValue(legend, value, text, colour)
    defaults = _defaults(panel)
    return ShownValue(legend, value, format_value(value, defaults.get("unit"), defaults.get("decimals")),
                      _threshold_colour(value, panel))


def _values(panel: Mapping[str, Any], data: _Data) -> list[ShownValue]:
    if not data.series:
        text, colour = _no_data(panel)
        return [ShownValue("", math.nan, text, colour)]
    return [_shown(panel, s.legend, s.points[-1][1] if s.points else math.nan) for s in data.series]


def _draw_stat(canvas: _Canvas, box: _Box, panel: Mapping[str, Any], data: _Data, report: PanelPreview) -> None:
    values = _values(panel, data)
    report.values = values
    n = len(values)
    across = n if box.width >= box.height or n == 1 else 1
    cols, rows = across, math.ceil(n / across)
    cell_w, cell_h = box.width / cols, box.height / rows
    background = panel.get("options", {}).get("colorMode") == "background"
    labelled = n > 1 and any(v.legend for v in values)
    # one size for every value, as Grafana sizes them: the one that fits the longest
    size_all = min(_fit(v.text, cell_w * 0.9, (cell_h - (0.2 if labelled else 0)) * 0.75, 40.0) for v in values)
    for i, v in enumerate(values):
        cell = _Box(box.left + (i % cols) * cell_w, box.top + (i // cols) * cell_h, cell_w, cell_h)
        if background:
            canvas.fill(_Box(cell.left + 0.03, cell.top + 0.03, cell.width - 0.06, cell.height - 0.06), v.colour)
        label = v.legend if n > 1 else ""
        if label:
            size = min(9.0, max(6.0, cell.height * 72 * 0.18))
            canvas.text(cell.left + cell.width / 2, cell.top + size / 72 * 0.9, _truncate(label, cell.width, size),
                        ha="center", va="center", fontsize=size, color=MUTED if not background else "#ffffff")
        top = cell.top + (0.2 if labelled else 0)
        canvas.text(cell.left + cell.width / 2, top + (cell.top + cell.height - top) / 2, v.text, ha="center",
                    va="center", fontsize=size_all, fontweight="bold", color="#ffffff" if background else v.colour)


def _limits(panel: Mapping[str, Any], values: Sequence[float]) -> tuple[float, float]:
    """The gauge's min..max: the panel's, else 0..(the top threshold or the value, and half again)."""
    defaults = _defaults(panel)
    low = float(defaults["min"]) if defaults.get("min") is not None else 0.0
    if defaults.get("max") is not None:
        return low, float(defaults["max"])
    tops = [float(s["value"]) for s in _steps(panel) if s.get("value") is not None]
    top = max([*tops, *(v for v in values if math.isfinite(v))], default=0.0)
    return low, (top * 1.5 if top > low else low + 100.0)


def _bands(panel: Mapping[str, Any], low: float, high: float) -> list[tuple[float, float, str]]:
    """(from, to, hex colour) of each threshold step inside low..high."""
    steps = _steps(panel)
    out = []
    for i, step in enumerate(steps):
        start = low if step.get("value") is None else max(low, float(step["value"]))
        end = high if i + 1 >= len(steps) else min(high, float(steps[i + 1]["value"]))
        if end > start:
            out.append((start, end, grafana_colour(step.get("color"))))
    return out


def _draw_gauge(canvas: _Canvas, box: _Box, panel: Mapping[str, Any], data: _Data, report: PanelPreview) -> None:
    values = _values(panel, data)
    report.values = values
    low, high = _limits(panel, [v.value for v in values])
    n = len(values)
    width = box.width / n
    bands = _bands(panel, low, high)

    def angle(x: float) -> float:
        frac = 0.0 if high == low or math.isnan(x) else min(max((x - low) / (high - low), 0.0), 1.0)
        return 210 - 240 * frac

    for i, v in enumerate(values):
        label_h = 0.2 if n > 1 else 0.0
        cell = _Box(box.left + i * width, box.top, width, box.height - label_h)
        ax = canvas.axes(cell)
        ax.set_aspect("equal")
        ax.set_xlim(-1.15, 1.15)
        ax.set_ylim(-0.75, 1.15)
        ax.axis("off")
        for start, end, colour in bands:
            ax.add_patch(Wedge((0, 0), 1.0, angle(end), angle(start), width=0.08, facecolor=colour))
        ax.add_patch(Wedge((0, 0), 0.88, -30, 210, width=0.26, facecolor=BORDER))
        if not math.isnan(v.value):
            ax.add_patch(Wedge((0, 0), 0.88, angle(v.value), 210, width=0.26, facecolor=v.colour))
        scale = min(cell.width / 2.3, cell.height / 1.9)  # inches per unit of the dial (equal aspect)
        size = _fit(v.text, 1.0 * scale, 0.45 * scale, 24.0)  # inside the value arc's inner radius (0.62)
        ax.text(0, 0.0, v.text, ha="center", va="center", fontsize=size, fontweight="bold", color=v.colour)
        if label_h:
            canvas.text(cell.left + width / 2, cell.top + cell.height + 0.08, _truncate(v.legend, width, 8),
                        ha="center", va="center", fontsize=8, color=MUTED)


def _draw_bargauge(canvas: _Canvas, box: _Box, panel: Mapping[str, Any], data: _Data, report: PanelPreview) -> None:
    values = _values(panel, data)
    report.values = values
    low, high = _limits(panel, [v.value for v in values])
    ax = canvas.axes(box)
    ax.axis("off")
    ax.set_xlim(0, 1)
    n = len(values)
    ax.set_ylim(n, 0)
    size = max(6.0, min(10.0, box.height / n * 72 * 0.3))
    for i, v in enumerate(values):
        frac = 0.0 if math.isnan(v.value) or high == low else min(max((v.value - low) / (high - low), 0), 1)
        ax.add_patch(Rectangle((0, i + 0.45), 0.78, 0.45, facecolor=BORDER))
        ax.add_patch(Rectangle((0, i + 0.45), 0.78 * frac, 0.45, facecolor=v.colour))
        ax.text(0, i + 0.38, _truncate(v.legend, box.width * 0.75, size), fontsize=size, color=TEXT, va="bottom")
        ax.text(0.99, i + 0.67, v.text, fontsize=size * 1.2, color=v.colour, ha="right", va="center",
                fontweight="bold")


def _days(t: float) -> float:
    return t / 86400.0  # matplotlib's date numbers: days since 1970-01-01


def _time_axis(ax: Any, ctx: _Context) -> None:
    ax.set_xlim(_days(ctx.start), _days(ctx.end))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=7, tz=UTC))
    fmt = "%H:%M" if ctx.end - ctx.start <= 86400 * 1.5 else "%m-%d"
    ax.xaxis.set_major_formatter(mdates.DateFormatter(fmt, tz=UTC))


def _duration_tick(span: float, factor: float) -> float:
    """A tick step for a duration axis (in the axis' unit): whole ms, s, min or h, at most 5 ticks."""
    seconds = span * factor
    step = next((n for n in _NICE_SECONDS if seconds / n <= 5), seconds / 5 or 1.0)
    return step / factor


def _legend_rows(legends: Sequence[str], width: float) -> tuple[int, int]:
    """(columns, rows) of a legend under a graph: as many names side by side as fit."""
    longest = max((len(s) for s in legends), default=1)
    cols = max(1, min(len(legends), int(width * 72 / (7 * 0.6 * (longest + 4)))))
    return cols, math.ceil(len(legends) / cols)


def _draw_timeseries(canvas: _Canvas, box: _Box, panel: Mapping[str, Any], data: _Data, ctx: _Context,
                     report: PanelPreview) -> None:
    defaults = _defaults(panel)
    unit = defaults.get("unit")
    series = [s for s in data.series if any(math.isfinite(v) for _, v in s.points)]
    legends = [s.legend or "value" for s in series]
    cols, rows = _legend_rows(legends, box.width)
    legend_h = min(rows, 4) * 0.16 if series else 0
    plot = _Box(box.left + 0.62, box.top + 0.05, box.width - 0.72, box.height - 0.3 - legend_h)
    ax = canvas.axes(plot)
    _time_axis(ax, ctx)
    ax.grid(color=BORDER, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _: format_value(y, unit)))
    if not series:
        ax.text(0.5, 0.5, "No data", transform=ax.transAxes, ha="center", va="center", color=MUTED, fontsize=10)
        ax.set_yticks([])
        return
    lows, highs = [], []
    for i, s in enumerate(series):
        xs = [_days(t) for t, _ in s.points]
        ys = [v if math.isfinite(v) else math.nan for _, v in s.points]
        finite = [y for y in ys if math.isfinite(y)]
        sparse = len(finite) <= 40  # Grafana's showPoints "auto": points where lines alone would hide the data
        ax.plot(xs, ys, color=PALETTE[i % len(PALETTE)], linewidth=1.1, marker="o" if sparse else None,
                markersize=2.5)
        lows.append(min(finite))
        highs.append(max(finite))
        report.values.append(ShownValue(legends[i], finite[-1], format_value(finite[-1], unit),
                                        PALETTE[i % len(PALETTE)]))
    low = float(defaults["min"]) if defaults.get("min") is not None else min(0.0, min(lows))
    high = float(defaults["max"]) if defaults.get("max") is not None else max(highs)
    high = high if high > low else low + (abs(low) or 1.0)
    pad = (high - low) * 0.05 if defaults.get("max") is None else 0.0
    ax.set_ylim(low, high + pad)
    if unit in DURATION_UNITS:
        ax.yaxis.set_major_locator(MultipleLocator(_duration_tick(high + pad - low, DURATION_UNITS[unit])))
    if defaults.get("custom", {}).get("thresholdsStyle", {}).get("mode") in ("line", "line+area", "dashed"):
        for step in _steps(panel):
            if step.get("value") is not None:
                ax.axhline(float(step["value"]), color=grafana_colour(step.get("color")), linestyle="--",
                           linewidth=0.9)
    handles = [Line2D([], [], color=PALETTE[i % len(PALETTE)], linewidth=2) for i in range(len(series))]
    shown = cols * min(rows, 4)
    ax.legend(handles[:shown], [_truncate(s, box.width / cols, 7) for s in legends[:shown]], loc="upper left",
              bbox_to_anchor=(-0.6 / plot.width, -0.24 / plot.height),
              ncol=cols, frameon=False, fontsize=7, labelcolor=TEXT, handlelength=1.2, columnspacing=1.0,
              borderaxespad=0, handletextpad=0.4)


def _runs(points: Sequence[tuple[float, float]], colour: Any, step: float) -> list[tuple[float, float, str, float]]:
    """(start, end, colour, value) of each run of consecutive points with one colour; a gap breaks a run."""
    runs: list[tuple[float, float, str, float]] = []
    for t, v in points:
        if not math.isfinite(v):
            continue
        c = colour(v)
        if runs and runs[-1][2] == c and t - runs[-1][1] <= step * 1.5:
            runs[-1] = (runs[-1][0], t + step, c, runs[-1][3])
        else:
            runs.append((t, t + step, c, v))
    return runs


def _draw_state_timeline(canvas: _Canvas, box: _Box, panel: Mapping[str, Any], data: _Data, ctx: _Context,
                         report: PanelPreview) -> None:
    unit = _defaults(panel).get("unit")
    series = data.series
    label_w = min(2.2, max(0.6, 0.065 * max((len(s.legend) for s in series), default=4)))
    ax = canvas.axes(_Box(box.left + label_w + 0.1, box.top + 0.05, box.width - label_w - 0.2, box.height - 0.3))
    _time_axis(ax, ctx)
    if not series:
        ax.text(0.5, 0.5, "No data", transform=ax.transAxes, ha="center", va="center", color=MUTED, fontsize=10)
        ax.set_yticks([])
        return
    ax.set_ylim(len(series), 0)
    ax.set_yticks([i + 0.5 for i in range(len(series))], [_truncate(s.legend, label_w, 7) for s in series])
    ax.tick_params(axis="y", length=0)
    span = ctx.end - ctx.start
    for i, s in enumerate(series):
        runs = _runs(s.points, lambda v: _threshold_colour(v, panel), ctx.step)
        for start, end, colour, value in runs:
            ax.broken_barh([(_days(start), _days(end) - _days(start))], (i + 0.05, 0.9), facecolors=colour,
                           alpha=0.85)
            if (end - start) / span > 0.08:
                ax.text(_days(start) + (_days(end) - _days(start)) / 2, i + 0.5, format_value(value, unit),
                        ha="center", va="center", fontsize=7, color="#000000", clip_on=True)
        finite = [(t, v) for t, v in s.points if math.isfinite(v)]
        if finite:
            report.values.append(_shown(panel, s.legend, finite[-1][1]))


def _table(panel: Mapping[str, Any], data: _Data) -> tuple[list[str], list[list[tuple[str, str]]], list[int]]:
    """(columns, rows of (text, hex colour), indexes of the value columns): label columns then one
    value column per query, rows of the same labels merged, then the panel's organize transformation
    (hide, rename, order)."""
    refs = list(dict.fromkeys(s.ref for s in data.series))
    value_name = {r: "Value" if len(refs) == 1 else f"Value #{r}" for r in refs}
    labels = sorted({k for s in data.series for k in s.labels if k != "__name__"})
    merged: dict[tuple[str, ...], dict[str, float]] = {}
    for s in data.series:
        key = tuple(s.labels.get(k, "") for k in labels)
        merged.setdefault(key, {})[value_name[s.ref]] = s.points[-1][1] if s.points else math.nan
    columns = labels + [value_name[r] for r in refs]
    organize = next((t.get("options", {}) for t in panel.get("transformations", []) if t.get("id") == "organize"),
                    {})
    columns = [c for c in columns if not organize.get("excludeByName", {}).get(c)]
    order = organize.get("indexByName") or {}
    position = {c: order.get(c, len(order) + i) for i, c in enumerate(columns)}
    columns.sort(key=position.__getitem__)
    coloured = _defaults(panel).get("custom", {}).get("cellOptions", {}).get("type") in (
        "color-text", "color-background")
    rows = []
    for key in sorted(merged):
        cells = dict(zip(labels, key, strict=True))
        row = []
        for c in columns:
            if c in cells:
                row.append((cells[c], TEXT))
            else:
                shown = _shown(panel, c, merged[key].get(c, math.nan))
                row.append((shown.text, shown.colour if coloured else TEXT))
        rows.append(row)
    renames = organize.get("renameByName", {}) or {}
    return [renames.get(c) or c for c in columns], rows, [j for j, c in enumerate(columns) if c not in labels]


def _draw_table(canvas: _Canvas, box: _Box, panel: Mapping[str, Any], data: _Data, report: PanelPreview) -> None:
    columns, rows, value_columns = _table(panel, data)
    if not rows:
        canvas.text(box.left + box.width / 2, box.top + box.height / 2, "No data", ha="center", va="center",
                    fontsize=10, color=MUTED)
        return
    line = 0.2
    width = box.width / len(columns)
    for j, name in enumerate(columns):
        canvas.text(box.left + j * width + 0.05, box.top + line / 2, _truncate(name, width - 0.1, 8, bold=True),
                    fontsize=8, va="center", fontweight="bold", color=TEXT)
    canvas.fill(_Box(box.left, box.top + line, box.width, 0.01), BORDER)
    fit = max(1, int((box.height - line) / line))
    for i, row in enumerate(rows[:fit]):
        for j, (text, colour) in enumerate(row):
            canvas.text(box.left + j * width + 0.05, box.top + line * (i + 1.5), _truncate(text, width - 0.1, 8),
                        fontsize=8, va="center", color=colour)
    if len(rows) > fit:
        canvas.text(box.left + box.width - 0.05, box.top + box.height - 0.08, f"+{len(rows) - fit} more rows",
                    fontsize=7, ha="right", va="center", color=MUTED)
    report.values = [ShownValue(columns[j], math.nan, row[j][0], row[j][1]) for row in rows for j in value_columns]


def _alert_sort(s: _Series) -> tuple[int, int, str]:
    severity = s.labels.get("severity", "")
    rank = _SEVERITY_ORDER.index(severity) if severity in _SEVERITY_ORDER else len(_SEVERITY_ORDER)
    return (0 if s.labels.get("alertstate") == "firing" else 1, rank, s.legend)


def _draw_alertlist(canvas: _Canvas, box: _Box, panel: Mapping[str, Any], data: _Data, report: PanelPreview) -> None:
    alerts = sorted(data.series, key=_alert_sort)
    if not alerts:
        canvas.text(box.left + box.width / 2, box.top + box.height / 2, "No firing alerts", ha="center",
                    va="center", fontsize=11, color=MUTED)
        return
    line = 0.22
    limit = int(panel.get("options", {}).get("maxItems") or 20)
    fit = min(limit, max(1, int(box.height / line) - (1 if len(alerts) > limit else 0)))
    for i, s in enumerate(alerts[:fit]):
        state = s.labels.get("alertstate", "")
        colour = GRAFANA_COLOURS["red"] if state == "firing" else GRAFANA_COLOURS["orange"]
        y = box.top + line * (i + 0.5)
        canvas.text(box.left + 0.05, y, "●", fontsize=9, va="center", color=colour)
        canvas.text(box.left + 0.25, y, _truncate(s.legend, box.width * 0.55, 9), fontsize=9, va="center")
        detail = f"{s.labels.get('severity', '-')} · {state}"
        canvas.text(box.left + box.width - 0.05, y, detail, fontsize=8, ha="right", va="center", color=colour)
        report.values.append(ShownValue(s.legend, math.nan, detail, colour))
    if len(alerts) > fit:
        canvas.text(box.left + 0.25, box.top + line * (fit + 0.5), f"+{len(alerts) - fit} more", fontsize=8,
                    va="center", color=MUTED)


def _plain(markdown: str) -> str:
    """Markdown as plain text: headings, emphasis, code marks and link targets dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"^\s{0,3}#{1,6}\s*", "", text, flags=re.MULTILINE)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return re.sub(r"<[^>]+>", "", text)


def _draw_text(canvas: _Canvas, box: _Box, panel: Mapping[str, Any]) -> None:
    content = str(panel.get("options", {}).get("content") or panel.get("content") or "")
    size = 9.0
    chars = max(10, int(box.width * 72 / (0.55 * size)))
    lines = [w for para in _plain(content).splitlines() for w in (textwrap.wrap(para, chars) or [""])]
    fit = max(1, int(box.height / 0.19))
    if len(lines) > fit:
        lines = [*lines[: fit - 1], "…"]
    canvas.text(box.left + 0.05, box.top, "\n".join(lines), fontsize=size, va="top", linespacing=1.35)


def _draw_error(canvas: _Canvas, box: _Box, message: str) -> None:
    size = 8.0
    chars = max(10, int(box.width * 72 / (0.55 * size)))
    lines = textwrap.wrap(message, chars)[: max(1, int(box.height / 0.17))]
    canvas.text(box.left + 0.05, box.top + 0.05, "\n".join(lines), fontsize=size, va="top", color=ERROR)


def _grid_box(grid: Mapping[str, Any]) -> _Box:
    return _Box(float(grid.get("x", 0)) * COLUMN + GAP, HEADER + float(grid.get("y", 0)) * ROW + GAP,
                float(grid.get("w", 12)) * COLUMN - 2 * GAP, float(grid.get("h", 8)) * ROW - 2 * GAP)


def _draw_row(canvas: _Canvas, panel: Mapping[str, Any]) -> PanelPreview:
    box = _grid_box({**panel.get("gridPos", {}), "x": 0, "w": 24, "h": 1})
    canvas.fill(box, BACKGROUND)
    canvas.fill(_Box(box.left, box.top + box.height - 0.015, box.width, 0.015), BORDER)
    collapsed = bool(panel.get("collapsed"))
    title = f"{panel.get('title', '')}   ▸ collapsed" if collapsed else f"▾ {panel.get('title', '')}"
    canvas.text(box.left + 0.05, box.top + box.height / 2, title, fontsize=11, fontweight="bold", va="center")
    return PanelPreview(str(panel.get("title", "")), "row", canvas.pixels(box))


def _draw_panel(canvas: _Canvas, panel: Mapping[str, Any], data: _Data, ctx: _Context) -> PanelPreview:
    box = _grid_box(panel.get("gridPos", {}))
    canvas.fill(box, PANEL, BORDER)
    title = str(panel.get("title", ""))
    canvas.text(box.left + 0.08, box.top + TITLE / 2 + 0.02, _truncate(title, box.width - 0.16, 9, bold=True),
                fontsize=9, fontweight="bold", va="center")
    report = PanelPreview(title, str(panel.get("type", "")), canvas.pixels(box), error=data.error)
    inner = _Box(box.left + 0.06, box.top + TITLE + 0.04, box.width - 0.12, box.height - TITLE - 0.1)
    try:
        _draw_content(canvas, inner, panel, data, ctx, report)
    except (ArithmeticError, LookupError, TypeError, ValueError) as exc:  # one odd panel never stops the preview
        report.error = f"cannot draw this panel: {type(exc).__name__}: {exc}"
        _draw_error(canvas, inner, report.error)
    return report


def _draw_content(canvas: _Canvas, inner: _Box, panel: Mapping[str, Any], data: _Data, ctx: _Context,
                  report: PanelPreview) -> None:
    kind = panel.get("type")
    if data.error:
        _draw_error(canvas, inner, data.error)
    elif kind == "stat":
        _draw_stat(canvas, inner, panel, data, report)
    elif kind == "gauge":
        _draw_gauge(canvas, inner, panel, data, report)
    elif kind == "bargauge":
        _draw_bargauge(canvas, inner, panel, data, report)
    elif kind == "timeseries":
        _draw_timeseries(canvas, inner, panel, data, ctx, report)
    elif kind == "state-timeline":
        _draw_state_timeline(canvas, inner, panel, data, ctx, report)
    elif kind == "table":
        _draw_table(canvas, inner, panel, data, report)
    elif kind == "alertlist":
        _draw_alertlist(canvas, inner, panel, data, report)
    elif kind == "text":
        _draw_text(canvas, inner, panel)
    else:
        canvas.text(inner.left + inner.width / 2, inner.top + inner.height / 2, f"({kind} panel: not previewed)",
                    ha="center", va="center", fontsize=8, color=MUTED)


def _header(canvas: _Canvas, board: Mapping[str, Any], ctx: _Context) -> None:
    def stamp(t: float) -> str:
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M")
    shown = [f"{k}={v}" for k, v in ctx.variables.items() if not k.startswith("__")]
    canvas.text(0.12, 0.28, str(board.get("title", "")), fontsize=15, fontweight="bold", va="center")
    canvas.text(0.12, 0.58, f"{stamp(ctx.start)} → {stamp(ctx.end)} UTC   ·   {'   '.join(shown)}   ·   "
                f"preview by launchwatch from {ctx.prometheus.base_url}", fontsize=8.5, va="center", color=MUTED)


# ---------------------------------------------------------------------------------------------- public


def load_dashboard(path: str | Path) -> dict[str, Any]:
    """The dashboard JSON in ``path`` (a generated file, or a provisioning wrapper with ``dashboard``)."""
    try:
        board = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PreviewError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise PreviewError(f"{path} is not JSON: {exc}") from None
    if isinstance(board, dict) and isinstance(board.get("dashboard"), dict):
        board = board["dashboard"]
    if not isinstance(board, dict) or not isinstance(board.get("panels"), list):
        raise PreviewError(f"{path} is not a Grafana dashboard (no 'panels' list)")
    return board


def _visible(board: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The panels Grafana draws: top-level ones (a collapsed row keeps its panels folded inside)."""
    return [p for p in board.get("panels", []) if isinstance(p, Mapping)]


def render_dashboard(board: Mapping[str, Any], prometheus: str | Prometheus, output: str | Path, *,
                     variables: Mapping[str, str] | None = None, end: float | None = None,
                     range_seconds: float | None = None) -> Preview:
    """Query every visible panel at ``end`` (default now) over ``range_seconds`` (default the
    dashboard's ``time.from``), draw the dashboard and write it to ``output`` as PNG.

    ``variables`` override the defaults (see ``default_variables``). Raises ``PreviewError`` when
    Prometheus cannot be reached or the image cannot be written; a failing query only marks its panel.
    """
    prom = _checked(prometheus)
    end = time.time() if end is None else end
    if range_seconds is None:
        range_seconds = parse_range(str(board.get("time", {}).get("from") or "now-6h"))
    step = max(1.0, math.ceil(range_seconds / POINTS))
    values = {**default_variables(board, range_seconds, step), **(variables or {})}
    ctx = _Context(prom, values, end - range_seconds, end, step)
    panels = _visible(board)
    with ThreadPoolExecutor(max_workers=8) as pool:
        fetched = list(pool.map(lambda p: _fetch(p, ctx) if p.get("type") != "row" else _Data(), panels))
    rows = max((float(p.get("gridPos", {}).get("y", 0)) + float(p.get("gridPos", {}).get("h", 1)) for p in panels),
               default=1.0)
    canvas = _Canvas(24 * COLUMN, HEADER + rows * ROW + 0.1)
    reports = []
    with matplotlib.rc_context({"text.parse_math": False, "font.family": "DejaVu Sans"}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*[Gg]lyph.*missing.*")
        _header(canvas, board, ctx)
        for panel, data in zip(panels, fetched, strict=True):
            reports.append(_draw_row(canvas, panel) if panel.get("type") == "row" else
                           _draw_panel(canvas, panel, data, ctx))
        path = Path(output)
        try:
            canvas.figure.savefig(path, format="png", dpi=DPI, facecolor=BACKGROUND, metadata={"Software": None})
        except OSError as exc:
            raise PreviewError(f"cannot write {path}: {exc.strerror or exc}") from None
    width, height = canvas.figure.canvas.get_width_height()
    return Preview(path, width, height, reports)


def _parse_vars(items: Sequence[str]) -> dict[str, str]:
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not re.fullmatch(r"\w+", name):
            raise PreviewError(f"--var {item!r}: use NAME=VALUE, e.g. job=whatsapp-quiz")
        out[name] = value
    return out


def preview_file(dashboard: str | Path, prometheus: str, output: str | Path | None = None,
                 variables: Sequence[str] = (), end: str = "now", range_text: str | None = None) -> Preview:
    """The ``launchwatch preview`` command's work, from its text arguments: ``variables`` as
    ``NAME=VALUE`` (inserted as written: a regex is allowed), ``end`` and ``range_text`` as
    ``parse_time`` and ``parse_range`` read them; ``output`` defaults to ``<file stem>.png`` here."""
    board = load_dashboard(dashboard)
    values = _parse_vars(variables)
    at = parse_time(end)
    seconds = parse_range(range_text) if range_text else None
    out = Path(output) if output else Path(Path(dashboard).stem + ".png")
    return render_dashboard(board, prometheus, out, variables=values, end=at, range_seconds=seconds)


def plan_dashboards(plans: Sequence[Plan], phase: str | None = None) -> list[dict[str, Any]]:
    """Every dashboard ``launchwatch generate`` writes for ``plans`` (each plan's, then the overview),
    built in memory by the same builder, so a preview shows exactly what would be deployed.

    Raises ValueError for a phase a plan lacks (as ``generate`` does).
    """
    return [board for boards in build_all(list(plans), phase).values() for board in boards]


def preview_plans(plans: Sequence[Plan], prometheus: str, out_dir: str | Path, variables: Sequence[str] = (),
                  end: str = "now", range_text: str | None = None, phase: str | None = None) -> Iterator[Preview]:
    """Render every dashboard of ``plans`` to ``out_dir/<uid>.png``, yielding each as it is written.

    Why one call: a reviewer wants every dashboard a plan change touches, at one moment (``end`` is
    read once, so all the pictures show the same instant) from one Prometheus, checked once before
    anything is drawn. Arguments are read as in ``preview_file``.

    >>> for shown in preview_plans([plan], "http://127.0.0.1:9090", "previews"):  # doctest: +SKIP
    ...     print(shown.path)
    """
    values = _parse_vars(variables)
    at = parse_time(end)
    seconds = parse_range(range_text) if range_text else None
    try:
        boards = plan_dashboards(plans, phase)
    except ValueError as exc:  # a phase one of the plans lacks
        raise PreviewError(str(exc)) from None
    prom = _checked(prometheus)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PreviewError(f"cannot create {out}: {exc.strerror or exc}") from None
    for board in boards:
        yield render_dashboard(board, prom, out / f"{board['uid']}.png", variables=values, end=at,
                               range_seconds=seconds)
