"""Run every panel query of the generated dashboards against a real Prometheus that scrapes the demo.

Usable on its own (``python tests/dashboard_queries.py [PLAN ...]``) and from the tests.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launchwatch.generate import GenerateOptions, generate  # noqa: E402
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan  # noqa: E402
from launchwatch.plan.model import Plan  # noqa: E402
from launchwatch.stack import find_binary, start_prometheus, wait_ready  # noqa: E402

RATE_INTERVAL = "1m"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def panel_queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expr) for every target of every panel, rows included, and every annotation query."""
    out = []
    for panel in board["panels"]:
        for p in [panel, *panel.get("panels", [])]:
            out += [(p["title"], t["expr"]) for t in p.get("targets", [])]
    out += [(f"annotation: {a['name']}", a["expr"]) for a in board.get("annotations", {}).get("list", [])
            if a.get("expr")]
    return out


def substitute(expr: str, job: str) -> str:
    """The query as Grafana sends it with the dashboard's defaults (every instance of the job)."""
    return (expr.replace("$__rate_interval", RATE_INTERVAL).replace("$__range", "5m")
            .replace("$job", job or ".+").replace("${job}", job or ".+").replace("$instance", ".+"))


@dataclass
class Monitored:
    """A plan to monitor: a built-in one (its demo), or a plan file run by the exporter against a
    built-in simulator (``simulate``) or a directory of JSON files served over HTTP (``serve_dir``)."""

    plan: Plan
    config: Path | None = None
    simulate: str | None = None
    serve_dir: Path | None = None


def builtin(name: str) -> Monitored:
    return Monitored(load_plan(builtin_plan_path(name)))


def _launch(argv: list[str], log: Path, procs: list[subprocess.Popen[bytes]]) -> None:
    procs.append(subprocess.Popen(argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True))


def start_victoriametrics(work: Path, procs: list[subprocess.Popen[bytes]]) -> str:
    """A single-node VictoriaMetrics (Debian package victoria-metrics) for Prometheus to remote-write into, so
    the same panel queries can be asked of it; what it stores shows at once (``-search.latencyOffset``, 30 s by
    default, hides the newest samples)."""
    port = free_port()
    binary = find_binary("victoria-metrics")
    if binary is None:
        raise FileNotFoundError("victoria-metrics is not installed (Debian package 'victoria-metrics')")
    procs.append(subprocess.Popen([binary, f"-httpListenAddr=127.0.0.1:{port}",
                                   f"-storageDataPath={work / 'victoria-metrics'}", "-search.latencyOffset=1s"],
                                  stdout=(work / "victoria-metrics.log").open("wb"), stderr=subprocess.STDOUT,
                                  start_new_session=True))
    url = f"http://127.0.0.1:{port}"
    if not wait_ready(f"{url}/health", proc=procs[-1]):
        raise RuntimeError((work / "victoria-metrics.log").read_text())
    return url


def start(monitored: list[Monitored], work: Path, procs: list[subprocess.Popen[bytes]],
          remote_write: str | None = None) -> tuple[str, Path]:
    """Exporters (and what they read) per plan, and one Prometheus loading every plan's rules (remote-writing
    every sample and recorded series to ``remote_write``, when given)."""
    exporters = {}
    lw = [sys.executable, "-m", "launchwatch"]
    for m in monitored:
        name, port = m.plan.plan, free_port()
        listen = ["--listen", f"127.0.0.1:{port}"]
        if m.config is None:
            _launch([*lw, "demo", "--plan", name, *listen, "--no-stack"], work / f"demo-{name}.log", procs)
        else:
            upstream = free_port()
            if m.simulate:
                _launch([*lw, "simulate", "--plan", m.simulate, "--listen", f"127.0.0.1:{upstream}"],
                        work / f"sim-{name}.log", procs)
            else:
                _launch([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", str(m.serve_dir),
                         str(upstream)], work / f"http-{name}.log", procs)
            _launch([*lw, "run", "--config", str(m.config), *listen, "--base-url", f"http://127.0.0.1:{upstream}"],
                    work / f"run-{name}.log", procs)
        exporters[name] = f"127.0.0.1:{port}"
    out = work / "generated"
    generate([m.plan for m in monitored], out, GenerateOptions(exporters=exporters, scrape_interval="2s",
                                                                scrape_timeout="2s"))
    if remote_write:
        config = out / "prometheus/prometheus.yml"
        config.write_text(config.read_text() + f"remote_write:\n- url: {remote_write}\n  queue_config: "
                                               "{batch_send_deadline: 1s}\n")
    prom_port = free_port()
    procs.append(start_prometheus(out / "prometheus/prometheus.yml", f"127.0.0.1:{prom_port}", work / "prom",
                                  work / "prometheus.log"))
    url = f"http://127.0.0.1:{prom_port}"
    if not wait_ready(f"{url}/-/ready", proc=procs[-1]):
        raise RuntimeError((work / "prometheus.log").read_text())
    return url, out


def run_queries(prom: str, out: Path, plans: list[Plan]) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(folder, panel, expr) -> (status, number of series with a value)."""
    results = {}
    jobs = {p.plan: p.job_name for p in plans}
    for folder in [*jobs, "overview"]:
        for path in sorted((out / "grafana/dashboards" / folder).glob("*.json")):
            board = json.loads(path.read_text())
            for title, expr in panel_queries(board):
                q = substitute(expr, jobs.get(folder, ""))
                r = requests.get(f"{prom}/api/v1/query", params={"query": q}, timeout=30).json()
                # NaN is the panels' "no data" fallback: only series with a real value count as an answer
                n = sum(1 for s in r["data"]["result"] if s["value"][1] != "NaN") if r.get("status") == "success" \
                    else -1
                results[(folder, title, expr)] = (r.get("status", "?") if n >= 0 else r.get("error", "?"), n)
    return results


def main() -> None:
    plans = sys.argv[1:] or builtin_plans()
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory() as d:
        try:
            monitored = [builtin(n) for n in plans]
            prom, out = start(monitored, Path(d), procs)
            time.sleep(60)
            for (folder, title, expr), (status, n) in run_queries(prom, out, [m.plan for m in monitored]).items():
                flag = "ok  " if status == "success" and n > 0 else "FAIL"
                flat = " ".join(expr.split())[:90]
                print(f"{flag} {folder:18} {title[:40]:40} {status} {n}  {flat}")
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(10)


if __name__ == "__main__":
    main()
