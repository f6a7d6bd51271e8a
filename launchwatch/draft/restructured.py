"""reStructuredText and boxed (grid) tables, read as the Markdown they stand for, line for line.

A Sphinx runbook titles its sections with adornments ("Alerts" over "======"), boxes its tables in "+---+"
borders, says its warnings in ``.. warning::`` directives and lays tables out as ``.. list-table::`` bullets.
Each becomes what the drafter reads in Markdown — a ``#`` heading, pipe rows, the admonition's own text — on
the same line numbers, so a threshold still names the line its number is on. A boxed table is read so in any
document (plain-text e-mails and Pandoc Markdown draw them too); the rest only in a document that uses
reStructuredText directives or over-and-underlined titles.
"""

from __future__ import annotations

import re

__all__ = ["restructured_as_markdown"]

_GRID_BORDER_RE = re.compile(r"^\s*\+(?:[-=]+\+)+\s*$")
_ADORNMENT_RE = re.compile(r"^([=\-~^\"'`#*+:._])\1{2,}\s*$")
_DIRECTIVE_RE = re.compile(r"^(\s*)\.\.\s+([\w-]+)::\s*(.*?)\s*$")
_COMMENT_RE = re.compile(r"^\s*\.\.(?:\s|$)")  # ".. a comment", ".. _target:", ".. |name| image::"
_OPTION_RE = re.compile(r"^\s*:[\w -]+:")  # a directive's option (":header-rows: 1")
_ROW_RE = re.compile(r"^(\s*)\*\s+-\s+(.*)$")  # a list-table row's first cell ("* - Signal")
_CELL_RE = re.compile(r"^(\s*)-\s+(.*)$")  # its next cells ("  - below 50")
_ADMONITIONS = {"note", "warning", "caution", "important", "tip", "hint", "danger", "attention", "error",
                "admonition", "seealso", "topic", "sidebar"}
_CODE = {"code-block", "code", "sourcecode", "literalinclude"}


def _grid_border(raw: str) -> str:
    """"+====+====+" (under a boxed table's header) is the Markdown separator; "+----+----+" between its rows
    an empty row, so each row stays a row of the same table rather than heading a new one."""
    if not _GRID_BORDER_RE.match(raw):
        return raw
    cells = raw.strip().strip("+").split("+")
    return "|" + "|".join(" --- " if "=" in raw else " " for _ in cells) + "|"


def _is_text(raw: str) -> bool:
    return bool(raw.strip()) and not _ADORNMENT_RE.match(raw) and not raw.startswith((" ", "\t"))


def _sections(raws: list[str]) -> list[str]:
    """Adorned titles as Markdown headings, a level per adornment style in the order the document first uses it
    (as docutils ranks them); the adornment lines themselves blank."""
    out = list(raws)
    styles: list[tuple[str, bool]] = []
    i = 0
    while i < len(raws):
        m = _ADORNMENT_RE.match(raws[i])
        over = m and i + 2 < len(raws) and _is_text(raws[i + 1]) and raws[i + 2].strip() == raws[i].strip()
        under = m and not over and i > 0 and _is_text(raws[i - 1]) and \
            len(raws[i].strip()) >= len(raws[i - 1].strip()) - 2 and (i < 2 or not raws[i - 2].strip()
                                                                       or _ADORNMENT_RE.match(raws[i - 2]))
        if not (over or under):
            i += 1
            continue
        style = (m.group(1), bool(over))
        if style not in styles:
            styles.append(style)
        title = i + 1 if over else i - 1
        out[title] = "#" * min(styles.index(style) + 1, 6) + " " + raws[title].strip()
        out[i] = ""
        if over:
            out[i + 2] = ""
        i += 3 if over else 1
    return out


def _body(raws: list[str], start: int, indent: int) -> int:
    """The end (exclusive) of the block indented deeper than ``indent`` that starts at ``start``."""
    end = start
    while end < len(raws) and (not raws[end].strip() or len(raws[end]) - len(raws[end].lstrip()) > indent):
        end += 1
    while end > start and not raws[end - 1].strip():
        end -= 1
    return end


def _list_table(raws: list[str], out: list[str], start: int, end: int) -> None:
    """A list-table's rows as pipe rows: each on the line of its first number past the first cell (where a
    threshold's number is), its other lines empty rows of the same table."""
    rows: list[tuple[list[int], list[str]]] = []
    for n in range(start, end):
        row, cell = _ROW_RE.match(raws[n]), _CELL_RE.match(raws[n])
        if row:
            rows.append(([n], [row.group(2).strip()]))
        elif rows and cell:
            rows[-1][0].append(n)
            rows[-1][1].append(cell.group(2).strip())
        elif rows and raws[n].strip():  # a cell's text wrapped onto the next line
            rows[-1][1][-1] += " " + raws[n].strip()
    if not rows:
        return
    width = max(len(cells) for _, cells in rows)
    empty = "|" + " |" * width
    first = rows[0][0][0]
    for n in range(first, end):
        out[n] = empty
    for at, cells in rows:
        line = next((n for n, c in zip(at[1:], cells[1:], strict=False) if re.search(r"\d", c)), at[0])
        out[line] = "| " + " | ".join(cells + [""] * (width - len(cells))) + " |"


def _directives(raws: list[str], out: list[str]) -> None:
    """An admonition's text read as a paragraph of its section (its title, if any, on the directive's line); a
    list-table as a table; any other directive, and comments, as nothing."""
    i = 0
    while i < len(raws):
        m = _DIRECTIVE_RE.match(raws[i])
        if not m:
            if _COMMENT_RE.match(raws[i]):
                out[i] = ""
            i += 1
            continue
        indent, name, argument = len(m.group(1)), m.group(2).lower(), m.group(3)
        end = _body(raws, i + 1, indent)
        body = [n for n in range(i + 1, end) if raws[n].strip() and not _OPTION_RE.match(raws[n])]
        depth = min((len(raws[n]) - len(raws[n].lstrip()) for n in body), default=0)
        out[i] = argument if name in _ADMONITIONS else ""
        for n in range(i + 1, end):
            out[n] = raws[n][depth:] if n in body and (name in _ADMONITIONS or name in _CODE) else ""
        if name in _CODE and end < len(raws) and not raws[end].strip():  # (a team's rules pasted as YAML)
            out[i], out[end] = "```", "```"
        elif name == "list-table":
            _list_table(raws, out, i + 1, end)
        i = end


def _overlined(raws: list[str]) -> bool:
    return any(_ADORNMENT_RE.match(a) and a.strip() == c.strip() and _is_text(b)
               for a, b, c in zip(raws, raws[1:], raws[2:], strict=False))


def restructured_as_markdown(raws: list[str]) -> list[str]:
    """The document's lines with boxed tables, and in a reStructuredText document its titles and directives,
    as Markdown; as many lines as it has."""
    out = [_grid_border(r) for r in raws]
    if not (any(_DIRECTIVE_RE.match(r) for r in raws) or _overlined(raws)):
        return out
    out = _sections(out)
    _directives(list(out), out)
    return out
