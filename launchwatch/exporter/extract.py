"""Turn a source's JSON into Prometheus samples, as its metric mappings say.

A value that is null or absent gives no sample and is counted as missing; a value of the wrong
kind (an object where a number belongs, a string with no ``value_map`` entry, a non-finite
number) fails the whole source, because half a source is worse than none.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jsonpath

from launchwatch.exporter.exposition import Family
from launchwatch.exporter.paths import Query, query
from launchwatch.plan.model import MetricMapping, Source

__all__ = ["ExtractError", "Extraction", "extract", "parse_json"]

_MAX_DEPTH = 200


class ExtractError(Exception):
    """The document does not fit the plan; ``reason`` is ``invalid_json`` or ``invalid_value``."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass
class Extraction:
    families: list[Family] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {dup!r}")
    return out


def parse_json(body: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no duplicate keys, bounded nesting."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractError("invalid_json", f"body is not UTF-8 (byte {exc.start})") from None
    if _too_deep(text):
        raise ExtractError("invalid_json", f"JSON nested deeper than {_MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except (ValueError, RecursionError) as exc:
        raise ExtractError("invalid_json", f"body is not valid JSON: {str(exc)[:200]}") from None


def _too_deep(text: str) -> bool:
    """Cheap pre-check so a hostile document cannot exhaust the parser's recursion."""
    if text.count("[") + text.count("{") <= _MAX_DEPTH:
        return False
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > _MAX_DEPTH:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def extract(source: Source, doc: Any, help_suffix: str = "") -> Extraction:
    """Samples for every mapping of ``source`` from the parsed document ``doc``."""
    out = Extraction()
    families: dict[str, Family] = {}
    seen: dict[str, set[tuple[str, ...]]] = {}
    label_names: dict[str, tuple[str, ...]] = {}
    for mapping in source.metrics:
        family = families.get(mapping.name)
        if family is None:
            family = _family(mapping, help_suffix)
            families[mapping.name] = family
            out.families.append(family)
        keys = seen.setdefault(mapping.name, set())
        # Another mapping of the same metric has its label names (checked at load), maybe in another order.
        first = label_names.setdefault(mapping.name, mapping.label_names)
        order = None if mapping.label_names == first else [mapping.label_names.index(n) for n in first]
        path = query(mapping.path)
        labels_of = _label_reader(mapping)
        matches = _matches(mapping, path, doc)
        for parts, node in matches:
            labels = labels_of(parts, node)
            value = _value(mapping, node)
            if labels is None or value is None:
                out.missing.append(mapping.name)
                continue
            if order is not None:
                labels = tuple(labels[i] for i in order)
            if labels in keys:
                raise ExtractError("invalid_value", f"{mapping.name}: two samples with labels {labels}")
            keys.add(labels)
            family.samples.append((labels, value))
        if not matches and path.singular:
            out.missing.append(mapping.name)
    return out


def _family(m: MetricMapping, help_suffix: str) -> Family:
    return Family(m.name, m.type, m.help + help_suffix, m.label_names)


def _label_reader(m: MetricMapping) -> Callable[[tuple, Any], tuple[str, ...] | None]:
    """How to read one sample's label values from a match: built once per mapping, used per match."""
    specs = [(spec, None if spec in ("@key", "@parentkey") else query(spec)) for spec in m.labels.values()]
    const = tuple(m.const_labels.values())
    if not specs:
        return lambda parts, node: const

    def read(parts: tuple, node: Any) -> tuple[str, ...] | None:
        values = []
        for spec, q in specs:
            if q is None:
                at = -1 if spec == "@key" else -2
                values.append(str(parts[at]) if len(parts) >= -at else "")
                continue
            found = _first(m, q, node)
            if found is None:
                return None
            if isinstance(found, dict | list):
                raise ExtractError("invalid_value", f"{m.name}: label from {spec} is an object, not a value")
            values.append(_label_text(found))
        return (*values, *const)

    return read


def _matches(m: MetricMapping, path: Query, node: Any) -> list[tuple[tuple, Any]]:
    try:
        return path.matches(node)
    except jsonpath.JSONPathError as exc:  # e.g. '..' through more levels than python-jsonpath allows
        raise ExtractError("invalid_value", f"{m.name}: cannot evaluate {path.expr}: "
                                            f"{str(exc).splitlines()[0]}") from None


def _first(m: MetricMapping, path: Query, node: Any) -> Any:
    try:
        return path.first(node)
    except jsonpath.JSONPathError as exc:
        raise ExtractError("invalid_value", f"{m.name}: cannot evaluate {path.expr}: "
                                            f"{str(exc).splitlines()[0]}") from None


def _label_text(node: Any) -> str:
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, float) and node.is_integer():
        return str(int(node))
    return str(node)


def _value(m: MetricMapping, node: Any) -> float | None:
    if m.type == "info":
        return 1.0
    if m.value is not None:
        if not isinstance(node, dict | list):
            raise ExtractError("invalid_value", f"{m.name}: expected an object holding {m.value}, got {_kind(node)}")
        node = _first(m, query(m.value), node)
    if node is None:
        return None
    if isinstance(node, bool):
        number = 1.0 if node else 0.0
    elif isinstance(node, int | float):
        try:
            number = float(node)
        except OverflowError:  # an integer no float can hold: not finite, refused below
            number = math.inf
    elif isinstance(node, str):
        if node in m.value_map:
            number = m.value_map[node]
        else:
            known = ", ".join(sorted(m.value_map)) or "none: add a value_map"
            shown = repr(node) if len(node) <= 40 else f"of {len(node)} characters"  # never a cut-off fragment
            raise ExtractError("invalid_value", f"{m.name}: string {shown} has no value (known: {known})")
    else:
        raise ExtractError("invalid_value", f"{m.name}: expected a number, got {_kind(node)}")
    number *= m.scale
    if not math.isfinite(number):
        raise ExtractError("invalid_value", f"{m.name}: value is not a finite number")
    return number


def _kind(node: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string"}.get(type(node), type(node).__name__)
