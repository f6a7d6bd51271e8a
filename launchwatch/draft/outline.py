"""The document's outline: which headings each line sits under.

Headings come in several dresses: Markdown ``#``, a line that is all ``**bold**``, an ALL-CAPS
label ending in ``:`` ("YELLOW ALERTS:"), or a short label line ending in ``:`` ("Critical Alerts
(investigate immediately):"). A code fence does not open a scope: its lines keep the outer heading.
"""

from __future__ import annotations

import re

from launchwatch.draft.questions import is_question_line
from launchwatch.draft.text import DOCUSAURUS_BOX_RE, MKDOCS_BOX_RE, Line, box_opening

__all__ = ["heading_level", "is_lead_in", "outline", "parent_bullets", "underlined_titles"]

_MD_RE = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BOLD_RE = re.compile(r"^\s*\*\*([^*]{2,100})\*\*\s*:?\s*$")
_LABEL_RE = re.compile(r"^([^:]{2,70}):$")
# a numbered section of a plain-text specification: "3.1 Availability", "3.3 Order pipeline", "3. MONITORING"
_NUMBERED_RE = re.compile(r"^\s*(?P<n>\d{1,2}(?:\.\d{1,2})+)\.?\s+(?P<title>[A-Z][A-Za-z &/()'-]{1,60})$|"
                          r"^\s*(?P<n1>\d{1,2})\.\s+(?P<caps>[A-Z][A-Z &/-]{2,60})$")


_BOX = 9  # a call-out's level: under any heading or label, over a nested list's items
# a sentence that introduces the list under it: "Page the on-call if any of the following holds for 10 minutes:"
_LEAD_IN_RE = re.compile(r"\b(?:(?:any|all|each|either|one|none) of (?:these|those|the following|them)|"
                         r"the following)\b", re.I)


def is_lead_in(line: Line) -> bool:
    """Whether ``line`` is a sentence ending in ":" that says what the list under it is ("Page the on-call if any
    of the following holds for 10 minutes:"): it heads the list, whose items are its conditions."""
    text = line.text
    return not line.bullet and text.endswith(":") and len(text) <= 200 and _LEAD_IN_RE.search(text) is not None \
        and not re.search(r"\d\s*%|[<>≤≥]", text)


def _strip(title: str) -> str:
    return title.replace("**", "").replace("`", "").strip().rstrip(":").strip()


def heading_level(line: Line) -> tuple[int, str] | None:
    """(level, title) when ``line`` is a heading, else None (level 1–6 Markdown, 7 bold, 8 label)."""
    raw = line.raw
    m = _MD_RE.match(raw)
    if m:
        return len(m.group(1)), line.text.lstrip("#").strip().rstrip(":").strip() or _strip(m.group(2))
    if _BOLD_RE.match(raw):
        return 7, line.text.rstrip(":").strip()
    numbered = _NUMBERED_RE.match(raw.rstrip())
    if numbered and len((numbered.group("title") or numbered.group("caps")).split()) <= 6:
        # ("3.3.1 Orders received: alert when …" states a rule; "1.5 million users" is no title)
        return min(6, 1 + (numbered.group("n") or "").count(".")), raw.strip()
    text = line.text
    if not line.bullet and is_question_line(text):
        return 7, text  # "Q: When do we roll back?": a question heads its answer as a bold line does
    if is_lead_in(line):
        return 8, text.rstrip(":").strip()
    if line.bullet or not text.endswith(":") or re.search(r"\d\s*%|[<>≤≥]", text):
        return None
    m = _LABEL_RE.match(text)
    if not m:
        return None
    title = m.group(1).strip()
    letters = [c for c in title if c.isalpha()]
    if not letters:
        return None
    if title.upper() == title or len(title.split()) <= 8:
        return 8, title
    return None


def _indent(line: Line) -> int:
    raw = line.raw.expandtabs(4)
    return len(raw) - len(raw.lstrip())


def parent_bullets(lines: list[Line]) -> set[int]:
    """The bullets that head a nested list ("- Playback" over "  - start failures" over "    - warn: 1%"):
    indices of bullets whose next line is a bullet indented deeper."""
    out = set()
    for i, line in enumerate(lines):
        if not line.bullet:
            continue
        nxt = next((n for n in lines[i + 1:] if n.text), None)
        if nxt is not None and nxt.bullet and _indent(nxt) > _indent(line):
            out.add(i)
    return out


