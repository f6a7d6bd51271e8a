"""Running prose: sentences, and sentences wrapped over several lines (an e-mail's), read as one.

A threshold in prose is judged in its sentence: a label, a "for" or a window in one sentence does not
reach the next. A line that stops mid-sentence and a next line that carries on are read together,
each number still pointing at the line it is on (``Line.number_at``).
"""

from __future__ import annotations

import re

from launchwatch.draft.cells import table_cells
from launchwatch.draft.outline import heading_level
from launchwatch.draft.text import Line

__all__ = ["continues", "sentences"]

# a sentence ends at . ! or ? before a capital (not "vs. Last", "e.g. The", nor a decimal point)
_SENTENCE_END_RE = re.compile(r"(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)(?<!\bapprox)(?<!\betc)[.!?]\)?\s+(?=[A-Z(\"'])")


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) of each sentence of ``text``."""
    out, at = [], 0
    for m in _SENTENCE_END_RE.finditer(text):
        out.append((at, text[at:m.start() + 1]))
        at = m.end()
    return [*out, (at, text[at:])] if out else [(0, text)]


_FIELD_RE = re.compile(r"^[A-Za-z][\w /&()'-]{0,40}:(?:\s|$)")


def _prose(line: Line) -> bool:
    """A line of running text: no bullet, heading, table row, "Field: value" or IF/ACTION line."""
    return bool(line.text) and not line.bullet and heading_level(line) is None and table_cells(line.raw) is None \
        and not _FIELD_RE.match(line.text) and not re.match(r"(?:IF|ACTION|THEN)\b", line.text)


def continues(line: Line, nxt: Line) -> bool:
    """Whether ``nxt`` carries on ``line``'s sentence: a long line of prose, or a bullet, stopping mid-sentence,
    and the next line of prose starting lower-case or with a number ("… for more than" / "10 minutes, wake up
    …"), or indented under the bullet it continues."""
    if not (line.bullet or _prose(line)) or not _prose(nxt) or len(line.raw.strip()) < 40 or \
            re.search(r"[.!?:;]\s*$", line.text):
        return False
    if re.match(r"\d{1,2}(?:\.\d{1,2})*[.)]?\s+[A-Z]", nxt.text):
        return False  # "3.3.3 Fulfilment backlog: …": the next numbered item, not the sentence carried on
    if all(re.match(r"[\w-]{1,20}\s*[=:]\s", x.text) for x in (line, nxt)):
        return False  # "sev1 = page the incident commander" over "sev2 = page platform on-call": a list of keys
    indented = line.bullet and nxt.raw[:1].isspace()
    return indented or (not line.bullet and bool(re.match(r"[a-z0-9(<>≤≥$]|#\w", nxt.text)))  # ("#bookings")
