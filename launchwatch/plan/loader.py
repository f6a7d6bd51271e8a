"""Load a plan file into the one typed model, or say exactly what is wrong and where.

Every problem names the file, the line and the dotted key (``sources[0].metrics[2].type``),
with a did-you-mean for unknown keys, so an operator can fix a plan without reading code.
"""

from __future__ import annotations

import difflib
import gc
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ValidationError

from launchwatch.plan.dashboards import COUNTER_AGGREGATIONS, GAUGE_AGGREGATIONS
from launchwatch.plan.model import MetricMapping, Plan
from launchwatch.plan.units import clock_seconds, format_duration
from launchwatch.plan.urls import ambiguous_credentials, has_credentials, resolve_url, without_credentials
from launchwatch.plan.yaml_events import MAX_NESTING, MAX_REPEATS, read_plain
from launchwatch.selfmetric_names import SELF_METRIC_LABELS

__all__ = ["PlanError", "Problem", "load_model_file", "load_plan", "load_plan_text", "resolve_url"]

_Key = tuple[str | int, ...]
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plan, with where it is."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class PlanError(Exception):
    """A plan that cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_plan(path: str | Path, *, base_url: str | None = None, notes: list[Problem] | None = None) -> Plan:
    """Read and validate a plan file; ``base_url`` overrides the plan's own; ``notes`` (when given)
    receives what ``check`` says about a valid plan (``launchwatch.plan.notes``).

    >>> plan = load_plan("plans/whatsapp-quiz.yml")  # doctest: +SKIP
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([Problem(str(path), 0, "", f"cannot read plan: {exc}")]) from None
    return load_plan_text(text, str(path), base_url=base_url, notes=notes)


