"""The demo: the simulator and the exporter together on one built-in plan, until Ctrl-C."""

from __future__ import annotations

import threading
from collections.abc import Callable

from launchwatch.exporter import Exporter, serve
from launchwatch.plan import builtin_plan_path
from launchwatch.simulator import Simulator

__all__ = ["run_demo"]


def run_demo(plan: str, listen: tuple[str, int], simulator_listen: tuple[str, int], *,
             duration: float | None = None, faults: list[str] | None = None,
             echo: Callable[[str], None] = print, stop: threading.Event | None = None) -> None:
    """Start both, print where they are, and stop both on Ctrl-C, SIGTERM or after ``duration``."""
    sim = Simulator(plan, *simulator_listen, faults=faults or []).start()
    stop = stop or threading.Event()
    timer = threading.Timer(duration, stop.set) if duration else None
    try:
        app = Exporter(builtin_plan_path(plan), base_url=sim.url)

        def ready(url: str) -> None:
            echo(f"launchwatch demo: plan {plan}")
            echo(f"  simulator   {sim.url}/   (faults: curl -X POST '{sim.url}/-/fault?fault=error-spike')")
            echo(f"  exporter    {url}/metrics")
            echo(f"  landing     {url}/")
            echo("Ctrl-C stops." if not duration else f"Stopping after {duration:g} s.")
            if timer:
                timer.start()

        serve(app, *listen, ready=ready, stop=stop)
    finally:
        if timer:
            timer.cancel()
        sim.stop()
