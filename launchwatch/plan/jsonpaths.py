"""RFC 9535 JSONPath queries through python-jsonpath: compiled once per query text, matched on parsed JSON.

Its own small module (no pydantic), so the serving process (``launchwatch.exporter.process``) can
evaluate the queries the direct walk (``launchwatch.exporter.paths``) leaves to the library.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import jsonpath

__all__ = ["compile_jsonpath", "find"]

_JSONPATH_ENV = jsonpath.JSONPathEnvironment(strict=True)


@functools.lru_cache(maxsize=16384)  # the same queries repeat across a plan's sources (and reloads)
def compile_jsonpath(expr: str) -> jsonpath.JSONPath:
    """Compile an RFC 9535 query; ``@.x`` (relative to a matched node) compiles as ``$.x``.

    The compiled query is shared by every caller that asks for the same text: it is only read."""
    text = "$" + expr[1:] if expr.startswith("@") else expr
    return _JSONPATH_ENV.compile(text)


def find(path: jsonpath.JSONPath, node: Any) -> Iterator[jsonpath.JSONPathMatch]:
    """The matches of ``path`` in the parsed JSON ``node``.

    python-jsonpath parses a ``str`` it is given as JSON text; here a string is a value, which only
    ``$`` (the node itself) matches.
    """
    if not isinstance(node, str):
        return path.finditer(node)
    if path.segments:
        return iter(())
    return iter([jsonpath.JSONPathMatch(filter_context={}, obj=node, parent=None, path="$", parts=(), root=node)])
