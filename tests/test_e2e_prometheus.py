"""A real Prometheus scrapes `launchwatch demo` for every built-in plan and holds every declared metric."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
import yaml

from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from tests.conftest import Processes, binary, free_port, launchwatch_cmd, wait_for

pytestmark = pytest.mark.e2e


def start_prometheus(processes: Processes, tmp_path: Path, jobs: dict[str, str]) -> str:
    port = free_port()
    config = {
        # 2s leaves each fetch 1.5s (the exporter keeps 0.5s of the scrape timeout): enough on a busy 2-core CI
        "global": {"scrape_interval": "2s", "scrape_timeout": "2s", "evaluation_interval": "2s"},
        "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [addr]}]} for job, addr in jobs.items()],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    processes.start([
        binary("prometheus"), f"--config.file={tmp_path / 'prometheus.yml'}",
        f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
    ], tmp_path / "prometheus.log")
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: requests.get(url + "/-/ready", timeout=1).ok, timeout=30, what="Prometheus ready")
    return url


def names_for_job(prom: str, job: str) -> set[str]:
    resp = requests.get(f"{prom}/api/v1/label/__name__/values", params={"match[]": f'{{job="{job}"}}'}, timeout=5)
    resp.raise_for_status()
    return set(resp.json()["data"])


def query(prom: str, expr: str) -> list[dict]:
    resp = requests.get(f"{prom}/api/v1/query", params={"query": expr}, timeout=5)
    resp.raise_for_status()
    return resp.json()["data"]["result"]


def test_prometheus_holds_every_metric_of_every_plan(tmp_path, processes):
    jobs = {}
    for plan in builtin_plans():
        port = free_port()
        processes.start(launchwatch_cmd("demo", "--plan", plan, "--listen", f"127.0.0.1:{port}", "--no-stack"),
                        tmp_path / f"demo-{plan}.log")
        jobs[plan] = f"127.0.0.1:{port}"
    prom = start_prometheus(processes, tmp_path, jobs)
    for plan in builtin_plans():
        declared = set(load_plan(builtin_plan_path(plan)).metrics)
        wait_for(lambda plan=plan, declared=declared: declared <= names_for_job(prom, plan), timeout=60,
                 what=f"every metric of {plan} in Prometheus (missing: "
                      f"{sorted(declared - names_for_job(prom, plan))})")
        n_sources = len(load_plan(builtin_plan_path(plan)).sources)

        def all_up(plan: str = plan, n: int = n_sources) -> bool:
            ups = query(prom, f'launchwatch_target_up{{job="{plan}"}}')
            states = sorted((r["metric"]["target"], r["value"][1]) for r in ups)
            assert len(ups) == n and all(v == "1" for _, v in states), states  # reported if it never holds
            return True

        wait_for(all_up, timeout=60, what=f"every source of {plan} up")
    for plan in builtin_plans():
        log = (tmp_path / f"demo-{plan}.log").read_text()
        assert "Traceback" not in log, log
