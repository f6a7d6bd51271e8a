"""A plan either loads into the model or names file, line and key of every problem."""

from __future__ import annotations

import subprocess
import textwrap

import pytest

from launchwatch.plan import PlanError, load_plan, load_plan_text
from tests.conftest import launchwatch_cmd

GOOD = textwrap.dedent("""\
    plan: tiny
    title: Tiny
    base_url: http://127.0.0.1:1
    sources:
      - name: api
        url: /stats
        timeout: 2s
        metrics:
          - name: orders_total
            help: Orders.
            type: counter
            path: $.orders
    """)


def problems(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(PlanError) as info:
        load_plan_text(text, "plan.yml")
    return [(p.line, p.key, p.message) for p in info.value.problems]


def test_good_plan_loads():
    plan = load_plan_text(GOOD)
    assert plan.plan == "tiny"
    assert plan.sources[0].timeout == 2.0
    assert list(plan.metrics) == ["orders_total"]


def test_typo_key_names_line_key_and_suggestion():
    [(line, key, msg)] = problems(GOOD.replace("    timeout: 2s", "    timout: 2s"))
    assert (line, key) == (7, "sources[0].timout")
    assert "did you mean 'timeout'" in msg


def test_typo_top_level_key_also_reports_the_missing_one():
    found = problems(GOOD.replace("title: Tiny", "titel: Tiny"))
    assert (2, "titel", "unknown key (did you mean 'title'?)") in found
    assert any(key == "title" and "required" in msg for _, key, msg in found)


def test_bad_duration():
    [(line, key, msg)] = problems(GOOD.replace("timeout: 2s", "timeout: 2 seconds"))
    assert (line, key) == (7, "sources[0].timeout")
    assert "not a duration" in msg


def test_bad_jsonpath():
    [(line, key, msg)] = problems(GOOD.replace("path: $.orders", "path: $.orders[?"))
    assert (line, key) == (12, "sources[0].metrics[0].path")
    assert "bad JSONPath" in msg


def test_counter_without_total():
    [(line, key, msg)] = problems(GOOD.replace("orders_total", "orders"))
    assert line == 9 and key.startswith("sources[0].metrics[0]")
    assert "_total" in msg


def test_gauge_with_total_rejected():
    [(_, _, msg)] = problems(GOOD.replace("type: counter", "type: gauge"))
    assert "only counters" in msg


def test_invalid_metric_and_label_names():
    text = GOOD.replace("orders_total", "orders-count_total").replace(
        "path: $.orders", "path: $.orders\n        labels: {0bad: \"@key\"}")
    found = problems(text)
    assert any(k == "sources[0].metrics[0].name" and "metric name" in m for _, k, m in found)
    assert any(k.startswith("sources[0].metrics[0].labels") and "label name" in m for _, k, m in found)


def test_duplicate_metric_name_across_sources():
    text = GOOD + (
        "  - name: other\n"
        "    url: /other\n"
        "    metrics:\n"
        "      - name: orders_total\n"
        "        help: Orders.\n"
        "        type: counter\n"
        "        path: $.orders\n")
    [(line, key, msg)] = problems(text)
    assert (line, key) == (16, "sources[1].metrics[0].name")
    assert "duplicate metric name" in msg


def test_same_name_split_by_const_labels_is_allowed():
    text = GOOD + (
        '      - {name: latency_seconds, help: L., type: gauge, path: $.p50, const_labels: {percentile: p50}}\n'
        '      - {name: latency_seconds, help: L., type: gauge, path: $.p95, const_labels: {percentile: p95}}\n')
    assert len(load_plan_text(text).metrics["latency_seconds"]) == 2
    clash = text.replace("percentile: p95", "percentile: p50")
    assert "same constant labels" in problems(clash)[0][2]


def test_duplicate_yaml_key():
    [(line, key, msg)] = problems(GOOD.replace("    timeout: 2s", "    timeout: 2s\n    timeout: 3s"))
    assert (line, key) == (8, "sources[0].timeout") and "duplicate key" in msg


def test_secret_must_not_be_inline():
    text = GOOD.replace("    timeout: 2s", "    timeout: 2s\n    auth: {bearer: s3cr3t-token}")
    [(line, key, msg)] = problems(text)
    assert line == 8 and key.startswith("sources[0].auth")
    assert "s3cr3t-token" not in msg or "valid dictionary" in msg


def test_relative_url_needs_base_url():
    [(_, key, msg)] = problems(GOOD.replace("base_url: http://127.0.0.1:1\n", ""))
    assert key == "sources[0].url" and "base_url" in msg


def test_not_yaml():
    [(line, _, msg)] = problems("plan: x\n  - : [\n")
    assert line >= 1 and "not valid YAML" in msg


def test_unreadable_file(tmp_path):
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "nope.yml")
    assert "cannot read plan" in str(info.value)


def test_check_cli_exit_codes(tmp_path):
    good = tmp_path / "good.yml"
    good.write_text(GOOD)
    bad = tmp_path / "bad.yml"
    bad.write_text(GOOD.replace("    timeout:", "    timout:"))
    ok = subprocess.run(launchwatch_cmd("check", str(good)), capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    fail = subprocess.run(launchwatch_cmd("check", str(bad)), capture_output=True, text=True)
    assert fail.returncode == 1
    assert f"{bad}:7: sources[0].timout: unknown key (did you mean 'timeout'?)" in fail.stderr


BUSINESS = GOOD + textwrap.dedent("""\
    channels: [{name: chat, type: chat, to: "#x"}]
    tiers: [{name: RED, severity: critical, channels: [chat]}]
    business_hours: {weekdays: [monday:friday], start: "09:00", end: "17:00", location: Europe/Berlin}
    thresholds:
      - alert: NoOrders
        summary: No order
        section: doc
        tier: RED
        metric: orders_total
        kind: increase
        window: 1h
        op: "=="
        value: 0
        business_hours: true
    """)


def test_business_hours_clock_and_window_are_checked():
    load_plan_text(BUSINESS)
    [(line, key, msg)] = problems(BUSINESS.replace('start: "09:00"', 'start: "9am"'))
    assert (line, key) == (15, "business_hours.start") and "HH:MM" in msg
    [(line, key, msg)] = problems(BUSINESS.replace("window: 1h", "window: 8h"))
    assert key == "thresholds[0].window" and "8h does not fit between 09:00 and 17:00" in msg


@pytest.mark.parametrize("name", ["up", "launchwatch_target_up", "scrape_duration_seconds", "ALERTS"])
def test_metric_names_the_exporter_or_prometheus_write_are_refused(name):
    [(line, key, msg)] = problems(GOOD.replace("name: orders_total", f"name: {name}").replace("type: counter",
                                                                                            "type: gauge"))
    assert (line, key) == (9, "sources[0].metrics[0].name") and "reserved" in msg
