"""Tables as a terminal prints them, read as the Markdown pipe table they stand for, line for line.

A query's result pasted from psql has no outer pipes and rules its header with "-----+-----"; the drafter reads
Markdown pipe rows, so each of its lines becomes one ("| signal | alert when |"), on the same line number, and its
"(3 rows)" footer a blank line.
"""

from __future__ import annotations

import re

__all__ = ["terminal_tables_as_markdown"]

_RULE_RE = re.compile(r"^\s*-+(?:\+-+)+\s*$")  # "------+------": under the header
_FOOTER_RE = re.compile(r"^\s*\(\d+ rows?\)\s*$")


def _row(raw: str) -> str:
    return "| " + " | ".join(cell.strip() for cell in raw.split("|")) + " |"


def terminal_tables_as_markdown(raws: list[str]) -> list[str]:
    """The lines with each psql-style table as pipe rows; as many lines as there are."""
    out = list(raws)
    for i, raw in enumerate(raws):
        columns = raw.count("+") + 1
        header = raws[i - 1] if i else ""
        if not _RULE_RE.match(raw) or header.count("|") != columns - 1 or header.lstrip().startswith("|"):
            continue
        out[i - 1] = _row(header)
        out[i] = "|" + "---|" * columns
        n = i + 1
        while n < len(raws) and raws[n].count("|") == columns - 1 and not raws[n].lstrip().startswith("|"):
            out[n] = _row(raws[n])
            n += 1
        if n < len(raws) and _FOOTER_RE.match(raws[n]):
            out[n] = ""
    return out
