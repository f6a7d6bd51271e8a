"""The mapping features json_exporter users reach for: numeric strings, value_map defaults, label
templates, ancestors' keys, optional values, per-metric isolation, timestamps, metrics shared by sources."""

from __future__ import annotations

import pytest

from launchwatch.exporter.engine import Engine
from launchwatch.exporter.exposition import OPENMETRICS, TEXT, Block, page, render
from launchwatch.exporter.extract import ExtractError, extract
from launchwatch.exporter.landing import landing_page
from launchwatch.plan import load_plan_text
from tests.conftest import parse_metrics
from tests.test_extract import samples, source
from tests.upstream import Reply, Upstream


@pytest.fixture(scope="module")  # one server for the module: stopping one costs its 0.5 s poll
def upstream():
    up = Upstream()
    yield up
    up.stop()


def test_numeric_strings_are_numbers_strictly_and_can_be_turned_off():
    src = source("      - {name: v, help: V., type: gauge, path: '$.v[*]', labels: {i: '@key'}}\n")
    got = samples(src, {"v": ["1234", "1234.5", "-0.5", "1e3"]})
    assert sorted(got.values()) == [-0.5, 1000.0, 1234.0, 1234.5]
    for bad in ("12abc", " 12", "1_000", "0x1f", "NaN", "Infinity", "+1", ".5", ""):
        with pytest.raises(ExtractError, match="neither a number nor in value_map"):
            extract(src, {"v": [bad]})
    strict = source("      - {name: v, help: V., type: gauge, path: $.v, numeric_strings: false}\n")
    with pytest.raises(ExtractError, match="is not in value_map"):
        extract(strict, {"v": "12"})


def test_value_map_default_takes_unlisted_strings():
    src = source("      - {name: component_operational, help: C., type: gauge, path: '$.c[*]', value: '@.status',\n"
                 "         labels: {name: '@.name'}, value_map: {operational: 1}, value_map_default: 0}\n")
    got = samples(src, {"c": [{"name": "api", "status": "operational"},
                              {"name": "db", "status": "under_maintenance"}]})
    assert got == {("component_operational", (("name", "api"),)): 1,
                   ("component_operational", (("name", "db"),)): 0}
    without = source("      - {name: s, help: S., type: gauge, path: $.s, value_map: {ok: 1}}\n")
    with pytest.raises(ExtractError, match="known: ok; value_map_default gives the others a value"):
        extract(without, {"s": "under_maintenance"})


def test_label_templates_root_queries_and_ancestor_keys():
    src = source(
        "      - {name: example_global_value, help: G., type: gauge, path: $.counter,\n"
        "         labels: {location: 'planet-{$.location}'}, const_labels: {environment: beta}}\n"
        "      - {name: component_up, help: U., type: gauge, path: '$.components.*.components.*.status',\n"
        "         value_map: {UP: 1, DOWN: 0}, labels: {composite: '@key(3)', component: '{@key(3)}/{@parentkey}',\n"
        "         braces: '{{{@parentkey}}}'}}\n")
    doc = {"counter": 1234, "location": "mars",
           "components": {"db": {"status": "UP", "components": {"primary": {"status": "UP"},
                                                                 "replica": {"status": "DOWN"}}}}}
    got = samples(src, doc)
    assert got[("example_global_value", (("environment", "beta"), ("location", "planet-mars")))] == 1234
    assert got[("component_up", (("braces", "{replica}"), ("component", "db/replica"), ("composite", "db")))] == 0
    assert got[("component_up", (("braces", "{primary}"), ("component", "db/primary"), ("composite", "db")))] == 1


def test_a_null_label_drops_the_sample_and_is_counted_unless_it_has_a_default():
    src = source("      - {name: c, help: C., type: gauge, path: '$.c[*]', value: '@.v', labels: {group: '@.group'}}\n"
                 "      - {name: d, help: D., type: gauge, path: '$.d[*]', value: '@.v', labels: {group: '@.group'},\n"
                 "         label_defaults: {group: none}}\n")
    items = [{"v": 1, "group": "g1"}, {"v": 2, "group": None}, {"v": 3}]
    result = extract(src, {"c": items, "d": items[:2]})
    got = {(f.name, s[0]): s[1] for f in result.families for s in f.samples}
    assert got == {("c", ("g1",)): 1, ("d", ("g1",)): 1, ("d", ("none",)): 2}
    assert result.missing == ["c", "c"]  # launchwatch_target_missing_values_total{metric="c"} += 2
    with pytest.raises(ExtractError, match="two samples"):  # a default never merges two series silently
        extract(src, {"c": [], "d": items[1:]})


def test_optional_values_stay_silent():
    src = source("      - {name: a, help: A., type: gauge, path: $.missing, optional: true}\n"
                 "      - {name: b, help: B., type: gauge, path: '$.items[*]', value: '@.n', optional: true,\n"
                 "         labels: {i: '@key'}}\n"
                 "      - {name: c, help: C., type: gauge, path: $.missing}\n")
    result = extract(src, {"items": [{"n": 1}, {}, {"n": None}]})
    assert result.missing == ["c"]
    assert samples(src, {"items": [{"n": 1}, {}]}) == {("b", (("i", "0"),)): 1}


