"""The VictoriaMetrics flavour of ``generate --topology``, running on loopback with the real binaries.

simulator → 4 exporter shards (``launchwatch run --shard i/4``) → 2 vmagents splitting the shards
(``-promscrape.cluster.*``) → VictoriaMetrics → vmalert (the plan's rules as vmalert loads them, at the
test time scale) → Alertmanager → a webhook. Every process is started from the generated
``topology/commands.yml``; the only flags the test adds are speed-ups: VictoriaMetrics'
``-search.latencyOffset=1s`` (default 30 s: the newest 30 s are hidden from queries, which would delay every
alert by that much) and vmalert's ``-remoteWrite.flushInterval=1s`` (default 5 s: recorded series, which the
alerts read, arrive that much later).

A second vmalert loads the production rule files of every built-in plan in every phase, evaluates them
against the same VictoriaMetrics and must report no error for any rule.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import requests

from launchwatch.alerting.generate import GenerateOptions
from launchwatch.output import write_tree
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from launchwatch.simulator import Simulator
from launchwatch.topology import Topology, topology_files
from tests.conftest import Processes, binary, free_port, wait_for
from tests.scaling import (
    Running,
    addresses,
    duplicates,
    episodes,
    firing,
    generate,
    log_tail,
    query,
    quiz_plan,
    route_timing,
    start,
    stop,
)
from tests.webhook import Webhook

pytestmark = pytest.mark.e2e

ALERT = "ErrorRateRed"
JOB = "whatsapp-quiz"


@dataclass
class EveryPhase:
    """The second vmalert: every plan's rule files in every phase, at the production time scale."""

    files: list[Path]
    listen: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Stack:
    tmp: Path
    out: Path
    sim: Simulator
    hook: Webhook
    running: dict[str, Running]
    shards: list[str]
    every_phase: EveryPhase
    data_at: float = 0.0  # when VictoriaMetrics held every source

    @property
    def store(self) -> str:
        return self.running["victoria-metrics"].url


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    for name in ("victoria-metrics", "vmagent", "vmalert", "prometheus-alertmanager"):
        binary(name)
    tmp = tmp_path_factory.mktemp("vm-flavour")
    processes = Processes()
    hook = Webhook()
    sink = Webhook()  # where the second vmalert's alerts go: not under test, only that every rule evaluates
    sim = Simulator(JOB, "127.0.0.1", 0, seed=7).start()
    try:
        plan, secrets = quiz_plan(tmp, hook, sim.url)
        shards = addresses(4)
        topology = {"flavour": "victoriametrics", "exporters": {JOB: {"shards": shards, "config": str(plan)}},
                    "vmagents": addresses(2), "vmalerts": addresses(1),
                    "alertmanagers": [{"listen": addresses(1)[0]}], "store": {"listen": addresses(1)[0]}}
        out = generate(tmp, plan, secrets, topology)
        running = start(out, processes, extra={"store": ["-search.latencyOffset=1s"],
                                               "vmalert": ["-remoteWrite.flushInterval=1s"]})
        # started now, checked last: its evaluations run while the other tests wait on the deployment
        files = every_phase_rule_files(tmp / "every-phase")
        store, listen, log = running["victoria-metrics"].url, f"127.0.0.1:{free_port()}", tmp / "every-phase.log"
        proc = processes.start([binary("vmalert"), f"-rule={tmp / 'every-phase'}/*.yml", f"-datasource.url={store}",
                                f"-remoteWrite.url={store}", f"-notifier.url={sink.url.removesuffix('/hook')}",
                                "-evaluationInterval=10s", f"-httpListenAddr={listen}"], log)
        running["vmalert-every-phase"] = Running("vmalert-every-phase", "vmalert", listen, proc, log)
        try:
            yield Stack(tmp, out, sim, hook, running, shards, EveryPhase(files, listen, proc, log))
        finally:
            stop(running)  # last started first: both vmalerts flush into a VictoriaMetrics still up
    finally:
        processes.stop_all()
        sim.stop()
        hook.stop()
        sink.stop()


def every_phase_rule_files(dest: Path) -> list[Path]:
    """vmalert rule files of every built-in plan in each of its phases and 'all', as `generate --topology`
    writes them at the production time scale."""
    files: dict[str, str] = {}
    for name in builtin_plans():
        plan = load_plan(builtin_plan_path(name))
        topology = Topology.model_validate({
            "flavour": "victoriametrics", "exporters": {name: {"shards": ["127.0.0.1:9848"]}},
            "vmagents": ["127.0.0.1:8429"], "vmalerts": ["127.0.0.1:8880"],
            "alertmanagers": [{"listen": "127.0.0.1:9093"}], "store": {"listen": "127.0.0.1:8428"}})
        for phase in [*(plan.phases.names if plan.phases else []), "all"]:
            made = topology_files([plan], topology, GenerateOptions(phase=None if phase == "all" else phase))
            files[f"{name}-{phase}.yml"] = made[f"vmalert/rules/{name}.yml"]
    return write_tree(files, dest)


