"""``launchwatch journey run``: one journey, once, step by step in the terminal, while someone writes it.

Each step prints as it ends: method, URL (credentials cut, secrets masked), status, time, and the
values it extracted (those the plan marks secret as ``***``); a failure says which step broke and
why, in the words the exporter's metrics use. Cleanup steps run and print after the journey.

>>> from launchwatch.exporter.journeys import StepResult
>>> step_line(3, StepResult("login", True, method="POST", url="http://shop.test/api/login", status_code=200,
...                         duration=0.0123, extracted={"token": "***"}))
'  3 login  POST http://shop.test/api/login -> 200 in 12 ms  token=***'
"""

from __future__ import annotations

from collections.abc import Callable

from launchwatch.exporter.journeys import JourneyResult, JourneyRunner, StepResult
from launchwatch.plan.journeys import Journey
from launchwatch.plan.units import format_duration

__all__ = ["run_once", "step_line"]


def step_line(number: int | str, step: StepResult) -> str:
    """One printed line for a step that ended (passed, failed or skipped)."""
    head = f"  {number} {step.name}"
    if step.ok is None:
        return f"{head}  skipped: {step.error or 'not run'}"
    where = f"{step.method} {step.url}" if step.url else step.method
    status = f" -> {step.status_code}" if step.status_code is not None else ""
    line = f"{head}  {where}{status} in {step.duration * 1000:.0f} ms"
    if step.extracted:
        line += "  " + " ".join(f"{k}={v}" for k, v in step.extracted.items())
    if step.ok is False:
        line += f"\n     FAILED: {step.reason}: {step.error}"
    return line


def run_once(journey: Journey, base_url: str, echo: Callable[[str], None]) -> JourneyResult:
    """Run ``journey`` once against ``base_url``, echoing each step as it ends and a summary."""
    cleanup = f" + {len(journey.cleanup)} cleanup" if journey.cleanup else ""
    echo(f"journey {journey.name}: {len(journey.steps)} steps{cleanup}, against {base_url or '(absolute URLs)'} "
         f"(the exporter runs it at most every {format_duration(journey.interval)}; timeout "
         f"{format_duration(journey.timeout)})")
    names = {s.name: i for i, s in enumerate(journey.steps, 1)}

    def show(step: StepResult) -> None:
        echo(step_line("cleanup" if step.cleanup else names[step.name], step))

    result = JourneyRunner(journey, base_url).run(on_step=show)
    broken = [s.name for s in result.steps if s.cleanup and s.ok is False]
    tail = f" (cleanup failed: {', '.join(broken)})" if broken else ""
    if result.ok:
        echo(f"PASSED in {result.duration:.2f} s{tail}")
    else:
        bad = result.failed
        assert bad is not None
        echo(f"FAILED at step {bad.name} ({bad.reason}) after {result.duration:.2f} s{tail}")
    return result
