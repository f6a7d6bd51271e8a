"""``launchwatch generate --topology``: the scaled deployment's files, checked by the engines that read them
(promtool, vmagent and vmalert dry runs), and the plans' rules still right when series carry ``shard`` and
``replica`` labels. The running deployments are tests/test_scaling_prometheus.py and
tests/test_scaling_victoriametrics.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from launchwatch.alerting.guards import is_shortfall, min_expected
from launchwatch.alerting.rules import AlertRule, build_rules
from launchwatch.expressions import phase_for
from launchwatch.generate import GenerateOptions, generate
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan
from launchwatch.topology import load_topology
from tests.conftest import binary, launchwatch_cmd

PROMETHEUS_TOPOLOGY = """\
flavour: prometheus
exporters:
  whatsapp-quiz: {shards: [127.0.0.1:19101, 127.0.0.1:19102], config: plans/whatsapp-quiz.yml}
  video-sessions: {shards: [127.0.0.1:19103]}
prometheus: {a: 127.0.0.1:19090, b: 127.0.0.1:19091}
alertmanagers:
  - {listen: 127.0.0.1:19093, cluster: 127.0.0.1:19094}
  - {listen: 127.0.0.1:19095, cluster: 127.0.0.1:19096}
store: {kind: victoriametrics, listen: 127.0.0.1:18428}
"""

VM_TOPOLOGY = """\
flavour: victoriametrics
exporters:
  whatsapp-quiz: {shards: [127.0.0.1:19101, 127.0.0.1:19102, 127.0.0.1:19103, 127.0.0.1:19104]}
  video-sessions: {shards: [127.0.0.1:19105]}
vmagents: [127.0.0.1:18429, 127.0.0.1:18430]
vmalerts: [127.0.0.1:18880]
alertmanagers:
  - {listen: 127.0.0.1:19093}
