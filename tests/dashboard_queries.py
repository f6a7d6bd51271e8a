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
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launchwatch.generate import GenerateOptions, generate  # noqa: E402
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan  # noqa: E402
from launchwatch.stack import start_prometheus, wait_ready  # noqa: E402

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


def start(plans: list[str], work: Path, procs: list[subprocess.Popen[bytes]]) -> tuple[str, Path]:
    """Demos (simulator + exporter) per plan and one Prometheus loading every plan's rules."""
    exporters = {}
    for name in plans:
        port = free_port()
        log = (work / f"demo-{name}.log").open("wb")
        procs.append(subprocess.Popen([sys.executable, "-m", "launchwatch", "demo", "--plan", name, "--listen",
                                       f"127.0.0.1:{port}", "--no-stack"], stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True))
        exporters[name] = f"127.0.0.1:{port}"
    loaded = [load_plan(builtin_plan_path(n)) for n in plans]
    out = work / "generated"
    generate(loaded, out, GenerateOptions(exporters=exporters, scrape_interval="2s", scrape_timeout="2s"))
    prom_port = free_port()
    procs.append(start_prometheus(out / "prometheus/prometheus.yml", f"127.0.0.1:{prom_port}", work / "prom",
                                  work / "prometheus.log"))
    url = f"http://127.0.0.1:{prom_port}"
    if not wait_ready(f"{url}/-/ready", proc=procs[-1]):
        raise RuntimeError((work / "prometheus.log").read_text())
    return url, out


def run_queries(prom: str, out: Path, plans: list[str]) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(folder, panel, expr) -> (status, number of series)."""
    results = {}
    for folder in [*plans, "overview"]:
        for path in sorted((out / "grafana/dashboards" / folder).glob("*.json")):
            board = json.loads(path.read_text())
            for title, expr in panel_queries(board):
                job = folder if folder != "overview" else ""
                q = substitute(expr, load_plan(builtin_plan_path(job)).job_name if job else "")
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
            prom, out = start(plans, Path(d), procs)
            time.sleep(60)
            for (folder, title, expr), (status, n) in run_queries(prom, out, plans).items():
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
