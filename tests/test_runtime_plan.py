"""The runtime form of a plan (launchwatch.plan.runtime) reads as the validation model does, and needs no pydantic."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan, load_plan_text
from launchwatch.plan.runtime import RuntimePlan, runtime_plan

REQUEST = ("method", "body", "timeout", "max_response_bytes", "isolation", "needs_json")
MAPPING = ("name", "help", "type", "path", "value", "labels", "label_defaults", "const_labels", "value_map",
           "value_map_default", "numeric_strings", "optional", "timestamp", "timestamp_unit", "scale", "value_query",
           "label_names", "shared")

WITH_EVERYTHING = """
plan: t
title: T
modules:
  - name: m
    allowed_targets: [127.0.0.1]
    headers: {X-Key: {env: KEY}}
    auth: {basic: {username: u, password: {file: /p}}}
    tls: {insecure_skip_verify: true}
    valid_status_codes: [200, 204]
    metrics: [{name: m_value, help: H., type: gauge, path: '$.v', value_map: {ok: 1}, value_map_default: 0}]
sources:
  - name: s
    url: http://127.0.0.1:1/x
    module: m
    min_interval: 30s
    method: POST
    body: '{}'
    auth: {bearer: {env: TOKEN}}
    probe: {max_duration: 2s, body_regex: ok, assertions: [{name: up, path: $.up, equals: [true, 'yes', 1]}]}
    metrics:
      - {name: a_total, help: A., type: counter, path: '$.items[*]', value: '@.n', labels: {k: '@key', t: '@target'},
         label_defaults: {k: none}, const_labels: {env: prod}, timestamp: '@.at', timestamp_unit: ms, scale: 0.5}
"""


def assert_reads_the_same(model, runtime) -> None:
    for field in REQUEST:
        assert getattr(runtime, field) == getattr(model, field), field
    assert list(runtime.valid_status_codes) == model.valid_status_codes
    tls = (model.tls.insecure_skip_verify, model.tls.ca_file)
    assert (runtime.tls.insecure_skip_verify, runtime.tls.ca_file) == tls
    assert {k: v if isinstance(v, str) else v.describe() for k, v in runtime.headers.items()} == \
        {k: v if isinstance(v, str) else v.describe() for k, v in model.headers.items()}
    assert (runtime.auth is None) == (model.auth is None)
    if model.auth is not None:
        bearer = model.auth.bearer and model.auth.bearer.describe()
        assert (runtime.auth.bearer and runtime.auth.bearer.describe()) == bearer
        if model.auth.basic:
            assert runtime.auth.basic.username == model.auth.basic.username
            assert runtime.auth.basic.password.describe() == model.auth.basic.password.describe()
    assert (runtime.probe is None) == (model.probe is None)
    if model.probe is not None:
        assert (runtime.probe.max_duration, runtime.probe.body_regex) == (model.probe.max_duration,
                                                                          model.probe.body_regex)
        assert [(a.name, a.path, a.equals) for a in runtime.probe.assertions] == \
            [(a.name, a.path, a.equals) for a in model.probe.assertions]
    assert len(runtime.metrics) == len(model.metrics)
    for rm, mm in zip(runtime.metrics, model.metrics, strict=True):
        for field in MAPPING:
            assert getattr(rm, field) == getattr(mm, field), (mm.name, field)


@pytest.mark.parametrize("name", builtin_plans())
def test_every_builtin_plan_reads_the_same(name):
    plan = load_plan(builtin_plan_path(name))
    runtime = runtime_plan(plan)
    assert (runtime.plan, runtime.title, runtime.base_url, runtime.max_concurrency) == \
        (plan.plan, plan.title, plan.base_url, plan.max_concurrency)
    assert list(runtime.journeys) == plan.journeys
    for model, rt in zip(plan.sources, runtime.sources, strict=True):
        assert (rt.name, rt.url, rt.module, rt.min_interval) == (model.name, model.url, model.module,
                                                                 model.min_interval)
        assert_reads_the_same(model, rt)
    assert runtime.metrics.keys() == plan.metrics.keys()


def test_every_field_and_a_module_as_probe_source():
    plan = load_plan_text(WITH_EVERYTHING)
    runtime = runtime_plan(plan)
    assert_reads_the_same(plan.sources[0], runtime.sources[0])
    assert_reads_the_same(plan.modules[0], runtime.modules[0])
    probed, model = runtime.module("m").as_source("http://127.0.0.1:2/y"), plan.module("m").as_source("http://127.0.0.1:2/y")
    assert (probed.name, probed.url, probed.min_interval) == (model.name, model.url, model.min_interval)
    assert_reads_the_same(model, probed)
    assert runtime_plan(runtime) is runtime


def test_it_pickles_and_unpickles_without_pydantic(tmp_path):
    runtime = runtime_plan(load_plan_text(WITH_EVERYTHING))
    (tmp_path / "plan.pickle").write_bytes(pickle.dumps(runtime))
    code = ("import pickle, sys; plan = pickle.loads(open(sys.argv[1], 'rb').read()); "
            "assert 'pydantic' not in sys.modules and 'yaml' not in sys.modules, 'imported'; "
            "print(plan.sources[0].metrics[-1].labels['k'], plan.module('m').allowed_targets)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "plan.pickle")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["@key", "('127.0.0.1',)"]
    again = pickle.loads(pickle.dumps(runtime))
    assert isinstance(again, RuntimePlan) and again == runtime


def test_equal_values_are_stored_once():
    text = "plan: t\ntitle: T\nsources:\n" + "".join(
        f"  - {{name: s{i}, url: 'http://127.0.0.1:1/{i}', metrics: [{{name: s{i}_up, help: Same help., "
        f"type: gauge, path: $.up, value_map: {{ok: 1}}}}]}}\n" for i in range(3))
    runtime = runtime_plan(load_plan_text(text))
    first, *others = [s.metrics[0] for s in runtime.sources]
    for other in others:
        assert other.help is first.help and other.value_map is first.value_map and other.labels is first.labels
        assert other.path is first.path


def test_launchwatch_run_serves_from_a_process_without_the_loader(tmp_path, processes):
    """`launchwatch run` becomes the serving process (same pid), which never loads pydantic or libyaml, not even
    on a reload (the plan is read in a child)."""
    import os
    import signal

    import requests

    from tests.conftest import free_port, launchwatch_cmd, parse_metrics, wait_for

    path = tmp_path / "plan.yml"
    source = "  - {name: s, url: 'http://127.0.0.1:1/x', metrics: [{name: s_up, help: H., type: gauge, path: $.up}]}\n"
    path.write_text("plan: t\ntitle: T\nsources:\n" + source)
    port = free_port()
    proc = processes.start(launchwatch_cmd("run", "--config", str(path), "--listen", f"127.0.0.1:{port}"),
                           tmp_path / "run.log")
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(url + "/-/ready", timeout=1).ok, what="exporter ready")

    def libraries() -> str:
        return Path(f"/proc/{proc.pid}/maps").read_text()

    assert "launchwatch_target_up" in requests.get(url + "/metrics", timeout=5).text
    assert "pydantic_core" not in libraries() and "_yaml" not in libraries()
    path.write_text("plan: t\ntitle: T\nsources:\n" + source + source.replace("name: s,", "name: s2,").replace(
        "s_up", "s2_up"))
    os.kill(proc.pid, signal.SIGHUP)
    wait_for(lambda: 'launchwatch_target_up{target="s2"}' in parse_metrics(
        requests.get(url + "/metrics", timeout=5).text), what="the reloaded plan served")
    assert "pydantic_core" not in libraries() and "_yaml" not in libraries()
    assert proc.poll() is None
