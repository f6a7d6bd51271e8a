"""The journey runner (launchwatch.exporter.journeys) and the journeys: model, against loopback servers.

Each test runs real requests: tests/upstream.py answers what a test sets per path (and records what
it was sent), tests/hostile.py drips or never ends. The built-in journeys against the simulator are
in test_journeys_simulator.py.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest
import requests

from launchwatch.exporter import Exporter
from launchwatch.exporter.journeys import MASK, JourneyRunner, Journeys, journey_families
from launchwatch.plan import PlanError, load_plan_text
from launchwatch.plan.journeys import Journey
from launchwatch.selfmetric_names import JOURNEY_FAILURES, JOURNEY_RUNS, JOURNEY_STEP_SUCCESS, JOURNEY_SUCCESS
from tests.conftest import RunningExporter, launchwatch_cmd
from tests.hostile import HostileServer, drip, drip_head
from tests.upstream import Reply, Upstream

SECRET_KEY = "sk-planted-api-key-9c1f"  # from the environment, sent as a header
SECRET_TOKEN = "tok-planted-session-77ab"  # extracted from a response, marked secret


@pytest.fixture
def upstream():
    up = Upstream()
    yield up
    up.stop()


def _journey(**fields) -> Journey:
    return Journey.model_validate({"name": "j", "interval": "1m", **fields})


def _json(doc: object, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(doc).encode(), {"Content-Type": "application/json", **(headers or {})})


def test_steps_pass_variables_on_and_send_what_the_plan_says(upstream, monkeypatch):
    monkeypatch.setenv("LW_TEST_KEY", SECRET_KEY)
    upstream.set("/signup", _json({"user": {"id": 41}, "status": "ok"}, 201,
                                  {"Set-Cookie": "sid=abc123; Path=/; HttpOnly"}))
    upstream.set("/users/41?sid=abc123", _json({"id": 41, "email": "x"}))
    upstream.set("/login", _json({"token": SECRET_TOKEN}))
    journey = _journey(
        variables={"email": "lw-${uuid}@example.test"}, secrets={"key": {"env": "LW_TEST_KEY"}},
        headers={"X-Api-Key": "${key}"},
        steps=[
            {"name": "signup", "url": "/signup", "json": {"email": "${email}", "at": "${now}", "n": 3},
             "expect": {"status": [201], "assertions": [{"path": "$.status", "equals": ["ok"]}]},
             "extract": {"user_id": "$.user.id", "sid": {"header": "set-cookie", "regex": "sid=([^;]+)"}}},
            {"name": "profile", "url": "/users/${user_id}?sid=${sid}",
             "expect": {"assertions": [{"path": "$.id", "equals": [41]}]}},
            {"name": "login", "url": "/login", "form": {"email": "${email}", "user": "${user_id}"},
             "extract": {"token": {"path": "$.token", "secret": True}}},
        ])
    result = JourneyRunner(journey, upstream.url).run()
    assert result.ok, result.describe()
    assert [(s.name, s.ok, s.status_code) for s in result.steps] == [
        ("signup", True, 201), ("profile", True, 200), ("login", True, 200)]
    assert result.steps[0].extracted == {"user_id": "41", "sid": "abc123"}
    assert result.steps[2].extracted == {"token": MASK}
    method, body = upstream.seen_requests["/signup"]
    sent = json.loads(body)
    assert method == "POST" and sent["n"] == 3 and sent["email"].startswith("lw-") and sent["at"].isdigit()
    assert upstream.seen_headers["/signup"]["Content-Type"] == "application/json"
    assert upstream.seen_headers["/signup"]["X-Api-Key"] == SECRET_KEY  # the journey's header, on every step
    method, body = upstream.seen_requests["/login"]
    assert body.decode() == f"email={sent['email'].replace('@', '%40')}&user=41"
    assert upstream.seen_headers["/login"]["Content-Type"] == "application/x-www-form-urlencoded"
    # runs are independent: the generated values differ from run to run
    JourneyRunner(journey, upstream.url).run()
    assert json.loads(upstream.seen_requests["/signup"][1])["email"] != sent["email"]


def test_each_failure_names_its_step_and_the_sources_reason(upstream):
    upstream.set("/ok", _json({"a": 1}))
    upstream.set("/teapot", Reply(418, b"{}"))
    upstream.set("/html", Reply(200, b"<html>", {"Content-Type": "text/html"}))
    upstream.set("/declined", _json({"status": "declined"}))
    cases = {  # step after /ok -> (reason, what the message says)
        "/teapot": ({}, "http_status", "answered HTTP 418"),
        "/html": ({"extract": {"x": "$.x"}}, "invalid_json", "not valid JSON"),
        "/declined": ({"expect": {"assertions": [{"path": "$.status", "equals": ["approved"]}]}}, "invalid_value",
                      "expected $.status to be one of ['approved'], got declined"),
        "/ok": ({"extract": {"x": "$.missing"}}, "invalid_value", "extract x: $.missing found nothing"),
    }
    for path, (extra, reason, text) in cases.items():
        journey = _journey(steps=[{"name": "first", "url": "/ok"}, {"name": "broken", "url": path, **extra},
                                  {"name": "never", "url": "/ok"}],
                           cleanup=[{"name": "tidy", "url": "/ok"}])
        result = JourneyRunner(journey, upstream.url).run()
        assert not result.ok and result.failed is not None
        assert (result.failed.name, result.failed.reason) == ("broken", reason), path
        assert text in (result.failed.error or ""), result.failed.error
        assert [s.ok for s in result.steps] == [True, False, None, True]  # cleanup still ran
    missing = _journey(secrets={"pw": {"env": "LW_TEST_UNSET_SECRET"}},
                       steps=[{"name": "login", "url": "/ok", "headers": {"X-Pw": "${pw}"}}])
    result = JourneyRunner(missing, upstream.url).run()
    assert (result.failed.name, result.failed.reason) == ("login", "secret")
    assert "LW_TEST_UNSET_SECRET is not set" in result.failed.error


@pytest.mark.parametrize("behaviour", [drip, drip_head], ids=["dripped-body", "dripped-head"])
def test_a_dripping_step_is_cut_at_its_deadline_and_cleanup_still_runs(behaviour, upstream):
    hostile = HostileServer({"/slow": behaviour(b'{"ok": true}' * 20, 0.2)})
    upstream.set("/tidy", _json({}))
    try:
        journey = _journey(steps=[{"name": "slow", "url": hostile.url + "/slow", "expect": {"max_duration": "1s"}}],
                           cleanup=[{"name": "tidy", "url": upstream.url + "/tidy"}])
        start = time.monotonic()
        result = JourneyRunner(journey, "").run()
        took = time.monotonic() - start
        assert (result.failed.name, result.failed.reason) == ("slow", "timeout")
        assert "expect.max_duration" in result.failed.error
        assert 0.9 < result.steps[0].duration < 1.6 and took < 2.5, (result.steps[0].duration, took)
        assert result.steps[1].ok is True and upstream.hits["/tidy"] == 1
        assert hostile.hung_up("/slow").wait(5), "the cut connection was never closed"
    finally:
        hostile.stop()


def test_the_journey_timeout_cuts_a_never_ending_step(upstream):
    hostile = HostileServer({"/forever": drip(b" " * 10_000, 0.5)})
    upstream.set("/ok", _json({}))
    try:
        journey = _journey(timeout="1500ms", steps=[
            {"name": "quick", "url": upstream.url + "/ok"},
            {"name": "forever", "url": hostile.url + "/forever", "timeout": "30s"},
            {"name": "after", "url": upstream.url + "/ok"}])
        start = time.monotonic()
        result = JourneyRunner(journey, "").run()
        assert time.monotonic() - start < 2.5
        assert (result.failed.name, result.failed.reason) == ("forever", "timeout")
        assert result.steps[2].ok is None
    finally:
        hostile.stop()


def test_extracted_secrets_never_appear_in_output(upstream, monkeypatch, tmp_path):
    """The token comes back echoed in an error body, an assertion and a URL: every message masks it."""
    monkeypatch.setenv("LW_TEST_KEY", SECRET_KEY)
    upstream.set("/login", _json({"token": SECRET_TOKEN}))
    upstream.set(f"/whoami?t={SECRET_TOKEN}", _json({"echo": SECRET_TOKEN, "key": SECRET_KEY}))
    plan = f"""