def load_plan_text(text: str, filename: str = "<plan>", *, base_url: str | None = None,
                   notes: list[Problem] | None = None) -> Plan:
    """Validate plan YAML held in memory; ``filename`` is only used in messages.

    Plain YAML (nearly every plan) is read from libyaml's events without the line of every key
    (``launchwatch.plan.yaml_events``); the lines are worked out only when there is something to
    say about a line: a problem, or ``notes``. The cyclic garbage collector waits until the plan is
    read: a big plan is some 100,000 new objects, none of them garbage, which it would otherwise scan
    again and again (a third of the time at 1,000 sources).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_plan_text(text, filename, base_url, notes)
    finally:
        if collecting:
            gc.enable()


def _load_plan_text(text: str, filename: str, base_url: str | None, notes: list[Problem] | None) -> Plan:
    data = read_plain(text)
    lines: dict[_Key, int] | None = None
    if data is None:
        data, lines = _parse_yaml(text, filename)
    if not isinstance(data, dict):
        raise PlanError([Problem(filename, 1, "", "a plan must be a YAML mapping (plan:, title:, sources: …)")])
    if base_url is not None:
        data = {**data, "base_url": base_url}
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        lines = lines if lines is not None else _parse_yaml(text, filename)[1]
        problems = sorted(_pydantic_problems(exc, data, lines, filename), key=lambda p: p.line)
        raise PlanError(problems) from None
    if found := _cross_checks(plan):
        lines = lines if lines is not None else _parse_yaml(text, filename)[1]
        raise PlanError([Problem(filename, _line_for(key, lines), _dotted(key), msg) for key, msg in found])
    if notes is not None:
        from launchwatch.plan.notes import plan_notes

        if said := plan_notes(plan):
            lines = lines if lines is not None else _parse_yaml(text, filename)[1]
            notes.extend(Problem(filename, _line_for(key, lines), _dotted(key), msg) for key, msg in said)
    return plan


def load_model_file(path: str | Path, model: type[ModelT], *, what: str) -> ModelT:
    """Any other YAML file launchwatch reads (e.g. the web config), with the plan's file:line:key errors."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([Problem(str(path), 0, "", f"cannot read {what}: {exc}")]) from None
    data, lines = _parse_yaml(text, str(path), what=what, empty={})
    if not isinstance(data, dict):
        raise PlanError([Problem(str(path), 1, "", f"a {what} must be a YAML mapping")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = _pydantic_problems(exc, data, lines, str(path), root=model)
        raise PlanError(sorted(problems, key=lambda p: p.line)) from None


class _Loader(yaml.SafeLoader):
    """SafeLoader that records the line of every key and rejects duplicate keys."""


_CLoader = getattr(yaml, "CSafeLoader", None)  # libyaml: ~3x faster and leaner on a plan of 1,000 sources
# libyaml composes nested collections by C recursion, which no RecursionError stops: only text whose
# nesting is provably shallow goes to it.
_C_MAX_DEPTH = 1000


def _compose(text: str) -> tuple[yaml.SafeLoader, Any]:
    if _CLoader is not None and _depth_bound(text) <= _C_MAX_DEPTH:
        loader = _CLoader(text)
        try:
            return loader, loader.get_single_node()
        except yaml.YAMLError:  # the pure-Python loader below says what is wrong, in its own words
            loader.dispose()
    loader = _Loader(text)  # refuses characters YAML does not allow (NUL, most control characters)
    try:
        return loader, loader.get_single_node()
    except RecursionError:  # PyYAML composes nested collections recursively
        raise _TooDeep(loader.line + 1) from None


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


def _depth_bound(text: str) -> int:
    """At least the nesting depth of ``text``: every bracket may open a level, every indent column too."""
    opens = text.count("[") + text.count("{")
    if opens > _C_MAX_DEPTH:
        return opens
    return opens + max((len(line) - len(line.lstrip(" -?:")) for line in text.splitlines()), default=0) + 1


def _parse_yaml(text: str, filename: str, what: str = "plan", empty: Any = None) -> tuple[Any, dict[_Key, int]]:
    try:
        loader, root = _compose(text)
    except yaml.YAMLError as exc:
        raise PlanError([_yaml_problem(exc, filename, text)]) from None
    except _TooDeep as exc:
        raise PlanError([Problem(filename, exc.line, "", "not valid YAML: nested too deeply")]) from None
    if root is None and empty is not None:
        loader.dispose()
        return empty, {}
    if root is None:
        raise PlanError([Problem(filename, 1, "", f"the {what} is empty")])
    lines: dict[_Key, int] = {}
    problems: list[Problem] = []
    try:
        data = _build(root, (), lines, problems, filename, loader, _Walk())
    except yaml.YAMLError as exc:
        raise PlanError([_yaml_problem(exc, filename, text)]) from None
    finally:
        loader.dispose()
    if problems:
        raise PlanError(problems)
    return data, lines


def _yaml_problem(exc: yaml.YAMLError, filename: str, text: str) -> Problem:
    """YAML that does not parse, in one line: where, and PyYAML's reason without its excerpt."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        line = mark.line + 1
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
    else:
        line = 0
    reason = _unquoted(getattr(exc, "problem", None) or str(exc).splitlines()[0])
    return Problem(filename, line, "", f"not valid YAML: {reason}")


def _unquoted(reason: str) -> str:
    """PyYAML's reason with the tag or alias it quotes cut to its first sign: an unquoted secret starting
    with '!' reads as a tag, one starting with '*' as an alias, and the message must not repeat it."""
    if "tag" not in reason and "alias" not in reason:
        return reason
    cut = re.sub(r"'(?!<)([!*]?)[^']*'", r"'\1…'", reason)  # PyYAML's own '<tag>' token names stay
    return f"{cut} (quote a value that starts with '!' or '*')"


# Aliases let a few lines of YAML stand for a huge or endless document ("billion laughs", `&a [*a]`):
# values are nested at most this deep, and aliases repeat at most this many values.
_MAX_NESTING = MAX_NESTING  # (launchwatch.plan.yaml_events holds its fast path to the same limits)
_MAX_REPEATS = MAX_REPEATS
# A tag on a mapping or list (!!python/object/apply:..., !!set) is refused, not silently dropped.
_PLAIN_TAGS = {yaml.MappingNode: "tag:yaml.org,2002:map", yaml.SequenceNode: "tag:yaml.org,2002:seq"}


class _Walk:
    def __init__(self) -> None:
        self.seen: set[int] = set()  # nodes built once: meeting one again is an alias
        self.repeats = 0


def _build(node: yaml.Node, key: _Key, lines: dict[_Key, int], problems: list[Problem], filename: str,
           loader: _Loader, walk: _Walk) -> Any:
    lines.setdefault(key, node.start_mark.line + 1)
    if id(node) in walk.seen:
        walk.repeats += 1
        if walk.repeats > _MAX_REPEATS:
            raise PlanError([Problem(filename, node.start_mark.line + 1, _dotted(key),
                                     f"aliases repeat more than {_MAX_REPEATS} values: refusing to expand them")])
    walk.seen.add(id(node))
    if len(key) > _MAX_NESTING:
        raise PlanError([Problem(filename, node.start_mark.line + 1, _dotted(key[:4]) + "…",
                                 f"nested deeper than {_MAX_NESTING} levels (or an alias inside the value it names)")])
    if node.tag != _PLAIN_TAGS.get(type(node), node.tag):
        raise yaml.constructor.ConstructorError(None, None, f"tag {node.tag!r} is not allowed: only plain mappings "
                                                "and lists", node.start_mark)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            k = _construct(loader, knode)
            if not isinstance(k, str | int | float | bool) or k is None:
                line = knode.start_mark.line + 1
                problems.append(Problem(filename, line, _dotted(key), "keys must be plain scalars"))
                continue
            child = (*key, k)
            if isinstance(k, bool) and not knode.style:  # yes/no/on/off/true/false, unquoted
                problems.append(Problem(filename, knode.start_mark.line + 1, _dotted((*key, knode.value)),
                                        f"key {knode.value!r} reads as the boolean {str(k).lower()} in YAML: "
                                        f"quote it ('{knode.value}')"))
                continue
            if k in out:
                problems.append(Problem(filename, knode.start_mark.line + 1, _dotted(child),
                                        "duplicate key: it was already given above"))
                continue
            lines[child] = knode.start_mark.line + 1
            out[k] = _build(vnode, child, lines, problems, filename, loader, walk)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*key, i), lines, problems, filename, loader, walk) for i, item in enumerate(node.value)]
    return _construct(loader, node)


def _construct(loader: _Loader, node: yaml.Node) -> Any:
    """The value of ``node``; PyYAML lets int(), date() and the like fail on some scalars (``!!int x``,
    ``2020-13-45``, a 5000-digit integer): that becomes a YAML error at the node, without the value."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError, RecursionError):
        tag = node.tag.rsplit(":", 1)[-1]
        raise yaml.constructor.ConstructorError(None, None, f"cannot read this {tag}", node.start_mark) from None


def _line_for(key: _Key, lines: dict[_Key, int]) -> int:
    while key and key not in lines:
        key = key[:-1]
    return lines.get(key, 1)


def _dotted(key: _Key) -> str:
    out = ""
    for part in key:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_problems(exc: ValidationError, data: Any, lines: dict[_Key, int], filename: str,
                       root: type[BaseModel] = Plan) -> list[Problem]:
    errors = [(err, _real_loc(err["loc"], data, err["type"] == "missing")) for err in exc.errors()]
    # A union (e.g. a header that is a string or a secret reference) fails once per member; keep
    # the member that matches the input's shape: a mapping given where a string could go means
    # the author meant the mapping form.
    by_loc: dict[_Key, int] = {}
    for _, loc in errors:
        by_loc[loc] = by_loc.get(loc, 0) + 1
    problems: list[Problem] = []
    for err, loc in errors:
        if by_loc[loc] > 1 and err["type"] in _SCALAR_TYPE_ERRORS and isinstance(err.get("input"), dict | list):
            continue
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_type" and isinstance(err.get("input"), bool | int | float | type(None)):
            shown = {True: "true", False: "false", None: "null"}.get(err.get("input"), repr(err.get("input")))
            msg += (f" (YAML read an unquoted value as {shown}: quote it, e.g. 'no', 'on', '1.0'; unquoted "
                    "yes/no/on/off/true/false are booleans)")
        if err["type"] == "extra_forbidden":
            msg = "unknown key" + _did_you_mean(loc, data, root)
        elif err["type"] == "missing":
            msg = "required key is missing"
        problem = Problem(filename, _line_for(loc, lines), _dotted(loc), msg)
        if problem not in problems:
            problems.append(problem)
    return problems


_SCALAR_TYPE_ERRORS = frozenset({"string_type", "int_type", "float_type", "bool_type", "int_parsing",
                                 "float_parsing", "bool_parsing", "literal_error"})


def _real_loc(loc: tuple[Any, ...], data: Any, missing: bool) -> _Key:
    """Drop pydantic's union and validator tags from ``loc`` so it matches the YAML keys."""
    out: list[str | int] = []
    node = data
    for i, part in enumerate(loc):
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if (isinstance(node, dict) and part in node) or in_list:
            out.append(part)
            node = node[part]
        elif missing and i == len(loc) - 1 and isinstance(part, str):
            out.append(part)  # the missing key itself, reported on its parent's line
    return tuple(out)


# Keys of json_exporter's configuration, as a plan says them: a did-you-mean by spelling would mislead
# ('valuetype' is closest to 'value', but means 'type').
_FOREIGN_KEYS = {
    "valuetype": "'type' (counter, gauge or info)",
    "allow_missing_key": "'optional: true'",
    "epochtimestamp": "'timestamp' (with timestamp_unit: ms for json_exporter's milliseconds)",
    "values": "one mapping per value, each with 'value: \"@.field\"' (or 'launchwatch import json-exporter')",
    "valueconverter": "'value_map' (and value_map_default)",
    "http_client_config": "'auth' and 'tls' (or 'launchwatch import json-exporter')",
}


def _did_you_mean(loc: _Key, data: Any, root: type[BaseModel] = Plan) -> str:
    model = _model_at(loc[:-1], data, root)
    if model is None:
        return ""
    foreign = _FOREIGN_KEYS.get(str(loc[-1]).lower())
    if foreign and root is Plan:
        return f" (json_exporter's {loc[-1]!r} is {foreign} here)"
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1, cutoff=0.6)
    allowed = ", ".join(model.model_fields)
    return f" (did you mean '{close[0]}'?)" if close else f" (allowed: {allowed})"


def _model_at(key: _Key, data: Any, root: type[BaseModel] = Plan) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``key``, found by walking field annotations."""
    import typing

    model: Any = root
    for part in key:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        ann = model.model_fields[part].annotation
        model = _first_model(ann, typing)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _first_model(ann: Any, typing: Any) -> Any:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in typing.get_args(ann):
        found = _first_model(arg, typing)
        if found is not None:
            return found
    return None


def _cross_checks(plan: Plan) -> list[tuple[_Key, str]]:
    """Checks across the whole plan that one field cannot see.

    A metric name may repeat inside one source, with the same type, help and label names and
    different constant labels (e.g. one mapping per percentile), or across sources when every
    mapping of it declares ``target: "@target"``; anything else is a duplicate.
    """
    out: list[tuple[_Key, str]] = []
    sources: dict[str, int] = {}
    metrics: dict[str, tuple[str, MetricMapping]] = {}
    for i, src in enumerate(plan.sources):
        if src.name in sources:
            first = sources[src.name]
            out.append((("sources", i, "name"), f"duplicate source name {src.name!r} (also sources[{first}])"))
        sources.setdefault(src.name, i)
        url = resolve_url(plan.base_url, src.url)
        try:
            parts = urlsplit(url)
            usable = parts.scheme in ("http", "https") and parts.hostname
        except ValueError:  # e.g. an unclosed IPv6 bracket
            usable = False
        if not usable:
            hint = "" if plan.base_url or "://" in src.url else " (a relative URL needs the plan's 'base_url')"
            out.append((("sources", i, "url"), f"{without_credentials(src.url)!r} is not an http(s) URL{hint}"))
        elif ambiguous_credentials(src.url) or ambiguous_credentials(url):
            out.append((("sources", i, "url"), f"{without_credentials(url)!r}: the user name or password is not "
                                               "where a URL has them (write http(s)://user:password@host/…, "
                                               "percent-encoding any '#', '/', '?' or '@' in them; or use 'auth')"))
        if src.module is not None and src.module not in {m.name for m in plan.modules}:
            out.append((("sources", i, "module"), _unknown([src.module], {m.name for m in plan.modules}, "module")
                        or "unknown module"))
        for j, m in enumerate(src.metrics):
            first = metrics.setdefault(m.name, (src.name, m))
            if first[1] is m:
                continue
            other_source, other = first
            if other_source != src.name and not (m.shared and other.shared):
                why = (f"already in source {other_source!r}; sources share a metric when each of its mappings "
                       "declares the label 'target: \"@target\"' (the same in a module)")
            elif (other_source != src.name and (other.type, other.help, sorted(other.label_names))
                  != (m.type, m.help, sorted(m.label_names))):
                why = f"shared with source {other_source!r} with a different type, help or label names"
            elif other_source != src.name:
                continue
            elif (other.type, other.help, sorted(other.label_names)) != (m.type, m.help, sorted(m.label_names)):
                why = "repeated with a different type, help or label names"
            elif other.const_labels == m.const_labels and not m.labels:
                why = "repeated with the same constant labels"
            else:
                continue
            out.append((("sources", i, "metrics", j, "name"), f"duplicate metric name {m.name!r} ({why})"))
    names = {}
    for i, mod in enumerate(plan.modules):
        if names.setdefault(mod.name, i) != i:
            out.append((("modules", i, "name"), f"duplicate module name {mod.name!r} "
                        f"(also modules[{names[mod.name]}])"))
    from launchwatch.plan.journeys import journey_problems  # after model, which it builds on (see model.py)

    out += journey_problems(plan)
    if not out:
        facts = _metric_facts(plan)  # once: some 10,000 metrics in a plan of 1,000 sources
        out += _alerting_checks(plan, facts)
        out += _dashboard_checks(plan, facts)
        out += _report_checks(plan, facts)
    if plan.runbook_base and has_credentials(plan.runbook_base):
        out.append((("runbook_base",), "must not carry user:password@: every alert's runbook_url would show it"))
    return out


def _alerting_checks(plan: Plan, facts: tuple[dict[str, set[str]], dict[str, str]]) -> list[tuple[_Key, str]]:
    """Thresholds, tiers, channels and SLOs refer only to things the plan declares."""
    out: list[tuple[_Key, str]] = []
    channels = {c.name for c in plan.channels}
    tiers = {t.name for t in plan.tiers}
    phases = set(plan.phases.names) if plan.phases else set()
    labels, types = facts
    probed = {s.name for s in plan.sources if s.probe is not None}

    unknown = _unknown
    for i, tier in enumerate(plan.tiers):
        if msg := unknown(tier.channels, channels, "channel"):
            out.append((("tiers", i, "channels"), msg))
    seen: dict[tuple[str, str], int] = {}
    for i, th in enumerate(plan.thresholds):
        key: _Key = ("thresholds", i)
        if msg := unknown([th.tier], tiers, "tier"):
            out.append(((*key, "tier"), msg))
        if msg := unknown([th.metric], set(labels), "metric"):
            out.append(((*key, "metric"), msg))
            continue
        if th.denominator and (msg := unknown([th.denominator], set(labels), "metric")):
            out.append(((*key, "denominator"), msg))
        counter_kinds = ("ratio", "increase")
        if th.denominator in types and types[th.denominator] != "counter":
            out.append(((*key, "denominator"), f"kind 'ratio' needs a counter; {th.denominator} is a "
                                               f"{types[th.denominator]}"))
        if (types[th.metric] == "counter") != (th.kind in counter_kinds):
            need = "a counter" if th.kind in counter_kinds else "a gauge"
            out.append(((*key, "metric"), f"kind {th.kind!r} needs {need}; {th.metric} is a {types[th.metric]}"))
        if msg := unknown(list(th.matchers), labels[th.metric], f"label of {th.metric}"):
            out.append(((*key, "matchers"), msg))
        if th.denominator in labels and (
                msg := unknown(list(th.denominator_matchers), labels[th.denominator], f"label of {th.denominator}")):
            out.append(((*key, "denominator_matchers"), msg))
        if msg := unknown(th.by, labels[th.metric], f"label of {th.metric}"):
            out.append(((*key, "by"), msg))
        if msg := unknown(th.phases, phases, "phase"):
            out.append(((*key, "phases"), msg))
        if th.business_hours and plan.business_hours is None:
            out.append(((*key, "business_hours"), "the plan has no 'business_hours' to use"))
        elif th.business_hours and plan.business_hours and th.kind == "increase" and th.window and \
                clock_seconds(plan.business_hours.start) + th.window >= clock_seconds(plan.business_hours.end):
            bh = plan.business_hours
            out.append(((*key, "window"), "a business-hours rule watches a window that starts inside business hours: "
                                          f"{format_duration(th.window)} does not fit between {bh.start} and {bh.end}, "
                                          "so it could never fire"))
        for j, esc in enumerate(th.escalate):
            if msg := unknown(esc.channels, channels, "channel"):
                out.append(((*key, "escalate", j, "channels"), msg))
        for phase in th.phases or sorted(phases) or [""]:
            first = seen.setdefault((th.alert, phase), i)
            if first != i:
                out.append(((*key, "alert"), f"alert {th.alert!r} is already thresholds[{first}] in phase "
                                             f"{phase or '(all)'!r}; give each phase its own"))
    for i, slo in enumerate(plan.slos):
        key = ("slos", i)
        for field in ("page_tier", "ticket_tier"):
            if msg := unknown([getattr(slo, field)], tiers, "tier"):
                out.append(((*key, field), msg))
        if slo.probe_target and (msg := unknown([slo.probe_target], probed, "probed source")):
            out.append(((*key, "probe_target"), msg))
        for field in ("errors", "total"):
            name = getattr(slo, field)
            if name and (msg := unknown([name], set(labels), "metric")):
                out.append(((*key, field), msg))
        if msg := unknown(slo.phases, phases, "phase"):
            out.append(((*key, "phases"), msg))
    return out


def _metric_facts(plan: Plan) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Label names and type of every metric a rule or panel may read: the plan's and launchwatch's own."""
    labels = {name: set(ms[0].label_names) for name, ms in plan.metrics.items()}
    labels.update({name: set(ls) for name, ls in SELF_METRIC_LABELS.items()})
    types = {name: ms[0].type for name, ms in plan.metrics.items()}
    types.update({name: "counter" if name.endswith("_total") else "gauge" for name in SELF_METRIC_LABELS})
    return labels, types


def _unknown(items: list[str], known: set[str], what: str) -> str | None:
    bad = [x for x in items if x not in known]
    if not bad:
        return None
    close = difflib.get_close_matches(bad[0], sorted(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(known)) or 'none'})"
    return f"unknown {what} {', '.join(map(repr, bad))}{hint}"


