"""Running a generated topology on loopback for the end-to-end scaling tests: the processes of
``topology/commands.yml`` started as generated (programs mapped to the installed binaries), each in
the generated directory, plus only the test's speed-ups (named by each test), all stopped by the test."""

from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

from launchwatch.plan import builtin_plan_path, load_plan
from launchwatch.plan.units import parse_duration
from launchwatch.stack import find_binary
from tests.conftest import Processes, binary, free_port, launchwatch_cmd, wait_for
from tests.webhook import Webhook

TIME_SCALE = "0.02"  # every rule duration × 0.02: `for: 5m` waits 6 s
READY = {"exporter": "/-/ready", "store": "/health", "alertmanager": "/-/ready", "prometheus": "/-/ready",
         "vmagent": "/health", "vmalert": "/health"}


@dataclass
class Running:
    """One started process of the topology."""

    name: str
    role: str
    listen: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.listen}"


def program(name: str) -> list[str]:
    """The installed command for a program named in commands.yml."""
    if name == "launchwatch":
        return launchwatch_cmd()
    if name == "alertmanager":  # Debian installs it as prometheus-alertmanager
        return [find_binary("alertmanager") or binary("prometheus-alertmanager")]
    return [binary(name)]


def quiz_plan(tmp: Path, hook: Webhook, sim_url: str) -> tuple[Path, Path]:
    """The whatsapp-quiz plan reading ``sim_url`` and paging ``hook``, and the secrets dir its channels need."""
    text = builtin_plan_path("whatsapp-quiz").read_text()
    assert "http://127.0.0.1:9097/whatsapp" in text and "base_url: http://127.0.0.1:9849" in text
    plan = tmp / "whatsapp-quiz.yml"
    plan.write_text(text.replace("http://127.0.0.1:9097/whatsapp", hook.url)
                    .replace("base_url: http://127.0.0.1:9849", f"base_url: {sim_url}"))
    secrets = tmp / "secrets"
    (secrets / "whatsapp-quiz").mkdir(parents=True)
    for channel in load_plan(plan).channels:
        (secrets / "whatsapp-quiz" / channel.name).write_text("test-credential\n")
    return plan, secrets


def addresses(n: int) -> list[str]:
    return [f"127.0.0.1:{free_port()}" for _ in range(n)]


def generate(tmp: Path, plan: Path, secrets: Path, topology: dict) -> Path:
    """``launchwatch generate --topology`` at the test time scale, scraping and evaluating every second."""
    (tmp / "topology.yml").write_text(yaml.safe_dump(topology))
    out = tmp / "generated"
    res = subprocess.run(launchwatch_cmd("generate", "--config", str(plan), "--topology", str(tmp / "topology.yml"),
                                         "--out", str(out), "--time-scale", TIME_SCALE, "--secrets-dir", str(secrets),
                                         "--scrape-interval", "1s", "--scrape-timeout", "1s"),
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return out


def start(out: Path, processes: Processes, extra: dict[str, list[str]] | None = None) -> dict[str, Running]:
    """Every process of ``out/topology/commands.yml`` (``extra`` flags per role appended), each ready."""
    running: dict[str, Running] = {}
    for spec in yaml.safe_load((out / "topology/commands.yml").read_text())["processes"]:
        argv = [*program(spec["argv"][0]), *spec["argv"][1:], *(extra or {}).get(spec["role"], [])]
        log = out.parent / f"{spec['name']}.log"
        proc = subprocess.Popen(argv, cwd=out, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        processes.procs.append(proc)
        running[spec["name"]] = Running(spec["name"], spec["role"], spec["listen"], proc, log)
    for r in running.values():
        def ready(r: Running = r) -> bool:
            assert r.proc.poll() is None, f"{r.name} exited: {r.log.read_text()[-2000:]}"
            return requests.get(r.url + READY[r.role], timeout=2).status_code == 200
        wait_for(ready, timeout=60, interval=0.1, what=f"{r.name} ready")
    return running


def stop(running: dict[str, Running]) -> None:
    """Stop the topology last-started first, so scrapers flush their remote writes into a store still up (all
    at once, Prometheus waits out its flush deadline for a store already gone)."""
    for r in reversed(running.values()):
        if r.proc.poll() is None:
            os.killpg(r.proc.pid, signal.SIGTERM)
            try:
                r.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(r.proc.pid, signal.SIGKILL)
                r.proc.wait(5)


def query(base: str, expr: str) -> list[dict]:
    """An instant query on a Prometheus-API server (Prometheus or VictoriaMetrics)."""
    body = requests.get(f"{base}/api/v1/query", params={"query": expr}, timeout=10).json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def firing(hook: Webhook, alertname: str, **labels: str) -> list[tuple[float, dict]]:
    """The notifications with ``alertname`` firing (and ``labels``), with their arrival times."""
    return [(t, n) for t, n in list(hook.received)
            if any(a["labels"].get("alertname") == alertname and a["status"] == "firing"
                   and all(a["labels"].get(k) == v for k, v in labels.items()) for a in n["alerts"])]


def duplicates(hook: Webhook, alertname: str, repeat_interval: float, **labels: str) -> list[float]:
    """Seconds after the previous one of each firing notification of an alert already notified as firing,
    with no resolved notification between and sooner than ``repeat_interval`` (later is a reminder): what a
    lost replica or Alertmanager would add. A resolve then a new firing is the alert itself flapping (the
    simulated error ratio is noisy over the test's 6 s windows), and counts as a new episode, not a duplicate."""
    out, last = [], None
    for t, body in list(hook.received):
        statuses = {a["status"] for a in body["alerts"] if a["labels"].get("alertname") == alertname
                    and all(a["labels"].get(k) == v for k, v in labels.items())}
        if "firing" in statuses:
            if last is not None and t - last < repeat_interval:
                out.append(round(t - last, 1))
            last = t
        elif statuses:
            last = None
    return out


def episodes(hook: Webhook, alertname: str, **labels: str) -> list[str]:
    """The statuses of the notifications about ``alertname``, in order of arrival."""
    return [a["status"] for _, body in list(hook.received) for a in body["alerts"]
            if a["labels"].get("alertname") == alertname and all(a["labels"].get(k) == v for k, v in labels.items())]


def route_timing(out: Path, tier: str, key: str) -> float:
    """The longest ``key`` (group_interval, repeat_interval…) of the generated routes of ``tier``."""
    am = yaml.safe_load((out / "alertmanager/alertmanager.yml").read_text())
    return max(parse_duration(r[key]) for p in am["route"]["routes"] for r in p["routes"]
               if r.get(key) and f'tier="{tier}"' in r["matchers"])


def log_tail(running: dict[str, Running], n: int = 1500) -> str:
    return "\n".join(f"--- {r.name}\n{r.log.read_text(errors='replace')[-n:]}" for r in running.values())
