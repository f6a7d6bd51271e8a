"""Reading a launch document: decoding, mis-encoding repair, wiki markup and bullet normalisation.

Documents arrive as Markdown or plain text, sometimes UTF-8 that was once read as MacRoman
(``‚Ä¢`` for ``•``). Every line keeps its 1-based number so a threshold can point back at it.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from launchwatch.draft.asciidoc import asciidoc_as_markdown
from launchwatch.draft.gherkin import gherkin_as_markdown
from launchwatch.draft.glossary import glossary_as_english
from launchwatch.draft.htmlpage import html_tables_as_markdown, is_html, page_lines
from launchwatch.draft.jsonconfig import is_json, json_lines
from launchwatch.draft.orgmode import org_as_markdown
from launchwatch.draft.questions import ANSWER_RE
from launchwatch.draft.restructured import restructured_as_markdown
from launchwatch.draft.spreadsheet import SPREADSHEET_SUFFIXES, sheet_lines
from launchwatch.draft.terminal_tables import terminal_tables_as_markdown

__all__ = ["COLOUR_TIERS", "DOCUSAURUS_BOX_RE", "MKDOCS_BOX_RE", "Line", "box_opening", "box_title", "clean", "decode",
           "read_lines", "repair_mojibake", "split_lines", "wiki_as_markdown"]

_MOJIBAKE_HINT = re.compile(r"[‚Ä√Ã¬ü∏Ô]")
_BULLET_RE = re.compile(r"^\s*(?:[•●◦▪▫■□☐✅✓✔❌➤►▶→*+\-–—]|\d{1,2}[.)](?!\d)|[a-z][.)](?=\s))\s+")
_CHECKBOX_RE = re.compile(r"^\s*\[[ xX]\]\s+")
# emoji and pictographs: decoration, never meaning
_EMOJI_RE = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D\u20E3]")


class Line(tuple):
    """(number, raw, text): the 1-based number, the repaired line, and its cleaned text; a sentence
    wrapped over several lines is read as one, ``starts`` saying where in ``text`` each later line begins."""

    __slots__ = ()

    def __new__(cls, number: int, raw: str, text: str, bullet: bool,
                starts: tuple[tuple[int, int], ...] = ()) -> Line:
        return super().__new__(cls, (number, raw, text, bullet, starts))

    number = property(lambda self: self[0])
    raw = property(lambda self: self[1])
    text = property(lambda self: self[2])
    bullet = property(lambda self: self[3])
    starts = property(lambda self: self[4])

    def number_at(self, offset: int) -> int:
        """The document line that holds ``text[offset]``: a threshold points at the line its number is on."""
        return next((n for at, n in reversed(self.starts) if offset >= at), self.number)

    def part(self, offset: int, text: str) -> Line:
        """The sentence of ``text`` that starts at ``offset``, as a line of its own (line numbers kept)."""
        return Line(self.number_at(offset), self.raw, text, self.bullet,
                    tuple((at - offset, n) for at, n in self.starts if at > offset))

    def joined(self, nxt: Line) -> Line:
        """This line and the one that continues its sentence, read as one."""
        at = len(self.text) + 1
        return Line(self.number, f"{self.raw} {nxt.raw.strip()}", f"{self.text} {nxt.text}", self.bullet,
                    (*self.starts, (at, nxt.number)))


def repair_mojibake(line: str) -> str:
    """Undo UTF-8 read as MacRoman on one line, when the round trip works and reads better.

    >>> repair_mojibake("‚Ä¢ Error rate >2%")
    '• Error rate >2%'
    """
    if not _MOJIBAKE_HINT.search(line):
        return line
    try:
        fixed = line.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return line
    return fixed if len(fixed) < len(line) else line


# a line that opens with a coloured circle gives its tier by colour ("🔴 checkout err rate > 3%"), as a chat
# message does; anywhere else an emoji is decoration
_COLOUR_LEAD_RE = re.compile(r"^(\s*(?:[-*+•]\s+)?)(🔴|🟠|🟡)\ufe0f?\s*")
_COLOURS = {"🔴": "RED", "🟠": "ORANGE", "🟡": "YELLOW"}
COLOUR_TIERS = tuple(_COLOURS.values())  # the tiers the circles stand for (a legend names them)
_QUOTE_RE = re.compile(r"^\s*(?:>\s*)+(?=[^\d\s=.$€£>])")
_LEGEND_RE = re.compile(r"\s*(?:[-*]\s+)?(?:\*\*)?(?:legend|key)(?:\*\*)?\s*:", re.I)


# a word or words in single-mark emphasis (not snake_case's "p99_latency", nor "5 * 3")
_EMPHASIS_RE = re.compile(r"(?<![\w*_])[*_](?=\S)([^*_]{1,60}?)(?<=\S)[*_](?![\w*_])")


# a call-out box: MkDocs' '!!! warning "Slack #search-alerts"' (its body indented under it; '???' folded),
# Docusaurus' ':::danger Page the on-call' … ':::', GitHub's and Obsidian's '> [!WARNING] Title' (its body quoted).
# Its title heads its body, as the reader sees it; a box with no title is its kind's decoration, no heading.
MKDOCS_BOX_RE = re.compile(r"^(?P<indent>\s*)(?:!!!|\?\?\?\+?)\s*[\w-]+(?:\s+[\w-]+)*?\s*"
                            r"(?:\"(?P<title>[^\"]*)\")?\s*$")
DOCUSAURUS_BOX_RE = re.compile(r"^\s*:::\s*(?P<kind>[a-z]+)?(?:\s+(?P<title>.+?))?\s*$")
GITHUB_BOX_RE = re.compile(r"^\s*>\s*\[!(?P<kind>[a-z]+)\][+-]?\s*(?P<title>.*?)\s*$", re.I)


def box_opening(raw: str) -> re.Match[str] | None:
    """A call-out box's opening line (or Docusaurus' closing ":::"), matched by its dialect's pattern."""
    return MKDOCS_BOX_RE.match(raw) or DOCUSAURUS_BOX_RE.match(raw) or GITHUB_BOX_RE.match(raw)