def _dashboard_checks(plan: Plan, facts: tuple[dict[str, set[str]], dict[str, str]]) -> list[tuple[_Key, str]]:
    """Panels name signals and metrics the plan has, with labels they carry and a fitting aggregation."""
    out: list[tuple[_Key, str]] = []
    signals = {t.signal_name for t in plan.thresholds if t.kind != "drop"}
    alerts = {t.alert for t in plan.thresholds if t.kind != "drop"}
    labels, types = facts
    uids: dict[str, int] = {}
    for d, board in enumerate(plan.dashboards):
        if board.uid and uids.setdefault(board.uid, d) != d:
            out.append((("dashboards", d, "uid"), f"uid {board.uid!r} is already dashboards[{uids[board.uid]}]"))
        for r, row in enumerate(board.rows):
            for p, panel in enumerate(row.panels):
                for q, query in enumerate(panel.all_queries):
                    key: _Key = ("dashboards", d, "rows", r, "panels", p, *(("queries", q) if panel.queries else ()))
                    if query.signal is not None and (msg := _unknown([query.signal], signals, "signal")):
                        out.append(((*key, "signal"), msg + " (signals are the thresholds' 'signal', or their metric)"))
                    if query.alert is not None and (msg := _unknown([query.alert], alerts, "alert")):
                        out.append(((*key, "alert"), msg + " (a threshold's 'alert', not of kind 'drop')"))
                    if query.slo is not None and (msg := _unknown([query.slo], {s.name for s in plan.slos}, "slo")):
                        out.append(((*key, "slo"), msg))
                    if query.metric is None:
                        continue
                    if msg := _unknown([query.metric], set(labels), "metric"):
                        out.append(((*key, "metric"), msg))
                        continue
                    for field, names in (("by", query.by), ("matchers", list(query.matchers))):
                        if msg := _unknown(names, labels[query.metric], f"label of {query.metric}"):
                            out.append(((*key, field), msg))
                    counter = types[query.metric] == "counter"
                    if query.aggregation and (query.aggregation in COUNTER_AGGREGATIONS) != counter:
                        fits = COUNTER_AGGREGATIONS if counter else GAUGE_AGGREGATIONS
                        out.append(((*key, "aggregation"), f"{query.metric} is a {types[query.metric]}: use one of "
                                                           f"{', '.join(fits)}"))
    return out


