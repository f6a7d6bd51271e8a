"""Error-budget burn stated as a share of the budget spent in a time ("page if 2% of the monthly error
budget is consumed within 1 hour") or as a burn rate ("page if the 1h burn rate exceeds 14.4", a table's
"Burn rate" column): the SRE workbook's burn-rate alerts, which a plan's ``slos:`` entry generates
(multiwindow, 14.4x / 6x / 3x / 1x), not a threshold on a metric the product reports."""

from __future__ import annotations

import re

from launchwatch.draft.findings import Unclear
from launchwatch.draft.quantities import find_quantities
from launchwatch.draft.text import Line
from launchwatch.expressions import SLO_PAGE, SLO_TICKET
from launchwatch.plan.units import format_duration

__all__ = ["budget_burn", "burn_rate", "burn_rate_row"]

_BURN_RE = re.compile(r"(?P<share>\d+(?:\.\d+)?)\s*%\s+of\s+(?:the\s+|our\s+|its\s+)?(?P<period>monthly\s+|"
                      r"weekly\s+|quarterly\s+|\d+-day\s+)?(?:error\s+)?budget\b(?P<rest>.*)", re.I)
# the same, said the other way round: "when the monthly error budget is 50% spent", "budget 25% consumed in 6h"
_SPENT_SHARE_RE = re.compile(r"(?P<period>monthly\s+|weekly\s+|quarterly\s+|\d+-day\s+)?(?:error\s+)?budget\s+"
                             r"(?:is\s+|has\s+been\s+|gets\s+)?(?P<share>\d+(?:\.\d+)?)\s*%\s*(?P<rest>.*)", re.I)
_SPENT_RE = re.compile(r"\b(?:consumed|burn(?:ed|t|s)?|spent|used|gone|eaten)\b", re.I)
_PERIOD_DAYS = {"monthly": 30, "weekly": 7, "quarterly": 90}


def budget_burn(line: Line, path: list[str]) -> Unclear | None:
    """A note for a budget share spent in a time, with the burn rate it means; None for any other line."""
    m = _BURN_RE.search(line.text)
    if m is None or not _SPENT_RE.search(m.group("rest")):
        m = _SPENT_SHARE_RE.search(line.text)  # (spent right after the share: not "budget 50% of which …")
        if m is None or not _SPENT_RE.match(m.group("rest")):
            return None
    spent = [q for q in find_quantities(m.group("rest")) if q.kind == "duration"]
    period = (m.group("period") or "").strip().lower()
    days = _PERIOD_DAYS.get(period) or int(period.split("-")[0]) if period else 30
    share = float(m.group("share")) / 100
    rate = f", a burn rate of {share * days * 86400 / spent[0].value:.3g} over a {days}-day budget" if spent else ""
    within = f" within {format_duration(spent[0].value)}" if spent else ""
    return Unclear(line.number, line.text, path,
                   f"line {line.number}: an error-budget burn ({m.group('share')}% of the budget{within}{rate}): the "
                   "plan's slos: entry (objective, errors/total or a probe, page_tier, ticket_tier) generates the "
                   "multiwindow burn-rate alerts (the draft has one for each availability objective the document "
                   "states)")


_RATE_RE = re.compile(r"\bburn[- ]?rates?\b", re.I)


def _generated(factor: float | None, long_window: float | None) -> str:
    """What the plan's slos: entry generates, and whether the document's burn rate is one of them."""
    def said(rules: tuple[tuple[float, int, int], ...]) -> str:
        return ", ".join(f"{f:g}x over {format_duration(a)} and {format_duration(b)}" for f, a, b in rules)

    own = factor is not None and any(f == factor and long_window in (None, a) for f, a, _ in (*SLO_PAGE, *SLO_TICKET))
    return (f"the plan's slos: entry generates the multiwindow burn-rate alerts ({said(SLO_PAGE)}: page; "
            f"{said(SLO_TICKET)}: ticket){', this one among them' if own else ''}, not a metric the product reports: "
            "give it the objective and an SLI (errors/total, or a probe)" +
            ("" if own or factor is None else "; a burn rate other than these is written by hand"))


def burn_rate(line: Line, path: list[str]) -> Unclear | None:
    """A note for a burn rate a line alerts on ("page if the 1h burn rate exceeds 14.4"); None for any other."""
    if not _RATE_RE.search(line.text):
        return None
    qs = find_quantities(line.text)
    factor = next((q.value for q in qs if q.kind == "count"), None)
    window = next((q.value for q in qs if q.kind == "duration"), None)
    return Unclear(line.number, line.text, path, f"line {line.number}: a burn-rate alert"
                   f"{f' ({factor:g}x)' if factor is not None else ''}: {_generated(factor, window)}")


def burn_rate_row(line: Line, path: list[str], header: list[str], cells: list[str]) -> Unclear | None:
    """A note for a row of a burn-rate table ("| Page | 1h | 5m | 14.4 | 2% |"); None when no column is a burn
    rate."""
    col = next((i for i, h in enumerate(header) if _RATE_RE.search(h) or h.strip() in ("burn", "factor")), None)
    if col is None or col >= len(cells):
        return None
    rate = find_quantities(cells[col])
    windows = [q.value for i, c in enumerate(cells) if i < len(header) and "window" in header[i]
               for q in find_quantities(c) if q.kind == "duration"]
    who = cells[0].strip()
    factor = rate[0].value if rate else None
    return Unclear(line.number, line.text, path, f"line {line.number}: a burn-rate alert ({who}"
                   f"{f', {factor:g}x' if factor is not None else ''}"
                   f"{' over ' + ' and '.join(format_duration(w) for w in windows) if windows else ''}): "
                   f"{_generated(factor, windows[0] if windows else None)}")
