"""`make soak`: a bounded soak of the exporter under faults. Not part of `make test`.

One simulator per built-in plan and one exporter run as separate processes on 127.0.0.1. The
exporter runs a generated plan of ``--sources`` sources (200 by default): the built-in plans'
sources copied round-robin, each copy with its own name, a distinct URL (``?soak=K``, which the
simulator ignores) and its metric names prefixed ``sK_`` (a metric name may live in one source
only), so every copy really fetches, parses and extracts. A background loop switches a random
fault (every kind, including ``slow`` and ``down``; now and then on a whole simulator) on or off
every ``--fault-every`` seconds, so targets keep going down and coming back.

/metrics is scraped every ``--interval`` seconds the way Prometheus does it (the
X-Prometheus-Scrape-Timeout-Seconds header, gzip, alternately OpenMetrics and the text format).
A scrape fails if it errors, is not HTTP 200, does not parse, or lacks a target's
``launchwatch_target_up``. The exporter's resident memory, open descriptors and threads come from
/proc: "start" is after the warm-up, "end" after the last scrape.

The soak passes (exit 0) when:
  * no scrape failed and the exporter is still running;
  * threads never exceed max_concurrency (fetch pool) + 8 (main, HTTP acceptor, one handler per
    open /metrics connection, a reload's drain thread, slack);
  * resident memory at the end is at most 1.5x its start, and open descriptors at the end at most
    1.5x their start + 10 (a few connections may be mid-reconnect when sampled).

    python bench/soak.py [--seconds 600] [--sources 200]    (or SOAK_SECONDS=600)
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import ctypes
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests
import yaml
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text

from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from launchwatch.selfmetric_names import TARGET_SCRAPE_ERRORS, TARGET_UP
from launchwatch.simulator.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent
PROMETHEUS_ACCEPT = ("application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;"
                     "version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
TEXT_ACCEPT = "text/plain;version=0.0.4"
THREAD_SLACK = 8
RSS_GROWTH = 1.5
FD_GROWTH, FD_SLACK = 1.5, 10
EXCEPTION_LINE = re.compile(r"^[\w.]*(Error|Exception)\b")  # the last line of a traceback
TIMESTAMP = re.compile(r"^ts=\S+ ")


# --- processes -------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the soak itself dies (even by SIGKILL), so nothing is left running."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=_die_with_parent)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait(5)


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{' '.join(proc.args)} exited {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"{url} never became ready")


@dataclass
class ProcStats:
    rss_mib: float
    fds: int
    threads: int


def proc_stats(pid: int) -> ProcStats:
    rss, threads = float("nan"), -1
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
        elif line.startswith("Threads:"):
            threads = int(line.split()[1])
    return ProcStats(rss, len(os.listdir(f"/proc/{pid}/fd")), threads)


class Sampler(threading.Thread):
    """Samples the exporter's /proc figures every ``every`` seconds, keeping each with its time."""

    def __init__(self, pid: int, t0: float, every: float = 0.5):
        super().__init__(name="sampler", daemon=True)
        self.pid, self.t0, self.every = pid, t0, every
        self.samples: list[tuple[float, ProcStats]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while True:
            self.sample()
            if self.stopping.wait(self.every):
                return

    def sample(self) -> ProcStats | None:
        try:
            stats = proc_stats(self.pid)
        except (FileNotFoundError, ProcessLookupError):
            return None
        self.samples.append((time.monotonic() - self.t0, stats))
        return stats

    def peak(self) -> ProcStats:
        got = [s for _, s in self.samples] or [ProcStats(float("nan"), -1, -1)]
        return ProcStats(max(s.rss_mib for s in got), max(s.fds for s in got), max(s.threads for s in got))

    def first_after(self, t: float) -> ProcStats | None:
        return next((s for when, s in self.samples if when >= t), None)


# --- the soak plan ---------------------------------------------------------------------------------------

def soak_plan(sim_urls: dict[str, str], n_sources: int, concurrency: int) -> tuple[dict, dict[str, list[str]]]:
    """A plan of ``n_sources`` copies of the built-in plans' sources, and the endpoint paths it uses per plan."""
    per_plan = {name: yaml.safe_load(builtin_plan_path(name).read_text(encoding="utf-8"))["sources"]
                for name in sim_urls}
    templates = []  # round-robin over the plans so every plan's endpoints are used even with few sources
    for i in range(max(len(s) for s in per_plan.values())):
        templates += [(name, sources[i]) for name, sources in per_plan.items() if i < len(sources)]
    sources, endpoints = [], {name: set() for name in sim_urls}
    for k in range(n_sources):
        name, template = templates[k % len(templates)]
        src = copy.deepcopy(template)
        path = src["url"]
        endpoints[name].add(urlsplit(path).path)
        src["name"] = f"s{k:03d}-{src['name']}"
        src["url"] = f"{sim_urls[name]}{path}{'&' if '?' in path else '?'}soak={k}"
        for m in src.get("metrics", []):
            m["name"] = f"s{k:03d}_{m['name']}"
        sources.append(src)
    plan = {"plan": "soak", "title": f"Soak: {n_sources} sources", "max_concurrency": concurrency,
            "sources": sources}
    return plan, {name: sorted(paths) for name, paths in endpoints.items() if paths}


# --- faults ----------------------------------------------------------------------------------------------

class FaultSwitcher(threading.Thread):
    """Every ``every`` seconds switch one random fault on or off, on one endpoint or (rarely) a whole simulator.

    At most ``cap`` faults are on at once, so the set of down targets keeps changing instead of
    settling at "everything broken".
    """

    def __init__(self, sim_urls: dict[str, str], endpoints: dict[str, list[str]], rng: random.Random,
                 every: float, cap: int):
        super().__init__(name="faults", daemon=True)
        self.sim_urls, self.endpoints, self.rng, self.every, self.cap = sim_urls, endpoints, rng, every, cap
        self.active: set[tuple[str, str, str]] = set()  # (plan, fault, endpoint or "*")
        self.switched_on: Counter[str] = Counter()
        self.switched_off = 0
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.http = requests.Session()

    def run(self) -> None:
        while not self.stopping.wait(self.every):
            self.switch_one()

    def switch_one(self) -> None:
        if self.active and (len(self.active) >= self.cap or self.rng.random() < 0.45):
            key = self.rng.choice(sorted(self.active))
            on = False
        else:
            plan = self.rng.choice(sorted(self.endpoints))
            where = "*" if self.rng.random() < 0.1 else self.rng.choice(self.endpoints[plan])
            key = (plan, self.rng.choice(FAULTS), where)
            on = key not in self.active
        plan, fault, where = key
        try:
            r = self.http.post(f"{self.sim_urls[plan]}/-/fault", timeout=5,
                               json={"fault": fault, "endpoint": where, "active": on})
            r.raise_for_status()
        except requests.RequestException as exc:
            self.errors.append(f"{plan} {fault}@{where} {'on' if on else 'off'}: {exc}")
            return
        if on:
            self.active.add(key)
            self.switched_on[fault] += 1
        else:
            self.active.discard(key)
            self.switched_off += 1


# --- scraping --------------------------------------------------------------------------------------------

@dataclass
class Scrapes:
    served: Counter[str] = field(default_factory=Counter)  # by format
    failures: list[tuple[float, str]] = field(default_factory=list)
    durations: list[float] = field(default_factory=list)
    down: list[int] = field(default_factory=list)
    business_samples: list[int] = field(default_factory=list)
    errors_by_reason: Counter[str] = field(default_factory=Counter)  # from the last good page


def scrape(http: requests.Session, url: str, openmetrics: bool, scrape_timeout: float, n_sources: int,
           out: Scrapes, t_rel: float) -> None:
    headers = {"Accept": PROMETHEUS_ACCEPT if openmetrics else TEXT_ACCEPT, "Accept-Encoding": "gzip",
               "User-Agent": "Prometheus/soak", "X-Prometheus-Scrape-Timeout-Seconds": f"{scrape_timeout:g}"}
    fmt = "openmetrics" if openmetrics else "text"
    start = time.monotonic()
    try:
        r = http.get(url, headers=headers, timeout=scrape_timeout + 5)
        out.durations.append(time.monotonic() - start)
        if r.status_code != 200:
            raise ValueError(f"HTTP {r.status_code}: {r.text[:200]!r}")
        ctype = r.headers.get("Content-Type", "")
        if openmetrics != ctype.startswith("application/openmetrics-text"):
            raise ValueError(f"asked for {fmt}, got Content-Type {ctype!r}")
        families = list((parse_openmetrics if openmetrics else parse_text)(r.text))
    except Exception as exc:  # any way a scrape can go wrong is a failure to report
        out.failures.append((t_rel, f"{fmt}: {type(exc).__name__}: {exc}"))
        return
    up, business, reasons = {}, 0, Counter()
    for fam in families:
        if fam.name == TARGET_UP:
            up = {s.labels["target"]: s.value for s in fam.samples}
        elif fam.name == TARGET_SCRAPE_ERRORS.removesuffix("_total"):
            for s in fam.samples:
                if s.name.endswith("_total"):
                    reasons[s.labels["reason"]] += int(s.value)
        elif fam.name.startswith("s") and fam.name[1:4].isdigit():
            business += len(fam.samples)
    if len(up) != n_sources:
        out.failures.append((t_rel, f"{fmt}: {TARGET_UP} has {len(up)} targets, expected {n_sources}"))
        return
    out.served[fmt] += 1
    out.down.append(sum(1 for v in up.values() if v == 0))
    out.business_samples.append(business)
    out.errors_by_reason = reasons


# --- main ------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "600")),
                    help="how long to soak, warm-up included (default: $SOAK_SECONDS or 600)")
    ap.add_argument("--sources", type=int, default=200, help="sources in the soak plan (default 200)")
    ap.add_argument("--warmup", type=float, help="seconds before the start sample (default: min(30, seconds/5))")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between scrapes (default 1)")
    ap.add_argument("--scrape-timeout", type=float, default=10.0,
                    help="X-Prometheus-Scrape-Timeout-Seconds sent with each scrape (default 10)")
    ap.add_argument("--fault-every", type=float, default=2.0, help="seconds between fault switches (default 2)")
    ap.add_argument("--max-faults", type=int, default=6, help="faults on at once, at most (default 6)")
    ap.add_argument("--concurrency", type=int, default=16, help="the plan's max_concurrency (default 16)")
    ap.add_argument("--seed", type=int, help="random seed for the fault schedule and the simulators")
    ap.add_argument("--keep", action="store_true", help="keep the plan and the process logs (path printed)")
    args = ap.parse_args(argv)
    warmup = args.warmup if args.warmup is not None else min(30.0, args.seconds / 5)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)

    # Ctrl-C, SIGTERM and SIGHUP all stop the soak, so the finally below stops every process.
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)

    tmp = Path(tempfile.mkdtemp(prefix="launchwatch-soak-"))
    procs: list[subprocess.Popen[bytes]] = []
    switcher: FaultSwitcher | None = None
    try:
        sim_urls = {}
        for i, name in enumerate(builtin_plans()):
            port = free_port()
            log = tmp / f"simulator-{name}.log"
            proc = start([sys.executable, "-m", "launchwatch", "simulate", "--plan", name, "--listen",
                          f"127.0.0.1:{port}", "--seed", str(seed + i), "--log-level", "error"], log)
            procs.append(proc)
            sim_urls[name] = f"http://127.0.0.1:{port}"
            wait_ready(f"{sim_urls[name]}/-/fault", proc, log)
        plan, endpoints = soak_plan(sim_urls, args.sources, args.concurrency)
        plan_file = tmp / "soak.yml"
        plan_file.write_text(yaml.safe_dump(plan, sort_keys=False), encoding="utf-8")
        load_plan(plan_file)  # a broken generator fails here, not as 200 down targets
        port = free_port()
        exporter_log = tmp / "exporter.log"
        exporter = start([sys.executable, "-m", "launchwatch", "run", "--config", str(plan_file),
                          "--listen", f"127.0.0.1:{port}", "--log-level", "warning"], exporter_log)
        procs.append(exporter)
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/-/ready", exporter, exporter_log)

        switcher = FaultSwitcher(sim_urls, endpoints, rng, args.fault_every, args.max_faults)
        switcher.start()
        thread_bound = args.concurrency + THREAD_SLACK
        out = Scrapes()
        http = requests.Session()
        http.trust_env = False
        t0 = time.monotonic()
        end = t0 + args.seconds
        sampler = Sampler(exporter.pid, t0)
        sampler.start()
        n, next_tick = 0, t0
        print(f"soaking {args.sources} sources for {args.seconds:g} s (warm-up {warmup:g} s, seed {seed}) ...",
              flush=True)
        while time.monotonic() < end and exporter.poll() is None:
            scrape(http, f"{base}/metrics", n % 2 == 0, args.scrape_timeout, args.sources, out,
                   time.monotonic() - t0)
            n += 1
            next_tick = max(next_tick + args.interval, time.monotonic())  # after an overlong scrape: the next now
            time.sleep(max(next_tick - time.monotonic(), 0))
        elapsed = time.monotonic() - t0
        switcher.stopping.set()
        sampler.stopping.set()
        sampler.join()
        last = sampler.sample() if exporter.poll() is None else None
        if last is None:
            out.failures.append((elapsed, f"the exporter exited with {exporter.returncode}"))
            last = ProcStats(float("nan"), -1, -1)
        first = sampler.first_after(warmup) or last
        sims_alive = sum(1 for p in procs[:-1] if p.poll() is None)
        stop([exporter])
        log_text = exporter_log.read_text(errors="replace")
        return report(args, seed, warmup, elapsed, plan, endpoints, out, switcher, sampler, first, last,
                      thread_bound, log_text, exporter.returncode, sims_alive, tmp if args.keep else None)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping every process", file=sys.stderr)
        return 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):  # a second Ctrl-C must not cut the cleanup short
            signal.signal(sig, signal.SIG_IGN)
        if switcher is not None:
            switcher.stopping.set()
        stop(procs)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


