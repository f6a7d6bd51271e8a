"""The pictures of an HTML report: each plotted row's series over the period, with its target and
its alerts' threshold lines, as PNG (matplotlib's Agg canvas: no display, no global state)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from launchwatch.plan.model import Plan
from launchwatch.report.compute import RowResult
from launchwatch.report.periods import Window
from launchwatch.report.text import describe_value

__all__ = ["SEVERITY_COLOURS", "TARGET_COLOUR", "plot_row"]

SEVERITY_COLOURS = {"critical": "#d62728", "high": "#ff7f0e", "medium": "#e0b000", "low": "#1f77b4"}
TARGET_COLOUR = "#2ca02c"


def plot_row(plan: Plan, row: RowResult, window: Window) -> bytes:
    """A PNG of ``row``'s series over ``window``; horizontal lines at its target and alert thresholds."""
    fig = Figure(figsize=(7.2, 2.4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for label, points in row.series:
        if points:
            ax.plot([datetime.fromtimestamp(t, UTC) for t, _ in points], [v for _, v in points], linewidth=1.2,
                    label=label if len(row.series) > 1 else None)
    if row.target is not None:
        ax.axhline(row.target.value, color=TARGET_COLOUR, linestyle="--", linewidth=1,
                   label=f"target {row.target.op} {describe_value(row.target.value, row.unit)}")
    for th in row.judged:
        severity = plan.tier(th.tier).severity
        ax.axhline(th.value, color=SEVERITY_COLOURS[severity], linestyle=":", linewidth=1.2,
                   label=f"{th.tier} {th.op} {describe_value(th.value, row.unit)}")
    ax.set_xlim(datetime.fromtimestamp(window.start, UTC), datetime.fromtimestamp(window.end, UTC))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M" if window.length > 86400 else "%H:%M", tz=UTC))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: describe_value(v, row.unit)))
    ax.set_title(row.plot_title or row.label, fontsize=10, loc="left")
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
