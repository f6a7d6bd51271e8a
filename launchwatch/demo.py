"""The demo: the simulator and the exporter on one built-in plan, plus a real Prometheus and
Alertmanager running the generated rules and routing when their binaries are installed.

With ``history`` (``launchwatch demo --history 7d``) the simulator first replays that much of the
launch, ending now, on a virtual clock (scripted incidents included); the replay is backfilled into
Prometheus' data directory with the rules' results, and the simulator then carries on live from
where the replay stopped, so dashboards, previews and reports have a week of data at once.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from launchwatch.exporter import Exporter, serve
from launchwatch.generate import GenerateOptions, generate
from launchwatch.plan import builtin_plan_path, load_plan
from launchwatch.plan.units import format_duration
from launchwatch.prometheus_api import format_time
from launchwatch.simulator import Simulator
from launchwatch.stack import find_binary, start_alertmanager, start_prometheus, stop_process, wait_ready

__all__ = ["first_alert_delays", "run_demo", "working_paths"]

SCRAPE_INTERVAL = 5.0  # the demo's live scrape and evaluation interval (fast, so a fault shows soon)
HISTORY_STEP = 30.0  # the replayed history's scrape and evaluation interval (the generated default)
# Prometheus pages to print, each with the older UI's path that Debian's build serves instead
# (its React UI is not packaged: /alerts is a 404 there, /classic/alerts a 200).
PAGES = {"alerts": ("/alerts", "/classic/alerts"), "graph": ("/graph", "/classic/graph"),
         "rules": ("/rules", "/classic/rules"), "targets": ("/targets", "/classic/targets")}


def _free(host: str, port: int) -> int:
    """``port`` if it can be bound on ``host``, else a free one."""
    with socket.socket() as s:
        try:
            s.bind((host, port))
            return port
        except OSError:
            s.bind((host, 0))
            return s.getsockname()[1]


def working_paths(base_url: str, pages: dict[str, tuple[str, ...]] = PAGES) -> dict[str, str]:
    """For each page, the first of its paths that answers 200 on this server (pages with none are left out)."""
    found = {}
    opener = urllib.request.build_opener(_NoRedirect())
    for page, paths in pages.items():
        for path in paths:
            try:
                with opener.open(base_url + path, timeout=5) as resp:
                    if resp.status == 200:
                        found[page] = path
                        break
            except (urllib.error.URLError, OSError):
                continue
    return found


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:  # a redirect is not the page itself
        return None


def first_alert_delays(incidents: list, spans: list) -> list[tuple[str, str, float]]:
    """(fault, alertname, seconds) for each incident: its first alert, as the backfill measured it."""
    out = []
    for incident in incidents:
        fired = [s for s in spans if incident.start <= s.start <= incident.end + HISTORY_STEP]
        if fired:
            first = min(fired, key=lambda s: s.start)
            out.append((incident.fault, first.alertname, first.start - incident.start))
    return out


def _fastest_rule(rule_files: list[Path]) -> tuple[str, float] | None:
    """The alerting rule with the shortest ``for`` (the soonest any alert can fire after its condition)."""
    from launchwatch.backfill import load_rules

    alerts = [r for r in load_rules(rule_files) if r.alert and not r.name.startswith("Launchwatch")]
    if not alerts:
        return None
    fastest = min(alerts, key=lambda r: (r.hold, r.name))
    return fastest.name, fastest.hold


def _prepare(plan: str, exporter_addr: str, am_addr: str, work: Path) -> Path:
    """Generate the plan's config for this demo (secrets placeholders included); the rules folder."""
    secrets = work / "secrets"
    secrets.mkdir(parents=True, exist_ok=True)
    loaded = load_plan(builtin_plan_path(plan))
    for channel in loaded.channels:
        (secrets / loaded.plan).mkdir(exist_ok=True)
        (secrets / loaded.plan / channel.name).write_text("demo-placeholder\n")
    generate([loaded], work / "generated", GenerateOptions(
        exporter=exporter_addr, alertmanagers=(am_addr,), scrape_interval=f"{SCRAPE_INTERVAL:g}s",
        scrape_timeout="4s", secrets_dir=str(secrets)))
    return work / "generated/prometheus/rules"


