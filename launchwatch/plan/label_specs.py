"""What a mapping's ``labels:`` values may say, parsed once for the model and the exporter.

A label value is one reference or a template of literal text and ``{reference}`` parts:

- ``@key`` / ``@parentkey`` / ``@key(N)``: the map key or array index of the matched node, of its
  parent, or N levels up (``@key(0)`` is ``@key``, ``@key(1)`` is ``@parentkey``);
- ``@target``: the source's name (``/probe``: the probed URL), for a metric several sources share;
- ``@.field`` (RFC 9535, relative to the matched node) or ``$.field`` (from the document's root);
- a template such as ``planet-{$.location}`` or ``{@parentkey}/{@key}`` (``{{``/``}}`` are literal braces).

>>> parse("planet-{$.location}")
['planet-', Ref(kind='query', up=0, query='$.location')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Ref", "check_label", "parse", "queries"]

_KEY = re.compile(r"@(key|parentkey)(?:\((\d{1,3})\))?\Z")


@dataclass(frozen=True)
class Ref:
    """One reference: a key ``up`` levels above the match, the target, or a query."""

    kind: str  # "key", "target" or "query"
    up: int = 0
    query: str = ""


Part = str | Ref


def _ref(text: str) -> Ref:
    text = text.strip()
    m = _KEY.match(text)
    if m:
        if m.group(1) == "parentkey" and m.group(2) is not None:
            raise ValueError(f"{text!r}: write '@key(N)' for N levels up ('@parentkey' is '@key(1)')")
        return Ref("key", int(m.group(2) or 0) + (1 if m.group(1) == "parentkey" else 0))
    if text == "@target":
        return Ref("target")
    if text.startswith(("@", "$")):
        return Ref("query", query=text)
    if text.startswith((".", "[")):
        raise ValueError(f"{{{text}}} is Kubernetes JSONPath (json_exporter's): write {{${text}}} (from the "
                         f"document's root) or {{@{text}}} (from the matched node)")
    raise ValueError(f"{{{text}}}: a template part is '@key', '@parentkey', '@key(N)', '@target', "
                     "'@.field' or '$.field'")


def parse(spec: str) -> list[Part]:
    """Literal strings and references, in order; raises ValueError with a message for the plan."""
    if "{" not in spec and "}" not in spec:
        if not spec.startswith(("@", "$")):
            raise ValueError(f"{spec!r} is a fixed value: put it under 'const_labels' (labels take '@key', "
                             "'@parentkey', '@key(N)', '@.field', '$.field' or a template such as "
                             "'planet-{$.location}')")
        return [_ref(spec)]
    parts: list[Part] = []
    literal = ""
    i = 0
    while i < len(spec):
        ch = spec[i]
        if spec.startswith(("{{", "}}"), i):
            literal += ch
            i += 2
        elif ch == "}":
            raise ValueError(f"{spec!r}: a lone '}}' (write '}}}}' for a literal brace)")
        elif ch == "{":
            end = _closing(spec, i)
            if literal:
                parts.append(literal)
                literal = ""
            parts.append(_ref(spec[i + 1:end]))
            i = end + 1
        else:
            literal += ch
            i += 1
    if literal:
        parts.append(literal)
    if not any(isinstance(p, Ref) for p in parts):
        raise ValueError(f"{spec!r} has no {{reference}}: put a fixed value under 'const_labels'")
    return parts


def _closing(spec: str, start: int) -> int:
    quote = None
    for j in range(start + 1, len(spec)):
        ch = spec[j]
        if quote:
            if ch == quote and spec[j - 1] != "\\":
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "}":
            return j
    raise ValueError(f"{spec!r}: '{{' is never closed (write '{{{{' for a literal brace)")


def queries(spec: str) -> list[str]:
    """The JSONPath queries a label value reads (for compiling them at load)."""
    return [p.query for p in parse(spec) if isinstance(p, Ref) and p.kind == "query"]


def check_label(spec: str) -> str:
    parse(spec)
    return spec