store: {listen: 127.0.0.1:18428}
"""


def run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def generate_with(tmp_path: Path, topology_text: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    topology = tmp_path / "topology.yml"
    topology.write_text(topology_text)
    out = tmp_path / "out"
    res = run(launchwatch_cmd("generate", "--plan", "whatsapp-quiz", "--plan", "video-sessions", "--topology",
                              str(topology), "--out", str(out), *extra))
    return res, out


def commands(out: Path) -> dict[str, list[str]]:
    return {p["name"]: p["argv"] for p in yaml.safe_load((out / "topology/commands.yml").read_text())["processes"]}


def test_prometheus_flavour_replicas_deduplicate_alerts_and_samples(tmp_path):
    res, out = generate_with(tmp_path, PROMETHEUS_TOPOLOGY)
    assert res.returncode == 0, res.stderr
    assert not (out / "prometheus/prometheus.yml").exists()  # one unsharded exporter: not this deployment
    for replica in ("a", "b"):
        path = out / f"prometheus/prometheus-{replica}.yml"
        check = run([binary("promtool"), "check", "config", path.name], cwd=path.parent)
        assert check.returncode == 0, check.stdout + check.stderr
        config = yaml.safe_load(path.read_text())
        assert config["global"]["external_labels"] == {"replica": replica}
        assert config["alerting"]["alert_relabel_configs"] == [{"action": "labeldrop", "regex": "replica"}]
        assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == [
            "127.0.0.1:19093", "127.0.0.1:19095"]
        assert config["remote_write"] == [{"url": "http://127.0.0.1:18428/api/v1/write", "write_relabel_configs": [
            {"action": "labeldrop", "regex": "replica"}]}]
        jobs = {j["job_name"]: j["static_configs"] for j in config["scrape_configs"]}
        assert jobs["whatsapp-quiz"] == [{"targets": ["127.0.0.1:19101"], "labels": {"shard": "0/2"}},
                                         {"targets": ["127.0.0.1:19102"], "labels": {"shard": "1/2"}}]
        assert jobs["video-sessions"] == [{"targets": ["127.0.0.1:19103"], "labels": {"shard": "0/1"}}]
    argv = commands(out)
    assert argv["exporter-whatsapp-quiz-1"] == ["launchwatch", "run", "--config", "plans/whatsapp-quiz.yml",
                                                "--shard", "1/2", "--listen", "127.0.0.1:19102"]
    assert argv["exporter-video-sessions-0"][3] == "video-sessions.yml"
    assert "-dedup.minScrapeInterval=30s" in argv["victoria-metrics"]  # two replicas write every sample
    assert "--cluster.peer=127.0.0.1:19096" in argv["alertmanager-0"]
    assert argv["prometheus-b"][1] == "--config.file=prometheus/prometheus-b.yml"
    datasource = yaml.safe_load((out / "grafana/provisioning/datasources/launchwatch.yml").read_text())
    assert datasource["datasources"][0]["url"] == "http://127.0.0.1:18428"  # Grafana reads the deduplicated store
    again = run(launchwatch_cmd("generate", "--plan", "whatsapp-quiz", "--plan", "video-sessions", "--topology",
                                str(tmp_path / "topology.yml"), "--out", str(out), "--check"))
    assert again.returncode == 0, again.stderr  # deterministic


def test_mimir_store_gets_its_ha_tracker_labels(tmp_path):
    text = PROMETHEUS_TOPOLOGY.replace("store: {kind: victoriametrics, listen: 127.0.0.1:18428}",
                                       "store: {kind: mimir, write_url: 'http://mimir:8080/api/v1/push'}\nname: team1")
    res, out = generate_with(tmp_path, text)
    assert res.returncode == 0, res.stderr
    config = yaml.safe_load((out / "prometheus/prometheus-a.yml").read_text())
    assert config["global"]["external_labels"] == {"cluster": "team1", "__replica__": "a"}
    assert config["alerting"]["alert_relabel_configs"] == [{"action": "labeldrop", "regex": "__replica__"}]
    assert config["remote_write"] == [{"url": "http://mimir:8080/api/v1/push"}]  # Mimir drops __replica__ itself
    check = run([binary("promtool"), "check", "config", "prometheus-a.yml"], cwd=out / "prometheus")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "victoria-metrics" not in commands(out)


def test_victoriametrics_flavour_loads_in_vmagent_and_vmalert(tmp_path):
    res, out = generate_with(tmp_path, VM_TOPOLOGY)
    assert res.returncode == 0, res.stderr
    argv = commands(out)
    for i in (0, 1):
        assert {"-promscrape.cluster.membersCount=2", f"-promscrape.cluster.memberNum={i}",
                "-remoteWrite.url=http://127.0.0.1:18428/api/v1/write"} <= set(argv[f"vmagent-{i}"])
    assert {"-datasource.url=http://127.0.0.1:18428", "-notifier.url=http://127.0.0.1:19093",
            "-rule=vmalert/rules/*.yml"} <= set(argv["vmalert-0"])
    assert not any(a.startswith("-dedup") for a in argv["victoria-metrics"])  # every target is scraped once
    assert argv["alertmanager-0"][-1] == "--cluster.listen-address="  # one Alertmanager: no cluster
    dry = run([binary("vmagent"), "-promscrape.config=vmagent/scrape.yml", "-dryRun"], cwd=out)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    dry = run([binary("vmalert"), "-rule=vmalert/rules/*.yml", "-dryRun"], cwd=out)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    rules = yaml.safe_load((out / "vmalert/rules/video-sessions.yml").read_text())
    prometheus_rules = yaml.safe_load((out / "prometheus/rules/video-sessions.yml").read_text())
    flat = {r.get("alert") or r["record"]: r for g in rules["groups"] for r in g["rules"]}
    bridged = [r for g in prometheus_rules["groups"] for r in g["rules"] if "keep_firing_for" in r]
    assert bridged, "video-sessions has escalation stages: its base alerts bridge lulls"
    assert not any("keep_firing_for" in r for r in flat.values())
    stages = [r for r in flat.values() if "escalation" in r.get("labels", {})]
    assert stages and all("max_over_time(ALERTS{" in r["expr"] and "[10m])" in r["expr"] for r in stages)
    # everything else is the Prometheus rule as generated
    same = {r.get("alert") or r["record"]: r for g in prometheus_rules["groups"] for r in g["rules"]}
    for name, rule in flat.items():
        if name not in {s["alert"] for s in stages}:
            assert {k: v for k, v in same[name].items() if k != "keep_firing_for"} == rule


@pytest.mark.parametrize(("text", "message"), [
    ("flavour: prometheus\nexporters: {whatsapp-quiz: {shards: [x]}}\nalertmanagers: [{listen: 127.0.0.1:1}]\n"
     "prometheus: {a: 127.0.0.1:2}\n", "topology.yml:2: exporters.whatsapp-quiz.shards[0]: 'x' is "
                                       "not HOST:PORT"),
    (VM_TOPOLOGY.replace("vmalerts: [127.0.0.1:18880]\n", ""), "needs vmagents"),
    (PROMETHEUS_TOPOLOGY.replace("prometheus: {", "vmagents: [127.0.0.1:1]\nprometheus: {"),
     "belong to flavour victoriametrics"),
    (PROMETHEUS_TOPOLOGY.replace(", cluster: 127.0.0.1:19096", ""), "give each its cluster"),
    (PROMETHEUS_TOPOLOGY.replace("  video-sessions: {shards: [127.0.0.1:19103]}\n", ""),
     "no shards for plan video-sessions"),
    (PROMETHEUS_TOPOLOGY.replace("19103", "19101"), "127.0.0.1:19101 named for more than one shard"),
    (PROMETHEUS_TOPOLOGY.replace("flavour: prometheus", "flavour: prometheus\nshards: 2"),
     "topology.yml:2: shards: unknown key (allowed: flavour, name, exporters"),
])
def test_a_wrong_topology_is_named_with_its_line(tmp_path, text, message):
    res, out = generate_with(tmp_path, text)
    assert res.returncode == 1 and message in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and not out.exists()


def test_topology_gives_the_addresses(tmp_path):
    res, _ = generate_with(tmp_path, PROMETHEUS_TOPOLOGY, "--exporter", "127.0.0.1:1")
    assert res.returncode == 2 and "--exporter and --topology" in res.stderr
    assert load_topology(tmp_path / "topology.yml").dedup_needed


# ---------------------------------------------------------------- rules under extra labels

EXTRA = {"shard": "1/2", "replica": "b"}


def _shape(rule: AlertRule, name: str) -> tuple[object, ...]:
    """What decides how an alert's expression is written: one promtool case per shape covers them all."""
    if "escalation" in rule.rule["labels"]:  # type: ignore[operator]
        return ("escalation",)
    if rule.slo is not None:
        return ("slo", bool(rule.slo.probe_target), bool(rule.slo.total))
    th = rule.threshold
    if th is None:
        return ("absent",)
    return (th.kind, bool(th.by), bool(th.matchers), bool(th.denominator_matchers), is_shortfall(th),
            bool(min_expected(th)), th.business_hours, "keep_firing_for" in rule.rule, name.startswith("Launchwatch"))