def _start_stack(work: Path, echo: Callable[[str], None], prom_addr: str,
                 am_addr: str) -> tuple[list[subprocess.Popen[bytes]], str | None]:
    """Start Alertmanager and Prometheus (on ``work/prom-data``, backfilled or empty) with the generated files."""
    am = start_alertmanager(work / "generated/alertmanager/alertmanager.yml", am_addr, work / "am-data",
                            work / "alertmanager.log")
    prom = start_prometheus(work / "generated/prometheus/prometheus.yml", prom_addr, work / "prom-data",
                            work / "prometheus.log", extra=["--storage.tsdb.retention.time=30d"])
    procs = [prom, am]
    url = f"http://{prom_addr}"
    if wait_ready(f"{url}/-/ready", timeout=60, proc=prom) and wait_ready(f"http://{am_addr}/-/ready", proc=am):
        paths = working_paths(url)
        pages = ", ".join(f"{page} {path}" for page, path in paths.items() if page != "alerts")
        echo(f"  prometheus  {url}{paths.get('alerts', '/')}   ({pages}; rules: {work / 'generated/prometheus/rules'})")
        echo(f"  alertmanager http://{am_addr}/")
        return procs, url
    echo(f"  prometheus/alertmanager did not start: see {work}/*.log")
    return procs, None


def _stack_installed() -> bool:
    return bool(find_binary("prometheus") and find_binary("promtool")
                and (find_binary("alertmanager") or find_binary("prometheus-alertmanager")))


def run_demo(plan: str, listen: tuple[str, int], simulator_listen: tuple[str, int], *,
             duration: float | None = None, faults: list[str] | None = None,
             echo: Callable[[str], None] = print, stop: threading.Event | None = None,
             with_stack: bool = True, prometheus: tuple[str, int] = ("127.0.0.1", 9090),
             alertmanager: tuple[str, int] = ("127.0.0.1", 9093), history: float | None = None,
             seed: int | None = None) -> None:
    """Start everything, print where it is, and stop it all on Ctrl-C, SIGTERM or after ``duration``.

    ``history`` (seconds) replays and backfills that much of the launch first (see the module doc)."""
    stop = stop or threading.Event()
    timer = threading.Timer(duration, stop.set) if duration else None
    work = Path(tempfile.mkdtemp(prefix=f"launchwatch-demo-{plan}-"))
    procs: list[subprocess.Popen[bytes]] = []
    stack = with_stack and _stack_installed()
    host, port = listen
    port = _free(host, port) if history else port  # the history's instance label must be the live exporter's
    prom_addr = f"{prometheus[0]}:{_free(*prometheus)}"
    am_addr = f"{alertmanager[0]}:{_free(*alertmanager)}"
    lines: list[str] = []
    sim: Simulator | None = None
    try:
        if history:
            sim, lines = _replay(plan, history, seed, simulator_listen, f"{host}:{port}", am_addr, work, stack, echo)
        else:
            sim = Simulator(plan, *simulator_listen, faults=faults or []).start()
        if history:  # the replay cleared its faults: the live ones start now
            for spec in faults or []:
                sim.faults.set(*sim.faults.parse(spec))
        app = Exporter(builtin_plan_path(plan), base_url=sim.url)
        running = sim

        def ready(url: str) -> None:
            echo(f"launchwatch demo: plan {plan}")
            echo(f"  simulator   {running.url}/   (faults: curl -X POST '{running.url}/-/fault?fault=error-spike')")
            echo(f"  exporter    {url}/metrics")
            echo(f"  landing     {url}/")
            if with_stack and not stack:
                echo("  (prometheus / promtool / prometheus-alertmanager not installed: `make test` installs them)")
            if stack:
                if not history:
                    _prepare(plan, url.removeprefix("http://"), am_addr, work)
                started, prom_url = _start_stack(work, echo, prom_addr, am_addr)
                procs.extend(started)
                for line in lines:
                    echo(line.replace("{prometheus}", prom_url or f"http://{prom_addr}"))
                if not history:
                    _say_fastest(work, echo)
            echo("Ctrl-C stops." if not duration else f"Stopping after {duration:g} s.")
            if timer:
                timer.start()

        serve(app, host, port, ready=ready, stop=stop)
    finally:
        if timer:
            timer.cancel()
        for proc in procs:
            stop_process(proc)
        if sim is not None:
            sim.stop()
        shutil.rmtree(work, ignore_errors=True)