plan: secrets
title: Secrets stay secret
base_url: {upstream.url}
journeys:
  - name: leaky
    interval: 1m
    secrets: {{key: {{env: LW_TEST_KEY}}}}
    steps:
      - {{name: login, method: POST, url: /login, json: {{key: "${{key}}"}},
         extract: {{token: {{path: $.token, secret: true}}}}}}
      - name: whoami
        url: /whoami?t=${{token}}
        headers: {{Authorization: "Bearer ${{token}}"}}
        expect: {{assertions: [{{path: $.echo, equals: [nobody]}}, {{path: $.key, equals: [x]}}]}}
"""
    path = tmp_path / "secrets.yml"
    path.write_text(plan)
    # the exporter: /metrics and the landing page
    exp = RunningExporter(Exporter(path))
    try:
        metrics = requests.get(exp.url + "/metrics", timeout=30).text
        landing = requests.get(exp.url + "/", timeout=30).text
    finally:
        exp.close()
    assert 'launchwatch_journey_step_success{journey="leaky",step="whoami"} 0.0' in metrics
    assert 'launchwatch_journey_failures_total{journey="leaky",reason="invalid_value",step="whoami"} 1.0' in metrics
    assert "failed at step whoami (invalid_value)" in landing and MASK in landing
    # the command someone runs while writing the journey
    cli = subprocess.run(launchwatch_cmd("journey", "run", "--config", str(path), "leaky"), capture_output=True,
                         text=True, timeout=60)
    assert cli.returncode == 1, cli.stderr
    assert "token=***" in cli.stdout and "FAILED at step whoami (invalid_value)" in cli.stdout
    assert "Traceback" not in cli.stderr
    for where, text in (("/metrics", metrics), ("landing page", landing), ("journey run", cli.stdout + cli.stderr)):
        assert SECRET_TOKEN not in text and SECRET_KEY not in text, where
    assert upstream.seen_headers[f"/whoami?t={SECRET_TOKEN}"]["Authorization"] == f"Bearer {SECRET_TOKEN}"


def test_concurrent_scrapes_share_one_run_and_runs_wait_for_the_interval(upstream):
    upstream.set("/slowish", Reply(200, b"{}", delay=0.3))
    journey = _journey(interval="1s", timeout="1s", steps=[{"name": "get", "url": "/slowish"}])
    journeys = Journeys([journey], upstream.url)
    served: list[float] = []

    def scrape() -> None:
        states = journeys.collect(time.monotonic() + 5, journeys.start_due())
        fam = {f.name: f for f in journey_families(states)}
        served.extend(v for _, v in fam[JOURNEY_SUCCESS].samples)

    threads = [threading.Thread(target=scrape) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert served == [1.0] * 10 and upstream.hits["/slowish"] == 1  # ten scrapes, one run, every one served
    scrape()  # within the interval: the last result, no new run
    assert upstream.hits["/slowish"] == 1
    time.sleep(1.05)
    scrape()
    assert upstream.hits["/slowish"] == 2
    fam = {f.name: f for f in journey_families(journeys.scheduled)}
    assert fam[JOURNEY_RUNS].samples == [(("j",), 2.0)]
    # a reload keeps an unchanged journey's schedule: no early run
    reloaded = journeys.reloaded([journey], upstream.url)
    reloaded.collect(time.monotonic() + 1, reloaded.start_due())
    assert upstream.hits["/slowish"] == 2 and reloaded.scheduled[0].runs == 2


def test_a_run_longer_than_the_scrape_serves_the_previous_result_with_its_age(upstream):
    upstream.set("/ok", _json({}))
    journey = _journey(interval="1s", timeout="1s", steps=[{"name": "get", "url": "/ok"}])
    journeys = Journeys([journey], upstream.url)
    journeys.collect(time.monotonic() + 5, journeys.start_due())
    upstream.set("/ok", Reply(500, b"{}", delay=0.8))
    time.sleep(1.05)
    states = journeys.collect(time.monotonic() + 0.1, journeys.start_due())  # the run outlasts this scrape
    fam = {f.name: f for f in journey_families(states)}
    assert fam[JOURNEY_SUCCESS].samples == [(("j",), 1.0)]  # the last finished run, not a guess
    age = fam["launchwatch_journey_age_seconds"].samples[0][1]
    assert age >= 1.0
    time.sleep(1.0)
    fam = {f.name: f for f in journey_families(journeys.collect(time.monotonic()))}
    assert fam[JOURNEY_SUCCESS].samples == [(("j",), 0.0)]
    assert fam[JOURNEY_STEP_SUCCESS].samples == [(("j", "get"), 0.0)]
    assert fam[JOURNEY_FAILURES].samples == [(("j", "get", "http_status"), 1.0)]


def test_repeat_counts_iterations_and_names_the_one_that_failed(upstream):
    for i in range(1, 4):
        upstream.set(f"/q/{i}", _json({"n": i}))
    journey = _journey(steps=[{"name": "answer", "method": "POST", "url": "/q/${iteration}", "repeat": 4,
                               "json": {"question": "${iteration}"}}])
    result = JourneyRunner(journey, upstream.url).run()
    assert [upstream.hits[f"/q/{i}"] for i in range(1, 4)] == [1, 1, 1]
    assert json.loads(upstream.seen_requests["/q/3"][1]) == {"question": 3}  # a number stays a number
    assert result.failed.reason == "http_status" and result.failed.error.startswith("iteration 4 of 4: ")


@pytest.mark.parametrize("journey, problem", [
    ("{name: j, interval: 1m, steps: [{name: a, url: '/u/${user}'}]}",
     "journeys[0]: step 'a' url: ${user} is not defined before it is used"),
    ("{name: j, interval: 1m, steps: [{name: a, url: '/u/${id}'}, {name: b, url: /x, extract: {id: $.id}}]}",
     "(a later step extracts it)"),
    ("{name: j, interval: 1m, timeout: 5m, steps: [{name: a, url: /}]}", "is longer than 'interval'"),
    ("{name: j, interval: 1m, tier: RDE, steps: [{name: a, url: /}]}", "journeys[0].tier: unknown tier 'RDE' "
                                                                      "(did you mean 'RED'?)"),
    ("{name: j, interval: 1m, steps: [{name: a, url: /, json: {}}, {name: a, method: POST, url: /}]}",
     "step name 'a' is used twice"),
    ("{name: j, interval: 1m, steps: [{name: a, method: GET, url: /, json: {x: 1}}]}", "a GET request sends no body"),
    ("{name: j, interval: 1m, steps: [{name: a, url: /, extract: {t: {path: $.t, header: X-T}}}]}",
     "give exactly one of 'path'"),
    ("{name: j, interval: 1m, steps: [{name: a, url: /, expect: {statuses: [200]}}]}",
     "journeys[0].steps[0].expect.statuses: unknown key (did you mean 'status'?)"),
])
def test_a_broken_journey_is_named_by_file_line_and_key(journey, problem):
    text = f"""plan: p
