"""Grid positions, so nobody computes them by hand: panels fill a row left to right and wrap at
24 columns, rows stack; a panel without a width shares its row evenly with its neighbours."""

from __future__ import annotations

from grafanalib.core import GridPos

from launchwatch.plan.dashboards import Panel

__all__ = ["DEFAULT_HEIGHTS", "place_row"]

COLUMNS = 24
DEFAULT_HEIGHTS = {"stat": 5, "gauge": 7, "bargauge": 8, "timeseries": 8, "table": 8, "state-timeline": 6,
                   "alertlist": 8, "text": 4}
_MIN_WIDTH = {"stat": 3, "gauge": 4, "text": 4}


def _nominal(panel: Panel, count: int) -> int:
    return panel.width or max(COLUMNS // count, _MIN_WIDTH.get(panel.type, 6))


def place_row(panels: list[Panel], y: int) -> tuple[list[GridPos], int]:
    """Grid positions of ``panels`` from line ``y`` down, and the first free line below them."""
    lines: list[list[tuple[int, int]]] = [[]]  # per line: (panel index, width)
    used = 0
    for i, panel in enumerate(panels):
        width = min(_nominal(panel, len(panels)), COLUMNS)
        if used + width > COLUMNS:
            lines.append([])
            used = 0
        lines[-1].append((i, width))
        used += width
    out: list[GridPos | None] = [None] * len(panels)
    for line in lines:
        widths = dict(line)
        flexible = [i for i, _ in line if panels[i].width is None]
        spare = COLUMNS - sum(widths.values())
        for k in range(spare if flexible else 0):
            widths[flexible[k % len(flexible)]] += 1
        x = 0
        height = 0
        for i, _ in line:
            h = panels[i].height or DEFAULT_HEIGHTS[panels[i].type]
            out[i] = GridPos(h=h, w=widths[i], x=x, y=y)
            x += widths[i]
            height = max(height, h)
        y += height
    return [g for g in out if g is not None], y
