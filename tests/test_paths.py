"""The direct walk of simple queries matches python-jsonpath exactly: same nodes, same keys, same order."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchwatch.exporter.paths import Query
from launchwatch.plan import load_plan
from launchwatch.plan.builtin import builtin_plan_path, builtin_plans
from launchwatch.plan.model import compile_jsonpath, find

KEYS = st.sampled_from(["a", "b", "items", "0", "x_y", "n"])
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=3)
DOCS = st.recursive(SCALARS, lambda kids: st.lists(kids, max_size=4) | st.dictionaries(KEYS, kids, max_size=4),
                    max_leaves=25)
STEP = st.one_of(KEYS.map(lambda k: f".{k}" if not k[0].isdigit() else f"['{k}']"),
                 KEYS.map(lambda k: f"['{k}']"), KEYS.map(lambda k: f'["{k}"]'),
                 st.integers(-4, 4).map(lambda i: f"[{i}]"), st.just(".*"), st.just("[*]"))
QUERIES = st.lists(STEP, max_size=4).map(lambda steps: "$" + "".join(steps))


def library(expr: str, doc) -> list:
    return [(tuple(m.parts), m.obj) for m in find(compile_jsonpath(expr), doc)]


@settings(max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(QUERIES, DOCS)
def test_simple_queries_match_the_library(expr, doc):
    q = Query(expr)
    assert q.steps is not None, expr  # every generated query takes the direct path
    assert q.matches(doc) == library(expr, doc)
    assert q.singular == compile_jsonpath(expr).singular_query()
    expected = library(expr, doc)
    assert q.first(doc) == (expected[0][1] if expected else None)


@pytest.mark.parametrize("expr", ["$..a", "$.items[?@.n > 1]", "$.items[0:2]", "$['a','b']", "$[?@ == 1]"])
def test_other_queries_go_to_the_library(expr):
    doc = {"a": 1, "items": [{"n": 1}, {"n": 2}, {"n": 3}], "b": {"a": 2}}
    q = Query(expr)
    assert q.steps is None
    assert q.matches(doc) == library(expr, doc)


def test_every_builtin_plan_query_is_walked_directly_or_equally():
    """The built-in plans' own queries, against their simulator's documents, give the library's answer."""
    from launchwatch.simulator.faults import Faults
    from launchwatch.simulator.launch import Launch
    from launchwatch.simulator.scenarios import build_routes

    direct = total = 0
    for name in builtin_plans():
        plan = load_plan(builtin_plan_path(name))
        routes = build_routes(name, Launch(Faults(), seed=3))
        for src in plan.sources:
            if src.url not in routes or not src.metrics:
                continue
            doc = json.loads(json.dumps(routes[src.url]()))
            for m in src.metrics:
                for expr in [m.path, *(v for v in m.labels.values() if v not in ("@key", "@parentkey"))]:
                    total += 1
                    q = Query(expr)
                    direct += q.steps is not None
                    if expr.startswith("$"):
                        assert q.matches(doc) == library(expr, doc), (name, src.name, expr)
    assert direct / total > 0.9  # the fast path is the common path, or it is not worth having
