"""`make bench`: what a scrape costs compared with the fetch itself, and how that grows with the work.

Every server runs in its own process on 127.0.0.1 and every figure comes from one run, so the
ratios hold on a noisy machine. Speed goals live here, never in tests. docs/performance.md
explains each figure. ``BENCH_SECONDS`` (default 5) sets how long each timed loop runs.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from launchwatch.plan import load_plan  # noqa: E402
from launchwatch.plan.builtin import builtin_plan_path, builtin_plans  # noqa: E402
from launchwatch.simulator.faults import Faults  # noqa: E402
from launchwatch.simulator.launch import Launch  # noqa: E402
from launchwatch.simulator.scenarios import build_routes  # noqa: E402

DURATION = float(os.environ.get("BENCH_SECONDS", "5"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
# What Prometheus 2.x sends when it scrapes.
PROMETHEUS_HEADERS = {
    "Accept": "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
              "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    "Accept-Encoding": "gzip",
    "X-Prometheus-Scrape-Timeout-Seconds": "10",
}
ANALYTICS = ("video-sessions", "users")  # the built-in source closest to "~20 metrics" (21)
SIM_LATENCY = "20ms"  # a product endpoint's answer time, for the concurrent-scrapers case


@dataclass
class Row:
    figure: str
    value: str
    goal: str = ""
    met: bool | None = None


# ---------------------------------------------------------------- processes and measurements

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stop(*procs: subprocess.Popen[bytes]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.02)
    raise SystemExit(f"{url} never became ready")


def cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid`` and every live process under it (``--workers``' worker processes)."""
    total = 0.0
    for p in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone since it was listed
            continue
        total += (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    return total


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            try:
                kids = [int(k) for k in task.read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    """The p-th percentile in milliseconds."""
    if len(values) < 2:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000


def loop(fn: Callable[[], object], seconds: float) -> list[float]:
    """Call ``fn`` for ``seconds``; each call's latency."""
    out = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


class Scraper:
    """A Prometheus-like client: one keep-alive connection, Prometheus' headers, body read but not parsed."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def scrape(self) -> bytes:
        self.conn.request("GET", "/metrics", headers=PROMETHEUS_HEADERS)
        resp = self.conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise SystemExit(f"/metrics answered {resp.status}")
        return body


class Exporter:
    """``launchwatch run`` on a plan file, as a process."""

    def __init__(self, plan: Path, *extra: str, ready_within: float = 30):
        self.port = free_port()
        self.proc = start([sys.executable, "-m", "launchwatch", "run", "--config", str(plan),
                           "--listen", f"127.0.0.1:{self.port}", "--log-level", "error", *extra])
        self.url = f"http://127.0.0.1:{self.port}"
        wait_ready(self.url + "/-/ready", timeout=ready_within)

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def rss(self) -> float:
        return rss_mib(self.proc.pid)


class Upstream:
    """bench/upstream.py serving ``bodies`` in turn at every path, or ``by_path`` {path: bodies}."""

    def __init__(self, tmp: Path, bodies: list[bytes] | None = None, by_path: dict[str, list[bytes]] | None = None):
        written: dict[bytes, str] = {}

        def file_for(body: bytes) -> str:
            if body not in written:
                written[body] = str(tmp / f"body-{id(self)}-{len(written)}.json")
                Path(written[body]).write_bytes(body)
            return written[body]

        manifest = {path: [file_for(b) for b in bs] for path, bs in (by_path or {"*": bodies or []}).items()}
        (tmp / f"manifest-{id(self)}.json").write_text(json.dumps(manifest))
        self.port = free_port()
        self.proc = start([sys.executable, str(ROOT / "bench" / "upstream.py"), str(self.port), "--manifest",
                           str(tmp / f"manifest-{id(self)}.json")])
        self.url = f"http://127.0.0.1:{self.port}"
        wait_ready(self.url + "/-/hits")

    def hits(self) -> int:
        return int(requests.get(self.url + "/-/hits", timeout=5).text)


def numbered(source: dict, i: int, url: str) -> dict:
    """Copy ``i`` of ``source``: metric names are unique per plan, so each copy gets its own prefix."""
    metrics = [{**m, "name": f"s{i}_{m['name']}"} for m in source["metrics"]]
    return {**source, "name": f"s{i}", "url": url, "metrics": metrics}


def plan_yaml(sources: list[dict], name: str = "bench", max_concurrency: int = 16) -> str:
    return yaml.safe_dump({"plan": name, "title": name.title(), "max_concurrency": max_concurrency,
                           "sources": sources}, sort_keys=False)


# ---------------------------------------------------------------- 1. fresh scrape cost

def analytics_source() -> tuple[dict, list[bytes]]:
    """The built-in analytics source and two of the simulator's documents for it (values differ)."""
    plan_name, source_name = ANALYTICS
    raw = yaml.safe_load(builtin_plan_path(plan_name).read_text())
    source = next(s for s in raw["sources"] if s["name"] == source_name)
    handler = build_routes(plan_name, Launch(Faults(), seed=1, speed=600))[source["url"]]
    docs = []
    for _ in range(2):
        docs.append(json.dumps(handler()).encode())
        time.sleep(0.05)
    return source, docs


def fresh_scrape_cost(tmp: Path) -> list[Row]:
    source, docs = analytics_source()
    n_metrics = len(source["metrics"])
    up = Upstream(tmp, docs)
    plan = tmp / "fresh.yml"
    plan.write_text(plan_yaml([{**source, "url": up.url + source["url"]}]))
    exp = Exporter(plan)
    try:
        # (a) the bare fetch, as the issue defines it: requests.Session().get() + json.loads
        session = requests.Session()
        url = up.url + source["url"]
        c0 = time.process_time()
        bare = loop(lambda: json.loads(session.get(url, timeout=5).content), DURATION)
        bare_cpu = (time.process_time() - c0) / len(bare)
        # (b) full scrapes, one after another, each fetching the source fresh
        scraper = Scraper(exp.port)
        scraper.scrape()
        hits0, cpu0 = up.hits(), exp.cpu()
        full = loop(scraper.scrape, DURATION)
        full_cpu = (exp.cpu() - cpu0) / len(full)
        fetched = up.hits() - hits0
        # (c) throughput: four scrapers at once, as many as the 2 cores allow; scrapes that overlap share a fetch,
        # so the upstream's count (fetches) is the strict figure and the scrapes answered the other
        hits0 = up.hits()
        rate = _throughput(exp.port, scrapers=4, seconds=DURATION)
        fetch_rate = (up.hits() - hits0) / DURATION
        rss = exp.rss()
    finally:
        stop(exp.proc, up.proc)
    bare_ms, full_ms = statistics.mean(bare) * 1000, statistics.mean(full) * 1000
    return [
        Row(f"one {n_metrics}-metric source from a fast local server", ""),
        Row("bare requests.get + json.loads: ms per call (CPU ms)",
            f"{bare_ms:.3f} ({bare_cpu * 1000:.3f})"),
        Row("fresh /metrics scrape, one at a time: ms per scrape", f"{full_ms:.3f}"),
        Row("  upstream fetches per scrape (must be 1: every scrape is fresh)", f"{fetched / len(full):.2f}",
            "1.00", abs(fetched / len(full) - 1) < 0.01),
        Row("  fresh scrape / bare fetch, wall time per call", f"{full_ms / bare_ms:.2f}x", "<= 2x",
            full_ms / bare_ms <= 2),
        Row("  exporter CPU per fresh scrape / bare fetch CPU", f"{full_cpu / bare_cpu:.2f}x", "<= 2x",
            full_cpu / bare_cpu <= 2),
        Row("  fresh scrape latency p50 / p99 (ms)", f"{pct(full, 50):.2f} / {pct(full, 99):.2f}"),
        Row("4 concurrent scrapers: scrapes answered per second (overlapping ones share a fetch)", f"{rate:,.0f}",
            ">= 1,500", rate >= 1500),
        Row("  upstream fetches per second (strictly fresh: each one a request to the source)", f"{fetch_rate:,.0f}"),
        Row("  exporter resident memory (MiB)", f"{rss:.1f}"),
    ]


def _throughput(port: int, scrapers: int, seconds: float) -> float:
    """Scrapes per second from ``scrapers`` processes at once (threads would share one GIL and cap the figure)."""
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(scrapers) as pool:
        totals = pool.map(_scrape_for, [(port, seconds)] * scrapers)
    return sum(totals) / seconds


def _scrape_for(args: tuple[int, float]) -> int:
    port, seconds = args
    s = Scraper(port)
    n = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        s.scrape()
        n += 1
    return n


# ---------------------------------------------------------------- 2. large pages

def large_pages(tmp: Path, series: int = 50_000) -> list[Row]:
    endpoints = series // 2

    def doc(v: int) -> bytes:
        return json.dumps({"endpoints": [{"path": f"/api/v1/resource/{i}", "method": "GET",
                                          "requests": i * 3 + v, "errors": i % 7} for i in range(endpoints)]}).encode()

    metrics = [
        {"name": "endpoint_requests_total", "help": "Requests per endpoint.", "type": "counter",
         "path": "$.endpoints[*]", "value": "@.requests", "labels": {"endpoint": "@.path", "method": "@.method"}},
        {"name": "endpoint_errors_total", "help": "Errors per endpoint.", "type": "counter",
         "path": "$.endpoints[*]", "value": "@.errors", "labels": {"endpoint": "@.path", "method": "@.method"}},
    ]
    rows = []
    for label, bodies in (("unchanged", [doc(0)]), ("changing on every scrape", [doc(0), doc(1)])):
        up = Upstream(tmp, bodies)
        plan = tmp / "large.yml"
        plan.write_text(plan_yaml([{"name": "api", "url": up.url + "/api/endpoints", "timeout": "10s",
                                    "max_response_bytes": "64MiB", "metrics": metrics}]))
        exp = Exporter(plan)
        try:
            scraper = Scraper(exp.port)
            page = scraper.scrape()
            cpu0 = exp.cpu()
            lat = loop(scraper.scrape, DURATION)
            cpu = (exp.cpu() - cpu0) / len(lat)
            rss = exp.rss()
        finally:
            stop(exp.proc, up.proc)
        count = _series_in(page)
        p99 = pct(lat, 99)
        goal = ("< 50 ms", p99 < 50) if label == "unchanged" else ("", None)
        rows += [
            Row(f"{count:,} series, values {label}: p50 / p99 (ms)",
                f"{pct(lat, 50):.1f} / {p99:.1f}", *goal),
            Row("  exporter CPU ms per scrape; resident MiB", f"{cpu * 1000:.1f}; {rss:.0f}"),
        ]
    return rows


def _series_in(gzipped_page: bytes) -> int:
    import gzip

    text = gzip.decompress(gzipped_page).decode()
    return sum(1 for line in text.splitlines() if line.startswith("endpoint_"))


# ---------------------------------------------------------------- 3. many sources

def builtin_sources() -> list[tuple[dict, list[bytes]]]:
    """Every built-in source with metrics, with two of its simulator documents (values differ)."""
    out = []
    for plan_name in builtin_plans():
        raw = yaml.safe_load(builtin_plan_path(plan_name).read_text())
        routes = build_routes(plan_name, Launch(Faults(), seed=1, speed=600))
        for source in raw["sources"]:
            handler = routes.get(source["url"])
            if source.get("metrics") and handler is not None:
                docs = [json.dumps(handler()).encode()]
                time.sleep(0.01)
                docs.append(json.dumps(handler()).encode())
                out.append((source, docs))
    return out


def many_sources(tmp: Path, counts: tuple[int, ...] = (10, 100, 1000, 5000), interval: float = 15.0) -> list[Row]:
    """N sources cycling through every built-in source (a realistic mix of sizes), plus the heaviest alone."""
    templates = builtin_sources()
    heavy = analytics_source()
    cases = [(f"{n:>5} sources of the mix", n, lambda i: templates[i % len(templates)]) for n in counts]
    cases.append((f"{1000:>5} of the {len(heavy[0]['metrics'])}-metric source", 1000, lambda i: heavy))
    mean = statistics.mean(len(s["metrics"]) for s, _ in templates)
    rows = [Row(f"at a {interval:g} s interval; mix = {len(templates)} built-in sources, {mean:.1f} metrics on "
                "average", ""),
            Row("  (CPU % of one core, resident MiB, wall s of one scrape, s from start to ready)", "")]
    for label, n, template in cases:
        share, rss, wall, ready = exporter_share(tmp, n, template, interval)
        goal = ("< 25 %, < 150 MB", share < 25 and rss * 1.048576 < 150) if n == 1000 else ("", None)
        rows.append(Row(f"  {label}", f"{share:5.1f} % {rss:4.0f} MiB {wall:5.2f} s {ready:4.1f} s", *goal))
    return rows


def exporter_share(tmp: Path, n: int, template: Callable[[int], tuple[dict, list[bytes]]],
                   interval: float = 15.0, rounds: int = 3) -> tuple[float, float, float, float]:
    """An exporter of ``n`` sources (copy i of ``template(i)``), each with its own URL: CPU % of one core when
    scraped every ``interval`` s (mean of ``rounds`` scrapes), resident MiB, wall s of one scrape, s from start
    to ready."""
    up = Upstream(tmp, by_path={f"/s/{i}": template(i)[1] for i in range(n)})
    plan = tmp / f"many-{n}.yml"
    plan.write_text(plan_yaml([numbered(template(i)[0], i, f"{up.url}/s/{i}") for i in range(n)]))
    t0 = time.perf_counter()
    exp = Exporter(plan, ready_within=300)
    ready = time.perf_counter() - t0
    try:
        scraper = Scraper(exp.port)
        scraper.scrape()  # connections opened
        cpu0, t0 = exp.cpu(), time.perf_counter()
        for _ in range(rounds):
            scraper.scrape()
        wall = (time.perf_counter() - t0) / rounds
        per_scrape = (exp.cpu() - cpu0) / rounds
        idle0 = exp.cpu()
        time.sleep(2)
        idle = (exp.cpu() - idle0) / 2
        return (per_scrape / interval + idle) * 100, exp.rss(), wall, ready
    finally:
        stop(exp.proc, up.proc)


# ---------------------------------------------------------------- 4. concurrent scrapers

def concurrent_scrapers(tmp: Path, rounds: int = 50) -> list[Row]:
    plan_name = "whatsapp-quiz"
    sim_port = free_port()
    sim = start([sys.executable, "-m", "launchwatch", "simulate", "--plan", plan_name, "--latency", SIM_LATENCY,
                 "--listen", f"127.0.0.1:{sim_port}", "--log-level", "error"])
    sim_url = f"http://127.0.0.1:{sim_port}"
    try:
        wait_ready(sim_url + "/-/stats")
        plan = load_plan(builtin_plan_path(plan_name), base_url=sim_url)
        port = free_port()
        exp = start([sys.executable, "-m", "launchwatch", "run", "--plan", plan_name, "--base-url", sim_url,
                     "--listen", f"127.0.0.1:{port}", "--log-level", "error"])
        try:
            wait_ready(f"http://127.0.0.1:{port}/-/ready")
            pair = [Scraper(port), Scraper(port)]
            before = requests.get(sim_url + "/-/stats", timeout=5).json()["requests"]
            barrier = threading.Barrier(2)

            def scrape(s: Scraper) -> None:
                for _ in range(rounds):
                    barrier.wait()
                    s.scrape()

            threads = [threading.Thread(target=scrape, args=(s,)) for s in pair]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            after = requests.get(sim_url + "/-/stats", timeout=5).json()["requests"]
        finally:
            stop(exp)
    finally:
        stop(sim)
    per_source = [(after.get(path, 0) - before.get(path, 0)) / rounds for path in after]
    most = max(per_source)
    return [Row(f"two scrapers at once, {rounds} rounds, {len(plan.sources)} sources answering in {SIM_LATENCY}", ""),
            Row("  upstream fetches per source per round, most / mean",
                f"{most:.2f} / {statistics.mean(per_source):.2f}", "1 (not 2)", most <= 1.0)]


# ---------------------------------------------------------------- 5. start-up

def start_up(tmp: Path, n: int = 100) -> list[Row]:
    source, docs = analytics_source()
    up = Upstream(tmp, docs)
    plan = tmp / "startup.yml"
    plan.write_text(plan_yaml([numbered(source, i, f"{up.url}/s/{i}") for i in range(n)]))
    times = []
    try:
        for _ in range(3):
            port = free_port()
            t0 = time.perf_counter()
            proc = start([sys.executable, "-m", "launchwatch", "run", "--config", str(plan),
                          "--listen", f"127.0.0.1:{port}", "--log-level", "error"])
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                        s.sendall(b"GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n")
                        if s.recv(64).startswith(b"HTTP/1.1 200"):
                            break
                except OSError:
                    time.sleep(0.005)
            times.append(time.perf_counter() - t0)
            stop(proc)
    finally:
        stop(up.proc)
    gen = []
    for _ in range(3):
        out = tmp / "generated"
        t0 = time.perf_counter()
        exporters = [f"--exporter={name}=127.0.0.1:{9848 + i}" for i, name in enumerate(builtin_plans())]
        subprocess.run([sys.executable, "-m", "launchwatch", "generate", "--plan", "all", *exporters, "--out",
                        str(out)], check=True, capture_output=True)
        gen.append(time.perf_counter() - t0)
    best, gen_best = min(times), min(gen)
    return [
        Row(f"`launchwatch run` with {n} sources: spawn to ready (s, best of 3)", f"{best:.2f}", "< 1 s", best < 1),
        Row(f"`launchwatch generate` for all {len(builtin_plans())} plans (s, best of 3)", f"{gen_best:.2f}",
            "< 2 s", gen_best < 2),
    ]


# ---------------------------------------------------------------- table

def main() -> None:
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    sections: list[tuple[str, list[Row]]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        from capacity import capacity  # bench/capacity.py, beside this file: it imports this module's helpers
        from versus import versus  # bench/versus.py: issue 18's table, beside json_exporter when JSON_EXPORTER is set

        for title, case in (("1. fresh scrape cost", fresh_scrape_cost), ("2. large pages", large_pages),
                            ("3. many sources", many_sources), ("4. concurrent scrapers", concurrent_scrapers),
                            ("5. start-up", start_up), ("6. capacity of a scaled deployment", capacity),
                            ("7. side by side with json_exporter", versus)):
            print(f"running {title} …", file=sys.stderr, flush=True)
            sections.append((title, case(tmp)))
    width = max(len(r.figure) for _, rows in sections for r in rows if r.value)  # headings may run over
    print(f"\nlaunchwatch bench — {DURATION:g} s per timed loop, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}, {time.perf_counter() - started:.0f} s in all, load average "
          f"{load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end\n")
    print(f"  {'figure':<{width}}  {'value':>24}  {'goal':>18}  met")
    for title, rows in sections:
        print(f"\n{title}")
        for r in rows:
            met = "" if r.met is None else ("yes" if r.met else "NO")
            line = f"  {r.figure:<{width}}  {r.value:>24}  {r.goal:>18}  {met}" if r.value else f"  {r.figure}"
            print(line.rstrip())


if __name__ == "__main__":
    main()