def _report_checks(plan: Plan, facts: tuple[dict[str, set[str]], dict[str, str]]) -> list[tuple[_Key, str]]:
    """Report rows name signals, SLOs and metrics the plan has, summed up in a way that fits them."""
    out: list[tuple[_Key, str]] = []
    signals = {t.signal_name for t in plan.thresholds if t.kind != "drop"}
    labels, types = facts
    names: dict[str, int] = {}
    for r, report in enumerate(plan.reports):
        if names.setdefault(report.name, r) != r:
            out.append((("reports", r, "name"), f"report {report.name!r} is already reports[{names[report.name]}]"))
        phases = set(plan.phases.names) if plan.phases else set()
        if report.phase is not None and (msg := _unknown([report.phase], phases, "phase")):
            out.append((("reports", r, "phase"), msg))
        for s, section in enumerate(report.sections):
            for i, row in enumerate(section.rows):
                key: _Key = ("reports", r, "sections", s, "rows", i)
                if row.signal is not None and (msg := _unknown([row.signal], signals, "signal")):
                    out.append(((*key, "signal"), msg + " (signals are the thresholds' 'signal', or their metric)"))
                if row.slo is not None and (msg := _unknown([row.slo], {x.name for x in plan.slos}, "slo")):
                    out.append(((*key, "slo"), msg))
                for field, metric, matchers in (("metric", row.metric, row.matchers),
                                                ("per", row.per, row.per_matchers)):
                    if metric is None:
                        continue
                    if msg := _unknown([metric], set(labels), "metric"):
                        out.append(((*key, field), msg))
                        continue
                    if msg := _unknown(list(matchers), labels[metric], f"label of {metric}"):
                        out.append(((*key, "matchers" if field == "metric" else "per_matchers"), msg))
                    counter = types[metric] == "counter"
                    agg = row.aggregation or ("ratio" if row.per else None)
                    if field == "per" and not counter:
                        out.append(((*key, field), f"{metric} is a {types[metric]}: 'per' takes a counter"))
                    elif field == "metric" and agg in ("total", "ratio") and not counter:
                        out.append(((*key, "aggregation"), f"{metric} is a {types[metric]}: use avg, max, min or last"))
                    elif field == "metric" and counter and agg in ("avg", "max", "min", "last"):
                        out.append(((*key, "aggregation"), f"{metric} is a counter: use total (or 'per' for a ratio)"))
                if row.signal is not None and row.signal in signals and row.aggregation == "ratio":
                    kinds = {t.kind for t in plan.thresholds if t.signal_name == row.signal}
                    if "ratio" not in kinds:
                        out.append(((*key, "aggregation"), f"signal {row.signal!r} is not a ratio: use avg, max, min, "
                                                           "last or total"))
    return out
