"""Plan checks json_exporter users trip over: headers in another case, HEAD and bodies, and messages
that point at the right fix (json_exporter's keys, YAML booleans, Kubernetes paths)."""

from __future__ import annotations

import subprocess

import pytest

from launchwatch.exporter.engine import Engine
from launchwatch.plan import PlanError, load_plan_text
from tests.conftest import launchwatch_cmd
from tests.upstream import Reply, Upstream

BASE = "plan: t\ntitle: T\nbase_url: {base}\nsources:\n  - name: s\n    url: /doc\n"
METRIC = "    metrics:\n      - {name: n, help: N., type: gauge, path: $.n}\n"


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as info:
        load_plan_text(text)
    return [f"{p.line}: {p.key}: {p.message}" for p in info.value.problems]


def notes(text: str) -> list[str]:
    found: list = []
    load_plan_text(text, notes=found)
    return [f"{p.line}: {p.key}: {p.message}" for p in found]


@pytest.fixture(scope="module")  # one server for the module: stopping one costs its 0.5 s poll
def upstream():
    up = Upstream()
    up.set("/doc", Reply(body=b'{"n": 1}'))
    yield up
    up.stop()


def fetch_once(text: str) -> None:
    engine = Engine(load_plan_text(text))
    try:
        [result] = engine.scrape(5)
    finally:
        engine.close()
    assert result.ok, result.error


def test_a_header_in_another_case_replaces_launchwatchs_own_and_check_says_so(upstream):
    text = BASE.format(base=upstream.url) + "    headers: {accept: application/vnd.api+json}\n" + METRIC
    assert notes(text) == ["7: sources[0].headers.accept: replaces launchwatch's own Accept: application/json "
                           "(header names are case-insensitive: one is sent)"]
    fetch_once(text)
    sent = [(k.lower(), v) for k, v in upstream.seen_header_lists["/doc"]]
    assert [v for k, v in sent if k == "accept"] == ["application/vnd.api+json"]


def test_auth_wins_over_an_authorization_header(upstream, monkeypatch):
    monkeypatch.setenv("LW15_TOKEN", "t0ken")
    text = (BASE.format(base=upstream.url) + "    headers: {authorization: Basic Zm9vOmJhcg==}\n"
            "    auth: {bearer: {env: LW15_TOKEN}}\n" + METRIC)
    assert notes(text) == ["7: sources[0].headers.authorization: 'auth' wins: this Authorization header is not sent"]
    fetch_once(text)
    sent = [(k.lower(), v) for k, v in upstream.seen_header_lists["/doc"]]
    assert [v for k, v in sent if k == "authorization"] == ["Bearer t0ken"]


def test_two_spellings_of_one_header_are_refused():
    text = BASE.format(base="http://127.0.0.1:1") + "    headers: {X-Api-Key: a, x-api-key: b}\n" + METRIC
    assert problems(text) == ["5: sources[0]: Value error, headers 'X-Api-Key' and 'x-api-key' are one header "
                              "(names are case-insensitive): keep one".replace("Value error, ", "")]


def test_head_with_metrics_and_a_body_with_get_are_refused():
    base = BASE.format(base="http://127.0.0.1:1")
    [head] = problems(base + "    method: HEAD\n" + METRIC)
    assert "method HEAD gets no body" in head
    [get] = problems(base + "    method: GET\n    body: '{\"q\": 1}'\n" + METRIC)
    assert "a 'body' is sent only with POST, not GET (json_exporter POSTs whenever a body is set)" in get
    load_plan_text(base + "    method: HEAD\n    probe: {max_duration: 1s}\n")  # a status-only probe is fine


def test_a_body_without_a_method_is_posted(upstream):
    text = BASE.format(base=upstream.url) + "    body: '{\"query\": \"stats\"}'\n" + METRIC
    assert load_plan_text(text).sources[0].method == "POST"
    fetch_once(text)
    assert upstream.seen_requests["/doc"] == ("POST", b'{"query": "stats"}')


def test_messages_name_the_fix():
    base = BASE.format(base="http://127.0.0.1:1")
    [valuetype] = problems(base + "    metrics:\n      - {name: n, help: N., type: gauge, path: $.n,\n"
                                  "         valuetype: gauge}\n")
    assert valuetype == ("9: sources[0].metrics[0].valuetype: unknown key (json_exporter's 'valuetype' is 'type' "
                         "(counter, gauge or info) here)")
    [k8s] = problems(base + "    metrics:\n      - {name: n, help: N., type: gauge, path: '{ .values[*].count }'}\n")
    assert k8s.endswith("must start with '$' (Kubernetes JSONPath, as json_exporter writes it; in RFC 9535: "
                        "'$.values[*].count')")
    [label] = problems(base + "    metrics:\n      - {name: n, help: N., type: gauge, path: '$.v[*]', "
                              "labels: {id: '{.id}'}}\n")
    assert "{.id} is Kubernetes JSONPath (json_exporter's): write {$.id} (from the document's root) or {@.id}" in label
    boolean_keys = problems(base + "    metrics:\n      - {name: n, help: N., type: gauge, path: $.n,\n"
                                   "         value_map: {on: 1, off: 0}}\n")
    assert boolean_keys == ["9: sources[0].metrics[0].value_map.on: key 'on' reads as the boolean true in YAML: "
                            "quote it ('on')",
                            "9: sources[0].metrics[0].value_map.off: key 'off' reads as the boolean false in YAML: "
                            "quote it ('off')"]
    [name] = problems(base + "    metrics:\n      - {name: no, help: N., type: gauge, path: $.n}\n")
    assert "YAML read an unquoted value as false: quote it" in name


def test_check_prints_notes_and_exits_0(tmp_path):
    plan = tmp_path / "p.yml"
    plan.write_text(BASE.format(base="http://127.0.0.1:1")
                    + "    metrics:\n      - {name: s, help: S., type: gauge, path: $.s, value_map: {ok: 1}}\n")
    done = subprocess.run(launchwatch_cmd("check", str(plan)), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"note: {plan}:8: sources[0].metrics[0].value_map: a string neither listed here nor a number fails the " \
           "whole source (launchwatch_target_up 0, reason invalid_value); set value_map_default" in done.stderr


def test_a_count_s_window_shorter_than_two_scrapes_is_noted():
    """"window: 1s" on a count (a drafted "Requests per second over 300") generated increase(x[1s]), which holds
    no two scrapes and never fires: check says so, naming the window's line."""
    from launchwatch.expressions import SCRAPE_INTERVAL

    text = (BASE.format(base="http://127.0.0.1:9") +
            "    metrics:\n      - {name: requests_total, help: R., type: counter, path: $.n}\n"
            "tiers:\n  - {name: ALERT, severity: medium, channels: [dashboard]}\n"
            "channels:\n  - {name: dashboard, type: dashboard}\n"
            "thresholds:\n"
            "  - {alert: Fast, summary: S, section: s, tier: ALERT, metric: requests_total, kind: increase,\n"
            "     window: 1s, op: '>', value: 300}\n"
            "  - {alert: Slow, summary: S, section: s, tier: ALERT, metric: requests_total, kind: increase,\n"
            "     window: 5m, op: '>', value: 300}\n")
    said = notes(text)
    assert len(said) == 1 and said[0].startswith("15: thresholds[0].window: 1s holds fewer than two scrapes") and \
        f"{SCRAPE_INTERVAL} interval: increase() over it returns nothing" in said[0], said