def _say_fastest(work: Path, echo: Callable[[str], None]) -> None:
    fastest = _fastest_rule(sorted((work / "generated/prometheus/rules").glob("*.yml")))
    if fastest:
        name, hold = fastest
        echo(f"  first alert: no sooner than {format_duration(hold)} plus up to {format_duration(2 * SCRAPE_INTERVAL)} "
             f"after a fault shows in a scrape ({name}, the generated rules' shortest `for`, with a "
             f"{SCRAPE_INTERVAL:g} s scrape and a {SCRAPE_INTERVAL:g} s evaluation); alerts over rate windows take "
             "longer: `demo --history 7d` measures each fault's first alert")


def _replay(plan: str, span: float, seed: int | None, simulator_listen: tuple[str, int], exporter_addr: str,
            am_addr: str, work: Path, stack: bool, echo: Callable[[str], None]) -> tuple[Simulator, list[str]]:
    """Replay ``span`` of the launch ending now, backfill it (with the stack), and let the simulator go live.

    Returns the live simulator and the lines to print once Prometheus' URL is known."""
    from launchwatch.backfill import backfill
    from launchwatch.simulator.history import history_simulator, simulate_history

    end = time.time() // HISTORY_STEP * HISTORY_STEP
    start = end - span // HISTORY_STEP * HISTORY_STEP
    seed = int(time.time()) % 100_000 if seed is None else seed
    sim, clock = history_simulator(plan, start, seed, *simulator_listen)
    sim.start()
    echo(f"launchwatch demo: replaying {format_duration(span)} of {plan}'s launch (seed {seed}) ...")
    out = work / "history.om"
    summary = simulate_history(plan, out, span=span, step=HISTORY_STEP, end=end, seed=seed, instance=exporter_addr,
                               sim=sim, clock=clock)
    clock.release()  # the launch carries on live from the replay's end
    echo(f"  {summary.describe()}")
    lines = []
    if not stack:
        lines.append(f"  history     {out}, removed when the demo stops (backfill it: launchwatch backfill "
                     f"--plan {plan} --history {out} --data-dir DIR)")
        return sim, lines
    rules = _prepare(plan, exporter_addr, am_addr, work)
    began = time.monotonic()
    result = backfill(out, work / "prom-data", sorted(rules.glob("*.yml")), start=summary.start, end=summary.end,
                      step=HISTORY_STEP)
    echo(f"  backfilled in {time.monotonic() - began:.1f} s: {len(result.spans)} alert firings in the replay")
    out.unlink()
    launch_at = format_time(summary.start)
    lines.append(f"  history     {format_time(summary.start)} → {format_time(summary.end)}, incidents:")
    delays = {fault: (name, secs) for fault, name, secs in first_alert_delays(summary.incidents, result.spans)}
    for incident in summary.incidents:
        name, secs = delays.get(incident.fault, ("no alert", 0.0))
        after = f" → {name} after {format_duration(secs)}" if secs else f" → {name}"
        lines.append(f"    {incident.describe()}{after}")
    if "error-spike" in delays:
        name, secs = delays["error-spike"]
        lines.append(f"  first alert: a fault injected now (error-spike) fired {name} {format_duration(secs)} after "
                     f"it started in the replay (measured at {HISTORY_STEP:g} s steps; live the demo scrapes and "
                     f"evaluates every {SCRAPE_INTERVAL:g} s, so within {format_duration(2 * SCRAPE_INTERVAL)} "
                     "of that)")
    for period in ("launch-day", "day", "week"):
        lines.append(f"  report      launchwatch report --plan {plan} --prometheus {{prometheus}} --period {period} "
                     f"--launch-at {launch_at}")
    return sim, lines

