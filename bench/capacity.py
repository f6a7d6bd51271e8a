"""`make bench` section 6: what a scaled deployment needs for a number of sources (docs/scaling.md quotes it).

- *Exporter shard*: the sources one ``launchwatch run --shard i/n`` serves under 25 % of a core at a 15 s
  interval, the same built-in mix as section 3 (five scrapes a size): each measurement sizes the next, and
  the answer is a size measured under 25 %, never an extrapolation.
- *Scrapers*: one scrape of a 1,000-source exporter, served again and again by bench/upstream.py as
  ``TARGETS`` targets (TARGETS × 1,000 = ``SOURCES`` sources' series), scraped every ``FAST`` s: by a
  vmagent remote-writing into VictoriaMetrics, then by a Prometheus. CPU scales with samples per second, so
  the CPU measured at FAST s is scaled to a 15 s interval; memory is measured at the real series count.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import time
from pathlib import Path

import requests
import yaml

from bench import (
    Exporter,
    Row,
    Upstream,
    builtin_sources,
    cpu_seconds,
    exporter_share,
    free_port,
    numbered,
    plan_yaml,
    rss_mib,
    start,
    stop,
    wait_ready,
)

INTERVAL = 15.0  # the scrape interval the figures are for
BUDGET = 25.0  # % of one core an exporter shard may use
SOURCES = 10_000  # the deployment the last lines size
PAGE_SOURCES = 1_000  # sources on the page the scrapers read
TARGETS = SOURCES // PAGE_SOURCES
FAST = 3.0  # the scrapers' interval while measured (5x the load of 15 s, for a steadier CPU figure)
MEASURE = 12.0  # seconds of CPU measured per scraper


def _binary(name: str) -> str | None:
    """A Debian-packaged tool (make system-deps installs them), if installed."""
    return shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)


def _program(name: str) -> str:
    found = _binary(name)
    if found is None:
        raise SystemExit(f"{name} is not installed (make system-deps)")
    return found


def shard_capacity(tmp: Path) -> tuple[int, float, float, list[tuple[int, float]]]:
    """The sources one shard serves under ``BUDGET`` % of a core: (sources, measured %, MiB, every point).

    Each measurement sizes the next as if CPU grew in proportion to the sources, aiming at 90 % of the
    budget, and never past a size already measured over it (then halfway between the largest size under
    and the smallest over); the answer is the largest size measured under the budget."""
    templates = builtin_sources()

    def mix(i: int) -> tuple[dict, list[bytes]]:
        return templates[i % len(templates)]

    n, points, under, over = 2_000, [], None, None
    for _ in range(4):
        share, rss, _, _ = exporter_share(tmp, n, mix, INTERVAL, rounds=5)
        points.append((n, share))
        if share < BUDGET:
            if under is None or n > under[0]:
                under = (n, share, rss)
            if share > 0.8 * BUDGET:
                break
        else:
            over = n if over is None else min(over, n)
        n = max(100, int(n * 0.9 * BUDGET / max(share, 0.1)) // 100 * 100)
        if over is not None and under is not None:
            n = (under[0] + over) // 200 * 100  # halfway between, never past what was over
        elif over is not None:
            n = min(n, over - 100)
        if n in {p for p, _ in points}:
            break
    if under is None:
        raise SystemExit(f"no shard size measured under {BUDGET:g} % of a core: {points}")
    return (*under, points)


def scraped_page(tmp: Path) -> tuple[list[bytes], int]:
    """Two scrapes (values differ) of an exporter of PAGE_SOURCES sources of the mix, and its series count."""
    templates = builtin_sources()
    up = Upstream(tmp, by_path={f"/s/{i}": templates[i % len(templates)][1] for i in range(PAGE_SOURCES)})
    plan = tmp / "page.yml"
    plan.write_text(plan_yaml([numbered(templates[i % len(templates)][0], i, f"{up.url}/s/{i}")
                               for i in range(PAGE_SOURCES)]))
    exp = Exporter(plan, ready_within=300)
    try:
        bodies = [requests.get(exp.url + "/metrics", timeout=60).content for _ in range(2)]
    finally:
        stop(exp.proc, up.proc)
    series = sum(1 for line in bodies[0].splitlines() if line and not line.startswith(b"#"))
    return bodies, series


def _scrape_config(port: int, interval: float) -> dict[str, object]:
    return {"global": {"scrape_interval": f"{interval:g}s", "scrape_timeout": f"{interval:g}s"},
            "scrape_configs": [{"job_name": "bench", "static_configs": [
                {"targets": [f"127.0.0.1:{port}"], "labels": {"__metrics_path__": f"/m/{i}", "copy": str(i)}}
                for i in range(TARGETS)]}]}


def _cpu_over(procs: list[subprocess.Popen[bytes]], seconds: float) -> list[float]:
    """Each process's CPU, as a fraction of one core, over ``seconds``."""
    before = [cpu_seconds(p.pid) for p in procs]
    time.sleep(seconds)
    return [(cpu_seconds(p.pid) - b) / seconds for p, b in zip(procs, before, strict=True)]


