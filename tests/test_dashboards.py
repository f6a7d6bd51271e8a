"""Generated dashboards: Grafana's schemas, the dashboard linter's rules, colours equal to the alert
thresholds, every panel query answered by a real Prometheus, and the docker-compose stack."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from launchwatch.alerting.generate import GenerateOptions, generate
from launchwatch.dashboards.build import build_all, provisioning_files
from launchwatch.dashboards.panels import signal_steps
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from tests import dashboard_queries
from tests.conftest import ROOT, binary
from tests.grafana_schema import STRICTER_THAN_GRAFANA, errors, has_schema

PLANS = builtin_plans()
UNIT_PANELS = {"stat", "gauge", "table", "timeseries"}
# Queries that may return nothing in a fresh demo, and why.
NO_DATA_OK = {
    "ALERTS": "no alert fires while the simulator is healthy (the overview counts fall back to vector(0))",
}


@pytest.fixture(scope="module")
def boards() -> dict[str, list[dict]]:
    return build_all([load_plan(builtin_plan_path(n)) for n in PLANS])


def all_panels(boards):
    for folder, dashboards in boards.items():
        for board in dashboards:
            for panel in board["panels"]:
                yield folder, board, panel


def test_every_plan_has_dashboards_with_stable_unique_uids(boards):
    assert set(boards) == {*PLANS, "overview"}
    uids = [b["uid"] for ds in boards.values() for b in ds]
    assert len(uids) == len(set(uids)) and all(len(u) <= 40 and u.startswith("lw-") for u in uids)


def test_dashboards_validate_against_grafana_schemas(boards):
    problems = []
    for _folder, dashboards in boards.items():
        for board in dashboards:
            problems += [f"{board['uid']}: {e}" for e in errors(board, "dashboard")]
    for _folder, board, panel in all_panels(boards):
        kind = panel["type"]
        where = f"{board['uid']}/{panel['title']}"
        if kind == "row":
            continue
        if has_schema(kind):
            problems += [f"{where} options: {e}" for e in errors(panel.get("options", {}), kind, "Options")]
            custom = panel.get("fieldConfig", {}).get("defaults", {}).get("custom")
            if custom is not None:
                problems += [f"{where} fieldConfig: {e}" for e in errors(custom, kind, "FieldConfig")]
        else:
            assert kind in STRICTER_THAN_GRAFANA, f"{where}: panel type {kind} has no schema and no named exception"
        for target in panel.get("targets", []):
            problems += [f"{where} target: {e}" for e in errors(target, "prometheus")]
    assert not problems, "\n".join(problems[:30])


def test_lint_datasource_variable_and_references(boards):
    for _folder, dashboards in boards.items():
        for board in dashboards:
            names = {v["name"]: v for v in board["templating"]["list"]}
            assert names.get("datasource", {}).get("type") == "datasource", board["uid"]
    for _, _board, panel in all_panels(boards):
        if panel.get("targets"):
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
            assert all(t["datasource"] == panel["datasource"] for t in panel["targets"])


def test_lint_units_titles_descriptions(boards):
    for _, board, panel in all_panels(boards):
        if panel["type"] == "row":
            continue
        assert panel.get("title") and panel.get("description"), (board["uid"], panel)
        if panel["type"] in UNIT_PANELS:
            assert panel["fieldConfig"]["defaults"].get("unit"), (board["uid"], panel["title"])


def test_lint_rate_interval_and_counters(boards):
    for _, _board, panel in all_panels(boards):
        for target in panel.get("targets", []):
            expr = target["expr"]
            for m in re.finditer(r"\b(rate|irate)\(([^()]*)\)", expr):
                assert m.group(2).endswith("[$__rate_interval]"), (panel["title"], expr)
            for m in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*_total)\b", expr):
                before = expr[: m.start()]
                assert re.search(r"\b(rate|irate|increase)\(\s*$", before), (panel["title"], expr)


def test_lint_queries_select_the_job(boards):
    for folder, _board, panel in all_panels(boards):
        for target in panel.get("targets", []):
            if folder != "overview":
                assert 'job="$job"' in target["expr"], (panel["title"], target["expr"])


def test_colours_are_the_alert_thresholds(boards, tmp_path):
    """Each signal panel's colour steps hold exactly the numbers its alert rules compare against."""
    checked = 0
    for name in PLANS:
        plan = load_plan(builtin_plan_path(name))
        generate([plan], tmp_path / name, GenerateOptions(dashboards=False))
        rules = (tmp_path / name / "prometheus/rules" / f"{name}.yml").read_text()
        for board in boards[name]:
            for panel in board["panels"]:
                m = re.search(r"the plan's (\S+) thresholds\.", panel.get("description", ""))
                if not m or panel["type"] not in ("stat", "gauge"):
                    continue
                signal = m.group(1)
                steps = [s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]]
                assert steps == [v for v, _ in signal_steps(plan, signal)]
                ths = [t for t in plan.thresholds if t.signal_name == signal]
                for value in steps[1:]:
                    matching = [t for t in ths if value in (t.value, t.value + 1 if t.op == "==" else None)]
                    assert matching, (name, panel["title"], value)
                    assert any(f" {t.op} {_num(t.value)}" in rules for t in matching)
                checked += 1
    assert checked >= 15


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


def test_generate_writes_grafana_and_provisioning(tmp_path):
    generate([load_plan(builtin_plan_path("whatsapp-quiz"))], tmp_path)
    assert list((tmp_path / "grafana/dashboards/whatsapp-quiz").glob("*.json"))
    assert (tmp_path / "grafana/dashboards/overview/lw-overview.json").exists()
    for rel, text in provisioning_files([]).items():
        assert (tmp_path / "grafana/provisioning" / rel).read_text() == text
        assert (ROOT / "provisioning" / rel).read_text() == text, f"provisioning/{rel} is stale: regenerate"


def test_docker_compose_config_and_mounts(tmp_path):
    for name in ("docker-compose.yml", "Dockerfile"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "provisioning", tmp_path / "provisioning")
    shutil.copytree(ROOT / "secrets", tmp_path / "secrets")
    generate([load_plan(builtin_plan_path("whatsapp-quiz"))], tmp_path / "generated",
             GenerateOptions(exporter="exporter:9848", alertmanagers=("alertmanager:9093",)))
    res = subprocess.run([binary("docker-compose"), "-f", "docker-compose.yml", "config"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    config = yaml.safe_load(res.stdout)
    images = [s.get("image") for s in config["services"].values() if s.get("image")]
    assert images and all(re.search(r":v?\d+\.\d+\.\d+$", i) for i in images), images
    mounted = 0
    for service in config["services"].values():
        assert "healthcheck" in service, service
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            assert Path(source).exists(), source
            mounted += 1
    assert mounted >= 5


@pytest.mark.e2e
def test_every_panel_query_runs_against_prometheus(tmp_path):
    binary("prometheus")
    procs: list = []
    try:
        prom, out = dashboard_queries.start(PLANS, tmp_path, procs)
        time.sleep(45)
        results = dashboard_queries.run_queries(prom, out, PLANS)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(10)
    failed = {k: v for k, v in results.items() if v[0] != "success"}
    assert not failed, json.dumps({f"{k[0]}/{k[1]}: {k[2]}": v for k, v in failed.items()}, indent=1)[:4000]
    empty = {k for k, v in results.items() if v[1] == 0 and not any(word in k[2] for word in NO_DATA_OK)}
    assert not empty, "\n".join(f"{f}/{t}: {e}" for f, t, e in sorted(empty))
    assert len(results) > 100
