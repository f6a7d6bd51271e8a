"""Kubernetes JSONPath templates (json_exporter's) in RFC 9535 spelling, and what has none."""

from __future__ import annotations

import pytest

from launchwatch.exporter.paths import query
from launchwatch.plan.k8s_jsonpath import Untranslatable, to_query, to_template
from launchwatch.plan.model import compile_jsonpath

DOC = {"counter": 1234, "location": "mars", "a-b": {"c": 1},
       "metadata": {"labels": {"kubernetes.io/hostname": "node-1"}},
       "values": [{"id": "id-A", "count": 1, "state": "ACTIVE"}, {"id": "id-B", "count": 2, "state": "INACTIVE"},
                  {"id": "id-C", "count": 3, "state": "ACTIVE"}]}


@pytest.mark.parametrize(("k8s", "rfc", "found"), [
    ("{ .counter }", "$.counter", [1234]),
    ("{$.counter}", "$.counter", [1234]),
    ('{.values[?(@.state == "ACTIVE")].id}', '$.values[?(@.state == "ACTIVE")].id', ["id-A", "id-C"]),
    ("{.values[?(@.count > 1)].id}", "$.values[?(@.count > 1)].id", ["id-B", "id-C"]),
    ("{ .values[*].count }", "$.values[*].count", [1, 2, 3]),
    ("{.values[0,2].id}", "$.values[0,2].id", ["id-A", "id-C"]),
    ("{.values[-1:].id}", "$.values[-1:].id", ["id-C"]),
    ("{..state}", "$..state", ["ACTIVE", "INACTIVE", "ACTIVE"]),
    ("{.a-b.c}", "$['a-b'].c", [1]),
    ("{.metadata.labels.kubernetes\\.io/hostname}", "$.metadata.labels['kubernetes.io/hostname']", ["node-1"]),
    ("{.metadata.labels['kubernetes.io/hostname']}", "$.metadata.labels['kubernetes.io/hostname']", ["node-1"]),
])
def test_translation_matches_the_same_nodes(k8s, rfc, found):
    assert to_query(k8s) == rfc
    compile_jsonpath(rfc)
    assert [node for _, node in query(rfc).matches(DOC)] == found


def test_templates_and_relative_queries():
    assert to_template("planet-{.location}") == "planet-{$.location}"
    assert to_template("{.id}/{.state}", "@") == "{@.id}/{@.state}"
    assert to_query("{.count}", "@") == "@.count"


@pytest.mark.parametrize(("k8s", "why"), [
    ("{range .items[*]}{.x}{end}", "loops have no RFC 9535 equivalent"),
    ("{.a} {.b}", "not a single"),
    ('{"literal"}', "literals have no RFC 9535 equivalent"),
    ("{.a", "never closed"),
    ("{.a[1}", "never closed"),
    ("{ }", "empty"),
])
def test_what_has_no_equivalent_says_why(k8s, why):
    with pytest.raises(Untranslatable, match=why):
        to_query(k8s)
