"""`make bench` section 7: launchwatch side by side with json_exporter, the figures of issue 18.

Measured as the issue measured: the upstream is nginx (bench/wrk_nginx.py) serving a 15-sample business
document whose values change on every request, at any path (8 distinct targets are 8 URLs), and the
scrapers are ``wrk`` with Prometheus' headers — one connection (one scraper at a time), 8 connections on
one path (8 concurrent scrapers of one source) and 8 threads of one connection each, each on its own
path (8 concurrent scrapers of 8 distinct targets). Each load runs ``ROUNDS`` times (3), the exporters
interleaved within each round; the figures are medians. Without wrk or nginx (or with
``VERSUS_LOAD=python``) the scrapers are Python processes with one keep-alive connection each, and the
upstream bench/upstream.py, all on the same cores as the exporter: the section says which it used.
launchwatch is scraped on ``/metrics`` (one source) or, for distinct targets, on ``/probe``;
json_exporter on ``/probe?module=business&target=URL``, its only way. Give json_exporter's binary to
compare (``JSON_EXPORTER=/path/to/json_exporter make bench``); without it its column says "not given"
and the goals read against the figures the issue measured (docs/performance.md quotes them).

- *fresh scrapes/s* count answered scrapes; *upstream fetches/s* count requests the upstream served
  (nginx's stub_status, or bench/upstream.py's hit counter). launchwatch shares one fetch between
  scrapes of one source that overlap, so under concurrency it answers more scrapes than it fetches;
  json_exporter fetches per scrape.
- *cores*: the exporter's CPU seconds (all its processes) per wall second; *CPU per upstream fetch*:
  the exporter's CPU divided by the fetches the upstream served. The scrapers' and the upstream's
  cores are shown too: on a 2-core machine they are what the exporter could not use.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import yaml
from wrk_nginx import NGINX, WRK, NginxUpstream, version, wrk_run

from bench import (
    DURATION,
    PROMETHEUS_HEADERS,
    Exporter,
    Row,
    Upstream,
    builtin_sources,
    cpu_seconds,
    free_port,
    numbered,
    pct,
    plan_yaml,
    rss_mib,
    start,
    stop,
    wait_ready,
)

JSON_EXPORTER = os.environ.get("JSON_EXPORTER")
# json_exporter v0.6.0 as issue 18 measured it (nginx upstream, wrk scrapers, on another run): without
# JSON_EXPORTER, ratios and goals read against these quoted figures, marked "(issue's)". Not measured here.
ISSUE = {"scrapes_s": 1316.0, "p99_ms": 2.35, "fetches_s": 2837.0, "cores": 1.56, "cpu_per_fetch_ms": 0.55,
         "share": 4.3, "rss": 23.0, "10k series, unchanged": 221.0, "50k series, unchanged": 1108.0,
         "50k series, changing": 1093.0}
WORKERS = 2  # --workers for the pool's rows: one per core of this 2-core machine
ROUNDS = int(os.environ.get("VERSUS_ROUNDS", "3"))  # each load this many times, interleaved; medians
# "python": bench/upstream.py and Python scrapers (the way before wrk and nginx), even where those are installed
PYTHON_LOAD = os.environ.get("VERSUS_LOAD", "") == "python"
USE_WRK = WRK is not None and not PYTHON_LOAD
USE_NGINX = NGINX is not None and not PYTHON_LOAD
SCRAPERS = 8
ENDPOINTS = ("/api/orders", "/api/cart", "/api/login", "/api/search")
SCALARS = {"orders_total": "counter", "revenue_total": "counter", "signups_total": "counter",
           "active_users": "gauge", "queue_depth": "gauge", "error_ratio": "gauge", "checkout_seconds": "gauge"}


def business_doc(turn: int) -> bytes:
    """15 samples: 7 numbers and 4 endpoints' requests and errors; ``turn`` changes every value."""
    doc: dict = {name: 1000 + 17 * i + turn for i, name in enumerate(SCALARS)}
    doc["error_ratio"] = 0.01 + turn / 1000
    doc["endpoints"] = [{"path": p, "requests": 500 * (i + 1) + turn, "errors": i + turn}
                        for i, p in enumerate(ENDPOINTS)]
    return json.dumps(doc).encode()


