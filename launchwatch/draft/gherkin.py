"""Gherkin acceptance criteria (a ``.feature`` file, or scenarios pasted in a ticket), read as sentences.

"Scenario: Payment errors page the on-call" / "Given the payment error rate is above 3% for 5 minutes" /
"Then the payments on-call is paged via PagerDuty" is one rule whose tier the Then step says. Each
condition step (Given, When, And, But before the Then) keeps its own line, read as "<condition>, then
<outcome>"; the Then steps' lines are read with it and left empty. A "Scenario Outline" is read once per
row of its Examples table, on that row's line, its ``<placeholders>`` filled. Features and scenarios are
headings; tags ("@launch") and comments ("# …", a heading in Markdown) are not read. Only a document with a
"Scenario:" (or "Scenario Outline:") and a Then step is read so.
"""

from __future__ import annotations

import re

__all__ = ["gherkin_as_markdown"]

_BLOCK_RE = re.compile(r"^\s*(?P<kw>Feature|Background|Scenario Outline|Scenario Template|Scenario|Example|Rule)"
                       r"\s*:\s*(?P<title>.*)$")
_EXAMPLES_RE = re.compile(r"^\s*(?:Examples|Scenarios)\s*:")
_STEP_RE = re.compile(r"^\s*(?P<kw>Given|When|Then|And|But|\*)\s+(?P<step>.*\S)\s*$")
_ROW_RE = re.compile(r"^\s*\|(.*)\|\s*$")
_NOT_READ_RE = re.compile(r"^\s*(?:@\S+\s*)+$|^\s*#")  # tags ("@launch @alerting"), comments


def _is_gherkin(raws: list[str]) -> bool:
    return any(re.match(r"^\s*Scenario(?: Outline| Template)?\s*:", r) for r in raws) and \
        any(re.match(r"^\s*Then\s+\S", r) for r in raws)


def _steps(raws: list[str], start: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]], int]:
    """The scenario's condition steps and outcome steps from ``start`` (index, text), and where they end."""
    conditions: list[tuple[int, str]] = []
    outcomes: list[tuple[int, str]] = []
    i = start
    while i < len(raws):
        m = _STEP_RE.match(raws[i])
        if m is None:
            if raws[i].strip() and not raws[i].strip().startswith("#"):
                break
            i += 1
            continue
        if m.group("kw") == "Then" or (outcomes and m.group("kw") in ("And", "But", "*")):
            outcomes.append((i, m.group("step")))
        else:
            conditions.append((i, m.group("step")))
        i += 1
    return conditions, outcomes, i


def _sentence(condition: str, then: str) -> str:
    """A step's condition and its scenario's outcome as one sentence, ended (the next line is another)."""
    return (f"{condition}, then {then}" if then else condition).rstrip(".") + "."


def gherkin_as_markdown(raws: list[str]) -> list[str]:
    """The document's lines as Markdown sentences when it holds Gherkin scenarios, else as they are; as many
    lines as it has."""
    if not _is_gherkin(raws):
        return raws
    # tags and comments (a "# …" line would be a heading in Markdown), wherever they are
    out = ["" if _NOT_READ_RE.match(raw) else raw for raw in raws]
    i = 0
    while i < len(raws):
        raw = raws[i]
        block = _BLOCK_RE.match(raw)
        if block:
            level = 1 if block.group("kw") == "Feature" else 2
            out[i] = "#" * level + " " + (block.group("title").strip() or block.group("kw"))
            conditions, outcomes, end = _steps(raws, i + 1)
            outline = "Outline" in block.group("kw") or "Template" in block.group("kw")
            then = " and ".join(text for _, text in outcomes)
            for at, text in conditions:
                out[at] = "" if outline else _sentence(text, then)
            for at, _ in outcomes:
                out[at] = ""
            if outline:
                end = _examples(raws, out, end, [text for _, text in conditions], then)
            i = end
            continue
        if m := _STEP_RE.match(raw):
            out[i] = m.group("step")
        i += 1
    return out


def _examples(raws: list[str], out: list[str], i: int, conditions: list[str], then: str) -> int:
    """Each Examples row of an outline as its sentence, on the row's line; the index after the tables."""
    header: list[str] | None = None
    while i < len(raws):
        raw = raws[i]
        if _EXAMPLES_RE.match(raw) or not raw.strip() or _NOT_READ_RE.match(raw):
            out[i], header = "", None if _EXAMPLES_RE.match(raw) else header
        elif row := _ROW_RE.match(raw):
            cells = [c.strip() for c in row.group(1).split("|")]
            if header is None:
                header, out[i] = cells, ""
            else:
                values = dict(zip(header, cells, strict=False))

                def fill(text: str, values: dict[str, str] = values) -> str:
                    return re.sub(r"<([^<>]+)>", lambda m: values.get(m.group(1).strip(), m.group(0)), text)

                out[i] = _sentence(" and ".join(fill(c) for c in conditions), fill(then))
        else:
            break
        i += 1
    return i
