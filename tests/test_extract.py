"""JSON → samples: labels from array items and map keys, value maps, booleans, missing values."""

from __future__ import annotations

import pytest

from launchwatch.exporter.extract import ExtractError, extract, parse_json
from launchwatch.plan import load_plan_text


def source(metrics_yaml: str):
    text = ("plan: t\ntitle: T\nbase_url: http://127.0.0.1:1\nsources:\n  - name: s\n    url: /x\n"
            "    metrics:\n" + metrics_yaml)
    return load_plan_text(text).sources[0]


def samples(src, doc) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in extract(src, doc).families:
        for values, value in fam.samples:
            out[(fam.name, tuple(sorted(zip(fam.label_names, values, strict=True))))] = value
    return out


def test_labels_from_array_items_and_map_keys():
    src = source(
        "      - {name: endpoint_error_ratio, help: E., type: gauge, path: '$.endpoints[*]',\n"
        "         value: '@.error_rate', labels: {endpoint: '@.path'}}\n"
        "      - {name: errors_total, help: E., type: counter, path: '$.errors.*', labels: {kind: '@key'}}\n"
        "      - {name: deliveries_total, help: D., type: counter, path: '$.providers.*.*',\n"
        "         labels: {provider: '@parentkey', status: '@key'}}\n")
    doc = {"endpoints": [{"path": "/a", "error_rate": 0.01}, {"path": "/b", "error_rate": 0.2}],
           "errors": {"timeout": 3, "db": 1},
           "providers": {"mp": {"ok": 5, "failed": 1}}}
    got = samples(src, doc)
    assert got[("endpoint_error_ratio", (("endpoint", "/a"),))] == 0.01
    assert got[("endpoint_error_ratio", (("endpoint", "/b"),))] == 0.2
    assert got[("errors_total", (("kind", "timeout"),))] == 3
    assert got[("deliveries_total", (("provider", "mp"), ("status", "failed")))] == 1


def test_value_map_booleans_scale_and_info():
    src = source(
        "      - {name: status_ok, help: S., type: gauge, path: $.status, value_map: {GREEN: 2, RED: 0}}\n"
        "      - {name: db_up, help: D., type: gauge, path: $.db}\n"
        "      - {name: latency_seconds, help: L., type: gauge, path: $.ms, scale: 0.001}\n"
        "      - {name: app_info, help: I., type: info, path: $.build, labels: {version: '@.version'}}\n")
    got = samples(src, {"status": "GREEN", "db": False, "ms": 250, "build": {"version": "1.2"}})
    assert got[("status_ok", ())] == 2
    assert got[("db_up", ())] == 0
    assert got[("latency_seconds", ())] == 0.25
    assert got[("app_info", (("version", "1.2"),))] == 1


def test_null_and_missing_give_no_sample_and_are_counted():
    src = source(
        "      - {name: a, help: A., type: gauge, path: $.a}\n"
        "      - {name: b, help: B., type: gauge, path: $.b}\n"
        "      - {name: c, help: C., type: gauge, path: '$.list[*]', labels: {i: '@key'}}\n")
    result = extract(src, {"a": None, "list": []})
    assert sorted(result.missing) == ["a", "b"]  # an empty list is not missing: it has no items
    assert all(not fam.samples for fam in result.families)


@pytest.mark.parametrize(("doc", "fragment"), [
    ({"v": {"nested": 1}}, "expected a number, got an object"),
    ({"v": "lots"}, "is neither a number nor in value_map"),
    ({"v": [1, 2]}, "expected a number, got an array"),
    ({"v": 1e308 * 10}, "not a finite number"),
])
def test_wrong_types_fail_the_source(doc, fragment):
    src = source("      - {name: v, help: V., type: gauge, path: $.v}\n")
    with pytest.raises(ExtractError) as info:
        extract(src, doc)
    assert info.value.reason == "invalid_value"
    assert fragment in str(info.value)


def test_duplicate_label_sets_fail():
    src = source("      - {name: x, help: X., type: gauge, path: '$[*]', value: '@.v', labels: {k: '@.k'}}\n")
    with pytest.raises(ExtractError, match="two samples"):
        extract(src, [{"k": "a", "v": 1}, {"k": "a", "v": 2}])


@pytest.mark.parametrize(("body", "fragment"), [
    (b'{"a": 1', "not valid JSON"),
    (b'{"a": NaN}', "not valid JSON"),
    (b'{"a": 1, "a": 2}', "duplicate key"),
    (b'\xff\xfe{"a": 1}', "not UTF-8"),
    (b"[" * 5000 + b"]" * 5000, "nested deeper"),
])
def test_parse_json_is_strict(body, fragment):
    with pytest.raises(ExtractError) as info:
        parse_json(body)
    assert info.value.reason == "invalid_json"
    assert fragment in str(info.value)