def box_title(raw: str) -> str | None:
    """A call-out box's opening line's title ("" for a box with none, or for Docusaurus' closing ":::");
    None for any other line."""
    m = box_opening(raw)
    return (m.group("title") or "").strip() if m else None


_HEADING_ATTRIBUTES_RE = re.compile(r"\s*\{:?\s*[#.][^{}]*\}\s*$")
_STRUCK_RE = re.compile(r"~~[^~]+~~")
_FOOTNOTE_RE = re.compile(r"\[\^[\w-]{1,20}\](?::\s*)?")
_ESCAPED_RE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: any ASCII punctuation may be escaped


def clean(raw: str) -> tuple[str, bool]:
    """The line without emoji, bullets, checkboxes and Markdown emphasis; and whether it was a bullet."""
    title = box_title(raw)
    if title is not None:  # '!!! danger "Page the search on-call"': what the reader sees is its title
        raw = title
    if raw.lstrip().startswith("#"):  # "# Alerting {#alerting}" (pandoc, kramdown, Hugo): the anchor is no word
        raw = _HEADING_ATTRIBUTES_RE.sub("", raw)
    if _LEGEND_RE.match(raw):  # "legend: 🔴 page, 🟠 ping #oncall": what each colour means
        text = re.sub("|".join(_COLOURS), lambda m: _COLOURS[m.group(0)], raw)
    else:
        # (a heading's or a label's circle, "🔴 SYSTEM HEALTH:", stays decoration: only a rule's line has a number)
        text = raw if raw.lstrip().startswith("#") or not re.search(r"\d", raw) else _COLOUR_LEAD_RE.sub(
            lambda m: f"{m.group(1)}{_COLOURS[m.group(2)]}: ", raw)
    text = _EMOJI_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text).replace("\t", " ")
    text = _QUOTE_RE.sub("", text)  # a Markdown quote or callout ("> ⚠️ If …"); "> 5%" stays a comparison
    bullet = bool(_BULLET_RE.match(text)) and not re.match(r"^\s*-{3,}\s*$", text)
    if bullet:
        text = _BULLET_RE.sub("", text, count=1)
    text = _CHECKBOX_RE.sub("", text)
    # a Markdown escape outside code ("Checkout success \< 97\%", as Google Docs and pandoc export): the character
    text = "`".join(part if n % 2 else _ESCAPED_RE.sub(r"\1", part) for n, part in enumerate(text.split("`")))
    text = _STRUCK_RE.sub(" ", text)  # "above ~~5%~~ 2%": the struck-out number is the one the writer took back
    text = _FOOTNOTE_RE.sub("", text)  # "… pages the on-call[^1]"
    text = text.replace("**", "").replace("__", "").replace("`", "")
    text = _EMPHASIS_RE.sub(r"\1", text)  # "_warn_ at 1200ms", "*15 minutes*"
    text = ANSWER_RE.sub("", text.lstrip(), count=1)  # "**A:** Anything above 3%": the answer's mark, as a bullet's
    return re.sub(r"\s+", " ", text).strip(), bullet


# Confluence / Jira wiki markup, as a page copied out of Confluence reads: "h2. Alerts", a "||Signal||Warning||"
# header row, "{code}" fences, "{color:red}" paint. Each is read as the Markdown it stands for, line for line.
_WIKI_HEADING_RE = re.compile(r"^\s*h([1-6])\.\s+")
_WIKI_HEADER_ROW_RE = re.compile(r"^\s*\|\|.*\|\|\s*$")
_WIKI_FENCE_RE = re.compile(r"^\s*\{(?:code|noformat)(?::[^}]*)?\}\s*$")
_WIKI_COLOUR_RE = re.compile(r"\{color(?::[^{}]*)?\}")  # "{color:red}*Critical*{color}": the words, not their paint


