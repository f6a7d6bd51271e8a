"""A launch document saved as a web page (Confluence's or Google Docs' HTML export), read as its Markdown.

Each block becomes the Markdown line it stands for — ``<h2>`` a ``##`` heading, ``<li>`` a bullet (nested
lists indented), a ``<tr>`` a pipe row, ``<pre>`` a code block, ``<b>`` bold — numbered with the line of the
page it starts on, so a threshold still names the page's line its number is on (a page exported as one long
line numbers every block 1). Text a block wraps over several lines of the page stays on those lines. Parsed
with the standard library's HTMLParser, which takes the entities (``&gt;``, ``&nbsp;``) and broken markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_tables_as_markdown", "is_html", "page_lines"]

_HTML_START_RE = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|body)\b", re.I | re.S)
_SKIPPED = {"script", "style", "head", "noscript", "svg", "template"}
_BLOCKS = {"p", "div", "section", "article", "blockquote", "dd", "dt", "header", "footer", "main", "caption",
           "figcaption", "details", "summary", "hr"}
_LISTS = {"ul", "ol", "dl"}
_BOLD = {"b", "strong"}


def is_html(content: str) -> bool:
    """Whether the text is a web page (not Markdown with a little inline HTML in it)."""
    return bool(_HTML_START_RE.match(content[:2000]))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []
        self.current: list[int | str] | None = None  # [number, text] of the line being written
        self.prefix = ""  # what the next block's first line opens with ("## ", "- ")
        self.skip = 0
        self.pre = 0
        self.lists = 0
        self.row: list[tuple[int | None, str]] | None = None  # a table row's (first line, text) cells
        self.row_line = 0
        self.cell: list[int | str | None] | None = None

    # writing lines
    def _flush(self) -> None:
        if self.current is not None and str(self.current[1]).strip():
            self.lines.append((int(self.current[0]), str(self.current[1]).rstrip()))
        self.current = None

    def _block(self, prefix: str = "") -> None:
        self._flush()
        self.prefix = prefix

    def _add(self, number: int, text: str) -> None:
        if self.current is None:
            if not text.strip():
                return
            self.current, self.prefix = [number, self.prefix + text.lstrip()], ""
        else:
            self.current[1] = str(self.current[1]) + text

    def _end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.append((self.cell[0] if isinstance(self.cell[0], int) else None,
                             re.sub(r"\s+", " ", str(self.cell[1])).strip().replace("|", "/")))
        self.cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self.row:
            # on the line of the row's first number past its name, where its threshold is
            number = next((n for n, text in self.row[1:] if n is not None and re.search(r"\d", text)), self.row_line)
            self.lines.append((number, "| " + " | ".join(text for _, text in self.row) + " |"))
        self.row = None

    # the parser's events
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _SKIPPED:
            self.skip += 1
        elif self.skip:
            return
        elif self.cell is not None and tag not in ("tr", "td", "th", "br"):  # a cell's own paragraphs and lists
            if tag in _BOLD:
                self.handle_data("**")
            elif tag in _BLOCKS or tag == "li":
                self.handle_data("; " if str(self.cell[1]).strip() else "")
        elif re.fullmatch(r"h[1-6]", tag):
            self._block("#" * int(tag[1]) + " ")
        elif tag == "li":
            self._block("  " * max(0, self.lists - 1) + "- ")
        elif tag in _LISTS:
            self.lists += 1
            self._block()
        elif tag in _BLOCKS:
            self._block()
        elif tag == "br":
            self._flush()
        elif tag == "pre":
            self._block()
            self.lines.append((line, "```"))
            self.pre += 1
        elif tag == "table":
            self._block()
            self.lines.append((line, ""))
        elif tag == "tr":
            self._end_row()
            self._flush()
            self.row, self.row_line = [], line
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:  # a cell with no row opened: a row of its own, after the text before it
                self._flush()
                self.row, self.row_line = [], line
            self.cell = [None, ""]
        elif tag in _BOLD:
            self.handle_data("**")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in _SKIPPED:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif self.cell is not None and tag not in ("tr", "td", "th", "table"):
            if tag in _BOLD:
                self.handle_data("**")
        elif tag in _LISTS:
            self.lists = max(0, self.lists - 1)
            self._flush()
        elif tag in _BLOCKS or tag == "li" or re.fullmatch(r"h[1-6]", tag):
            self._flush()
        elif tag == "pre":
            self._flush()
            self.lines.append((line, "```"))
            self.pre = max(0, self.pre - 1)
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self.lines.append((line, ""))
        elif tag in _BOLD:
            self.handle_data("**")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        line = self.getpos()[0]
        if self.cell is not None:
            if self.cell[0] is None and data.strip():
                self.cell[0] = line + data[:len(data) - len(data.lstrip())].count("\n")
            self.cell[1] = f"{self.cell[1]} {data}"
            return
        for i, piece in enumerate(data.split("\n")):
            if i:  # the page's own line break: the block goes on, on the next line (as wrapped Markdown does)
                self._flush()
            self._add(line + i, piece if self.pre else re.sub(r"\s+", " ", piece))

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush()


def page_lines(content: str) -> list[tuple[int, str]]:
    """The page's blocks as Markdown lines, each with the page's line it starts on."""
    page = _Page()
    page.feed(content)
    page.close()
    return page.lines


_TABLE_OPEN_RE = re.compile(r"^\s*<table\b", re.I)
_TABLE_CLOSE_RE = re.compile(r"</table\s*>", re.I)


def html_tables_as_markdown(raws: list[str]) -> list[str]:
    """A Markdown document's HTML tables (a README's "<table>" block, where Markdown tables cannot span or
    style) as Markdown rows, line for line; a table whose rows share a line stays as written."""
    out = list(raws)
    start = None
    fence = False
    for idx, raw in enumerate(raws):
        if raw.lstrip().startswith(("```", "~~~")) and start is None:
            fence = not fence  # (an HTML snippet in a code block is code)
        if start is None and not fence and _TABLE_OPEN_RE.match(raw):
            start = idx
        if start is not None and _TABLE_CLOSE_RE.search(raw):
            rows = page_lines("\n".join(raws[start:idx + 1]))
            numbers = [n for n, text in rows if text.strip()]
            if len(numbers) == len(set(numbers)):
                block = [""] * (idx + 1 - start)
                for n, text in rows:
                    if text.strip():
                        block[n - 1] = text
                out[start:idx + 1] = block
            start = None
    return out