def underlined_titles(lines: list[Line]) -> dict[int, int]:
    """The titles underlined as a heading ("Monitoring thresholds" over "-----"): the title's index → its level (1
    under "===", 2 under "---"). A numbered title counts too, as plain text numbers its sections ("2. Partner
    restaurants" over a rule as long as it), but not a code fence's lines."""
    titles: dict[int, int] = {}
    fence = False
    for idx, line in enumerate(lines):
        stripped = line.raw.strip()
        if stripped.startswith(("```", "~~~")):
            fence = not fence
        title = lines[idx - 1] if idx and not fence else None
        if title is None or len(stripped) < 3 or not re.fullmatch(r"=+|-+", stripped) or idx - 1 in titles:
            continue
        numbered = title.bullet and re.match(r"\s*\d{1,2}(?:\.\d{1,2})*[.)]?\s", title.raw) is not None
        if title.text and (not title.bullet or (numbered and len(stripped) >= len(title.raw.strip()) - 2)) and \
                heading_level(title) is None and not title.raw.strip().startswith("|"):
            titles[idx - 1] = 1 if stripped[0] == "=" else 2
    return titles


def outline(lines: list[Line]) -> list[list[str]]:
    """For each line (same index), the heading path above it (the line's own heading included); a bullet that
    heads a nested list heads its items (levels 10 and up, by indentation)."""
    parents = parent_bullets(lines)
    stack: list[tuple[int, str]] = []
    out: list[list[str]] = []
    fence = False
    fence_depth = 0
    titles = underlined_titles(lines)
    box: str | None = None  # the open call-out's kind: "mkdocs" (ends at a line indented no deeper than it),
    box_indent = 0  # "docusaurus" (ends at ":::"), "github" (ends at the first line that is no quote)
    for idx, line in enumerate(lines):
        stripped = line.raw.strip()
        if box and not fence and (
                (box == "mkdocs" and stripped and _indent(line) <= box_indent) or
                (box == "github" and not stripped.startswith(">")) or
                (box == "docusaurus" and stripped == ":::")):
            while stack and stack[-1][0] >= _BOX:
                stack.pop()
            box = None
            if stripped == ":::":
                out.append([t for _, t in stack])
                continue
        opened = None if fence or box else box_opening(line.raw)
        if opened and (opened.re is not DOCUSAURUS_BOX_RE or opened.group("kind")):
            box = "mkdocs" if opened.re is MKDOCS_BOX_RE else "docusaurus" if opened.re is DOCUSAURUS_BOX_RE \
                else "github"
            box_indent = len(opened.group("indent").expandtabs(4)) if box == "mkdocs" else 0
            title = (opened.group("title") or "").strip()
            if title:
                while stack and stack[-1][0] >= _BOX:
                    stack.pop()
                stack.append((_BOX, title))
            out.append([t for _, t in stack])
            continue
        if idx - 1 in titles:  # the title's underline: the title heads what follows
            level = titles[idx - 1]
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, lines[idx - 1].text.strip().rstrip(":").strip()))
            out[-1] = [t for _, t in stack]
            out.append([t for _, t in stack])
            continue
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fence = not fence
            if fence:
                fence_depth = len(stack)
            else:
                del stack[fence_depth:]  # labels inside a fence end with it
            out.append([t for _, t in stack])
            continue
        if not stripped:
            # a blank line ends a label's scope (labels head the block below them), but not a lead-in's before its
            # list ("… if any of the following holds:" / "" / "- Error rate above 3%")
            nxt = next((n for n in lines[idx + 1:] if n.raw.strip()), None)
            led = idx > 0 and is_lead_in(lines[idx - 1]) and nxt is not None and nxt.bullet
            while stack and stack[-1][0] == 8 and not fence and not led:
                stack.pop()
            out.append([t for _, t in stack])
            continue
        if line.bullet and not fence:
            while stack and stack[-1][0] >= 10 + _indent(line):
                stack.pop()  # a sibling or an outer item ends a nested list's scope
            if idx in parents:
                stack.append((10 + _indent(line), line.text.rstrip(":").strip()))
        head = heading_level(line)
        if head is not None and not (fence and head[0] < 7):
            level, title = head
            if fence:
                level = 8
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
        out.append([t for _, t in stack])
    return out