def launchwatch_mappings() -> list[dict]:
    out = [{"name": f"shop_{name}", "help": f"{name}.", "type": kind, "path": f"$.{name}"}
           for name, kind in SCALARS.items()]
    for value in ("requests", "errors"):
        out.append({"name": f"shop_endpoint_{value}_total", "help": f"Endpoint {value}.", "type": "counter",
                    "path": "$.endpoints[*]", "value": f"@.{value}", "labels": {"endpoint": "@.path"}})
    return out


def json_exporter_config() -> dict:
    """The same mappings in json_exporter's (v0.6) configuration."""
    metrics: list[dict] = [{"name": f"shop_{name}", "help": f"{name}.", "type": "value",
                            "valuetype": "counter" if kind == "counter" else "gauge", "path": f"{{.{name}}}"}
                           for name, kind in SCALARS.items()]
    metrics.append({"name": "shop_endpoint", "help": "Endpoint requests and errors.", "type": "object",
                    "valuetype": "counter", "path": "{.endpoints[*]}", "labels": {"endpoint": "{.path}"},
                    "values": {"requests_total": "{.requests}", "errors_total": "{.errors}"}})
    return {"modules": {"business": {"metrics": metrics},
                        "pages": {"metrics": [{"name": "endpoint", "help": "Per endpoint.", "type": "object",
                                               "valuetype": "counter", "path": "{.endpoints[*]}",
                                               "labels": {"endpoint": "{.path}", "method": "{.method}"},
                                               "values": {"requests_total": "{.requests}",
                                                          "errors_total": "{.errors}"}}]}}}


@dataclass
class Served:
    """One exporter process and how to scrape one target of it."""

    proc: subprocess.Popen[bytes]
    port: int
    path_for: object  # Callable[[str], str]: the scrape path for an upstream URL

    def cpu(self) -> float:
        return cpu_seconds(self.proc.pid)

    def rss(self) -> float:
        return rss_mib(self.proc.pid)


