"""Synthetic user journeys: run a plan's multi-step probes, at most every ``interval``, and serve the result.

``JourneyRunner.run`` performs one journey: each step's request through the sources' fetch layer
(``launchwatch.exporter.fetch``: the whole step cut at its deadline, a size cap, TLS, secrets from
the environment or files), its expectations checked, its extractions read into variables for the
steps after it; the first step that fails ends the journey, naming the reason with the words sources
use (``timeout``, ``http_status``, ``invalid_json``, ``invalid_value``, ``secret``, ...). Cleanup
steps always run afterwards, each skipped only when a variable it needs was never extracted.

``Journeys`` schedules them for the exporter: a scrape starts a journey's run only when ``interval``
has passed since its last run started, concurrent scrapes share one run, and between runs every
scrape gets the last result with its age, so Prometheus never triggers a burst of sign-ups.

Values the plan marks secret (``secrets:`` and extractions with ``secret: true``) are masked in every
message, log line, landing page and printout; metric labels carry only journey and step names.

>>> from launchwatch.plan.journeys import Journey
>>> journey = Journey.model_validate({"name": "health", "interval": "1m", "steps": [{"name": "get", "url": "/"}]})
>>> runner = JourneyRunner(journey, "http://127.0.0.1:9849")
>>> result = runner.run()  # doctest: +SKIP
>>> result.ok, [s.name for s in result.steps]  # doctest: +SKIP
(True, ['get'])
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from launchwatch.exporter.exposition import Family
from launchwatch.exporter.extract import ExtractError, parse_json
from launchwatch.exporter.fetch import Fetcher, FetchError, FetchResult, read_secret, redact_url
from launchwatch.exporter.paths import query
from launchwatch.plan.journeys import ITERATION, Assertion, Journey, Step, resolve
from launchwatch.plan.model import SecretRef, TlsConfig
from launchwatch.selfmetric_names import (
    JOURNEY_AGE,
    JOURNEY_DURATION,
    JOURNEY_FAILURES,
    JOURNEY_LAST_RUN,
    JOURNEY_RUNS,
    JOURNEY_STEP_DURATION,
    JOURNEY_STEP_SUCCESS,
    JOURNEY_SUCCESS,
    SELF_METRIC_LABELS,
)

__all__ = ["JourneyResult", "JourneyRunner", "Journeys", "StepResult", "journey_families"]

log = logging.getLogger("launchwatch.exporter")

MASK = "***"
_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
_WHOLE_REFERENCE = re.compile(r"^\$\{([a-z_][a-z0-9_]*)\}$")


@dataclass
class StepResult:
    """One step of one run. ``ok`` is None for a step not run (after a failure, or a cleanup step whose
    variables were never extracted); ``error`` and ``extracted`` are already masked."""

    name: str
    ok: bool | None
    cleanup: bool = False
    method: str = ""
    url: str = ""  # without credentials, secrets masked
    duration: float = 0.0
    status_code: int | None = None
    reason: str | None = None
    error: str | None = None
    extracted: dict[str, str] = field(default_factory=dict)  # variable -> value as shown (secrets masked)


@dataclass
class JourneyResult:
    """One run: ``ok`` when every step passed (cleanup failures are reported, not counted against it)."""

    journey: str
    ok: bool
    started: float  # Unix time the run started
    finished: float  # Unix time it ended (cleanup included)
    duration: float  # seconds the steps took (without cleanup)
    steps: list[StepResult] = field(default_factory=list)

    @property
    def failed(self) -> StepResult | None:
        """The step that broke the journey (not a cleanup step), if one did."""
        return next((s for s in self.steps if s.ok is False and not s.cleanup), None)

    def describe(self) -> str:
        """One line: passed, or which step broke and why (masked)."""
        bad = self.failed
        if bad is None:
            return f"passed in {self.duration:.2f}s"
        return f"failed at step {bad.name}: {bad.reason}: {bad.error}"


@dataclass
class _StepRequest:
    """A step as the fetch layer sees a source: the request fields ``Fetcher`` reads."""

    name: str
    method: str
    headers: dict[str, str | SecretRef]
    body: str | None
    tls: TlsConfig
    valid_status_codes: tuple[int, ...]
    max_response_bytes: int
    auth: None = None


class _Unset(Exception):
    """A variable a cleanup step needs was never extracted (its step did not run or failed)."""


class _Masker:
    """Replaces every secret value seen so far (and credentials the fetch layer sent) in text."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, value: Any) -> None:
        text = _text(value)
        if text:
            self.values.add(text)

    def __call__(self, text: str) -> str:
        for secret in sorted(self.values, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


class _Run:
    """The variables of one run: built-ins, the journey's variables and secrets, extractions so far."""

    def __init__(self, journey: Journey, now: float):
        self.journey = journey
        self.masker = _Masker()
        builtins = {"uuid": str(uuid.uuid4()), "random": os.urandom(4).hex(), "now": str(int(now)),
                    "now_ms": str(int(now * 1000))}
        self.values: dict[str, Any] = dict(builtins)
        for name, text in journey.variables.items():
            self.values[name] = _REFERENCE.sub(lambda m: "${" if m.group(1) is None else builtins[m.group(1)], text)
        self._secrets = dict(journey.secrets)

    def value(self, name: str) -> Any:
        if name in self._secrets and name not in self.values:
            secret = read_secret(self._secrets[name])  # FetchError("secret") when it is not there
            self.masker.add(secret)
            self.values[name] = secret
        if name not in self.values:
            raise _Unset(name)
        return self.values[name]

    def fill(self, text: str) -> str:
        return _REFERENCE.sub(lambda m: "${" if m.group(1) is None else _text(self.value(m.group(1))), text)

    def fill_json(self, value: Any) -> Any:
        """A JSON body with variables: a string that is only ``${name}`` takes the value as extracted
        (a number stays a number), other strings get the text."""
        if isinstance(value, str):
            whole = _WHOLE_REFERENCE.match(value)
            return self.value(whole.group(1)) if whole else self.fill(value)
        if isinstance(value, dict):
            return {self.fill(k): self.fill_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.fill_json(v) for v in value]
        return value

    def shown(self, name: str, value: Any) -> str:
        return MASK if name in self.journey.secret_variables else self.masker(_text(value))


def _text(value: Any) -> str:
    """A variable's value as it goes into a URL, header or text: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


class JourneyRunner:
    """Runs one journey against ``base_url`` (the journey's own ``base_url`` wins)."""

    def __init__(self, journey: Journey, base_url: str):
        self.journey = journey
        self.base_url = journey.base_url if journey.base_url is not None else base_url

    def run(self, on_step: Callable[[StepResult], None] | None = None) -> JourneyResult:
        """Every step in order until one fails, then every cleanup step; ``on_step`` hears each as it ends."""
        journey = self.journey
        started_wall = time.time()
        start = time.monotonic()
        deadline = start + journey.timeout
        run = _Run(journey, started_wall)
        steps: list[StepResult] = []
        failed = False
        for step in journey.steps:
            if failed:
                result = StepResult(step.name, None, method=step.method, error="an earlier step failed")
            else:
                result = self._step(step, run, deadline, cleanup=False)
                failed = result.ok is False
            steps.append(result)
            if on_step is not None:
                on_step(result)
        duration = time.monotonic() - start
        for step in journey.cleanup:  # always, each within its own timeout
            result = self._step(step, run, None, cleanup=True)
            steps.append(result)
            if on_step is not None:
                on_step(result)
        return JourneyResult(journey.name, not failed, started_wall, time.time(), duration, steps)

    def _step(self, step: Step, run: _Run, deadline: float | None, *, cleanup: bool) -> StepResult:
        """The step's request (``repeat`` times, ``${iteration}`` counting), checked, its values extracted."""
        result = StepResult(step.name, True, cleanup=cleanup, method=step.method)
        start = time.monotonic()
        try:
            for i in range(1, step.repeat + 1):
                if step.repeat > 1:
                    run.values[ITERATION] = i
                self._attempt(step, run, deadline, result)
                if result.ok is not True:
                    if step.repeat > 1 and result.error:
                        result.error = f"iteration {i} of {step.repeat}: {result.error}"
                    break
        finally:
            run.values.pop(ITERATION, None)
            result.duration = time.monotonic() - start
        return result

    def _attempt(self, step: Step, run: _Run, deadline: float | None, result: StepResult) -> None:
        """One request of the step; sets ``result.ok`` False (reason, error) or None (skipped) when it fails."""
        try:
            request, url = self._request(step, run)
        except _Unset as exc:
            result.ok, result.error = None, f"${{{exc.args[0]}}} was never extracted"
            return
        except FetchError as exc:
            result.ok, result.reason, result.error = False, exc.reason, run.masker(str(exc))
            return
        result.url = run.masker(redact_url(url))
        timeout = step.deadline if deadline is None else min(step.deadline, deadline - time.monotonic())
        if timeout <= 0:
            result.ok, result.reason = False, "timeout"
            result.error = f"the journey's {self.journey.timeout:g}s ran out before this step"
            return
        fetcher = Fetcher(request, url, redirects=step.follow_redirects)  # type: ignore[arg-type]
        try:
            fetched = fetcher.fetch(timeout)
            result.status_code = fetched.status_code
            self._check(step, run, fetched, result)
        except FetchError as exc:
            result.ok, result.status_code, result.reason = False, exc.status_code, exc.reason
            result.error = run.masker(fetcher.redact(_in_time(str(exc), step, timeout)))
        except (ExtractError, _Failed) as exc:
            result.ok, result.reason = False, exc.reason
            result.error = run.masker(fetcher.redact(str(exc)))
        finally:
            fetcher.close()

    def _request(self, step: Step, run: _Run) -> tuple[_StepRequest, str]:
        headers: dict[str, str | SecretRef] = {}
        for name, value in [*self.journey.headers.items(), *step.headers.items()]:
            for other in [k for k in headers if k.lower() == name.lower()]:  # the step's replaces the journey's
                del headers[other]
            headers[name] = run.fill(value) if isinstance(value, str) else value
        body: str | None = None
        content_type = None
        if step.json_body is not None:
            body, content_type = json.dumps(run.fill_json(step.json_body)), "application/json"
        elif step.form is not None:
            body = urlencode({k: run.fill(v) for k, v in step.form.items()})
            content_type = "application/x-www-form-urlencoded"
        elif step.body is not None:
            body = run.fill(step.body)
        if content_type and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = content_type
        for value in headers.values():
            if isinstance(value, SecretRef):
                run.masker.add(read_secret(value))
        url = resolve(self.base_url, run.fill(step.url))
        request = _StepRequest(step.name, step.method, headers, body, self.journey.tls, step.expect.status_codes,
                               step.max_response_bytes)
        return request, url

    def _check(self, step: Step, run: _Run, fetched: FetchResult, result: StepResult) -> None:
        """Expectations, then extractions; raises ``_Failed`` or ``ExtractError`` at the first that fails."""
        needs_json = bool(step.expect.assertions) or any(e.path for e in step.extract.values())
        doc = parse_json(fetched.body) if needs_json else None
        for assertion in step.expect.assertions:
            _assert(assertion, doc, run)
        for name, how in step.extract.items():
            if how.path is not None:
                found = [node for _, node in query(how.path).matches(doc)]
                value = found[0] if found else None
                where = how.path
            else:
                value = fetched.headers.get(how.header or "")
                where = f"header {how.header}"
            if value is None:
                raise _Failed("invalid_value", f"extract {name}: {where} found nothing")
            if how.regex is not None:
                m = re.search(how.regex, _text(value))
                if m is None:
                    raise _Failed("invalid_value", f"extract {name}: {where} does not match {how.regex!r}")
                value = m.group(1) if m.re.groups else m.group(0)
            if how.secret:
                run.masker.add(value)
            run.values[name] = value
            result.extracted[name] = run.shown(name, value)


class _Failed(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def _in_time(message: str, step: Step, timeout: float) -> str:
    """A timeout's message says which deadline cut it (the step's max_duration, or its timeout)."""
    if step.expect.max_duration is not None and timeout == step.expect.max_duration and "within" in message:
        return f"{message} (expect.max_duration)"
    return message


def _assert(assertion: Assertion, doc: Any, run: _Run) -> None:
    found = [node for _, node in query(assertion.path).matches(doc)]
    if not found or any(v is None for v in found):
        raise _Failed("invalid_value", f"expected {assertion.path} in the response: found nothing")
    if assertion.equals is None:
        return
    allowed = [run.fill(v) if isinstance(v, str) else v for v in assertion.equals]
    for value in found:
        if not any(_equal(value, want) for want in allowed):
            shown = [_text(a) for a in allowed]
            raise _Failed("invalid_value", f"expected {assertion.path} to be one of {shown}, got {_text(value)}")


def _equal(value: Any, want: Any) -> bool:
    if isinstance(value, bool) or isinstance(want, bool):
        return value is want
    return value == want


# --- scheduling for the exporter -----------------------------------------------------------------


class _Scheduled:
    """One journey's runs: at most one started per ``interval``, shared by concurrent scrapes."""

    def __init__(self, runner: JourneyRunner):
        self.runner = runner
        self._lock = threading.Lock()
        self._inflight: Future[JourneyResult] | None = None
        self._last_start: float | None = None  # monotonic
        self.last: JourneyResult | None = None
        self.runs = 0
        self.failures: dict[tuple[str, str], int] = {}  # (step, reason) -> runs that failed there

    @property
    def journey(self) -> Journey:
        return self.runner.journey

    def due(self, now: float) -> Future[JourneyResult] | None:
        """The run now going (started here when one is due), or None between runs."""
        with self._lock:
            if self._inflight is not None and not self._inflight.done():
                return self._inflight
            if self._last_start is not None and now - self._last_start < self.journey.interval:
                return None
            self._last_start = now
            future: Future[JourneyResult] = Future()
            self._inflight = future
        threading.Thread(target=self._run, args=(future,), name=f"journey-{self.journey.name}", daemon=True).start()
        return future

    def _run(self, future: Future[JourneyResult]) -> None:
        try:
            result = self.runner.run()
        except BaseException as exc:  # never leave a scrape waiting on a run that died
            future.set_exception(exc)
            log.exception("journey %s: the run failed unexpectedly", self.journey.name)
            return
        with self._lock:
            previous, self.last = self.last, result
            self.runs += 1
            for step in result.steps:
                if step.ok is False:
                    key = (step.name, step.reason or "")
                    self.failures[key] = self.failures.get(key, 0) + 1
        future.set_result(result)
        if previous is None or previous.ok != result.ok or (
                not result.ok and previous.failed and result.failed and previous.failed.name != result.failed.name):
            level = logging.INFO if result.ok else logging.WARNING
            log.log(level, "journey %s %s", self.journey.name, result.describe())


class Journeys:
    """The plan's journeys as the exporter runs them; ``reloaded`` keeps the state of unchanged ones.

    >>> journeys = Journeys([], "")
    >>> journeys.collect(deadline=0.0)
    []
    """

    def __init__(self, journeys: Iterable[Journey], base_url: str, *,
                 keep: dict[str, _Scheduled] | None = None):
        self.base_url = base_url
        self.scheduled: list[_Scheduled] = []
        for j in journeys:
            old = (keep or {}).get(j.name)
            self.scheduled.append(old if old is not None and old.journey == j and old.runner.base_url == (
                j.base_url if j.base_url is not None else base_url) else _Scheduled(JourneyRunner(j, base_url)))

    def reloaded(self, journeys: Iterable[Journey], base_url: str) -> Journeys:
        """The journeys of a reloaded plan: one whose definition did not change keeps its schedule and
        last result (a reload never starts a run early)."""
        return Journeys(journeys, base_url, keep={s.journey.name: s for s in self.scheduled})

    def start_due(self) -> list[Future[JourneyResult]]:
        """Start the runs that are due (a scrape calls this first, then fetches its sources)."""
        now = time.monotonic()
        return [f for s in self.scheduled if (f := s.due(now)) is not None]

    def collect(self, deadline: float, running: Iterable[Future[JourneyResult]] = ()) -> list[_Scheduled]:
        """Wait until ``deadline`` (monotonic) for ``running`` runs, then every journey's state."""
        for future in running:
            try:
                future.result(timeout=max(deadline - time.monotonic(), 0.0))
            except FutureTimeout:
                pass  # still running: this scrape serves the previous result, with its age
            except Exception:  # logged by the run itself
                pass
        return list(self.scheduled)


def journey_families(states: Iterable[_Scheduled], now: float | None = None) -> list[Family]:
    """The journeys' metrics: the last run's outcome, durations, failures by step and reason, runs, age."""
    now = time.time() if now is None else now
    success = _new(JOURNEY_SUCCESS, "gauge", "1 if the journey's last run passed every step, else 0.")
    duration = _new(JOURNEY_DURATION, "gauge", "Seconds the journey's last run took (its steps, without cleanup).")
    step_ok = _new(JOURNEY_STEP_SUCCESS, "gauge", "1 if the step passed in the journey's last run, 0 if it failed "
                   "(absent: not run).")
    step_duration = _new(JOURNEY_STEP_DURATION, "gauge", "Seconds the step took in the journey's last run.")
    failures = _new(JOURNEY_FAILURES, "counter", "Runs of the journey that failed, by the step that failed and why "
                    "(the reasons of launchwatch_target_scrape_errors_total).")
    runs = _new(JOURNEY_RUNS, "counter", "Runs of the journey (each at most once per its interval).")
    last_run = _new(JOURNEY_LAST_RUN, "gauge", "Unix time the journey's last run ended.")
    age = _new(JOURNEY_AGE, "gauge", "Seconds since the journey's last run ended: its metrics are that old.")
    for state in states:
        name = state.journey.name
        runs.add((name,), float(state.runs))
        for (step, reason), n in sorted(state.failures.items()):
            failures.add((name, step, reason), float(n))
        last = state.last
        if last is None:
            continue
        success.add((name,), 1.0 if last.ok else 0.0)
        duration.add((name,), last.duration)
        last_run.add((name,), last.finished)
        age.add((name,), max(now - last.finished, 0.0))
        for step in last.steps:
            if step.ok is None:
                continue
            step_ok.add((name, step.name), 1.0 if step.ok else 0.0)
            step_duration.add((name, step.name), step.duration)
    return [success, duration, step_ok, step_duration, failures, runs, last_run, age]


def _new(name: str, kind: str, help_text: str) -> Family:
    return Family(name, kind, help_text, SELF_METRIC_LABELS[name])
