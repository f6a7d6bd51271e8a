"""Error-budget burn stated as a share of the budget spent in a time ("page if 2% of the monthly error
budget is consumed within 1 hour"): the SRE workbook's burn-rate alerts, which a plan's ``slos:`` entry
generates (multiwindow, 14.4x / 6x / 1x), not a threshold on a metric the product reports."""

from __future__ import annotations

import re

from launchwatch.draft.findings import Unclear
from launchwatch.draft.quantities import find_quantities
from launchwatch.draft.text import Line
from launchwatch.plan.units import format_duration

__all__ = ["budget_burn"]

_BURN_RE = re.compile(r"(?P<share>\d+(?:\.\d+)?)\s*%\s+of\s+(?:the\s+|our\s+|its\s+)?(?P<period>monthly\s+|"
                      r"weekly\s+|quarterly\s+|\d+-day\s+)?(?:error\s+)?budget\b(?P<rest>.*)", re.I)
_SPENT_RE = re.compile(r"\b(?:consumed|burn(?:ed|t|s)?|spent|used|gone|eaten)\b", re.I)
_PERIOD_DAYS = {"monthly": 30, "weekly": 7, "quarterly": 90}


def budget_burn(line: Line, path: list[str]) -> Unclear | None:
    """A note for a budget share spent in a time, with the burn rate it means; None for any other line."""
    m = _BURN_RE.search(line.text)
    if m is None or not _SPENT_RE.search(m.group("rest")):
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