def test_vmagents_split_the_shards_and_victoriametrics_stores_every_source(stack):
    scraped: dict[str, set[str]] = {}
    for name in ("vmagent-0", "vmagent-1"):
        targets = requests.get(stack.running[name].url + "/api/v1/targets", timeout=5).json()["data"]["activeTargets"]
        scraped[name] = {t["labels"]["instance"] for t in targets}
    assert scraped["vmagent-0"].isdisjoint(scraped["vmagent-1"]), scraped  # replication factor 1: once each
    assert scraped["vmagent-0"] | scraped["vmagent-1"] == set(stack.shards), scraped

    def stored() -> bool:
        up = query(stack.store, f'up{{job="{JOB}"}}')
        sources = query(stack.store, f'launchwatch_target_up{{job="{JOB}"}}')
        return (sorted(s["metric"]["shard"] for s in up) == [f"{i}/4" for i in range(4)]
                and all(s["value"][1] == "1" for s in up) and len(sources) == 6
                and all(s["value"][1] == "1" for s in sources))

    wait_for(stored, timeout=60, interval=0.5, what="4 shards and 6 sources up in VictoriaMetrics")
    stack.data_at = time.time()
    print(f"\nvmagents: {', '.join(f'{n} scrapes {len(t)} of the 4 shards' for n, t in scraped.items())}")


def test_an_error_spike_reaches_the_webhook_once(stack):
    assert stack.data_at, "runs once VictoriaMetrics holds every source"
    assert not firing(stack.hook, ALERT)
    requests.post(f"{stack.sim.url}/-/fault", params={"fault": "error-spike"}, timeout=5).raise_for_status()
    fault_at = time.monotonic()
    wait_for(lambda: firing(stack.hook, ALERT), timeout=120, interval=0.2,
             what=f"{ALERT} at the webhook\n{log_tail(stack.running)}")
    first_at = firing(stack.hook, ALERT)[0][0]
    settle = route_timing(stack.out, "RED", "group_interval") + 1  # a duplicate would be in by now
    time.sleep(max(0.0, first_at + settle - time.monotonic()))
    assert not duplicates(stack.hook, ALERT, route_timing(stack.out, "RED", "repeat_interval")), \
        episodes(stack.hook, ALERT)
    alert = next(a for a in firing(stack.hook, ALERT)[0][1]["alerts"] if a["labels"]["alertname"] == ALERT)
    assert alert["labels"]["plan"] == JOB and alert["labels"]["tier"] == "RED"
    assert alert["labels"]["alertgroup"] == f"{JOB}-thresholds"  # sent by vmalert
    rules = requests.get(stack.running["vmalert-0"].url + "/api/v1/rules", timeout=5).json()["data"]["groups"]
    errors = [(r["name"], r["lastError"]) for g in rules for r in g["rules"] if r["lastError"]]
    assert not errors, errors
    print(f"\n{ALERT}: {episodes(stack.hook, ALERT)} at the webhook, the first {first_at - fault_at:.1f} s after "
          f"the fault ({len(stack.hook.received)} notifications in all)")


def test_vmalert_loads_and_evaluates_every_rule_file_of_every_plan_and_phase(stack):
    every = stack.every_phase
    assert len(every.files) == 19, [f.name for f in every.files]  # 3+4+4+1+2 phases, and 'all' of each of 5 plans
    assert stack.data_at, "runs after the data arrived"

    def groups() -> list[dict]:
        assert every.proc.poll() is None, every.log.read_text()[-3000:]
        return requests.get(f"http://{every.listen}/api/v1/rules", timeout=5).json()["data"]["groups"]

    def evaluated(rule: dict) -> bool:  # since VictoriaMetrics held the deployment's data
        return rule["lastEvaluation"][:4] != "0001" and _unix(rule["lastEvaluation"]) >= stack.data_at

    wait_for(lambda: all(evaluated(r) for g in groups() for r in g["rules"]), timeout=90, interval=1,
             what="every rule of every file evaluated")
    loaded = groups()
    assert {Path(g["file"]).name for g in loaded} == {f.name for f in every.files}
    rules = [(Path(g["file"]).name, r["name"], r["lastError"]) for g in loaded for r in g["rules"]]
    errors = [r for r in rules if r[2]]
    assert not errors, "\n".join(f"{f}: {n}: {e}" for f, n, e in errors)
    assert len(rules) > 1000, len(rules)
    print(f"\nvmalert evaluated {len(rules)} rules of {len(every.files)} files without error: "
          + ", ".join(sorted(f.name for f in every.files)))


def _unix(rfc3339: str) -> float:
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()
