"""Turn a source's JSON into Prometheus samples, as its metric mappings say.

A value that is null or absent gives no sample and is counted as missing (unless the mapping is
``optional``); a value of the wrong kind (an object where a number belongs, a string that is
neither a number nor in ``value_map``, a non-finite number) fails the whole source, because half
a source is worse than none, unless the source chose ``isolation: metric``: then only that
mapping's samples are dropped, and ``Extraction.failed`` names it.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jsonpath

from launchwatch.exporter.exposition import Family
from launchwatch.exporter.paths import Query, query
from launchwatch.plan import label_specs

if TYPE_CHECKING:  # the exporter runs on either the model or its runtime form (launchwatch.plan.runtime)
    from launchwatch.plan.model import MetricMapping, Source

__all__ = ["ExtractError", "Extraction", "extract", "parse_json"]

_MAX_DEPTH = 200


class ExtractError(Exception):
    """The document does not fit the plan; ``reason`` is ``invalid_json`` or ``invalid_value``;
    ``metric`` names the mapping that failed ("" for the document as a whole)."""

    def __init__(self, reason: str, message: str, metric: str = ""):
        super().__init__(message)
        self.reason = reason
        self.metric = metric


@dataclass
class Extraction:
    families: list[Family] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[ExtractError] = field(default_factory=list)  # isolation: metric: the mappings dropped


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {dup!r}")
    return out


# One decoder for every body: json.loads with these arguments would build a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)


def parse_json(body: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, no duplicate keys, bounded nesting."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractError("invalid_json", f"body is not UTF-8 (byte {exc.start})") from None
    if _too_deep(text):
        raise ExtractError("invalid_json", f"JSON nested deeper than {_MAX_DEPTH} levels")
    try:
        return _DECODER.decode(text)
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


def extract(source: Source, doc: Any, help_suffix: str = "", target: str | None = None) -> Extraction:
    """Samples for every mapping of ``source`` from the parsed document ``doc``.

    ``target`` is what ``@target`` labels read (default: the source's name; ``/probe``: the URL).
    """
    out = Extraction()
    families: dict[str, Family] = {}
    seen: dict[str, set[tuple[str, ...]]] = {}
    label_names: dict[str, tuple[str, ...]] = {}
    target = source.name if target is None else target
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
        try:
            rows, missing = _mapping_samples(mapping, doc, target)
        except ExtractError as exc:
            exc.metric = mapping.name
            if source.isolation != "metric":
                raise
            out.failed.append(exc)
            continue
        if order is not None:
            rows = [(tuple(labels[i] for i in order), value, ts) for labels, value, ts in rows]
        mine = {labels for labels, _, _ in rows}
        if len(mine) != len(rows) or not keys.isdisjoint(mine):
            twice = next(lb for lb, _, _ in rows if lb in keys or sum(1 for r in rows if r[0] == lb) > 1)
            exc = ExtractError("invalid_value", f"{mapping.name}: two samples with labels {twice}", mapping.name)
            if source.isolation != "metric":
                raise exc
            out.failed.append(exc)  # the whole mapping, never part of it
            continue
        out.missing.extend(missing)
        keys.update(mine)
        for labels, value, ts in rows:
            family.samples.append((labels, value))
            if ts is not None:
                if family.timestamps is None:
                    family.timestamps = [None] * (len(family.samples) - 1)
                family.timestamps.append(ts)
            elif family.timestamps is not None:
                family.timestamps.append(None)
    return out


def _mapping_samples(mapping: MetricMapping, doc: Any, target: str
                     ) -> tuple[list[tuple[tuple[str, ...], float, float | None]], list[str]]:
    """One mapping's (labels, value, timestamp) rows, and its name once per value missing."""
    path = query(mapping.path)
    labels_of = _label_reader(mapping, doc, target)
    matches = _matches(mapping, path, doc)
    rows = []
    missing = []
    for parts, node in matches:
        labels = labels_of(parts, node)
        value = _value(mapping, node)
        if labels is None or value is None:
            if not (mapping.optional and labels is not None):
                missing.append(mapping.name)
            continue
        rows.append((labels, value, _timestamp(mapping, node, doc) if mapping.timestamp else None))
    if not matches and path.singular and not mapping.optional:
        missing.append(mapping.name)
    return rows, missing


def _family(m: MetricMapping, help_suffix: str) -> Family:
    return Family(m.name, m.type, m.help + help_suffix, m.label_names, shared=m.shared)


_Reader = Callable[[tuple, Any], str | None]


def _label_reader(m: MetricMapping, doc: Any, target: str) -> Callable[[tuple, Any], tuple[str, ...] | None]:
    """How to read one sample's label values from a match: built once per mapping, used per match."""
    const = tuple(m.const_labels.values())
    if not m.labels:
        return lambda parts, node: const
    readers = [_spec_reader(m, spec, doc, target) for spec in m.labels.values()]
    defaults = [m.label_defaults.get(name) for name in m.labels]

    def read(parts: tuple, node: Any) -> tuple[str, ...] | None:
        values = []
        for reader, default in zip(readers, defaults, strict=True):
            value = reader(parts, node)
            if value is None:
                if default is None:
                    return None  # a label read from null or nothing: no sample, counted as missing
                value = default
            values.append(value)
        return (*values, *const)

    return read


@functools.lru_cache(maxsize=4096)
def _parsed_spec(spec: str) -> tuple[label_specs.Part, ...]:
    """A label spec's parts: parsed once per spec (the plan's are few), not once per scrape."""
    return tuple(label_specs.parse(spec))


def _spec_reader(m: MetricMapping, spec: str, doc: Any, target: str) -> _Reader:
    parsed = _parsed_spec(spec)
    readers = [(p, None) if isinstance(p, str) else (None, _ref_reader(m, p, doc, target)) for p in parsed]
    if len(readers) == 1 and readers[0][1] is not None:
        return readers[0][1]

    def template(parts: tuple, node: Any) -> str | None:
        out = []
        for literal, reader in readers:
            if reader is None:
                out.append(literal)
                continue
            value = reader(parts, node)
            if value is None:
                return None
            out.append(value)
        return "".join(out)

    return template


def _ref_reader(m: MetricMapping, ref: label_specs.Ref, doc: Any, target: str) -> _Reader:
    if ref.kind == "target":
        return lambda parts, node: target
    if ref.kind == "key":
        at = ref.up + 1
        return lambda parts, node: str(parts[-at]) if len(parts) >= at else ""
    q = query(ref.query)
    spec = ref.query
    if spec.startswith("$"):
        found = _first(m, q, doc)
        fixed = None if found is None else _label_value(m, spec, found)
        return lambda parts, node: fixed

    def relative(parts: tuple, node: Any) -> str | None:
        found = _first(m, q, node)
        return None if found is None else _label_value(m, spec, found)

    return relative


def _label_value(m: MetricMapping, spec: str, found: Any) -> str:
    if isinstance(found, dict | list):
        raise ExtractError("invalid_value", f"{m.name}: label from {spec} is an object, not a value")
    return _label_text(found)


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


# JSON's own number syntax: "1234", "-0.5", "1e3"; not "12abc", " 12", "1_000", "0x1f", "NaN" or "Infinity"
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _value(m: MetricMapping, node: Any) -> float | None:
    if m.type == "info":
        return 1.0
    if isinstance(m.value, float):  # a fixed value for every matched node
        return m.value
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
        number = _string_value(m, node)
    else:
        raise ExtractError("invalid_value", f"{m.name}: expected a number, got {_kind(node)}")
    number *= m.scale
    if not math.isfinite(number):
        raise ExtractError("invalid_value", f"{m.name}: value is not a finite number")
    return number


def _string_value(m: MetricMapping, text: str) -> float:
    if text in m.value_map:
        return m.value_map[text]
    if m.numeric_strings and len(text) <= 400 and _JSON_NUMBER.fullmatch(text):
        return float(text)
    if m.value_map_default is not None:
        return m.value_map_default
    shown = repr(text) if len(text) <= 40 else f"of {len(text)} characters"  # never a cut-off fragment
    what = "neither a number nor in value_map" if m.numeric_strings else "not in value_map"
    known = (f"known: {', '.join(sorted(m.value_map))}; value_map_default gives the others a value" if m.value_map
             else "add a value_map (and value_map_default for strings it does not list)")
    raise ExtractError("invalid_value", f"{m.name}: string {shown} is {what} ({known})")


def _timestamp(m: MetricMapping, node: Any, doc: Any) -> float | None:
    """The sample's time in seconds, read as the mapping says; None (no timestamp) when absent."""
    spec = m.timestamp or ""
    found = _first(m, query(spec), doc if spec.startswith("$") else node)
    if found is None:
        return None
    if isinstance(found, bool) or not isinstance(found, int | float | str):
        raise ExtractError("invalid_value", f"{m.name}: timestamp from {spec} is {_kind(found)}")
    if isinstance(found, str):
        if _JSON_NUMBER.fullmatch(found):
            found = float(found)
        else:
            try:
                moment = datetime.fromisoformat(found)
            except ValueError:
                raise ExtractError("invalid_value", f"{m.name}: timestamp from {spec} is neither a number nor "
                                                    "an RFC 3339 time") from None
            if moment.tzinfo is None:
                raise ExtractError("invalid_value", f"{m.name}: timestamp from {spec} has no time zone")
            return moment.timestamp()
    seconds = float(found) / (1000.0 if m.timestamp_unit == "ms" else 1.0)
    if not math.isfinite(seconds):
        raise ExtractError("invalid_value", f"{m.name}: timestamp from {spec} is not finite")
    return seconds


def _kind(node: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string"}.get(type(node), type(node).__name__)
