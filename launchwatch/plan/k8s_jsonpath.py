"""Kubernetes JSONPath templates (json_exporter's ``{ .values[*].id }``) in RFC 9535 spelling.

json_exporter, kubectl and client-go write a query as a template: literal text with actions in
braces. launchwatch takes RFC 9535 queries (``$.values[*].id``, relative ``@.id``) and label
templates (``planet-{$.location}``). This module translates one into the other so that
``launchwatch import json-exporter`` can convert a configuration and ``check`` can show the RFC 9535
spelling of a path pasted from json_exporter.

>>> to_query("{ .values[?(@.state == 'ACTIVE')] }")
"$.values[?(@.state == 'ACTIVE')]"
>>> to_template("planet-{.location}", root="$")
'planet-{$.location}'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Untranslatable", "looks_like_k8s", "parse_template", "to_query", "to_template"]


class Untranslatable(ValueError):
    """A template that has no RFC 9535 equivalent (``range``/``end`` loops, unions of actions, …)."""


@dataclass(frozen=True)
class _Part:
    text: str  # literal text, or the expression inside an action's braces
    action: bool


_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NAME_CHARS = re.compile(r"(?:\\.|[^.\[\]\s\\()=!<>&|,])+")


def looks_like_k8s(expr: str) -> bool:
    """True for text written as a Kubernetes JSONPath template (an action in braces)."""
    stripped = expr.strip()
    return stripped.startswith("{") and stripped.endswith("}")


def parse_template(text: str) -> list[_Part]:
    """Literal text and ``{…}`` actions, in order; quotes inside an action may hold braces."""
    parts: list[_Part] = []
    literal = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "{":
            if ch == "}":
                raise Untranslatable(f"{text!r}: '}}' without an opening '{{'")
            literal += ch
            i += 1
            continue
        end = _closing(text, i)
        if literal:
            parts.append(_Part(literal, False))
            literal = ""
        parts.append(_Part(text[i + 1:end].strip(), True))
        i = end + 1
    if literal:
        parts.append(_Part(literal, False))
    return parts


def _closing(text: str, start: int) -> int:
    quote = None
    for j in range(start + 1, len(text)):
        ch = text[j]
        if quote:
            if ch == "\\":
                continue
            if ch == quote and text[j - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "{":
            raise Untranslatable(f"{text!r}: nested '{{' inside an action")
        elif ch == "}":
            return j
    raise Untranslatable(f"{text!r}: '{{' is never closed")


def to_query(template: str, root: str = "$") -> str:
    """The RFC 9535 query of a template that is exactly one action (``{ .a.b }`` → ``$.a.b``).

    ``root`` is ``$`` for a query from the document and ``@`` for one relative to a matched node.
    """
    parts = parse_template(template)
    if len(parts) != 1 or not parts[0].action:
        for part in parts:  # a loop or a literal says best why
            if part.action:
                _expression(part.text, root)
        raise Untranslatable(f"{template!r} is not a single {{…}} query")
    return _expression(parts[0].text, root)


def to_template(template: str, root: str = "$") -> str:
    """A launchwatch label template: literal text kept (braces doubled), each action a query."""
    out = []
    for part in parse_template(template):
        if part.action:
            out.append("{" + _expression(part.text, root) + "}")
        else:
            out.append(part.text.replace("{", "{{").replace("}", "}}"))
    return "".join(out)


def _expression(expr: str, root: str) -> str:
    expr = expr.strip()
    if not expr:
        raise Untranslatable("an empty {} action")
    word = expr.split(None, 1)[0]
    if word in ("range", "end") or expr.startswith(("'", '"')):
        raise Untranslatable(f"{{{expr}}}: Kubernetes template {('loops' if word in ('range', 'end') else 'literals')}"
                             " have no RFC 9535 equivalent")
    if expr.startswith("$"):
        expr = expr[1:]
    if expr and expr[0] not in ".[":
        raise Untranslatable(f"{{{expr}}}: a query starts with '.', '[' or '$'")
    out = root
    i = 0
    while i < len(expr):
        if expr.startswith("..", i):
            name, i = _name(expr, i + 2)
            out += ".." + _member(name).lstrip(".") if name and name != "*" else "..*"
        elif expr[i] == ".":
            name, i = _name(expr, i + 1)
            if not name:
                raise Untranslatable(f"{{{expr}}}: '.' without a name")
            out += "." + name if name == "*" else _member(name)
        elif expr[i] == "[":
            end = _bracket_end(expr, i)
            out += _bracket(expr[i + 1:end].strip(), root)
            i = end + 1
        elif expr[i].isspace():
            raise Untranslatable(f"{{{expr}}}: several queries in one action (a union); write one per mapping")
        else:
            raise Untranslatable(f"{{{expr}}}: unexpected {expr[i]!r} at position {i}")
    return out


def _name(expr: str, i: int) -> tuple[str, int]:
    if expr.startswith("*", i):
        return "*", i + 1
    m = _NAME_CHARS.match(expr, i)
    if m is None:
        return "", i
    return re.sub(r"\\(.)", r"\1", m.group()), m.end()


def _member(name: str, shorthand_ok: bool = True) -> str:
    if shorthand_ok and _SIMPLE_NAME.match(name):
        return "." + name
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"['{escaped}']"


def _bracket_end(expr: str, start: int) -> int:
    depth = 0
    quote = None
    for j in range(start, len(expr)):
        ch = expr[j]
        if quote:
            if ch == quote and expr[j - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j
    raise Untranslatable(f"{expr!r}: '[' is never closed")


def _bracket(inner: str, root: str) -> str:
    if inner == "*":
        return "[*]"
    if inner.startswith("?"):
        return "[?" + _filter(inner[1:].strip()) + "]"
    if re.fullmatch(r"-?\d*(:-?\d*){0,2}", inner) or re.fullmatch(r"-?\d+(\s*,\s*-?\d+)*", inner):
        return "[" + inner.replace(" ", "") + "]"
    if inner[:1] in "'\"" and inner[-1:] == inner[:1] and len(inner) >= 2:
        return _member(inner[1:-1], shorthand_ok=False)
    raise Untranslatable(f"[{inner}]: not an index, slice, name, wildcard or filter")


_FILTER_PATH = re.compile(r"@((?:\.(?:\\.|[^.\[\]\s\\()=!<>&|,])+|\[[^\]]*\])*)")


def _filter(text: str) -> str:
    """A filter's paths translated (``@.a-b`` → ``@['a-b']``); operators and literals kept as written."""
    out = []
    pos = 0
    quote = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = None
            i += 1
            continue
        if ch in "'\"":
            quote = ch
            i += 1
            continue
        if ch == "@":
            m = _FILTER_PATH.match(text, i)
            out.append(text[pos:i])
            out.append(_expression(m.group(1), "@") if m.group(1) else "@")
            pos = i = m.end()
            continue
        i += 1
    out.append(text[pos:])
    return "".join(out)