def start_json_exporter(tmp: Path) -> Served:
    config = tmp / "json_exporter.yml"
    config.write_text(yaml.safe_dump(json_exporter_config(), sort_keys=False))
    port = free_port()
    proc = start([str(JSON_EXPORTER), f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}"])
    wait_ready(f"http://127.0.0.1:{port}/metrics")
    return Served(proc, port, lambda url, module="business": f"/probe?module={module}&target={quote(url, safe='')}")


def start_launchwatch(tmp: Path, sources: list[dict], upstream: str, name: str = "versus",
                      workers: int = 0) -> Served:
    module = {"name": "business", "allowed_targets": [upstream], "metrics": launchwatch_mappings()}
    plan = tmp / f"{name}.yml"
    text = yaml.safe_dump({"plan": "versus", "title": "Versus", "max_concurrency": 16, "modules": [module],
                           "sources": sources}, sort_keys=False)
    plan.write_text(text)
    exp = Exporter(plan, *(["--workers", str(workers)] if workers else []), ready_within=300)
    if workers:
        time.sleep(1.0)  # the workers start beside the server; until then it fetches itself
    return Served(exp.proc, exp.port, lambda url, module="business": (
        "/metrics" if url is None else f"/probe?module={module}&target={quote(url, safe='')}"))


def _scrape_loop(args: tuple[int, str, float]) -> tuple[int, list[float]]:
    port, path, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    lat = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        conn.request("GET", path, headers=PROMETHEUS_HEADERS)
        resp = conn.getresponse()
        resp.read()
        if resp.status != 200:
            raise SystemExit(f"{path} answered {resp.status}")
        lat.append(time.perf_counter() - t)
    return len(lat), lat


@dataclass
class Load:
    scrapes_s: float
    fetches_s: float
    cores: float
    cpu_per_fetch_ms: float
    p99_ms: float
    fetches_per_scrape: float = 0.0
    scraper_cores: float = 0.0  # what the scrapers used (wrk, or the Python scraper processes)
    upstream_cores: float = 0.0  # what the upstream used (nginx's processes, or bench/upstream.py)


def _warm(port: int, paths: list[str], times: int = 20) -> None:
    """Connections opened and each target's state made (a /probe target's first scrape)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for path in dict.fromkeys(paths):
        for _ in range(times):
            conn.request("GET", path, headers=PROMETHEUS_HEADERS)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise SystemExit(f"{path} answered {resp.status}")
    conn.close()


def load(served: Served, up: Upstream | NginxUpstream, paths: list[str], seconds: float = DURATION,
         warm: int = 20) -> Load:
    """One scraper per path for ``seconds`` (wrk, or Python processes): what the exporter and the upstream did.

    With wrk: one path is ``-t1 -c1``; several copies of one path ``-t1 -cN`` (one event loop, N connections);
    distinct paths ``-tN -cN``, each thread (one connection) on its own path.
    """
    _warm(served.port, paths, warm)
    if USE_WRK:
        threads = 1 if len(set(paths)) == 1 else len(paths)
        hits0, cpu0, up0, t0 = up.hits(), served.cpu(), cpu_seconds(up.proc.pid), time.perf_counter()
        got = wrk_run(served.port, paths, threads=threads, connections=len(paths), seconds=seconds)
        wall = time.perf_counter() - t0
        hits, cpu, up_cpu = up.hits() - hits0, served.cpu() - cpu0, cpu_seconds(up.proc.pid) - up0
        scrapes, scrapes_s, p99, scraper_cpu = got.requests, got.requests / got.seconds, got.p99_ms, got.cpu
    else:
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        with multiprocessing.get_context("fork").Pool(len(paths)) as pool:
            hits0, cpu0, up0, t0 = up.hits(), served.cpu(), cpu_seconds(up.proc.pid), time.perf_counter()
            done = pool.map(_scrape_loop, [(served.port, p, seconds) for p in paths])
            wall = time.perf_counter() - t0
            hits, cpu, up_cpu = up.hits() - hits0, served.cpu() - cpu0, cpu_seconds(up.proc.pid) - up0
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # the pool's processes, reaped when it closed
        scraper_cpu = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime
        scrapes = sum(n for n, _ in done)
        scrapes_s, p99 = scrapes / seconds, pct([x for _, ls in done for x in ls], 99)
    return Load(scrapes_s, hits / wall, cpu / wall, cpu / max(hits, 1) * 1000, p99, hits / max(scrapes, 1),
                scraper_cpu / wall, up_cpu / wall)


def median_load(loads: list[Load]) -> Load:
    """Each figure's median over the rounds (figure by figure)."""
    return Load(*(statistics.median(getattr(x, f) for x in loads) for f in Load.__dataclass_fields__))


def method() -> str:
    scrapers = (f"{version(WRK)} with Prometheus' headers (-t1 -c1; -t1 -c{SCRAPERS}; -t{SCRAPERS} -c{SCRAPERS}, "
                "a path each)" if USE_WRK and WRK else
                "Python processes, one keep-alive connection each, Prometheus' headers"
                + ("" if PYTHON_LOAD else " (wrk not found)"))
    upstream = (f"{version(NGINX)} (1 worker; stub_status counts fetches)" if USE_NGINX and NGINX else
                "bench/upstream.py" + ("" if PYTHON_LOAD else " (nginx not found)"))
    return f"scrapers: {scrapers}; upstream: {upstream}; {ROUNDS} interleaved rounds, medians"


def ratio(ours: float, theirs: float | None, higher_is_better: bool = True) -> str:
    if theirs is None:
        return ""
    if not theirs or not ours:
        return "n/a"
    return f"{ours / theirs:.2f}x" if higher_is_better else f"{theirs / ours:.2f}x better" if ours < theirs \
        else f"{ours / theirs:.2f}x more"


def both(ours: str, theirs: str | None) -> str:
    return f"{ours} | {theirs if theirs is not None else 'not given'}"


def versus_row(figure: str, ours: float, theirs: float | None, key: str, spec: str, goal: str = "",
               higher_is_better: bool | None = None) -> Row:
    """``ours | theirs ratio`` with the goal: against json_exporter measured now, else the issue's figure."""
    ref, mark = (theirs, "") if theirs is not None else (ISSUE.get(key), " (issue's)")
    value = f"{format(ours, spec)} | {'-' if ref is None else format(ref, spec)}{mark}"
    if higher_is_better is None or ref is None:
        return Row(figure, value, goal)
    met = ours >= ref if higher_is_better else ours <= ref
    return Row(figure, f"{value} {ratio(ours, ref, higher_is_better)}", goal, met)


def versus(tmp: Path, loads_only: bool = False) -> list[Row]:
    docs = [business_doc(0), business_doc(1)]
    up: Upstream | NginxUpstream = NginxUpstream(tmp) if USE_NGINX else Upstream(tmp, docs)
    url = up.url + "/business"
    distinct = [f"{up.url}/business/{i}" for i in range(SCRAPERS)]
    try:
        return _versus(tmp, up, url, distinct, loads_only)
    finally:
        stop(up.proc)


def _versus(tmp: Path, up: Upstream | NginxUpstream, url: str, distinct: list[str], loads_only: bool) -> list[Row]:
    source = [{"name": "business", "url": url, "module": "business"}]
    exporters: dict[str, Served] = {}
    try:
        exporters["ours"] = start_launchwatch(tmp, source, up.url)
        exporters["pooled"] = start_launchwatch(tmp, source, up.url, name="versus-pooled", workers=WORKERS)
        if JSON_EXPORTER:
            exporters["theirs"] = start_json_exporter(tmp)

        def paths(name: str, kind: str) -> list[str]:
            served = exporters[name]
            one = served.path_for(url if name == "theirs" else None)
            return {"one": [one], "same": [one] * SCRAPERS, "many": [served.path_for(u) for u in distinct]}[kind]

        rounds: dict[tuple[str, str], list[Load]] = {(n, k): [] for n in exporters for k in ("one", "same", "many")}
        names = list(exporters)
        for r in range(ROUNDS):  # interleaved: each load of every exporter once per round, who goes first rotating
            for kind in ("one", "same", "many"):
                for name in names[r % len(names):] + names[:r % len(names)]:
                    rounds[name, kind].append(load(exporters[name], up, paths(name, kind)))
    finally:
        stop(*(e.proc for e in exporters.values()))
    med = {key: median_load(v) for key, v in rounds.items()}
    one, same, many = med["ours", "one"], med["ours", "same"], med["ours", "many"]
    one_w, same_w, many_w = med["pooled", "one"], med["pooled", "same"], med["pooled", "many"]
    one_je, same_je, many_je = (med.get(("theirs", k)) for k in ("one", "same", "many"))

    def g(x: Load | None, field: str) -> float | None:
        return getattr(x, field) if x is not None else None

    def fmt(x: float | None, spec: str) -> str | None:
        return None if x is None else format(x, spec)

    def scrapers(title: str, ours: Load, je: Load | None, *, one: bool = False, many: bool = False,
                 baseline: Load | None = None, key: tuple[str, str] | None = None) -> list[Row]:
        """The rows of one load: what scrapers got, what the upstream served, the exporter's cores and CPU."""
        if one:
            rows = [versus_row(f"{title}: fresh scrapes/s", ours.scrapes_s, g(je, "scrapes_s"), "scrapes_s", ",.0f",
                               ">= json_exporter", True),
                    Row("  upstream fetches per scrape (every scrape fresh)", f"{ours.fetches_per_scrape:.2f}",
                        "1.00", abs(ours.fetches_per_scrape - 1) < 0.02),
                    versus_row("  p99 latency (ms)", ours.p99_ms, g(je, "p99_ms"), "p99_ms", ".2f", "<= json_exporter",
                               False)]
            if baseline is not None:  # the pool must cost a single scraper nothing (it runs its fetch itself)
                rows.append(Row("  fresh scrapes/s; p99 next to --workers 0 (no regression: within 10 %)",
                                f"{ours.scrapes_s / baseline.scrapes_s:.2f}x; {ours.p99_ms / baseline.p99_ms:.2f}x",
                                ">= 0.9x", ours.scrapes_s >= 0.9 * baseline.scrapes_s))
                if key is not None and ROUNDS > 1:
                    rows.append(Row("    each round: fresh scrapes/s next to --workers 0", ", ".join(
                        f"{w.scrapes_s / b.scrapes_s:.2f}x" for w, b in zip(rounds[key], rounds["ours", "one"],
                                                                            strict=True))))
        else:
            rows = [Row(f"{title}: fresh scrapes/s", both(f"{ours.scrapes_s:,.0f}", fmt(g(je, "scrapes_s"), ",.0f")))]
            rows.append(versus_row("  upstream fetches/s" + ("" if many else " (overlapping scrapes share a fetch)"),
                                   ours.fetches_s, g(je, "fetches_s"), "fetches_s", ",.0f",
                                   ">= json_exporter" if many else "", True if many else None))
        rows.append(versus_row("  cores the exporter uses (all its processes)", ours.cores, g(je, "cores"), "cores",
                               ".2f", "> 1" if many else ""))
        if many:
            rows[-1].met = ours.cores > 1
        rows.append(versus_row("  CPU per upstream fetch (ms)", ours.cpu_per_fetch_ms, g(je, "cpu_per_fetch_ms"),
                               "cpu_per_fetch_ms", ".2f", "<= json_exporter", False))
        if not one and not many:  # shared fetches: what one answered scrape costs (each of json_exporter's fetches)
            per_scrape = ours.cores / ours.scrapes_s * 1000 if ours.scrapes_s else 0.0
            theirs = g(je, "cores") / g(je, "scrapes_s") * 1000 if je is not None and je.scrapes_s else None
            shown = versus_row("  CPU per scrape answered (ms; json_exporter fetches for each)", per_scrape, theirs,
                               "cpu_per_fetch_ms", ".2f", "", False)
            shown.met = None  # the figure behind the goal above, not a goal of its own
            rows.append(shown)
        rows.append(Row("  cores the scrapers; the upstream used (not the exporter's to use)",
                        f"{ours.scraper_cores:.2f}; {ours.upstream_cores:.2f}"))
        if key is not None and ROUNDS > 1:
            each = rounds[key]
            rows.append(Row("  each round: scrapes/s; upstream fetches/s",
                            f"{', '.join(f'{x.scrapes_s:,.0f}' for x in each)}; "
                            f"{', '.join(f'{x.fetches_s:,.0f}' for x in each)}"))
        if many and baseline is not None and key is not None:  # what the pool buys where it should: overlapping fetches
            each = [w.fetches_s / b.fetches_s for w, b in zip(rounds[key], rounds["ours", "many"], strict=True)]
            rows.append(Row("  upstream fetches/s next to --workers 0 (medians; each round)",
                            f"{ours.fetches_s / baseline.fetches_s:.2f}x; " + ", ".join(f"{x:.2f}x" for x in each)))
        return rows

    rows = [
        Row(f"({method()})", ""),
        Row("(launchwatch | json_exporter" + ("" if JSON_EXPORTER else ": not given, its figures as issue 18 quoted "
            "them (nginx, wrk, another run)") + "; ratio: launchwatch's over json_exporter's)", ""),
        *scrapers("one scraper at a time", one, one_je, one=True, key=("ours", "one")),
        *scrapers("8 concurrent scrapers of one source", same, same_je, key=("ours", "same")),
        *scrapers("8 concurrent scrapers of 8 distinct targets (/probe)", many, many_je, many=True,
                  key=("ours", "many")),
        Row(f"with --workers {WORKERS} (fetches that overlap run in worker processes)", ""),
        *scrapers("  one scraper at a time", one_w, None, one=True, baseline=one, key=("pooled", "one")),
        *scrapers("  8 concurrent scrapers of one source", same_w, None, key=("pooled", "same")),
        *scrapers("  8 concurrent scrapers of 8 distinct targets (/probe)", many_w, None, many=True, baseline=many,
                  key=("pooled", "many")),
    ]
    if loads_only:
        return rows
    share, rss, share_je, rss_je = thousand_sources(tmp, up)
    pages = large_pages_both(tmp)
    ready_1k, ready_5k = start_up_at(tmp, 1000), start_up_at(tmp, 5000)
    rows += [
        versus_row("1,000 sources at 15 s: % of one core", share, share_je, "share", ".1f", "<= json_exporter", False),
        versus_row("1,000 sources: resident MiB", rss, rss_je, "rss", ".0f", "<= 60 MiB"),
    ]
    rows[-1].met = rss <= 60
    for label, (p99, p99_je), _goal in pages:
        rows.append(versus_row(f"{label}: p99 (ms)", p99, p99_je, label, ",.1f", "<= json_exporter", False))
    rows += [
        Row("start-up, 1,000 sources of the mix: spawn to ready (s, median of 3)", f"{ready_1k:.2f}", "< 1 s",
            ready_1k < 1),
        Row("start-up, 5,000 sources of the mix (s, median of 3)", f"{ready_5k:.2f}", "< 5 s", ready_5k < 5),
    ]
    return rows


def thousand_sources(tmp: Path, up: Upstream | NginxUpstream, n: int = 1000, interval: float = 15.0,
                     ) -> tuple[float, float, float | None, float | None]:
    """CPU % of one core at ``interval`` and resident MiB: launchwatch with n sources on one /metrics, json_exporter
    with n /probe targets (Prometheus scrapes each one), each source its own URL."""
    urls = [f"{up.url}/business/s{i}" for i in range(n)]
    sources = [numbered({"name": "b", "url": "", "metrics": launchwatch_mappings()}, i, u) for i, u in enumerate(urls)]
    ours = start_launchwatch(tmp, sources, up.url, name="versus-1000")
    try:
        share, rss = _share(ours, [ours.path_for(None)], interval)
    finally:
        stop(ours.proc)
    if not JSON_EXPORTER:
        return share, rss, None, None
    theirs = start_json_exporter(tmp)
    try:
        share_je, rss_je = _share(theirs, [theirs.path_for(u) for u in urls], interval)
    finally:
        stop(theirs.proc)
    return share, rss, share_je, rss_je


def _share(served: Served, paths: list[str], interval: float, rounds: int = 3) -> tuple[float, float]:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=120)

    def round_() -> None:
        for path in paths:
            conn.request("GET", path, headers=PROMETHEUS_HEADERS)
            conn.getresponse().read()

    round_()
    cpu0 = served.cpu()
    for _ in range(rounds):
        round_()
    per_round = (served.cpu() - cpu0) / rounds
    idle0 = served.cpu()
    time.sleep(2)
    idle = (served.cpu() - idle0) / 2
    return (per_round / interval + idle) * 100, served.rss()


