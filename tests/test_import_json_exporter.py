"""``launchwatch import json-exporter`` on json_exporter's own example and test configurations, served
through launchwatch's /probe and held to json_exporter's golden output for the same JSON."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
import yaml
from prometheus_client.parser import text_string_to_metric_families

from launchwatch.exporter.extract import extract, parse_json
from launchwatch.importers.json_exporter import convert
from launchwatch.plan import load_plan_text
from tests.conftest import ROOT, binary, launchwatch_cmd
from tests.upstream import Reply, Upstream

FIXTURES = ROOT.parent / "shared" / "json_exporter-fixtures"


@pytest.fixture(scope="module")
def served():
    """json_exporter's served documents, from a local server (as its own tests serve them)."""
    if not FIXTURES.is_dir():
        pytest.fail(f"json_exporter's fixtures are missing: {FIXTURES}")
    up = Upstream()
    for path in ("test/serve/good.json", "test/serve/repeat-metric.json", "examples/data.json",
                 "examples/animal-data.json"):
        up.set("/" + path, Reply(body=(FIXTURES / path).read_bytes()))
    yield up
    up.stop()


def run_import(tmp_path: Path, config: str, *args: str) -> tuple[str, str]:
    out = tmp_path / "imported.yml"
    done = subprocess.run(launchwatch_cmd("import", "json-exporter", str(FIXTURES / config), "-o", str(out), *args),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    check = subprocess.run(launchwatch_cmd("check", str(out)), capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    return out.read_text(), done.stderr


def samples(text: str) -> dict[tuple, tuple[str, float]]:
    """{(series name, labels): (family type, value)} of an exposition."""
    return {(s.name, tuple(sorted(s.labels.items()))): (fam.type, s.value)
            for fam in text_string_to_metric_families(text) for s in fam.samples}


def probe(exp, module: str, target: str) -> requests.Response:
    return requests.get(exp.url + "/probe", params={"module": module, "target": target}, timeout=30)


def test_good_yml_gives_json_exporters_golden_output(tmp_path, served, exporter_factory):
    plan_text, notes = run_import(tmp_path, "test/config/good.yml", "--allow-target", served.url + "/test/serve/")
    conversion = convert(yaml.safe_load((FIXTURES / "test/config/good.yml").read_text()), "json-exporter")
    assert conversion.renamed == {"example_value_active": "example_value_active_total",
                                  "example_value_count": "example_value_count_total",
                                  "example_value_boolean": "example_value_boolean_total"}
    assert "example_value_count is exported as example_value_count_total (counters end in _total)" in notes
    exp = exporter_factory(plan_text)
    resp = probe(exp, "default", served.url + "/test/serve/good.json")
    assert resp.status_code == 200, resp.text
    golden = (FIXTURES / "test/response/good.txt").read_text()
    # prometheus_client reads json_exporter's counters (example_value_active, no _total) as the counter samples
    # example_value_active_total: exactly the series launchwatch exports under the importer's renames
    assert samples(resp.text) == samples(golden)
    for old, new in conversion.renamed.items():
        assert f"\n{old}{{" in golden and f"\n{new}{{" in resp.text
    # json_exporter's test: the same configuration over a document with a repeated id is not the golden page;
    # launchwatch drops the mappings whose series would repeat (isolation: metric) and keeps the rest
    repeated = probe(exp, "default", served.url + "/test/serve/repeat-metric.json")
    assert repeated.status_code == 200
    assert "example_global_value{" in repeated.text and "example_value_count_total{" not in repeated.text


def test_examples_give_json_exporters_documented_output(tmp_path, served, exporter_factory):
    # the Prometheus configuration json_exporter's README pairs with the example: its /probe job's targets become
    # the default module's allowed targets (its hosts are not ours: the test adds the local server's)
    prometheus = str(FIXTURES / "examples/prometheus.yml")
    plan_text, notes = run_import(tmp_path, "examples/config.yml", "--prometheus", prometheus,
                                  "--allow-target", served.url + "/examples/")
    plan = load_plan_text(plan_text)
    assert "http://localhost:8000/examples/data.json" in plan.module("default").allowed_targets
    assert plan.module("default").headers == {"X-Dummy": "my-test-header"}
    exp = exporter_factory(plan_text)
    default = probe(exp, "default", served.url + "/examples/data.json")
    animals = probe(exp, "animals", served.url + "/examples/animal-data.json")
    assert default.status_code == animals.status_code == 200
    got = {**samples(default.text), **samples(animals.text)}
    # json_exporter's README, "Example Usage": the same values and labels (all untyped there: gauges here;
    # "_count" gauges renamed, as promtool reserves the suffix for summaries and histograms)
    assert {k: v for k, (_, v) in got.items()} == {
        ("example_global_value", (("environment", "beta"), ("location", "planet-mars"))): 1234,
        ("example_timestamped_value_count_value", (("environment", "beta"),)): 2,
        ("example_value_active", (("environment", "beta"), ("id", "id-A"))): 1,
        ("example_value_active", (("environment", "beta"), ("id", "id-C"))): 1,
        ("example_value_boolean", (("environment", "beta"), ("id", "id-A"))): 1,
        ("example_value_boolean", (("environment", "beta"), ("id", "id-C"))): 0,
        ("example_value_count_value", (("environment", "beta"), ("id", "id-A"))): 1,
        ("example_value_count_value", (("environment", "beta"), ("id", "id-C"))): 3,
        ("animal_population", (("name", "deer"), ("predator", "false"))): 456,
        ("animal_population", (("name", "lion"), ("predator", "true"))): 123,
        ("animal_population", (("name", "pigeon"), ("predator", "false"))): 789,
    }
    assert "example_value_count is exported as example_value_count_value (promtool's naming rules)" in notes
    for body in (default.text, animals.text):  # what json_exporter served as untyped, promtool accepts here
        lint = subprocess.run([binary("promtool"), "check", "metrics"], input=body, capture_output=True, text=True,
                              timeout=60)
        assert (lint.stdout + lint.stderr).strip() == ""


@pytest.mark.parametrize(("module", "missing"), [("missing_value_ok", []), ("missing_value_not_ok", [1]),
                                                 ("missing_object_value_ok", []),
                                                 ("missing_object_value_not_ok", [1])])
def test_allow_missing_key_stays_silent_and_its_absence_counts(module, missing):
    conversion = convert(yaml.safe_load((FIXTURES / "test/config/allow_missing_key.yml").read_text()), "m")
    plan = load_plan_text(yaml.safe_dump(conversion.plan))
    source = plan.module(module).as_source("http://127.0.0.1:1/")
    result = extract(source, parse_json((FIXTURES / "test/serve/good.json").read_bytes()))
    assert [f.samples for f in result.families] == [[]]
    assert len(result.missing) == len(missing)  # json_exporter logs an error exactly when not allowed


def test_what_cannot_be_converted_is_listed(tmp_path):
    config = {"modules": {"Fancy": {
        "headers": {"X-Key": "k"},
        "body": {"content": '{"q": "{{ .x | first }}"}', "templatize": True},
        "http_client_config": {"basic_auth": {"username": "u", "password": "hunter2"}, "proxy_url": "http://proxy",
                               "tls_config": {"cert_file": "c.pem", "insecure_skip_verify": True}},
        "metrics": [{"name": "latency_milliseconds", "path": "{.latency}", "valuetype": "gauge"},
                    {"name": "http5xx:rate", "path": "{.rate}"}, {"name": "4xxErrors", "path": "{.e}"},
                    {"name": "loop", "path": "{range .items[*]}{.x}{end}"},
                    {"name": "state", "type": "object", "path": "{.items[*]}", "labels": {"job": "{.job}"},
                     "values": {"code": "{.state}"}, "valueconverter": {"{.state}": {"active": 1, "inactive": 0}}}],
    }}}
    conv = convert(config, "x")
    text = "\n".join(conv.notes)
    assert "hunter2" not in yaml.safe_dump(conv.plan)
    for fragment in ("renamed 'fancy'", "templatize: true", "set the environment variable JSON_EXPORTER_FANCY_PASSWORD",
                     "proxy_url: no launchwatch equivalent", "tls_config.cert_file", "latency_milliseconds is exported "
                     "as latency_seconds (base units, values × 0.001)", "Kubernetes template loops have no RFC 9535",
                     "labels.job (state): renamed exported_job",
                     "value_map lists them in lower, upper and capitalised"):
        assert fragment in text, fragment
    module = load_plan_text(yaml.safe_dump(conv.plan)).module("fancy")
    assert module.auth.basic.password.env == "JSON_EXPORTER_FANCY_PASSWORD" and module.tls.insecure_skip_verify
    [latency, rate, errors, state] = module.metrics
    assert (rate.name, errors.name) == ("http5xx_rate", "json_4xx_errors")
    assert (latency.name, latency.scale, latency.path) == ("latency_seconds", 0.001, "$.latency")
    assert state.value_map == {"active": 1, "ACTIVE": 1, "Active": 1, "inactive": 0, "INACTIVE": 0, "Inactive": 0}


def test_a_bad_configuration_is_one_line_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("modules: [\n")
    out = tmp_path / "out.yml"
    done = subprocess.run(launchwatch_cmd("import", "json-exporter", str(bad), "-o", str(out)), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{bad}:2: not valid YAML" in done.stderr and not out.exists()
