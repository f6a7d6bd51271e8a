"""An Org-mode page (Emacs' ``.org``), read as the Markdown it stands for, line for line.

"* Alerts" and "** Critical" are headings (their TODO keyword and ``:tags:`` dropped), "#+TITLE:" the
document's title above them, "#+BEGIN_SRC" … "#+END_SRC" a fence, "|---+---|" a table's rule, a line
"# …" a comment (in Markdown it would be a heading), ":PROPERTIES:" drawers, "=verbatim=" and "~code~"
their words, "[[url][text]]" its text. Only a document with a "#+KEYWORD:" line, or one that opens with a
"* Heading" and has a "** Heading", is read so: in Markdown "* item" is a bullet.
"""

from __future__ import annotations

import re

__all__ = ["org_as_markdown"]

_KEYWORD_RE = re.compile(r"^\s*#\+(\w+):?\s*(.*)$", re.I)
_HEADING_RE = re.compile(r"^(\*+)\s+(?:(?:TODO|DONE|NEXT|WAITING)\s+)?(?:\[#[A-C]\]\s+)?(.*?)(?:\s+:[\w@:]+:)?\s*$")
_COMMENT_RE = re.compile(r"^\s*#(?:\s.*)?$")
_DRAWER_RE = re.compile(r"^\s*:(?:PROPERTIES|LOGBOOK|END|[A-Z_]+):.*$")
_RULE_RE = re.compile(r"^\s*\|-[-+|]*\|?\s*$")
_VERBATIM_RE = re.compile(r"(?<![\w=~])([=~])(\S(?:.*?\S)?)\1(?![\w=~])")
_LINK_RE = re.compile(r"\[\[([^\]]+)\](?:\[([^\]]+)\])?\]")
_BLOCKS = ("SRC", "EXAMPLE")  # fenced; other blocks (QUOTE, CENTER) only lose their delimiters


def _is_org(raws: list[str]) -> bool:
    if any(re.match(r"^#\+[A-Z_]+:", r, re.I) for r in raws):
        return True
    first = next((r for r in raws if r.strip()), "")
    return bool(re.match(r"^\*\s+\S", first)) and any(re.match(r"^\*{2,}\s+\S", r) for r in raws)


def org_as_markdown(raws: list[str]) -> list[str]:
    """The document's lines as Markdown when it is Org, else as they are; as many lines as it has."""
    if not _is_org(raws):
        return raws
    titled = any((m := _KEYWORD_RE.match(r)) and m.group(1).upper() == "TITLE" for r in raws)
    out: list[str] = []
    fence = False
    for raw in raws:
        keyword = _KEYWORD_RE.match(raw)
        if keyword and keyword.group(1).upper().startswith(("BEGIN_", "END_")):
            block = keyword.group(1).upper().split("_", 1)[1]
            if block in _BLOCKS:  # ("#+BEGIN_SRC sql": a query, never a threshold, as a Markdown fence says)
                fence = not fence
                out.append("```" + (keyword.group(2).split()[0] if fence and keyword.group(2).strip() else ""))
            else:
                out.append("")
        elif fence:
            out.append(raw)
        elif keyword:
            title = keyword.group(1).upper() == "TITLE" and keyword.group(2).strip()
            out.append(f"# {keyword.group(2).strip()}" if title else "")
        elif m := _HEADING_RE.match(raw):
            out.append("#" * min(6, len(m.group(1)) + titled) + " " + m.group(2))
        elif _COMMENT_RE.match(raw) or _DRAWER_RE.match(raw):
            out.append("")
        elif _RULE_RE.match(raw):
            out.append(raw.replace("+", "|"))
        else:
            text = _LINK_RE.sub(lambda m: m.group(2) or m.group(1), raw)
            out.append(_VERBATIM_RE.sub(r"\2", text))
    return out