def large_pages_both(tmp: Path) -> list[tuple[str, tuple[float, float | None], str]]:
    out = []
    for series, changing in ((10_000, False), (50_000, False), (50_000, True)):
        endpoints = series // 2

        def doc(v: int, endpoints: int = endpoints) -> bytes:
            return json.dumps({"endpoints": [{"path": f"/api/v1/resource/{i}", "method": "GET", "requests": i * 3 + v,
                                              "errors": i % 7} for i in range(endpoints)]}).encode()

        up = Upstream(tmp, [doc(0), doc(1)] if changing else [doc(0)])
        url = up.url + "/api/endpoints"
        metrics = [{"name": f"endpoint_{v}_total", "help": f"{v}.", "type": "counter", "path": "$.endpoints[*]",
                    "value": f"@.{v}", "labels": {"endpoint": "@.path", "method": "@.method"}}
                   for v in ("requests", "errors")]
        ours = start_launchwatch(tmp, [{"name": "api", "url": url, "timeout": "10s", "max_response_bytes": "64MiB",
                                        "metrics": metrics}], up.url, name="versus-pages")
        try:
            p99 = load(ours, up, [ours.path_for(None)], warm=1).p99_ms
        finally:
            stop(ours.proc)
        p99_je = None
        if JSON_EXPORTER:
            theirs = start_json_exporter(tmp)
            try:
                p99_je = load(theirs, up, [theirs.path_for(url, "pages")], warm=1).p99_ms
            finally:
                stop(theirs.proc)
        stop(up.proc)
        label = f"{series // 1000}k series, {'changing' if changing else 'unchanged'}"
        goal = "<= json_exporter" if JSON_EXPORTER else ""
        out.append((label, (p99, p99_je), goal))
    return out


