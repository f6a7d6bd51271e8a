"""Fuzzing the two places untrusted input enters: the plan loader and the JSON extraction.

Whatever the input, the plan loader gives a ``Plan`` or a ``PlanError`` naming ``file:line``,
and the extraction gives samples (every value a finite float) or an ``ExtractError``: no other
exception may escape.

- plan loader: arbitrary text, YAML-looking text, and the built-in plans mutated (keys deleted
  or renamed, values swapped for junk of the wrong type, huge numbers, odd strings, shared
  subtrees dumped as anchors and aliases, recursive aliases, unsafe tags such as
  ``!!python/object``, deep nesting, duplicated keys and list items), plus random metric
  mappings (JSONPath grammar, labels, value maps, scales) run against random documents;
- extraction: arbitrary bytes into ``parse_json``, JSON round trips, arbitrary documents against
  every source of the built-in plans, and documents shaped like each source's paths with the
  wrong kinds of values at the leaves and in between.

The example counts are bounded (``EXAMPLES`` per fuzz test, a fifth of that for each of the 34
per-source tests) and derandomized, so ``make test`` is deterministic: about 25 s here. To fuzz
harder locally, set ``LAUNCHWATCH_FUZZ_EXAMPLES``: the same tests then run that many examples with
a random seed, saving failures in ``.hypothesis/``; ``--hypothesis-show-statistics`` shows how
often each outcome (loaded, PlanError, samples, ExtractError) was reached::

    LAUNCHWATCH_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz.py --hypothesis-show-statistics
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import time
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from launchwatch.exporter.extract import ExtractError, Extraction, extract, parse_json
from launchwatch.plan import MetricMapping, Plan, PlanError, Source, builtin_plan_path, builtin_plans, load_plan_text
from launchwatch.plan.units import parse_duration, parse_size

# --- the one bound ------------------------------------------------------------------------------

_LOCAL = os.environ.get("LAUNCHWATCH_FUZZ_EXAMPLES")
EXAMPLES = int(_LOCAL) if _LOCAL else 150
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not _LOCAL,
    database=settings.default.database if _LOCAL else None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
# 34 sources are each fuzzed on their own: a fifth of the budget each keeps the file's runtime flat.
FUZZ_PER_SOURCE = settings(FUZZ, max_examples=max(10, EXAMPLES // 5))

FILENAME = "fuzz/plan.yml"
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")  # failing plans are long texts

# --- shared strategies --------------------------------------------------------------------------

# Integers JSON and YAML can still carry (Python refuses to parse more than 4300 digits) but no
# float can hold.
HUGE_INTS = st.tuples(st.integers(18, 4299), st.sampled_from([1, -1]), st.sampled_from([0, -1, 7])).map(
    lambda t: t[1] * (10 ** t[0] + t[2]))
WEIRD_STRINGS = st.one_of(st.sampled_from([
    "", " ", "\x00", "\n", "${HOME}", "{{ x }}", "%s%n", "null", "~", "NaN", "-Infinity", "1e400", "0x1F", "1_000",
    "2020-13-45", "$", "$[", "$..*", "@", "@key", "@parentkey", "@.", "$[?@ == 1e400]", "$[99999999999999999999]",
    "http://[::1", "http://\uff03x/", "a{4294967296}", "🙂", "\u202e", "\ud7ff", "<<", "*x", "&x",
    "!!python/object:os.system",
]), st.sampled_from([("x", 100_000, ""), ("é", 3000, ""), ("9", 400, ""), ("9", 400, "s"), ("9", 400, "MiB"),
                     ("(", 500, "")]).map(lambda t: t[0] * t[1] + t[2]))  # long ones built, to keep reprs short
TEXT = st.one_of(st.text(max_size=30), WEIRD_STRINGS)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), HUGE_INTS, st.floats(), TEXT,
)
JUNK = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(TEXT, st.integers(), st.booleans()), inner, max_size=4)),
    max_leaves=12)

JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), HUGE_INTS, st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=1e300, allow_infinity=False), TEXT,
)


def json_docs(keys: st.SearchStrategy[str] | None = None, leaves: int = 30) -> st.SearchStrategy[Any]:
    keys = st.text(max_size=8) if keys is None else keys
    return st.recursive(JSON_SCALARS, lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(keys, inner, max_size=5)), max_leaves=leaves)


# --- the built-in plans -------------------------------------------------------------------------

def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                     allow_unicode=True, width=100)


PLAN_TEXTS = {name: builtin_plan_path(name).read_text(encoding="utf-8") for name in builtin_plans()}
PLAN_DATA = {name: yaml.safe_load(text) for name, text in PLAN_TEXTS.items()}
PLANS = {name: load_plan_text(text, name) for name, text in PLAN_TEXTS.items()}
SOURCES: list[tuple[str, Source]] = [(f"{name}/{s.name}", s) for name, plan in PLANS.items()
                                     for s in plan.sources if s.metrics]


# --- checking outcomes --------------------------------------------------------------------------

def note_outcome(what: str) -> None:
    """Counted in ``pytest --hypothesis-show-statistics``, to see that each fuzzer reaches every outcome."""
    if currently_in_test_context():
        event(what)


def check_plan_outcome(text: str, *, mapping: bool) -> Plan | None:
    """Load ``text``: a ``Plan``, or a ``PlanError`` whose every problem names this file and a real line."""
    try:
        plan = load_plan_text(text, FILENAME)
    except PlanError as exc:
        note_outcome("plan: PlanError")
        assert exc.problems, "a PlanError lists at least one problem"
        assert str(exc).startswith(f"{FILENAME}:")
        last_line = len(re.split("\r\n|[\n\r\x85\u2028\u2029]", text))  # what YAML counts as line breaks
        for p in exc.problems:
            assert p.file == FILENAME
            assert str(p).startswith(f"{FILENAME}:{p.line}: ")
            assert p.message
            # A YAML error without a position may say line 0; a problem found in a mapping has its line.
            assert (1 if mapping else 0) <= p.line <= last_line, p
        return None
    note_outcome("plan: loaded")
    assert isinstance(plan, Plan)
    assert plan.metrics is not None
    for src in plan.sources:
        check_extraction(src, {})
    return plan


def check_extraction(source: Source, doc: Any) -> Extraction | None:
    """Extract ``doc``: samples with finite float values, one per label set, labelled as their mapping
    says; or an ``ExtractError`` naming the metric."""
    mappings: dict[str, list[MetricMapping]] = {}
    for m in source.metrics:
        mappings.setdefault(m.name, []).append(m)
    try:
        result = extract(source, doc)
    except ExtractError as exc:
        note_outcome("extract: ExtractError")
        assert exc.reason == "invalid_value"
        assert any(str(exc).startswith(f"{name}: ") for name in mappings), str(exc)[:200]
        return None
    assert set(result.missing) <= set(mappings)
    assert [f.name for f in result.families] == list(mappings)
    for family in result.families:
        assert family.label_names == mappings[family.name][0].label_names
        assert len({labels for labels, _ in family.samples}) == len(family.samples), "two samples, same labels"
        for labels, value in family.samples:
            assert type(value) is float and math.isfinite(value), (family.name, labels, value)
            assert len(labels) == len(family.label_names) and all(type(v) is str for v in labels), labels
            given = dict(zip(family.label_names, labels, strict=True))
            assert any(m.const_labels.items() <= given.items() for m in mappings[family.name]), (family.name, given)
    note_outcome("extract: samples" if any(f.samples for f in result.families) else "extract: no samples")
    return result


# --- plan loader: arbitrary text ----------------------------------------------------------------

YAML_ALPHABET = st.sampled_from([*"{}[]:,-?&*!|>'\"#%@` \n\t.$_0123456789abcdeknmpstuy",
    "plan: ", "title: ", "sources:\n", "  - ", "name: ", "url: ", "metrics:\n", "!!python/object:os.system ",
    "<<: ", "&a ", "*a ", "!!binary ", "~", ".inf", "1e400", "\n    "])


@FUZZ
@given(st.one_of(
    st.text(),
    st.binary().map(lambda b: b.decode("utf-8", "replace")),
    st.lists(YAML_ALPHABET, max_size=60).map("".join),
))
@example("a: " + "1" * 5000)  # YAML int too long for Python's int(): was ValueError
@example("a: 2020-13-45")  # YAML date that does not exist: was ValueError
@example("a: &x [*x]")  # recursive alias: was RecursionError
@example("[" * 5000)  # nesting deeper than the interpreter's stack: was RecursionError
@example("\ufeff\x00")  # a character YAML refuses: the ReaderError was raised before the handler
def test_plan_loader_arbitrary_text(text):
    check_plan_outcome(text, mapping=False)


# --- plan loader: the built-in plans, mutated ---------------------------------------------------

RAW_YAML = [  # dropped into a dumped plan as-is, in place of a value
    "!!python/object/apply:os.system ['true']", "!!python/name:os.system", "!!python/object:builtins.object {}",
    "!!python/tuple [1, 2]", "!!binary aGVsbG8=", "!!binary '!!!'", "!!set {a, b}", "!!omap [a: 1]",
    "!!timestamp 2020-01-01", "!!timestamp nope", "!!int nope", "!!float nope", "!!bool maybe", "!!null x",
    "!custom x", "!<tag:yaml.org,2002:str> 5", "2020-01-01", "2020-13-45", "2020-01-01T25:00:00Z", ".nan", "-.inf",
    "0x_ff", "0o17", "0b1010", "1_000", "190:20:30", "1" * 5000, "9" * 400, "-" + "9" * 400, "&a [*a]",
    "&b {k: *b}", "*undefined", "{<<: {name: x}}", "{<<: *undefined}", "{? [a, b] : c}", "{[1]: 2}",
    "{{a: 1}: 2}", "{null: 1}", "{1: 2, true: 3}", "{a: 1, a: 2}", "[" * 300 + "]" * 300, "[" * 2000 + "]" * 2000,
    "'\\x00'", '"\\ud800"', "|\n  block", "{", "]",
]


def _paths(node: Any, key: tuple = ()) -> list[tuple]:
    out = [key]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*key, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*key, i))
    return out


def _get(node: Any, key: tuple) -> Any:
    for part in key:
        node = node[part]
    return node


FREE_TEXT = {"title", "description", "help", "summary", "section", "note", "reason", "target"}


@st.composite
def mutated_plans(draw) -> str:
    """A built-in plan with one to four mutations, dumped to YAML (maybe with text-level damage too)."""
    name = draw(st.sampled_from(sorted(PLAN_DATA)))
    data = copy.deepcopy(PLAN_DATA[name])
    raw: dict[str, str] = {}
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        key = draw(st.sampled_from(paths[1:]))
        parent, last = _get(data, key[:-1]), key[-1]
        op = draw(st.sampled_from(["delete", "junk", "junk", "raw", "unknown", "rename", "duplicate", "swap", "alias",
                                   "retext", "retext"]))
        if op == "retext":  # free text is free: these mostly still load
            texts = [p for p in paths if p and p[-1] in FREE_TEXT and isinstance(_get(data, p), str)]
            if texts:
                where = draw(st.sampled_from(texts))
                _get(data, where[:-1])[where[-1]] = draw(TEXT)
        elif op == "delete":
            del parent[last]
        elif op == "junk":
            parent[last] = draw(JUNK)
        elif op == "raw":
            marker = f"zzraw{len(raw)}zz"
            raw[marker] = draw(st.sampled_from(RAW_YAML))
            parent[last] = marker
        elif op == "unknown" and isinstance(parent, dict):
            parent[draw(st.one_of(TEXT, st.integers(), HUGE_INTS, st.booleans()))] = draw(JUNK)
        elif op == "rename" and isinstance(parent, dict) and isinstance(last, str):
            new = last[:-1] if len(last) > 1 else last + "x"
            parent.setdefault(new, parent.pop(last))
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(last, parent[last])  # the same object twice: dumped as an anchor and an alias
        elif op in ("swap", "alias"):
            where = draw(st.sampled_from(paths))
            if key[:len(where)] != where:  # never a subtree into itself
                other = _get(data, where)
                parent[last] = other if op == "alias" else json.loads(json.dumps(other, default=str))
    text = dump(data)
    for marker, snippet in raw.items():
        text = text.replace(marker, snippet)
    if draw(st.integers(0, 3)) == 0:  # duplicate one "key: value" line: a duplicate key
        lines = text.splitlines(keepends=True)
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[A-Za-z_]+:", line)]
        if keyed:
            i = draw(st.sampled_from(keyed))
            lines.insert(i + 1, re.sub(r"^(\s*)- ", r"\1  ", lines[i]))
            text = "".join(lines)
    return text


@FUZZ
@given(mutated_plans())
def test_plan_loader_mutated_builtin_plans(text):
    check_plan_outcome(text, mapping=True)


def test_builtin_plans_load_unmutated():
    for name, text in PLAN_TEXTS.items():
        assert isinstance(check_plan_outcome(text, mapping=True), Plan), name


# --- plan loader + extraction: random metric mappings --------------------------------------------

KEYS = st.sampled_from(["a", "b", "value", "items", "k"])
SEGMENTS = st.one_of(
    KEYS.map(lambda k: f".{k}"), st.just(".*"), st.just("[*]"), st.integers(-3, 3).map(lambda i: f"[{i}]"),
    KEYS.map(lambda k: f"..{k}"), st.just("..*"), st.just("..[*]"),
    st.tuples(st.none() | st.integers(-3, 3), st.none() | st.integers(-3, 3), st.none() | st.integers(-2, 2)).map(
        lambda t: "[" + ":".join("" if x is None else str(x) for x in t) + "]"),
    st.sampled_from([
        "[?@.a > 1]", "[?@.a == 'x']", "[?@.a != null]", "[?@.b]", "[?!@.b]", "[?match(@.a, 'x.*')]",
        "[?search(@.a, '[')]", "[?match(@.a, @.b)]", "[?length(@) > 1]", "[?count(@.*) > 1]", "[?value(@..a) == 1]",
        "[?@ == 1e400]", "[?@.a < 1e308]", "['a', 'b']", "[0, 1]", "['k\\u00e9y']", "[?@.a == 1 && @.b || !@.k]",
    ]),
    st.text(max_size=4).map(lambda t: f"['{t}']"),
    st.text(max_size=4),
)
ABSOLUTE = st.lists(SEGMENTS, max_size=4).map(lambda s: "$" + "".join(s))
RELATIVE = st.one_of(st.sampled_from(["@key", "@parentkey"]), st.lists(SEGMENTS, max_size=3).map(
    lambda s: "@" + "".join(s)))


@st.composite
def random_mappings(draw) -> dict:
    kind = draw(st.sampled_from(["gauge", "counter", "info"]))
    name = draw(st.sampled_from({"gauge": ["g", "g2"], "counter": ["c_total", "c2_total"],
                                 "info": ["i_info", "i2_info"]}[kind] + ["bad name", "x_total", "x_info"]))
    mapping: dict[str, Any] = {"name": name, "help": "H.", "type": kind, "path": draw(ABSOLUTE)}
    if draw(st.booleans()):
        mapping["value"] = draw(RELATIVE)
    if draw(st.booleans()):
        mapping["labels"] = draw(st.dictionaries(st.sampled_from(["l1", "l2", "l3", "job", "__x", "1x"]), RELATIVE,
                                                 max_size=3))
    if draw(st.booleans()):
        mapping["const_labels"] = draw(st.dictionaries(st.sampled_from(["c1", "l1"]), TEXT, max_size=2))
    if draw(st.booleans()):
        mapping["value_map"] = draw(st.dictionaries(st.one_of(KEYS, TEXT), st.floats() | HUGE_INTS, max_size=3))
    if draw(st.booleans()):
        mapping["scale"] = draw(st.floats() | st.integers() | HUGE_INTS)
    return mapping


@st.composite
def mapping_lists(draw) -> list[dict]:
    """One to three mappings, maybe with the first one again as a plan may repeat a metric (one mapping
    per quantile): another path, its labels and constant labels in another order, other constant values."""
    mappings = draw(st.lists(random_mappings(), min_size=1, max_size=3))
    if draw(st.booleans()):
        twin = {**mappings[0], "path": draw(ABSOLUTE)}
        for key in ("labels", "const_labels"):
            if key in twin:
                twin[key] = dict(draw(st.permutations(list(twin[key].items()))))
        if "const_labels" in twin:
            twin["const_labels"] = {k: draw(TEXT) for k in twin["const_labels"]}
        mappings.append(twin)
    return mappings


@FUZZ
@given(mapping_lists(), st.lists(json_docs(KEYS | st.text(max_size=3), 20), min_size=1, max_size=3))
def test_random_mappings_load_and_extract(mappings, docs):
    plan = {"plan": "fuzz", "title": "Fuzz", "base_url": "http://127.0.0.1:1",
            "sources": [{"name": "s", "url": "/x", "metrics": mappings}]}
    loaded = check_plan_outcome(dump(plan), mapping=True)
    if loaded is not None:
        for doc in docs:
            check_extraction(loaded.sources[0], doc)


# --- extraction: bytes and JSON -----------------------------------------------------------------

JSON_ALPHABET = st.sampled_from([*'{}[]:,"\\ .-+eE0123456789abcdfnlrstu',
    "true", "false", "null", "NaN", "Infinity", "-Infinity", "1e400", "\\u00e9", "\\ud800", "\ufeff", "\xff"])


@FUZZ
@given(st.one_of(
    st.binary(),
    st.lists(JSON_ALPHABET, max_size=60).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    json_docs().map(lambda doc: json.dumps(doc).encode()),
))
@example(b"1" + b"0" * 5000)  # an integer Python will not parse: a clean invalid_json
@example(b"[" * 100_000)
@example(b'{"a": 1, "a": 2}')
def test_parse_json_arbitrary_bytes(body):
    try:
        parse_json(body)
    except ExtractError as exc:
        assert exc.reason == "invalid_json"
        assert str(exc)


@FUZZ
@given(json_docs())
def test_parse_json_round_trips(doc):
    assert parse_json(json.dumps(doc, allow_nan=False).encode()) == doc
    assert parse_json(json.dumps(doc, ensure_ascii=False, indent=1).encode()) == doc


@pytest.mark.parametrize(("depth", "ok"), [(200, True), (201, False), (100_000, False)])
def test_parse_json_nesting_bound(depth, ok):
    body = ("[" * depth + "]" * depth).encode()
    if ok:
        parse_json(body)
    else:
        with pytest.raises(ExtractError, match="nested deeper"):
            parse_json(body)


@FUZZ
@given(st.sampled_from(SOURCES), json_docs(st.one_of(st.text(max_size=8), st.sampled_from(
    ["status", "database", "channels", "by_status", "providers", "checks", "tiers", "services", "app"]))))
def test_extract_arbitrary_documents_from_builtin_sources(named_source, doc):
    check_extraction(named_source[1], doc)


# --- extraction: documents shaped like each source's paths, wrong kinds inside ------------------

_STEP = re.compile(r"\.(?P<key>[A-Za-z_][A-Za-z0-9_]*)|(?P<wild>\.\*|\[\*\])|\[(?P<index>\d+)\]|\['(?P<qkey>[^']*)'\]")


def steps(expr: str) -> list[tuple[str, Any]] | None:
    """``$.a.*[0]`` (or ``@.x``) as ``[("key", "a"), ("wild", ".*"), ("index", 0)]``; None for filters etc."""
    out: list[tuple[str, Any]] = []
    pos = 1
    while pos < len(expr):
        m = _STEP.match(expr, pos)
        if m is None:
            return None
        if m["key"] is not None or m["qkey"] is not None:
            out.append(("key", m["key"] if m["key"] is not None else m["qkey"]))
        elif m["index"] is not None:
            out.append(("index", int(m["index"])))
        else:
            out.append(("wild", m["wild"]))
        pos = m.end()
    return out


def test_builtin_paths_are_all_understood_by_the_document_builder():
    """Every path, value and label query of the built-in plans gets documents shaped for it, and the
    built-in sources between them use every kind of mapping."""
    kinds = set()
    for name, src in SOURCES:
        for m in src.metrics:
            assert steps(m.path) is not None, (name, m.path)
            assert m.value is None or steps(m.value) is not None, (name, m.value)
            for spec in m.labels.values():
                assert spec in ("@key", "@parentkey") or steps(spec) is not None, (name, spec)
                kinds.add(spec if spec in ("@key", "@parentkey") else "relative label")
            kinds |= {m.type, *(["value"] if m.value else []), *(["const_labels"] if m.const_labels else []),
                      *(["value_map"] if m.value_map else []), *(["scale"] if m.scale != 1 else [])}
            kinds |= {kind for kind, _ in steps(m.path) or []}
    assert kinds >= {"gauge", "counter", "info", "value", "@key", "@parentkey", "relative label", "const_labels",
                     "value_map", "scale", "key", "wild"}, kinds


LABEL_VALUES = st.one_of(TEXT, st.integers(), HUGE_INTS, st.floats(), st.booleans(), st.none(),
                         st.integers(1000, 200_000).map(lambda n: "ü" * n), st.lists(SCALARS, max_size=2),
                         st.dictionaries(TEXT, SCALARS, max_size=2))
CHILD_KEYS = st.one_of(st.text(max_size=10), st.sampled_from(["", "0", "1", "a\nb", "é"]), WEIRD_STRINGS)


def value_leaves(m, wrong_percent: int) -> st.SearchStrategy[Any]:
    """A number (or value_map key) as ``m`` expects, or ``wrong_percent`` of the time something else."""
    good = [st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False), st.booleans(),
            st.just(1e308), st.just(-0.0)]
    if m.value_map:
        good.append(st.sampled_from(sorted(m.value_map)))
    wrong = [st.none(), TEXT, HUGE_INTS, st.floats(), st.lists(SCALARS, max_size=3),
             st.dictionaries(TEXT, SCALARS, max_size=3), st.just(10**308)]
    return st.integers(0, 99).flatmap(lambda n: st.one_of(*(wrong if n < wrong_percent else good)))


def _put(data, node: Any, path: list[tuple[str, Any]], leaf: st.SearchStrategy[Any]) -> Any:
    """``node`` with ``leaf`` placed at every match of ``path``, creating what is missing; sometimes
    the walk stops early and leaves junk of the wrong kind where a container belongs."""
    if not path:
        return data.draw(leaf)
    if data.draw(st.integers(0, 99)) < 2:
        return data.draw(SCALARS | st.just([]) | st.just({}))
    (kind, arg), rest = path[0], path[1:]
    if kind == "key":
        node = node if isinstance(node, dict) else {}
        node[arg] = _put(data, node.get(arg), rest, leaf)
    elif kind == "index":
        node = node if isinstance(node, list) else []
        node.extend([None] * (arg + 1 - len(node)))
        node[arg] = _put(data, node[arg], rest, leaf)
    else:
        if not isinstance(node, dict | list):
            n = data.draw(st.integers(0, 3))
            as_list = arg == "[*]" or data.draw(st.integers(0, 4)) == 0
            node = [None] * n if as_list else {data.draw(CHILD_KEYS): None for _ in range(n)}
        for k in range(len(node)) if isinstance(node, list) else list(node):
            node[k] = _put(data, node[k], rest, leaf)
    return node


def shaped_document(data, source: Source) -> Any:
    """A document for ``source``: all well typed, a few wrong values, or many (a source with 30 mappings
    would almost never get through with a fixed rate of wrong values)."""
    wrong_percent = data.draw(st.sampled_from([0, 3, 30]))
    doc: Any = {}
    for m in source.metrics:
        if data.draw(st.integers(0, 9)) == 0:
            continue  # this one is absent
        path = steps(m.path)
        doc = _put(data, doc, path + (steps(m.value) if m.value else []), value_leaves(m, wrong_percent))
        for spec in m.labels.values():
            if spec not in ("@key", "@parentkey"):
                doc = _put(data, doc, path + steps(spec), LABEL_VALUES)
    return doc


@FUZZ_PER_SOURCE
@pytest.mark.parametrize("named_source", SOURCES, ids=[name for name, _ in SOURCES])
@given(data=st.data())
def test_extract_documents_shaped_like_the_source(named_source, data):
    source = named_source[1]
    doc = shaped_document(data, source)
    check_extraction(source, doc)  # as a lenient parser would hand it over (NaN, huge numbers)
    try:
        body = json.dumps(doc, allow_nan=False).encode()
    except ValueError:
        return  # NaN or infinity: JSON cannot carry it
    check_extraction(source, parse_json(body))


# --- regressions found by the fuzzers ------------------------------------------------------------

def _plan_with(source_yaml: str) -> str:
    return ("plan: fuzz\ntitle: Fuzz\nbase_url: http://127.0.0.1:1\nsources:\n  - name: s\n    url: /x\n"
            + source_yaml)


GAUGE = "    metrics: [{name: g, help: H., type: gauge, path: $.v}]\n"


@pytest.mark.parametrize(("text", "fragment"), [
    (_plan_with("    url: 'http://[::1'\n" + GAUGE).replace("    url: /x\n", "", 1), "not an http(s) URL"),
    (_plan_with("    timeout: " + "1" * 400 + "\n" + GAUGE), "sources[0].timeout"),
    (_plan_with("    timeout: 1" + "0" * 400 + "s\n" + GAUGE), "sources[0].timeout"),
    (_plan_with("    timeout: .nan\n" + GAUGE), "sources[0].timeout"),
    (_plan_with("    max_response_bytes: '" + "9" * 400 + "'\n" + GAUGE), "sources[0].max_response_bytes"),
    (_plan_with("    probe: {body_regex: 'a{4294967296}'}\n"), "sources[0].probe.body_regex"),
    (_plan_with("    probe: {body_regex: '" + "(" * 2000 + "'}\n"), "sources[0].probe.body_regex"),
    (_plan_with("    metrics: [{name: g, help: H., type: gauge, path: '$[?@ == 1e400]'}]\n"),
     "sources[0].metrics[0].path"),
    (_plan_with("    metrics: [{name: g, help: H., type: gauge, path: $.v, value: '@[?@ == 1e400]'}]\n"),
     "sources[0].metrics[0].value"),
    (_plan_with("    metrics: [{name: g, help: H., type: gauge, path: '$" + "[?" * 500 + "'}]\n"),
     "sources[0].metrics[0].path"),
    ("a: " + "1" * 5000, "fuzz/plan.yml:1: "),
    ("a: [1, 2020-13-45]", "fuzz/plan.yml:1: "),
    ("a: &x [*x]", "fuzz/plan.yml:1: "),
    ("[" * 5000, "fuzz/plan.yml:"),
])
def test_regression_inputs_give_a_plan_error(text, fragment):
    with pytest.raises(PlanError) as info:
        load_plan_text(text, FILENAME)
    assert fragment in str(info.value)


def test_regression_alias_expansion_is_bounded():
    """A "billion laughs" plan: aliases that would expand to 10^9 nodes are refused, quickly."""
    text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 9))
    start = time.monotonic()
    with pytest.raises(PlanError, match="aliases"):
        load_plan_text(text, FILENAME)
    assert time.monotonic() - start < 5


def test_plan_anchors_and_aliases_still_work():
    text = _plan_with("    headers: &h {X-A: b}\n" + GAUGE) + "  - {name: t, url: /y, headers: *h, probe: {}}\n"
    plan = load_plan_text(text, FILENAME)
    assert plan.sources[1].headers == {"X-A": "b"}


@pytest.mark.parametrize("value", [10**400, -(10**400), 10**4299])
def test_regression_integer_too_big_for_a_float_fails_the_source(value):
    src = load_plan_text(_plan_with(GAUGE)).sources[0]
    with pytest.raises(ExtractError, match="not a finite number"):
        extract(src, {"v": value})
    with pytest.raises(ExtractError, match="not a finite number"):
        extract(src, parse_json(json.dumps({"v": value}).encode()))


@pytest.mark.parametrize("text", [10**400, "1" + "0" * 400 + "s", float("inf"), float("nan")])
def test_regression_durations_must_be_finite(text):
    with pytest.raises(ValueError, match="finite"):
        parse_duration(text)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e400"])
def test_regression_scale_and_value_map_must_be_finite(value):
    """They loaded, and then every scrape of the source failed with 'value is not a finite number'."""
    with pytest.raises(PlanError) as info:
        load_plan_text(_plan_with("    metrics: [{name: g, help: H., type: gauge, path: $.v,"
                                  f" scale: {value}, value_map: {{a: {value}}}}}]\n"))
    assert [p.key for p in info.value.problems] == ["sources[0].metrics[0].value_map.a", "sources[0].metrics[0].scale"]


def test_regression_sizes_must_be_finite():
    with pytest.raises(ValueError, match="too large"):
        parse_size("9" * 400)


def test_regression_a_string_document_is_a_value_not_json_text():
    """python-jsonpath parses a str it is handed as JSON text: a string document raised JSONDecodeError
    ('{') or had its text searched ('{"v": 5}' gave v=5)."""
    src = load_plan_text(_plan_with(
        "    metrics:\n"
        "      - {name: s, help: H., type: gauge, path: $, value_map: {'{': 1, '{\"v\": 5}': 2}}\n"
        "      - {name: v, help: H., type: gauge, path: $.v}\n")).sources[0]
    for doc, want in [("{", 1.0), ('{"v": 5}', 2.0)]:
        result = check_extraction(src, doc)
        assert [(fam.name, value) for fam in result.families for _, value in fam.samples] == [("s", want)]
        assert result.missing == ["v"]
    # the same for a relative label query on a string item
    src = load_plan_text(_plan_with(
        "    metrics: [{name: l_info, help: H., type: info, path: '$[*]', labels: {k: '@.k'}}]\n")).sources[0]
    assert extract(src, ["{", '{"k": "x"}']).missing == ["l_info", "l_info"]


def test_regression_descendant_query_deeper_than_jsonpath_allows_fails_the_source():
    src = load_plan_text(_plan_with("    metrics: [{name: g, help: H., type: gauge, path: '$..a'}]\n")).sources[0]
    doc = parse_json(b"[" * 199 + b'{"a": 1}' + b"]" * 199)  # within parse_json's bound of 200
    with pytest.raises(ExtractError, match=r"^g: cannot evaluate"):
        extract(src, doc)


@pytest.mark.parametrize("spec", ["@key", "@parentkey"])
def test_regression_value_cannot_be_a_key(spec):
    """It passed validation, then compiled as '$key' on the first scrape: JSONPathSyntaxError escaped."""
    with pytest.raises(PlanError, match=r"sources\[0\]\.metrics\[0\]\.value: .* is for labels"):
        load_plan_text(_plan_with(f"    metrics: [{{name: g, help: H., type: gauge, path: $, value: '{spec}'}}]\n"))


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!!set", "!custom"])
def test_regression_tags_on_mappings_are_refused(tag):
    """A tag on a mapping or list was dropped without a word and the value used as plain YAML."""
    text = _plan_with(f"    headers: {tag} {{X-A: b}}\n" + GAUGE)
    with pytest.raises(PlanError, match=r"fuzz/plan.yml:7: not valid YAML: tag .* is not allowed"):
        load_plan_text(text, FILENAME)


def test_regression_a_metric_split_over_mappings_keeps_each_mappings_labels():
    """The same label names in another order in a second mapping of a metric (allowed) put its values
    under the first mapping's names: q="y", r="0.9" instead of r="y", q="0.9"."""
    src = load_plan_text(_plan_with(
        "    metrics:\n"
        "      - {name: g, help: H., type: gauge, path: $.a, const_labels: {q: '0.5', r: x}}\n"
        "      - {name: g, help: H., type: gauge, path: $.b, const_labels: {r: y, q: '0.9'}}\n"
        "      - {name: h, help: H., type: gauge, path: '$.c.*', value: '@.v', labels: {k: '@key', j: '@.j'}}\n"
        "      - {name: h, help: H., type: gauge, path: '$.d.*', value: '@.v', labels: {j: '@.j', k: '@key'}}\n"
    )).sources[0]
    result = check_extraction(src, {"a": 1, "b": 2, "c": {"x": {"j": "J1", "v": 1}}, "d": {"y": {"j": "J2", "v": 2}}})
    got = {(f.name, tuple(sorted(zip(f.label_names, labels, strict=True)))): v
           for f in result.families for labels, v in f.samples}
    assert got == {("g", (("q", "0.5"), ("r", "x"))): 1.0, ("g", (("q", "0.9"), ("r", "y"))): 2.0,
                   ("h", (("j", "J1"), ("k", "x"))): 1.0, ("h", (("j", "J2"), ("k", "y"))): 2.0}