_WIKI_NUMBERED_RE = re.compile(r"^\s*#+\s+")  # "# Enrolment above 15%": a numbered item, in wiki markup
_WIKI_NESTED_RE = re.compile(r"^\s*[*-]{2,}\s+")  # "** Error rate > 2%": a nested bullet


def wiki_as_markdown(raw: str, wiki: bool = False) -> str:
    """One line of wiki markup as Markdown ("h2. Alerts" → "## Alerts"); any other line as it is. In a
    document that is wiki markup (``wiki``), "# item" is a numbered item, not a heading."""
    raw = _WIKI_COLOUR_RE.sub("", raw)
    m = _WIKI_HEADING_RE.match(raw)
    if m:
        return "#" * int(m.group(1)) + " " + raw[m.end():]
    if wiki and _WIKI_NUMBERED_RE.match(raw):
        return _WIKI_NUMBERED_RE.sub("1. ", raw, count=1)
    if wiki and _WIKI_NESTED_RE.match(raw):
        return _WIKI_NESTED_RE.sub("- ", raw, count=1)
    if _WIKI_HEADER_ROW_RE.match(raw):
        return raw.replace("||", "|")
    if _WIKI_FENCE_RE.match(raw):
        return "```"
    return raw


def without_comments(raws: list[str]) -> list[str]:
    """The lines with their HTML comments blanked, line for line ("<!-- old: error rate > 5% pages -->" is a rule
    the writer took out, not one the plan keeps); a comment may run over several lines."""
    out, inside = [], False
    for raw in raws:
        kept, at = [], 0
        while at < len(raw):
            if inside:
                end = raw.find("-->", at)
                if end < 0:
                    at = len(raw)
                    break
                inside, at = False, end + 3
            else:
                start = raw.find("<!--", at)
                if start < 0:
                    kept.append(raw[at:])
                    break
                kept.append(raw[at:start])
                inside, at = True, start + 4
        out.append("".join(kept).rstrip() if kept or inside else raw)
    return out


def split_lines(content: str, spreadsheet: bool = False) -> list[Line]:
    """Split decoded text into numbered, repaired, cleaned lines: a web page's blocks and a spreadsheet's
    records as their Markdown, a JSON file's values as YAML, numbered with the line each starts on."""
    content = content.replace("\r\n", "\n").replace("\r", "\n")
    as_yaml = json_lines(content) if not spreadsheet and is_json(content) else None
    if spreadsheet or as_yaml is not None or is_html(content):
        numbered = sheet_lines(content) if spreadsheet else as_yaml if as_yaml is not None else page_lines(content)
        raws = glossary_as_english([raw[:20000] for _, raw in numbered])  # (a Spanish page's words too)
        return [Line(number, raw, *clean(raw)) for (number, _), raw in zip(numbered, raws, strict=True)]
    raws = [repair_mojibake(raw[:20000]) for raw in content.split("\n")]  # a huge line is cut: no number is that long
    wiki = sum(1 for raw in raws if _WIKI_HEADING_RE.match(raw)) >= 2
    raws = [wiki_as_markdown(raw, wiki) for raw in without_comments(raws)]
    for as_markdown in (html_tables_as_markdown, glossary_as_english, gherkin_as_markdown, org_as_markdown,
                        asciidoc_as_markdown, restructured_as_markdown,
                        terminal_tables_as_markdown):  # each a no-op on other documents
        raws = as_markdown(raws)
    return [Line(number, raw, *clean(raw)) for number, raw in enumerate(raws, 1)]


# what a document saved in a binary format starts with, and what to save it as instead
_BINARY = [(b"PK\x03\x04", "a zip archive (a .docx, .xlsx or .odt file is one)"), (b"%PDF", "a PDF"),
           (b"\xd0\xcf\x11\xe0", "an old Office file (.doc or .xls)"), (b"{\\rtf", "an RTF document")]


def decode(data: bytes) -> str:
    """A document's text: UTF-8 (undecodable bytes replaced), or UTF-16 when its byte-order mark says so (as
    Windows saves "Unicode" text). A binary format is a ValueError saying what to save it as."""
    for magic, what in _BINARY:
        if data.startswith(magic):
            raise ValueError(f"{what}, not text: save the document as Markdown, plain text or a web page (HTML), "
                             "or a spreadsheet as CSV, and draft that")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors="replace").replace("\x00", "")


def read_lines(path: str | Path) -> list[Line]:
    """Read a document into numbered lines (see ``decode``); a .csv or .tsv file as a spreadsheet."""
    content = decode(Path(path).read_bytes())
    return split_lines(content, spreadsheet=Path(path).suffix.lower() in SPREADSHEET_SUFFIXES)