def start_up_at(tmp: Path, n: int, runs: int = 3) -> float:
    """Median spawn to ready of ``launchwatch run`` on n sources of the built-in mix (section 3's plans)."""
    import socket

    templates = builtin_sources()
    plan = tmp / f"start-{n}.yml"
    plan.write_text(plan_yaml([numbered(templates[i % len(templates)][0], i, f"http://127.0.0.1:9/s/{i}")
                               for i in range(n)]))
    times = []
    for _ in range(runs):
        port = free_port()
        t0 = time.perf_counter()
        proc = start([sys.executable, "-m", "launchwatch", "run", "--config", str(plan), "--listen",
                      f"127.0.0.1:{port}", "--log-level", "error"])
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"GET /-/ready HTTP/1.1\r\nHost: x\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        break
            except OSError:
                time.sleep(0.003)
            if time.perf_counter() - t0 > 120:
                raise SystemExit(f"launchwatch run with {n} sources never became ready")
        times.append(time.perf_counter() - t0)
        stop(proc)
    return statistics.median(times)


if __name__ == "__main__":  # section 7 alone: python bench/versus.py [--loads: only the scraper loads]
    import tempfile

    started, load_before = time.perf_counter(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        for r in versus(Path(d), loads_only="--loads" in sys.argv[1:]):
            print(f"  {r.figure:<72} {r.value:>28} {r.goal:>18} {'' if r.met is None else 'yes' if r.met else 'NO'}")
    print(f"{time.perf_counter() - started:.0f} s, load average {load_before:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end")
