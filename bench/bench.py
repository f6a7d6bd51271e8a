"""`make bench`: what a fresh scrape costs, how /metrics scales, how much memory the exporter holds.

Every server runs in its own process on 127.0.0.1; all figures come from one run so ratios hold
on a noisy machine. Speed goals live here, never in tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
DURATION = float(os.environ.get("BENCH_SECONDS", "5"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit(f"{url} never became ready")


def start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def loop(fn: Callable[[], object], seconds: float) -> list[float]:
    """Call ``fn`` repeatedly for ``seconds``; the latency of each call."""
    out = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def analytics_doc(n_metrics: int = 20) -> dict:
    return {"metrics": {f"m{i}": i * 1.5 for i in range(n_metrics)}}


def plan_for(url: str, metrics_yaml: str) -> str:
    return f"plan: bench\ntitle: Bench\nsources:\n  - name: api\n    url: {url}\n    timeout: 5s\n" \
           f"    max_response_bytes: 64MiB\n    metrics:\n{metrics_yaml}"


def run_case(tmp: Path, doc: dict, metrics_yaml: str) -> tuple[subprocess.Popen, subprocess.Popen, str, str]:
    body = tmp / f"doc-{len(metrics_yaml)}.json"
    body.write_text(json.dumps(doc))
    up_port, ex_port = free_port(), free_port()
    upstream = start([sys.executable, str(ROOT / "bench" / "upstream.py"), str(up_port), str(body)])
    up_url = f"http://127.0.0.1:{up_port}/api/analytics"
    plan = tmp / f"plan-{len(metrics_yaml)}.yml"
    plan.write_text(plan_for(up_url, metrics_yaml))
    exporter = start([sys.executable, "-m", "launchwatch", "run", "--config", str(plan),
                      "--listen", f"127.0.0.1:{ex_port}", "--log-level", "error"])
    wait_ready(up_url)
    wait_ready(f"http://127.0.0.1:{ex_port}/-/ready")
    return upstream, exporter, up_url, f"http://127.0.0.1:{ex_port}/metrics"


def stop(*procs: subprocess.Popen) -> None:
    for p in procs:
        os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        p.wait(10)


def main() -> None:
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        # 1. fresh scrape cost: one source with ~20 metrics
        twenty = "".join(f"      - {{name: m{i}, help: M{i}., type: gauge, path: $.metrics.m{i}}}\n" for i in range(20))
        upstream, exporter, up_url, metrics_url = run_case(tmp, analytics_doc(), twenty)
        try:
            bare = requests.Session()
            bare_lat = loop(lambda: json.loads(bare.get(up_url, timeout=5).content), DURATION)
            scraper = requests.Session()
            full_lat = loop(lambda: scraper.get(metrics_url, timeout=5).content, DURATION)
            rss_small = rss_mib(exporter.pid)
        finally:
            stop(upstream, exporter)
        bare_rate, full_rate = len(bare_lat) / DURATION, len(full_lat) / DURATION
        rows += [
            ("bare requests.get + json.loads of the source, per second", f"{bare_rate:,.0f}"),
            ("fresh /metrics scrapes of one 20-metric source, per second", f"{full_rate:,.0f}"),
            ("cost of a fresh scrape / cost of the bare fetch", f"{bare_rate / full_rate:.2f}x"),
            ("fresh scrape latency p50 / p99 (ms)", f"{_pct(full_lat, 50):.2f} / {_pct(full_lat, 99):.2f}"),
            ("exporter resident memory after it (MiB)", f"{rss_small:.1f}"),
        ]
        # 2. a /metrics page of ~10k series
        n = 10_000
        doc = {"endpoints": [{"path": f"/api/e{i}", "requests": i, "errors": i % 7} for i in range(n // 2)]}
        big = ("      - {name: endpoint_requests_total, help: R., type: counter, path: '$.endpoints[*]',"
               " value: '@.requests', labels: {endpoint: '@.path'}}\n"
               "      - {name: endpoint_errors_total, help: E., type: counter, path: '$.endpoints[*]',"
               " value: '@.errors', labels: {endpoint: '@.path'}}\n")
        upstream, exporter, _, metrics_url = run_case(tmp, doc, big)
        try:
            scraper = requests.Session()
            series = sum(1 for line in scraper.get(metrics_url, timeout=30).text.splitlines()
                         if line.startswith("endpoint_"))
            lat = loop(lambda: scraper.get(metrics_url, timeout=30).content, DURATION)
            rss_big = rss_mib(exporter.pid)
        finally:
            stop(upstream, exporter)
        rows += [
            (f"/metrics with {series:,} business series: latency p50 / p99 (ms)",
             f"{_pct(lat, 50):.1f} / {_pct(lat, 99):.1f}"),
            ("exporter resident memory after it (MiB)", f"{rss_big:.1f}"),
        ]
    width = max(len(k) for k, _ in rows)
    print(f"\nlaunchwatch bench ({DURATION:g} s per figure, {os.cpu_count()} cores)\n")
    for k, v in rows:
        print(f"  {k:<{width}}  {v:>14}")


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] * 1000 if len(values) > 1 else values[0] * 1000


if __name__ == "__main__":
    main()