def with_labels(series: str) -> str:
    name, brace, rest = series.partition("{")
    extra = ",".join(f'{k}="{v}"' for k, v in EXTRA.items())
    return f"{name}{{{extra}{',' + rest if brace else '}'}"


def test_every_kind_of_rule_fires_alike_when_series_carry_shard_and_replica_labels(tmp_path):
    """Each shape of generated alert (value, ratio, increase, drop, age, with by/matchers/guards, escalations,
    SLO burn rates, monitoring) fires in its generated promtool case when every input series also carries
    ``shard`` and ``replica``: aggregations drop them, joins still match, and a per-series alert keeps them."""
    seen: set[tuple[object, ...]] = set()
    shapes: set[tuple[object, ...]] = set()
    suites = []
    for name in builtin_plans():
        plan = load_plan(builtin_plan_path(name))
        ruleset = build_rules(plan, phase_for(plan, None))
        by_name = {str(r.rule["alert"]): r for r in [*ruleset.alerts, *ruleset.escalations, *ruleset.slo_alerts,
                                                      *ruleset.monitoring, *ruleset.absent]}
        shapes |= {_shape(rule, alert) for alert, rule in by_name.items()}
        out = tmp_path / name
        generate([plan], out, GenerateOptions(dashboards=False))
        for path in sorted((out / "prometheus/tests").glob(f"{name}*.yml")):  # each evaluation step its own suite
            if "-scenarios" in path.name:
                continue
            suite = yaml.safe_load(path.read_text())
            picked = []
            for case in suite["tests"]:
                alert = case["alert_rule_test"][0]["alertname"] if case.get("alert_rule_test") else ""
                if " fires " not in case["name"] or alert not in by_name or _shape(by_name[alert], alert) in seen:
                    continue
                seen.add(_shape(by_name[alert], alert))
                for series in case["input_series"]:
                    series["series"] = with_labels(series["series"])
                for test in case["alert_rule_test"]:
                    for expected in test["exp_alerts"]:
                        if "instance" in expected["exp_labels"]:  # a per-series alert carries the series' labels
                            expected["exp_labels"].update(EXTRA)
                picked.append(case)
            if picked:
                suites.append(path.with_name(f"extra-labels-{path.name}"))
                suites[-1].write_text(yaml.safe_dump({**suite, "tests": picked}))
    assert seen == shapes, f"shapes without a firing case: {sorted(map(str, shapes - seen))}"
    procs = [subprocess.Popen([binary("promtool"), "test", "rules", f"tests/{path.name}"], cwd=path.parent.parent,
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for path in suites]
    failed = [f"{path}:\n{out[-3000:]}" for path, p in zip(suites, procs, strict=True)
              if (out := p.communicate(timeout=600)[0]) and p.returncode]
    assert not failed, "\n".join(failed)
