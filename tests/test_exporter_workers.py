"""``--workers N``: worker processes fetch, extract and render, and nothing a scraper sees changes.

Concurrent scrapes of one source still share one fetch (counted at the upstream); pages are the same as
without the pool; a worker that dies or hangs fails only its own targets' fetches (reason ``worker``)
and is replaced; every worker stops on SIGTERM, SIGINT and reload. Real processes on 127.0.0.1.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import threading
import time
import zlib
from pathlib import Path

import pytest
import requests

from launchwatch.exporter.server import Exporter
from launchwatch.plan.loader import load_plan_text
from tests.conftest import RunningExporter, free_port, launchwatch_cmd, parse_metrics, wait_for
from tests.upstream import Reply, Upstream

NAMES = ("alpha", "beta", "gamma", "delta")  # pinned to workers 0/1 of 2 by crc32(name) % 2
PLAIN = {"Accept-Encoding": "identity"}
OM = {"Accept": "application/openmetrics-text; version=1.0.0", "Accept-Encoding": "gzip"}


def plan_text(url: str, names: tuple[str, ...] = NAMES, timeout: str = "5s") -> str:
    sources = "".join(
        f"  - name: {n}\n    url: {url}/{n}\n    timeout: {timeout}\n    metrics:\n"
        f"      - {{name: {n}_orders_total, help: Orders., type: counter, path: $.orders}}\n"
        f"      - {{name: {n}_queue, help: Queue., type: gauge, path: '$.queues[*].depth',"
        f" labels: {{queue: '@.name'}}}}\n"
        f"      - {{name: {n}_spare, help: Sometimes missing., type: gauge, path: $.spare}}\n"
        for n in names)
    module = ("modules:\n  - name: biz\n    allowed_targets: ['" + url + "']\n    metrics:\n"
              "      - {name: biz_orders_total, help: Orders., type: counter, path: $.orders}\n")
    return f"plan: pool\ntitle: Pool\n{module}sources:\n{sources}"


def doc(orders: int, spare: bool = True) -> bytes:
    body: dict[str, object] = {"orders": orders, "queues": [{"name": "a", "depth": 1}, {"name": "b\"x", "depth": 2}]}
    if spare:
        body["spare"] = 3
    return json.dumps(body).encode()


@pytest.fixture
def upstream():
    up = Upstream()
    up.set("/alpha", Reply(body=doc(1)))
    up.set("/beta", Reply(body=doc(2, spare=False)))  # a missing value, counted
    up.set("/gamma", Reply(body=b"{not json"))  # invalid_json
    up.set("/delta", Reply(500, doc(4)))  # http_status
    yield up
    up.stop()


def served(tmp_path: Path, text: str, workers: int, name: str) -> RunningExporter:
    path = tmp_path / name
    path.write_text(text)
    app = Exporter(path, plan=load_plan_text(text, str(path)), workers=workers)
    if workers:
        wait_for(app.engine.workers.ready, timeout=20, what="worker processes ready")
    return RunningExporter(app)


def steady(text: str) -> str:
    """A page without what differs between any two runs: durations and the load time."""
    return "\n".join(line for line in text.splitlines()
                     if "scrape_duration_seconds" not in line and "reload_success_timestamp" not in line)


def test_pages_are_the_same_with_and_without_the_pool(tmp_path, upstream):
    plain, pooled = served(tmp_path, plan_text(upstream.url), 0, "a.yml"), served(tmp_path, plan_text(upstream.url),
                                                                                  2, "b.yml")
    try:
        for headers in (PLAIN, OM, OM, PLAIN):  # twice each: counters grow, unchanged documents reuse their block
            pages = []
            for exp in (plain, pooled):
                resp = requests.get(exp.url + "/metrics", headers=headers, timeout=10, stream=True)
                raw = resp.raw.read()
                pages.append(steady((gzip.decompress(raw) if "gzip" in headers.get("Accept-Encoding", "") else
                                     raw).decode()))
            assert pages[0] == pages[1]
        probe = "/probe?module=biz&target=" + requests.utils.quote(upstream.url + "/alpha", safe="")
        assert requests.get(plain.url + probe, timeout=10).text == requests.get(pooled.url + probe, timeout=10).text
        m = parse_metrics(pages[1])
        assert m['launchwatch_target_scrape_errors_total{metric="",reason="invalid_json",target="gamma"}'] == 4
        assert m['launchwatch_target_missing_values_total{metric="beta_spare",target="beta"}'] == 4
        assert [t.remote_block is not None for t in pooled.app.engine.targets] == [True, True, False, False]
    finally:
        plain.close()
        pooled.close()
    assert pooled.app.engine.workers.pids() == []


def test_concurrent_scrapes_share_one_fetch_with_the_pool(tmp_path, upstream):
    for n in ("alpha", "beta"):
        upstream.set(f"/{n}", Reply(body=doc(5), delay=0.8))
    exp = served(tmp_path, plan_text(upstream.url, NAMES[:2]), 2, "plan.yml")
    try:
        results = exp.metrics_at_once(6)
        assert len(results) == 6 and all(r["alpha_orders_total"] == r["beta_orders_total"] == 5 for r in results)
        assert upstream.hits["/alpha"] == upstream.hits["/beta"] == 1  # six scrapes, one request each
        assert all(t.remote_block is not None for t in exp.app.engine.targets)  # fetched in the workers
    finally:
        exp.close()


def children(pid: int) -> set[int]:
    return {int(k) for task in Path(f"/proc/{pid}/task").glob("*/children") for k in task.read_text().split()}


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start_pooled(tmp_path: Path, processes, text: str, log: str = "run.log") -> tuple[object, str, Path]:
    path = tmp_path / "plan.yml"
    path.write_text(text)
    port = free_port()
    proc = processes.start(launchwatch_cmd("run", "--config", str(path), "--listen", f"127.0.0.1:{port}",
                                           "--workers", "2"), tmp_path / log)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: (tmp_path / log).read_text().count("ready (pid") >= 2, timeout=30, what="workers ready")
    return proc, url, tmp_path / log


def worker_of(name: str) -> int:
    return zlib.crc32(name.encode()) % 2


def test_a_dead_or_hung_worker_fails_only_its_targets_and_is_replaced(tmp_path, upstream, processes):
    for n in ("alpha", "beta"):
        upstream.set(f"/{n}", Reply(body=doc(7), delay=1.0))
    proc, url, log = start_pooled(tmp_path, processes, plan_text(upstream.url, NAMES[:2], timeout="2s"))
    assert (worker_of("alpha"), worker_of("beta")) == (0, 1)
    slot_pid = {int(s): int(p) for s, p in re.findall(r"worker process (\d) ready \(pid (\d+)\)", log.read_text())}
    assert set(slot_pid.values()) == children(proc.pid)
    # killed while it holds a fetch: that scrape still answers, with only its target down
    got: list[str] = []
    scraper = threading.Thread(target=lambda: got.append(requests.get(url + "/metrics", timeout=10).text))
    scraper.start()
    wait_for(lambda: upstream.hits["/alpha"] == 1, what="alpha's fetch under way in its worker")
    os.kill(slot_pid[0], signal.SIGKILL)
    scraper.join(10)
    for n in ("alpha", "beta"):
        upstream.set(f"/{n}", Reply(body=doc(7)))
    m = parse_metrics(got[0])
    assert m['launchwatch_target_up{target="alpha"}'] == 0 and m['launchwatch_target_up{target="beta"}'] == 1
    assert m['launchwatch_target_scrape_errors_total{metric="",reason="worker",target="alpha"}'] == 1
    wait_for(lambda: log.read_text().count("ready (pid") >= 3, what="the worker replaced")
    m = parse_metrics(requests.get(url + "/metrics", timeout=10).text)
    assert m['launchwatch_target_up{target="alpha"}'] == 1 and m["alpha_orders_total"] == 7
    # stopped (hung): the scrape ends within its timeout; the worker is killed and replaced
    os.kill(slot_pid[1], signal.SIGSTOP)
    started = time.monotonic()
    text = requests.get(url + "/metrics", headers={"X-Prometheus-Scrape-Timeout-Seconds": "1.5"}, timeout=10).text
    assert time.monotonic() - started < 2.5  # its timeout (1 s), not the worker's kill (timeout + 2 s)
    m = parse_metrics(text)
    assert m['launchwatch_target_up{target="beta"}'] == 0 and m['launchwatch_target_up{target="alpha"}'] == 1
    wait_for(lambda: log.read_text().count("ready (pid") >= 4, what="the hung worker replaced")
    assert not alive(slot_pid[1])
    m = parse_metrics(requests.get(url + "/metrics", timeout=10).text)
    assert m['launchwatch_target_up{target="beta"}'] == 1
    assert m['launchwatch_target_scrape_errors_total{metric="",reason="timeout",target="beta"}'] == 1
    assert proc.poll() is None and "Traceback" not in log.read_text()


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_workers_stop_on_reload_and_shutdown(tmp_path, upstream, processes, how):
    proc, url, log = start_pooled(tmp_path, processes, plan_text(upstream.url, NAMES[:2]))
    first = children(proc.pid)
    assert len(first) == 2
    if how == "SIGTERM":  # a reload replaces the workers
        os.kill(proc.pid, signal.SIGHUP)
        wait_for(lambda: log.read_text().count("ready (pid") >= 4 and not any(alive(p) for p in first),
                 what="workers replaced on reload")
        assert len(children(proc.pid)) == 2
    assert parse_metrics(requests.get(url + "/metrics", timeout=10).text)["alpha_orders_total"] == 1
    workers = children(proc.pid)
    if how == "SIGINT":  # ^C in a terminal reaches the whole process group; the workers leave it to the server
        os.killpg(proc.pid, signal.SIGINT)
    else:
        os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(10) == 0
    assert not any(alive(p) for p in workers | first)
    assert "Traceback" not in log.read_text()
