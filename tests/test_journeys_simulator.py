"""Every built-in journey against the simulator, each journey fault, and the rate limit.

One module-scoped fixture runs a simulator and an exporter per plan with journeys. The exporter runs
the built-in plan as shipped, except that its journeys may run every second (``interval: 1s``), so one
fixture can show a passing run, then a run under each fault, then a passing run again. Which step a
fault breaks is derived from the simulator's route for that fault and the plan's steps.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests

from launchwatch.exporter import Exporter
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from launchwatch.plan.model import Plan
from launchwatch.selfmetric_names import (
    JOURNEY_FAILURES,
    JOURNEY_RUNS,
    JOURNEY_STEP_SUCCESS,
    JOURNEY_SUCCESS,
    TARGET_UP,
)
from launchwatch.simulator import Faults, Simulator
from launchwatch.simulator.journeys import JOURNEY_FAULTS, JourneyApp
from tests.conftest import RunningExporter, parse_metrics

# what each fault does to its step: the behaviour under test
FAULT_REASONS = {"otp-delay": "timeout", "join-fails": "http_status", "trial-fails": "invalid_value",
                 "card-declined": "http_status"}
SLOW = 3.0  # the simulator's slow_delay: otp-delay holds the code back this long, past the step's 2 s
PLANS = [p for p in builtin_plans() if load_plan(builtin_plan_path(p)).journeys]


def _fast(plan: Plan, interval: float) -> Plan:
    """The plan as shipped, its journeys due every ``interval`` seconds."""
    journeys = [j.model_copy(update={"interval": interval}) for j in plan.journeys]  # a longer run is shared
    return plan.model_copy(update={"journeys": journeys})


class Stack:
    def __init__(self, name: str):
        self.sim = Simulator(name, "127.0.0.1", 0, seed=7, slow_delay=SLOW).start()
        self.plan = load_plan(builtin_plan_path(name), base_url=self.sim.url)
        self.exp = RunningExporter(Exporter(builtin_plan_path(name), base_url=self.sim.url,
                                            plan=_fast(self.plan, 1.0)))
        self.last_runs: dict[str, float] = {}

    def fresh_metrics(self) -> dict[str, float]:
        """A scrape after every journey ran once more (each is due every second)."""
        deadline = time.monotonic() + 30
        while True:
            time.sleep(1.05)
            m = parse_metrics(requests.get(self.exp.url + "/metrics", timeout=30,
                                           headers={"X-Prometheus-Scrape-Timeout-Seconds": "10"}).text)
            runs = {j.name: m.get(f'{JOURNEY_RUNS}{{journey="{j.name}"}}', 0.0) for j in self.plan.journeys}
            if all(runs[n] > self.last_runs.get(n, 0.0) for n in runs) or time.monotonic() > deadline:
                self.last_runs = runs
                return m

    def close(self) -> None:
        self.exp.close()
        self.sim.stop()


@pytest.fixture(scope="module")
def stacks():
    made = {name: Stack(name) for name in PLANS}
    yield made
    for stack in made.values():
        stack.close()


def test_the_plans_with_journeys_are_the_documents_that_ask_for_them():
    assert sorted(PLANS) == sorted({plan for plan, _ in JOURNEY_FAULTS.values()})


def _step_of(plan: Plan, fault: str) -> tuple[str, str]:
    """(journey, step) whose request reaches the route ``fault`` breaks."""
    app = JourneyApp(plan.plan, Faults(), delay=lambda s: None)  # its routes only
    route = JOURNEY_FAULTS[fault][1]
    for j in plan.journeys:
        for step in j.steps:
            path = re.sub(r"\$\{[^}]*\}", "x", step.url.split("?", 1)[0])
            found = app.match(step.method, path)
            if found is not None and found[0] == route:
                return j.name, step.name
    raise AssertionError(f"no step of {plan.plan} reaches {route}")


def _assert_all_pass(stack: Stack, m: dict[str, float]) -> None:
    for j in stack.plan.journeys:
        assert m[f'{JOURNEY_SUCCESS}{{journey="{j.name}"}}'] == 1, (j.name, stack.exp.app.journeys.scheduled)
        for step in j.all_steps:
            assert m[f'{JOURNEY_STEP_SUCCESS}{{journey="{j.name}",step="{step.name}"}}'] == 1, (j.name, step.name)


@pytest.mark.parametrize("name", PLANS)
def test_every_built_in_journey_passes_then_each_fault_fails_exactly_its_step(name, stacks):
    stack = stacks[name]
    _assert_all_pass(stack, stack.fresh_metrics())
    for fault in [f for f, (plan, _) in JOURNEY_FAULTS.items() if plan == name]:
        journey, step = _step_of(stack.plan, fault)
        reason = FAULT_REASONS[fault]
        failures = f'{JOURNEY_FAILURES}{{journey="{journey}",reason="{reason}",step="{step}"}}'
        before = stack.fresh_metrics().get(failures, 0.0)
        requests.post(f"{stack.sim.url}/-/fault", params={"fault": fault}, timeout=5).raise_for_status()
        try:
            m = stack.fresh_metrics()
        finally:
            requests.delete(f"{stack.sim.url}/-/fault", timeout=5).raise_for_status()
        assert m[f'{JOURNEY_SUCCESS}{{journey="{journey}"}}'] == 0, fault
        assert m[failures] == before + 1, (fault, {k: v for k, v in m.items() if JOURNEY_FAILURES in k})
        steps = [s.name for s in stack.plan.journey(journey).steps]
        broken = steps.index(step)
        for i, other in enumerate(steps):
            key = f'{JOURNEY_STEP_SUCCESS}{{journey="{journey}",step="{other}"}}'
            assert m.get(key) == (1.0 if i < broken else 0.0 if i == broken else None), (fault, other)
        for cleanup in stack.plan.journey(journey).cleanup:  # cleanup ran, and worked
            assert m[f'{JOURNEY_STEP_SUCCESS}{{journey="{journey}",step="{cleanup.name}"}}'] == 1, (fault, cleanup)
        for other in stack.plan.journeys:  # the other journeys keep passing
            if other.name != journey:
                assert m[f'{JOURNEY_SUCCESS}{{journey="{other.name}"}}'] == 1, (fault, other.name)
        ups = {k: v for k, v in m.items() if k.startswith(TARGET_UP + "{")}
        assert ups and set(ups.values()) == {1.0}, (fault, ups)  # the sources keep their values
    _assert_all_pass(stack, stack.fresh_metrics())


def test_twenty_scrapes_a_second_for_thirty_seconds_run_each_journey_once_per_interval(stacks):
    """Counted where it costs: the simulator's requests to each journey's first step."""
    name = "ecommerce-support"
    interval, seconds, rate = 10.0, 30.0, 20
    sim = stacks[name].sim
    plan = load_plan(builtin_plan_path(name), base_url=sim.url)
    only = _fast(plan, interval).model_copy(update={"sources": [], "thresholds": [], "slos": [], "dashboards": [],
                                                    "reports": []})
    app = JourneyApp(name, Faults(), delay=lambda s: None)  # its routes only
    first = {j.name: app.match(j.steps[0].method, j.steps[0].url)[0] for j in plan.journeys}  # type: ignore[index]
    before = {j: sim.requests[route] for j, route in first.items()}
    exp = RunningExporter(Exporter(builtin_plan_path(name), base_url=sim.url, plan=only))
    errors: list[str] = []
    scrapes: list[int] = []
    try:
        def scraper() -> None:
            session = requests.Session()
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                started = time.monotonic()
                try:
                    session.get(exp.url + "/metrics", timeout=5).raise_for_status()
                    scrapes.append(1)
                except requests.RequestException as exc:
                    errors.append(str(exc))
                time.sleep(max(0.0, 2 / rate - (time.monotonic() - started)))

        threads = [threading.Thread(target=scraper) for _ in range(2)]  # two scrapers at once, 10 a second each
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 10)
        m = exp.metrics()
    finally:
        exp.close()
    assert not errors, errors[:3]
    assert len(scrapes) >= 0.75 * rate * seconds, len(scrapes)  # the load really was about 20 a second
    for journey, route in first.items():
        runs = sim.requests[route] - before[journey]
        assert seconds // interval <= runs <= seconds // interval + 1, (journey, runs)
        assert m[f'{JOURNEY_RUNS}{{journey="{journey}"}}'] == runs