def test_fixed_values_give_every_matched_node_the_number():
    src = source("      - {name: example_value_active, help: A., type: gauge,\n"
                 "         path: '$.values[?@.state == \"ACTIVE\"]', value: 1, labels: {id: '@.id'}}\n")
    got = samples(src, {"values": [{"id": "a", "state": "ACTIVE"}, {"id": "b", "state": "INACTIVE"}]})
    assert got == {("example_value_active", (("id", "a"),)): 1}


def test_isolation_metric_drops_only_the_failing_mapping(upstream):
    text = ("plan: t\ntitle: T\nsources:\n  - name: s\n    url: {url}\n    isolation: metric\n    metrics:\n"
            "      - {name: good, help: G., type: gauge, path: $.good}\n"
            "      - {name: bad, help: B., type: gauge, path: $.bad}\n"
            "  - name: strict\n    url: {url}\n    metrics:\n"
            "      - {name: strict_bad, help: B., type: gauge, path: $.bad}\n")
    upstream.set("/doc", Reply(body=b'{"good": 7, "bad": {"nested": 1}}'))
    plan = load_plan_text(text.replace("{url}", upstream.url + "/doc"))
    engine = Engine(plan)
    try:
        by_target = {r.target: r for r in engine.scrape(5)}
        by_target = {r.target: r for r in engine.scrape(5)}  # the same document again: counted again
    finally:
        engine.close()
    assert by_target["s"].ok and not by_target["strict"].ok
    assert by_target["strict"].metric == "strict_bad"
    errors = engine.recorder.errors
    assert errors == {("s", "invalid_value", "bad"): 2, ("strict", "invalid_value", "strict_bad"): 2}
    body = render(by_target["s"].block.families, TEXT).decode()
    assert "good 7.0" in body and "\nbad " not in body
    landing = landing_page(plan.title, plan.plan, engine.last_results(), None).decode()
    assert "mappings dropped: bad (invalid_value)" in landing


def test_timestamps_from_the_document_in_both_formats():
    src = source("      - {name: t, help: T., type: gauge, path: '$.v[*]', value: '@.n', labels: {i: '@key'},\n"
                 "         timestamp: '@.at'}\n"
                 "      - {name: u, help: U., type: gauge, path: $.n, timestamp: $.ms, timestamp_unit: ms}\n")
    doc = {"v": [{"n": 1, "at": "2024-05-01T10:00:00.5Z"}, {"n": 2, "at": 1714557600}, {"n": 3}],
           "n": 4, "ms": 1714557600123}
    families = extract(src, doc).families
    text = render(families, TEXT).decode()
    assert 't{i="0"} 1.0 1714557600500\n' in text and 't{i="1"} 2.0 1714557600000\n' in text
    assert 't{i="2"} 3.0\n' in text and "u 4.0 1714557600123\n" in text
    om = render(families, OPENMETRICS).decode()
    assert 't{i="0"} 1.0 1714557600.5\n' in om and "u 4.0 1714557600.123\n" in om
    with pytest.raises(ExtractError, match="neither a number nor an RFC 3339 time"):
        extract(src, {"v": [{"n": 1, "at": "yesterday"}]})


SHARED = """plan: t
title: T
base_url: {base}
modules:
  - name: health
    metrics:
      - {{name: service_up, help: Up., type: gauge, path: $.status, value_map: {{UP: 1}}, value_map_default: 0,
         labels: {{target: "@target"}}}}
sources:
  - {{name: api, url: /api, module: health}}
  - {{name: web, url: /web, module: health, metrics: [{{name: web_sessions, help: S., type: gauge, path: $.sessions}}]}}
  - name: billing
    url: /billing
    metrics:
      - {{name: service_up, help: Up., type: gauge, path: $.status, value_map: {{UP: 1}}, value_map_default: 0,
         labels: {{target: "@target"}}}}
"""


def test_sources_share_a_metric_told_apart_by_target(upstream):
    for path, status in (("/api", "UP"), ("/web", "DOWN"), ("/billing", "UP")):
        upstream.set(path, Reply(body=b'{"status": "%s", "sessions": 5}' % status.encode()))
    plan = load_plan_text(SHARED.format(base=upstream.url))
    assert [m.name for m in plan.source("web").metrics] == ["service_up", "web_sessions"]
    engine = Engine(plan)
    try:
        results = engine.scrape(5)
    finally:
        engine.close()
    body = page([r.block for r in results], [], TEXT, compress=False).decode()
    assert body.count("# TYPE service_up gauge") == 1  # one family, grouped, as the text format requires
    assert parse_metrics(body) == {'service_up{target="api"}': 1, 'service_up{target="web"}': 0,
                                   'service_up{target="billing"}': 1, "web_sessions": 5}
    om = page([r.block for r in results], [], OPENMETRICS, compress=False).decode()
    assert om.count("# TYPE service_up gauge") == 1 and om.endswith("# EOF\n")
    assert isinstance(results[0].block, Block)


def test_a_shared_name_needs_the_declared_target_label():
    undeclared = SHARED.format(base="http://127.0.0.1:1").replace('labels: {target: "@target"}', "labels: {}")
    with pytest.raises(Exception, match="declares the label 'target"):
        load_plan_text(undeclared)
    with pytest.raises(Exception, match="only 'target: \"@target\"' may set it"):
        load_plan_text(SHARED.format(base="http://127.0.0.1:1").replace('{target: "@target"}', '{target: "@key"}'))