title: t
base_url: http://127.0.0.1:9
channels: [{{name: chat, type: chat}}]
tiers: [{{name: RED, severity: critical, channels: [chat]}}]
journeys:
  - {journey}
"""
    with pytest.raises(PlanError) as err:
        load_plan_text(text, "p.yml")
    assert "p.yml:7: " in str(err.value) and problem in str(err.value), str(err.value)


def test_journey_run_says_what_is_wrong_without_a_traceback(tmp_path):
    path = tmp_path / "p.yml"
    path.write_text("plan: p\ntitle: t\nbase_url: http://127.0.0.1:9\njourneys:\n"
                    "  - {name: j, interval: 1m, steps: [{name: a, url: /}]}\n")
    out = subprocess.run(launchwatch_cmd("journey", "run", "--config", str(path), "nope"), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2 and "no journey 'nope' in plan p; journeys: j" in out.stderr
    out = subprocess.run(launchwatch_cmd("journey", "run", "--config", str(path), "j"), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and "FAILED at step a (connection_refused)" in out.stdout
    assert "Traceback" not in out.stderr + out.stdout


def test_a_plan_without_dashboards_gets_the_journeys_row_on_its_derived_dashboard():
    from launchwatch.dashboards.build import build_all
    from launchwatch.selfmetric_names import JOURNEY_STEP_DURATION
    from tests.grafana_schema import errors

    plan = load_plan_text("plan: p\ntitle: t\nbase_url: http://127.0.0.1:9\njourneys:\n"
                          "  - {name: j, interval: 5m, steps: [{name: a, url: /}, {name: b, url: /}]}\n", "p.yml")
    board = build_all([plan])["p"][0]
    assert not errors(board, "dashboard")
    panels = {p["title"]: p for p in board["panels"]}
    assert "Journeys" in panels and panels["Journeys"]["type"] == "row"
    success, steps = panels["Journey success"], panels["Journey step durations"]
    assert success["type"] == "state-timeline" and JOURNEY_SUCCESS in success["targets"][0]["expr"]
    assert "by (journey)" in success["targets"][0]["expr"] and "j every 5m" in success["description"]
    assert steps["fieldConfig"]["defaults"]["unit"] == "s"
    assert JOURNEY_STEP_DURATION in steps["targets"][0]["expr"] and "by (journey, step)" in steps["targets"][0]["expr"]
    without = load_plan_text("plan: q\ntitle: t\nbase_url: http://127.0.0.1:9\n"
                             "sources: [{name: s, url: /, metrics: [{name: x, help: x, type: gauge, path: $.x}]}]\n")
    assert not [p for p in build_all([without])["q"][0]["panels"] if p["title"].startswith("Journey")]
