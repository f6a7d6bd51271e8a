"""AsciiDoc (an Antora or GitHub ``.adoc`` page), read as the Markdown it stands for, line for line.

"= Title" and "== Section" are headings, "|===" opens and closes a table whose "|a |b" rows the drafter
reads as pipe rows, "** item" is a nested bullet, "----" fences a listing, and an admonition paragraph's
label ("WARNING: If the ledger lags …, page the on-call") is AsciiDoc's callout, not the document's warning
tier. Only a document that opens with a "= Title" or has a "|===" table is read so: in Markdown a line
"WARNING: error rate > 2%" is the warning tier.
"""

from __future__ import annotations

import re

__all__ = ["asciidoc_as_markdown"]

_TITLE_RE = re.compile(r"^(={1,6})\s+(\S.*)$")
_TABLE_RE = re.compile(r"^\|===\s*$")
_ADMONITION_RE = re.compile(r"^(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+")
_NESTED_RE = re.compile(r"^(\*{2,5}|\.{2,5})\s+")  # "** item", ".. step": a nested bullet
# block attributes, ":toc:", comments, a list continuation "+", example / sidebar / quote block delimiters
_DROPPED_RE = re.compile(r"^(?:\[[^\]]*\]|:[\w-]+:.*|//(?!/).*|\+|={4,}|\*{4,}|_{4,})\s*$")
_FENCE_RE = re.compile(r"^(?:-{4,}|\.{4,})\s*$")
_COMMENT_BLOCK_RE = re.compile(r"^/{4,}\s*$")


def _is_asciidoc(raws: list[str]) -> bool:
    first = next((r for r in raws if r.strip()), "")
    return bool(re.match(r"^=\s+\S", first)) or any(_TABLE_RE.match(r) for r in raws)


def asciidoc_as_markdown(raws: list[str]) -> list[str]:
    """The document's lines as Markdown when it is AsciiDoc, else as they are; as many lines as it has."""
    if not _is_asciidoc(raws):
        return raws
    out: list[str] = []
    comment = fence = table = False
    for raw in raws:
        if table and not _TABLE_RE.match(raw):
            # a row: "|a |b" (closed, so a two-column row is a table row too); a blank line an empty row
            out.append(raw.rstrip() + ("" if raw.rstrip().endswith("|") else " |") if raw.strip() else "| |")
        elif _COMMENT_BLOCK_RE.match(raw):
            comment = not comment
            out.append("")
        elif comment:
            out.append("")
        elif _FENCE_RE.match(raw):
            fence = not fence
            out.append("```")
        elif fence:
            out.append(raw)
        elif m := _TITLE_RE.match(raw):
            out.append("#" * len(m.group(1)) + " " + m.group(2))
        elif _TABLE_RE.match(raw):
            table = not table
            out.append("")
        elif _DROPPED_RE.match(raw):
            out.append("")
        elif m := _NESTED_RE.match(raw):
            out.append("  " * (len(m.group(1)) - 1) + "- " + raw[m.end():])
        else:
            out.append(_ADMONITION_RE.sub("", raw))
    return out