def report(args: argparse.Namespace, seed: int, warmup: float, elapsed: float, plan: dict,
           endpoints: dict[str, list[str]], out: Scrapes, switcher: FaultSwitcher, sampler: Sampler,
           first: ProcStats, last: ProcStats, thread_bound: int, log_text: str, exit_code: int, sims_alive: int,
           kept: Path | None) -> int:
    peak = sampler.peak()
    quarters = [sampler.first_after(elapsed * q) or last for q in (0.25, 0.5, 0.75)]
    served = sum(out.served.values())
    n_endpoints = sum(len(p) for p in endpoints.values())
    durations = sorted(out.durations) or [float("nan")]
    p99 = statistics.quantiles(durations, n=100, method="inclusive")[98] if len(durations) > 1 else durations[0]
    log_lines = log_text.splitlines()
    bad_log = [line for line in log_lines if "level=ERROR" in line or "Traceback" in line or EXCEPTION_LINE.match(line)]
    rows = [
        ("duration (s), warm-up included", f"{elapsed:.0f} (warm-up {warmup:g})"),
        ("sources (endpoints of simulated plans)", f"{len(plan['sources'])} ({n_endpoints} endpoints, "
                                                   f"{len(endpoints)} simulators)"),
        ("fetch pool (max_concurrency)", str(plan["max_concurrency"])),
        ("scrapes served (OpenMetrics / text)", f"{served} ({out.served['openmetrics']} / {out.served['text']})"),
        ("failed scrapes", str(len(out.failures))),
        ("scrape duration p50 / p99 / max (s)",
         f"{statistics.median(durations):.2f} / {p99:.2f} / {max(durations):.2f}"),
        ("faults switched on / off", f"{sum(switcher.switched_on.values())} / {switcher.switched_off}"),
        ("faults switched on, by kind", ", ".join(f"{k} {switcher.switched_on[k]}" for k in FAULTS)),
        ("targets down per scrape min / median / max",
         f"{min(out.down)} / {statistics.median(out.down):g} / {max(out.down)}" if out.down else "-"),
        ("business samples per scrape min / max",
         f"{min(out.business_samples)} / {max(out.business_samples)}" if out.business_samples else "-"),
        ("exporter fetch errors by reason (counters)",
         ", ".join(f"{k} {v}" for k, v in out.errors_by_reason.most_common()) or "-"),
        ("exporter RSS start / end / max (MiB)", f"{first.rss_mib:.1f} / {last.rss_mib:.1f} / {peak.rss_mib:.1f}"),
        ("exporter RSS at 25 / 50 / 75 % of the soak (MiB)", " / ".join(f"{q.rss_mib:.1f}" for q in quarters)),
        ("exporter open fds start / end / max", f"{first.fds} / {last.fds} / {peak.fds}"),
        ("exporter open fds at 25 / 50 / 75 % of the soak", " / ".join(str(q.fds) for q in quarters)),
        ("exporter threads start / end / max (bound)",
         f"{first.threads} / {last.threads} / {peak.threads} ({thread_bound})"),
        ("exporter log lines (errors or tracebacks)", f"{len(log_lines)} ({len(bad_log)})"),
        ("exporter exit code on SIGTERM", str(exit_code)),
        ("simulators still running at the end", f"{sims_alive} / {len(endpoints)}"),
    ]
    checks = [
        ("no failed scrape", not out.failures),
        (f"threads max <= {thread_bound}", 0 < peak.threads <= thread_bound),
        (f"RSS end <= {RSS_GROWTH:g} x start", last.rss_mib <= RSS_GROWTH * first.rss_mib),
        (f"fds end <= {FD_GROWTH:g} x start + {FD_SLACK}", 0 <= last.fds <= FD_GROWTH * first.fds + FD_SLACK),
    ]
    if sims_alive != len(endpoints):
        checks.append(("every simulator ran to the end", False))
    if switcher.errors:
        checks.append(("every fault switch reached its simulator", False))
    width = max(len(k) for k, _ in rows)
    print(f"\nlaunchwatch soak ({os.cpu_count()} cores, seed {seed}, scrape every {args.interval:g} s, "
          f"timeout header {args.scrape_timeout:g} s, a fault switch every {args.fault_every:g} s)\n")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print()
    for name, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    for t, msg in out.failures[:20]:
        print(f"  failed scrape at {t:.1f} s: {msg}")
    for msg in switcher.errors[:5]:
        print(f"  fault switch failed: {msg}")
    distinct = dict.fromkeys(TIMESTAMP.sub("", line)[:300] for line in bad_log if "Traceback" not in line)
    for line in list(distinct)[:10]:
        print(f"  exporter log ({sum(1 for b in bad_log if TIMESTAMP.sub('', b)[:300] == line)}x): {line}")
    if kept:
        print(f"\n  plan and logs kept in {kept}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