def scraper_costs(tmp: Path, bodies: list[bytes]) -> dict[str, tuple[float, float]]:
    """(fraction of a core at FAST s, resident MiB) of vmagent, VictoriaMetrics and Prometheus, one after the
    other, each scraping (or storing) TARGETS copies of the page."""
    up = Upstream(tmp, by_path={f"/m/{i}": bodies for i in range(TARGETS)})
    config = tmp / "scrape.yml"
    config.write_text(yaml.safe_dump(_scrape_config(up.port, FAST)))
    out: dict[str, tuple[float, float]] = {}
    try:
        vm_port, agent_port = free_port(), free_port()
        store = start([_program("victoria-metrics"), f"-httpListenAddr=127.0.0.1:{vm_port}",
                       f"-storageDataPath={tmp / 'vm-data'}"])
        agent = start([_program("vmagent"), f"-promscrape.config={config}",
                       f"-remoteWrite.url=http://127.0.0.1:{vm_port}/api/v1/write",
                       f"-remoteWrite.tmpDataPath={tmp / 'vmagent-data'}", f"-httpListenAddr=127.0.0.1:{agent_port}"])
        try:
            wait_ready(f"http://127.0.0.1:{vm_port}/health")
            wait_ready(f"http://127.0.0.1:{agent_port}/health")
            time.sleep(3 * FAST)  # every target scraped, every series registered
            agent_cpu, store_cpu = _cpu_over([agent, store], MEASURE)
            out["vmagent"] = (agent_cpu, rss_mib(agent.pid))
            out["VictoriaMetrics"] = (store_cpu, rss_mib(store.pid))
        finally:
            stop(agent)
            stop(store)
        prom_port = free_port()
        prom = start([_program("prometheus"), f"--config.file={config}",
                      f"--storage.tsdb.path={tmp / 'prom-data'}", f"--web.listen-address=127.0.0.1:{prom_port}"])
        try:
            wait_ready(f"http://127.0.0.1:{prom_port}/-/ready")
            time.sleep(3 * FAST)
            (prom_cpu,) = _cpu_over([prom], MEASURE)
            out["Prometheus"] = (prom_cpu, rss_mib(prom.pid))
        finally:
            stop(prom)
    finally:
        stop(up.proc)
    return out


def capacity(tmp: Path) -> list[Row]:
    n, share, rss, points = shard_capacity(tmp)
    rows = [Row(f"exporter shard at a {INTERVAL:g} s interval, the built-in mix (CPU % of one core)", ""),
            Row("  measured: " + ", ".join(f"{p:,} sources {s:.1f} %" for p, s in points), ""),
            Row(f"  sources per shard under {BUDGET:g} % of a core (measured there; resident MiB)",
                f"{n:,} ({share:.1f} %; {rss:.0f} MiB)", f"< {BUDGET:g} %", share < BUDGET)]
    missing = [b for b in ("victoria-metrics", "vmagent", "prometheus") if not _binary(b)]
    if missing:
        return [*rows, Row(f"  scrapers not measured: {', '.join(missing)} not installed (make system-deps)", "")]
    bodies, series = scraped_page(tmp)
    costs = scraper_costs(tmp, bodies)
    per_source = series / PAGE_SOURCES
    fast_rate, real_rate = TARGETS * series / FAST, SOURCES * per_source / INTERVAL
    scale = real_rate / fast_rate
    shards = math.ceil(SOURCES / n)
    rows += [Row(f"scrapers of {SOURCES:,} sources ({per_source:.1f} series each: {SOURCES * per_source:,.0f} "
                 f"series, {real_rate:,.0f} samples/s at {INTERVAL:g} s)", ""),
             Row(f"  (measured at {FAST:g} s, {fast_rate:,.0f} samples/s; CPU scaled to {INTERVAL:g} s)", "")]
    for name, (cpu, mib) in costs.items():
        rows.append(Row(f"  {name}: CPU % of one core; resident MiB", f"{cpu * scale * 100:.1f} %; {mib:.0f} MiB"))
    agent_cores = costs["vmagent"][0] * scale
    vmagents = max(1, math.ceil(agent_cores))  # a vmagent member is given one core
    rows += [
        Row(f"{SOURCES:,} sources, VictoriaMetrics flavour: exporter shards, vmagents",
            f"{shards} shards, {vmagents} vmagent{'s' if vmagents > 1 else ''}"),
        Row("  (one more vmagent per failure to ride out: -promscrape.cluster.replicationFactor=2)", ""),
        Row(f"{SOURCES:,} sources, Prometheus flavour: exporter shards, replicas",
            f"{shards} shards, 2 replicas"),
        Row("  (each replica scrapes every shard: a pair is redundancy, not capacity)", ""),
    ]
    return rows


if __name__ == "__main__":  # this section alone: python bench/capacity.py
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for row in capacity(Path(d)):
            print(f"  {row.figure:<100} {row.value:>28}  {row.goal}  {'' if row.met is None else row.met}".rstrip())
