"""The demo: the simulator and the exporter on one built-in plan, plus a real Prometheus and
Alertmanager running the generated rules and routing when their binaries are installed."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from launchwatch.exporter import Exporter, serve
from launchwatch.generate import GenerateOptions, generate
from launchwatch.plan import builtin_plan_path
from launchwatch.simulator import Simulator
from launchwatch.stack import find_binary, start_alertmanager, start_prometheus, wait_ready

__all__ = ["run_demo"]


def _free(host: str, port: int) -> int:
    """``port`` if it can be bound on ``host``, else a free one."""
    with socket.socket() as s:
        try:
            s.bind((host, port))
            return port
        except OSError:
            s.bind((host, 0))
            return s.getsockname()[1]


def _start_stack(plan: str, exporter_url: str, work: Path, echo: Callable[[str], None],
                 prometheus: tuple[str, int], alertmanager: tuple[str, int]) -> list[subprocess.Popen[bytes]]:
    """Generate the plan's config and start Prometheus and Alertmanager on loopback; [] if absent."""
    if not find_binary("prometheus") or not (find_binary("alertmanager") or find_binary("prometheus-alertmanager")):
        echo("  (prometheus / prometheus-alertmanager not installed: `make test` installs them)")
        return []
    prom_addr = f"{prometheus[0]}:{_free(*prometheus)}"
    am_addr = f"{alertmanager[0]}:{_free(*alertmanager)}"
    secrets = work / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    from launchwatch.plan import load_plan

    loaded = load_plan(builtin_plan_path(plan))
    for channel in loaded.channels:
        (secrets / loaded.plan).mkdir(exist_ok=True)
        (secrets / loaded.plan / channel.name).write_text("demo-placeholder\n")
    generate([loaded], work / "generated", GenerateOptions(
        exporter=exporter_url.removeprefix("http://"), alertmanagers=(am_addr,), scrape_interval="5s",
        scrape_timeout="4s", secrets_dir=str(secrets)))
    am = start_alertmanager(work / "generated/alertmanager/alertmanager.yml", am_addr, work / "am-data",
                            work / "alertmanager.log")
    prom = start_prometheus(work / "generated/prometheus/prometheus.yml", prom_addr, work / "prom-data",
                            work / "prometheus.log")
    procs = [prom, am]
    if wait_ready(f"http://{prom_addr}/-/ready", proc=prom) and wait_ready(f"http://{am_addr}/-/ready", proc=am):
        echo(f"  prometheus  http://{prom_addr}/alerts   (rules: {work / 'generated/prometheus/rules'})")
        echo(f"  alertmanager http://{am_addr}/")
    else:
        echo(f"  prometheus/alertmanager did not start: see {work}/*.log")
    return procs


def run_demo(plan: str, listen: tuple[str, int], simulator_listen: tuple[str, int], *,
             duration: float | None = None, faults: list[str] | None = None,
             echo: Callable[[str], None] = print, stop: threading.Event | None = None,
             with_stack: bool = True, prometheus: tuple[str, int] = ("127.0.0.1", 9090),
             alertmanager: tuple[str, int] = ("127.0.0.1", 9093)) -> None:
    """Start everything, print where it is, and stop it all on Ctrl-C, SIGTERM or after ``duration``."""
    sim = Simulator(plan, *simulator_listen, faults=faults or []).start()
    stop = stop or threading.Event()
    timer = threading.Timer(duration, stop.set) if duration else None
    work = Path(tempfile.mkdtemp(prefix=f"launchwatch-demo-{plan}-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        app = Exporter(builtin_plan_path(plan), base_url=sim.url)

        def ready(url: str) -> None:
            echo(f"launchwatch demo: plan {plan}")
            echo(f"  simulator   {sim.url}/   (faults: curl -X POST '{sim.url}/-/fault?fault=error-spike')")
            echo(f"  exporter    {url}/metrics")
            echo(f"  landing     {url}/")
            if with_stack:
                procs.extend(_start_stack(plan, url, work, echo, prometheus, alertmanager))
            echo("Ctrl-C stops." if not duration else f"Stopping after {duration:g} s.")
            if timer:
                timer.start()

        serve(app, *listen, ready=ready, stop=stop)
    finally:
        if timer:
            timer.cancel()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)
