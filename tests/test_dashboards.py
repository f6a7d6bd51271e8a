"""Generated dashboards, for the built-in plans and for plans a user wrote: Grafana's schemas, the
dashboard linter's rules, colours that agree with the generated alert rules, layout, annotations,
links, every panel query answered by a real Prometheus, and the docker-compose stack."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from launchwatch.dashboards.build import build_all, provisioning_files
from launchwatch.dashboards.colours import OK_COLOUR, SEVERITY_COLOURS
from launchwatch.generate import GenerateOptions, generate, generated_files
from launchwatch.plan import builtin_plan_path, builtin_plans, load_plan, load_plan_text
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import SEVERITIES
from tests import dashboard_queries
from tests.conftest import ROOT, binary
from tests.grafana_schema import STRICTER_THAN_GRAFANA, errors, has_schema

PLANS = builtin_plans()
UNIT_PANELS = {"stat", "gauge", "bargauge", "table", "timeseries"}
SCHEMA_NAMES = {"state-timeline": "statetimeline"}
# Queries that may return nothing in a fresh demo, and why.
REPORT_NO_DATA_OK = {  # report rows allowed no figure after a minute of a healthy launch
    "growth": "compares the period with the one before, and before the launch there is nothing",
}
NO_DATA_OK = {
    "ALERTS": "no alert fires while the simulator is healthy (the overview counts fall back to vector(0))",
    "annotation:": "annotations mark events (reloads, T+0) that need not have happened in the last minute",
    "launchwatch_probe_tls_cert_not_after": "the simulator speaks plain HTTP: no certificate to expire",
    "launchwatch_target_scrape_errors_total": "no fetch fails while the simulator is healthy",
    "launchwatch_target_missing_values_total": "no value is missing while the simulator is healthy",
}


def custom_plan(name: str, tmp: Path) -> tuple[Plan, Path]:
    """A team's own copy of a built-in plan: renamed, its own job, no ``dashboards:`` (so derived)."""
    data = yaml.safe_load(builtin_plan_path(name).read_text())
    data.update(plan=f"acme-{name}", title=f"Acme {data['title']}", job=f"acme-{name}",
                runbook_base=f"https://runbooks.acme.example/{name}.md")
    data.pop("dashboards", None)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path = tmp / f"acme-{name}.yml"
    path.write_text(text)
    return load_plan_text(text, str(path)), path


@pytest.fixture(scope="module")
def plans(tmp_path_factory) -> list[Plan]:
    tmp = tmp_path_factory.mktemp("plans")
    return [load_plan(builtin_plan_path(n)) for n in PLANS] + [custom_plan(n, tmp)[0] for n in PLANS]


@pytest.fixture(scope="module")
def boards(plans) -> dict[str, list[dict]]:
    return build_all(plans)


def all_panels(boards):
    """Every panel, those inside collapsed rows included."""
    for folder, dashboards in boards.items():
        for board in dashboards:
            for panel in board["panels"]:
                yield folder, board, panel
                for inner in panel.get("panels", []):
                    yield folder, board, inner


def selectors(expr: str) -> list[tuple[str, str]]:
    """(metric, matchers) of every vector selector with braces in ``expr``."""
    return re.findall(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[^{}\"]|\"(?:[^\"\\\\]|\\\\.)*\")*)\}", expr)


def test_every_plan_has_dashboards_with_stable_unique_uids(boards, plans):
    assert set(boards) == {p.plan for p in plans} | {"overview"}
    uids = [b["uid"] for ds in boards.values() for b in ds]
    assert len(uids) == len(set(uids)) and all(len(u) <= 40 and u.startswith("lw-") for u in uids)
    assert build_all(plans) == boards, "same plans, same dashboards"


def test_builtin_plans_describe_their_own_dashboards():
    """The five built-in plans lay out their documents' dashboards in their `dashboards:` section."""
    for name in PLANS:
        assert load_plan(builtin_plan_path(name)).dashboards, f"{name} has no dashboards: section"


def test_dashboards_validate_against_grafana_schemas(boards):
    problems = []
    for _folder, dashboards in boards.items():
        for board in dashboards:
            problems += [f"{board['uid']}: {e}" for e in errors(board, "dashboard")]
    for _folder, board, panel in all_panels(boards):
        kind = SCHEMA_NAMES.get(panel["type"], panel["type"])
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


def test_lint_templates(boards):
    """template-datasource/job/instance/label-promql rules: query variables on $datasource, multi, '.+'."""
    for _folder, dashboards in boards.items():
        for board in dashboards:
            names = {v["name"]: v for v in board["templating"]["list"]}
            assert names["datasource"]["type"] == "datasource" and names["datasource"]["query"] == "prometheus"
            for name in ("job", "instance"):
                v = names[name]
                assert v["type"] == "query" and v["datasource"]["uid"] == "${datasource}", (board["uid"], v)
                assert v["label"] == name.capitalize() and v["multi"] and v["allValue"] == ".+", (board["uid"], v)
                assert re.fullmatch(r"label_values\(.+, " + name + r"\)", v["query"]), v["query"]
                assert v["refresh"] == 2, "refresh on time range change"
            assert board["editable"] is False


def test_plan_dashboards_default_to_the_job_the_rules_select(boards, plans):
    for plan in plans:
        for board in boards[plan.plan]:
            job = next(v for v in board["templating"]["list"] if v["name"] == "job")
            assert plan.job_name in json.dumps(job["current"]), (board["uid"], job["current"])


def test_lint_datasource_and_job_instance_matchers(boards):
    """panel-datasource, target-job and target-instance rules; recording rules (``a:b:c``), which sum
    instances away, and ``ALERTS`` carry ``job`` only."""
    for folder, board, panel in all_panels(boards):
        if not panel.get("targets"):
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == panel["datasource"]
            found = selectors(target["expr"])
            assert found or "vector(" in target["expr"], (board["uid"], panel["title"], target["expr"])
            for metric, matchers in found:
                assert 'job=~"$job"' in matchers, (board["uid"], panel["title"], target["expr"])
                if metric.count(":") != 2 and metric != "ALERTS":
                    assert 'instance=~"$instance"' in matchers, (board["uid"], panel["title"], target["expr"])
                if folder != "overview":
                    assert not re.search(r'\bjob="', matchers), "plan dashboards select $job, not a literal job"


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


def test_layout_fills_rows_without_overlap(boards):
    for _folder, dashboards in boards.items():
        for board in dashboards:
            cells: set[tuple[int, int]] = set()
            for panel in board["panels"]:
                g = panel["gridPos"]
                assert g["x"] >= 0 and g["x"] + g["w"] <= 24 and g["h"] >= 1, (board["uid"], panel["title"], g)
                mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
                assert not cells & mine, (board["uid"], panel["title"], "overlaps")
                cells |= mine


def _rules(plan: Plan, phase: str | None = None) -> list[dict]:
    files = generated_files([plan], GenerateOptions(dashboards=False, phase=phase))
    groups = yaml.safe_load(files[f"prometheus/rules/{plan.plan}.yml"])["groups"]
    return [r for g in groups for r in g["rules"]]


def _normal(expr: str) -> str:
    """An expression with job and instance matchers dropped, to compare a rule's with a panel's."""
    expr = re.sub(r'(?:job|instance)=~?"[^"]*",?', "", expr)
    return re.sub(r"\s+", " ", expr.replace("{}", "").replace(",}", "}")).strip()


_COMPARISON = re.compile(r"^(.*) (>|>=|<|<=|==) (-?[0-9.e+-]+)$", re.S)


def _comparison(expr: str) -> re.Match[str] | None:
    """The threshold comparison of a rule: the whole expression, or its first ``(...)`` line when guards
    are and-ed to it (alerting/guards.py)."""
    for line in expr.strip().split("\n"):
        if line.startswith("(") and line.endswith(")") and (m := _COMPARISON.match(line[1:-1])):
            return m
    return _COMPARISON.match(expr.strip())


def _fires(op: str, value: float, limit: float) -> bool:
    return {">": value > limit, ">=": value >= limit, "<": value < limit, "<=": value <= limit,
            "==": value == limit}[op]


def test_colours_agree_with_the_most_severe_alert_of_each_band(boards, plans, tmp_path):
    """Each signal panel's colour at every step and between steps is the colour of the most severe
    generated alert (same expression: same matchers and window) that fires there, green if none."""
    checked = 0
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    for plan in plans:
        in_phase, every_phase = ([r for r in _rules(plan, phase) if "alert" in r and "escalation" not in r["labels"]]
                                 for phase in (None, "all"))
        for _folder, _board, panel in all_panels({plan.plan: boards[plan.plan]}):
            m = re.search(r"Colours: the alerts on this value \(([^)]*)\)", panel.get("description", ""))
            if not m or panel["type"] not in ("stat", "gauge", "timeseries", "bargauge", "state-timeline"):
                continue
            expr = _normal(re.sub(r"^\((.*)\) or on\(\) vector\(NaN\)$", r"\1", panel["targets"][0]["expr"],
                                  flags=re.S))
            judged: list[tuple[str, float, str]] = []
            for alerts in (in_phase, every_phase):  # a signal with no alert in the phase: all its alerts
                for rule in alerts if not judged else []:
                    cmp = _comparison(rule["expr"])
                    if cmp and _normal(cmp.group(1)) == expr:
                        judged.append((cmp.group(2), float(cmp.group(3)), rule["labels"]["severity"]))
            assert judged, (plan.plan, panel["title"], expr)
            assert {name for name in m.group(1).split(", ")} <= {r["alert"] for r in in_phase + every_phase}
            steps = panel["fieldConfig"]["defaults"]["thresholds"]["steps"]
            values = [s["value"] for s in steps[1:]]
            assert len(values) == len(set(values)) and values == sorted(values), (panel["title"], steps)
            assert any(s["color"] == OK_COLOUR for s in steps), (plan.plan, panel["title"], "never green")
            near = [(v, max(abs(v), 1.0)) for _, v, _ in judged]  # each limit, a hair and a half step off it
            points = sorted({v + s * d for v, s in near for d in (0, -1e-6, 1e-6, 0.5, -0.5)})
            for point in points:
                colour = [s for s in steps if s["value"] is None or point >= s["value"]][-1]["color"]
                firing = [sev for op, limit, sev in judged if _fires(op, point, limit)]
                want = SEVERITY_COLOURS[min(firing, key=rank.__getitem__)] if firing else OK_COLOUR
                assert colour == want, (plan.plan, panel["title"], point, colour, want, judged)
            checked += 1
    assert checked >= 50


def test_value_now_panels_are_instant_and_never_look_calm_without_data(boards):
    for _, board, panel in all_panels(boards):
        if panel["type"] in ("stat", "gauge", "bargauge", "table"):
            assert all(t.get("instant") and not t.get("range") for t in panel["targets"]), (board["uid"], panel)
        if panel["type"] in ("stat", "gauge", "bargauge"):
            assert all(t["expr"].endswith("or on() vector(NaN)") for t in panel["targets"])
            special = panel["fieldConfig"]["defaults"]["mappings"][0]
            assert special["options"]["match"] == "nan" and special["options"]["result"]["text"] == "NO DATA"


def test_signal_timeseries_draw_their_alert_lines_and_legends_read_well(boards):
    drawn = 0
    for _, board, panel in all_panels(boards):
        for target in panel.get("targets", []):
            assert "{{quantile}}" not in target.get("legendFormat", ""), (board["uid"], panel["title"])
        if panel["type"] == "timeseries" and "Colours: the alerts on this value" in panel.get("description", ""):
            assert panel["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] == "line", panel["title"]
            assert len(panel["fieldConfig"]["defaults"]["thresholds"]["steps"]) > 1
            drawn += 1
    assert drawn >= 10


def test_annotations_and_links(boards, plans):
    for plan in plans:
        for board in boards[plan.plan]:
            names = [a["name"] for a in board["annotations"]["list"]]
            assert {"Firing alerts", "Exporter reloads"} <= set(names), names
            assert ("Launch (T+0)" in names) == (plan.launch_at is not None)
            urls = [link.get("url", "") for link in board["links"]]
            assert "/d/lw-overview" in urls
            # runbook links only where they lead somewhere from Grafana (an absolute runbook_base)
            runbooks = [u for u in urls if u == plan.runbook_url("").rstrip("#")]
            assert bool(runbooks) == bool(plan.runbook_base)
            panel_links = [link["url"] for _, _, p in all_panels({plan.plan: [board]}) for link in p.get("links", [])]
            assert all(u.startswith(plan.runbook_base or "-") for u in panel_links)
            assert bool(panel_links) == bool(plan.runbook_base), (plan.plan, board["uid"])
            assert any(link["type"] == "dashboards" and link["tags"] == [plan.plan] for link in board["links"])
    overview = boards["overview"][0]
    linked = {link["url"] for link in overview["links"]}
    assert {f"/d/{b['uid']}" for p in plans for b in boards[p.plan]} <= linked


def test_overview_turns_red_when_sources_are_down_or_critical_alerts_fire(boards):
    overview = boards["overview"][0]
    by_title: dict[str, list[dict]] = {}
    for panel in overview["panels"]:
        by_title.setdefault(panel["title"], []).append(panel)
    for title in ("Sources down", "Critical alerts"):
        for panel in by_title[title]:
            assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"][-1] == {"color": "red", "value": 1.0}
    for panel in by_title["Exporter up"]:
        assert panel["fieldConfig"]["defaults"]["thresholds"]["steps"][0]["color"] == "red"


def test_a_launch_moment_is_annotated(tmp_path):
    data = yaml.safe_load(builtin_plan_path("whatsapp-quiz").read_text())
    data["launch_at"] = "2026-12-01T09:00:00-03:00"
    plan = load_plan_text(yaml.safe_dump(data), "launch.yml")
    board = build_all([plan])["whatsapp-quiz"][0]
    launch = next(a for a in board["annotations"]["list"] if a["name"] == "Launch (T+0)")
    assert "1796126400" in launch["expr"]


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


STARTER_SAMPLE = {"orders": {"placed": 120, "failed": 3}, "latency_ms": {"p95": 840}, "status": "ok",
                  "queues": {"email": {"depth": 12}, "sms": {"depth": 0}}}


@pytest.mark.e2e
def test_every_panel_query_and_report_row_runs_against_prometheus(tmp_path):
    """Built-in plans' own dashboards and reports, derived dashboards of a team's renamed copy, and a plan
    made by `launchwatch init` from a JSON sample with its derived reports: every panel query answers on a
    real Prometheus, and every row of every report gets a figure (reports share the scraping time)."""
    from launchwatch.plan.starter import read_sample, starter_plan

    binary("prometheus"), binary("victoria-metrics")
    acme, acme_path = custom_plan("whatsapp-quiz", tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    (served / "shop.json").write_text(json.dumps(STARTER_SAMPLE))
    starter_path = tmp_path / "shop.yml"
    starter_path.write_text(starter_plan(read_sample(served / "shop.json", url="http://127.0.0.1:8080/shop.json"),
                                         name="shop"))
    monitored = [dashboard_queries.builtin(n) for n in PLANS] + [
        dashboard_queries.Monitored(acme, acme_path, simulate="whatsapp-quiz"),
        dashboard_queries.Monitored(load_plan(starter_path), starter_path, serve_dir=served)]
    procs: list = []
    try:
        # Prometheus also remote-writes all it scrapes and records into VictoriaMetrics: the same panel queries
        # must answer there too (docs/scaling.md)
        store = dashboard_queries.start_victoriametrics(tmp_path, procs)
        prom, out = dashboard_queries.start(monitored, tmp_path, procs, remote_write=f"{store}/api/v1/write")
        time.sleep(45)
        results = dashboard_queries.run_queries(prom, out, [m.plan for m in monitored])
        on_victoriametrics = dashboard_queries.run_queries(store, out, [m.plan for m in monitored])
        reports = _report_rows(prom, [m.plan for m in monitored])
    finally:
        for p in reversed(procs):  # the store last: Prometheus flushes its remote writes on the way out
            p.terminate()
            p.wait(10)
    for engine, answers in (("Prometheus", results), ("VictoriaMetrics", on_victoriametrics)):
        failed = {k: v for k, v in answers.items() if v[0] != "success"}
        assert not failed, engine + json.dumps({f"{k[0]}/{k[1]}: {k[2]}": v for k, v in failed.items()},
                                               indent=1)[:4000]
        empty = {k for k, v in answers.items() if v[1] == 0 and not any(word in k[1] + k[2] for word in NO_DATA_OK)}
        assert not empty, engine + ": " + "\n".join(f"{f}/{t}: {e}" for f, t, e in sorted(empty))
    assert {k[0] for k in results} >= {*PLANS, "acme-whatsapp-quiz", "shop", "overview"}
    assert len(results) > 300
    broken = {k: v for k, v in reports.items() if v[0] is not None}
    assert not broken, "\n".join(f"{k}: {v[0]}" for k, v in sorted(broken.items()))
    empty_rows = sorted(k for k, v in reports.items() if not v[1] and not any(w in k[2] for w in REPORT_NO_DATA_OK))
    assert not empty_rows, "\n".join(map(str, empty_rows))
    assert {k[0] for k in reports} >= {*PLANS, "acme-whatsapp-quiz", "shop"} and len(reports) > 250


def _report_rows(prom: str, plans: list) -> dict[tuple[str, str, str], tuple[str | None, bool]]:
    """(plan, report, row) → (error, has a figure) for every report of every plan over the last hour; a
    ratio whose denominator counted nothing yet (a rare event: 0/0) counts as having its figure."""
    from launchwatch.report.compute import build_report, reports_of

    out = {}
    at = time.time()  # one moment for every report and its 0/0 check: a scrape between them made a row look empty
    for plan in plans:
        reports, derived = reports_of(plan)
        for report in reports:
            result = build_report(plan, report, prom, end=at, period="hour", derived=derived)
            shown = [row for _title, rows in result.sections for row in rows]
            for row, got in zip(report.rows, shown, strict=True):
                figure = got.value is not None or (got.aggregation == "ratio" and _nothing_counted(prom, plan, row, at))
                out[(plan.plan, report.name, row.label)] = (got.error, figure)
    return out


def _nothing_counted(prom: str, plan, row, at: float) -> bool:
    from launchwatch.expressions import selector, signal_thresholds
    from launchwatch.prometheus_api import Prometheus

    if row.per is not None:
        den = selector(plan, row.per, row.per_matchers)
    else:
        th = signal_thresholds(plan, row.signal, None)[0] if row.signal else None
        if th is None or th.denominator is None:
            return False
        den = selector(plan, th.denominator, th.denominator_matchers)
    answer = Prometheus(prom).instant(f"sum(increase({den}[1h]))", at)
    return not answer or float(answer[0]["value"][1]) == 0


def test_an_alert_or_slo_panel_shows_exactly_what_it_names(tmp_path):
    """``alert:`` shows that alert's own expression (its window and matchers), coloured by every alert
    on it; ``slo:`` shows the 30-day availability, red under the objective."""
    data = yaml.safe_load(builtin_plan_path("whatsapp-quiz").read_text())
    plan = load_plan_text(yaml.safe_dump(data), "quiz.yml")
    other = next(t for t in plan.thresholds if t.signal_name == "error-rate" and t.window != 300)
    slo = plan.slos[0]
    data["dashboards"] = [{"title": "t", "rows": [{"title": "r", "panels": [
        {"title": "by alert", "type": "timeseries", "alert": other.alert},
        {"title": "by slo", "type": "stat", "slo": slo.name}]}]}]
    board = build_all([load_plan_text(yaml.safe_dump(data), "quiz.yml")])["whatsapp-quiz"][0]
    by_alert, by_slo = (p for p in board["panels"] if p["type"] != "row")
    rules = _rules(plan, "all")
    rule = next(r for r in rules if r.get("alert") == other.alert)
    assert _normal(by_alert["targets"][0]["expr"]) == _normal(_comparison(rule["expr"]).group(1))
    assert other.alert in by_alert["description"]
    steps = by_slo["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert steps == [{"color": "red", "value": None}, {"color": "green", "value": slo.objective}]
    assert f'slo="{slo.name}"' in by_slo["targets"][0]["expr"]


def test_timestamps_are_shown_as_dates():
    """Grafana's date units read milliseconds; a ``*_timestamp_seconds`` metric is converted."""
    from launchwatch.dashboards.queries import resolve
    from launchwatch.plan.dashboards import Query
    from launchwatch.selfmetric_names import PROBE_TLS_NOT_AFTER

    q = resolve(load_plan(builtin_plan_path("whatsapp-quiz")), Query(metric=PROBE_TLS_NOT_AFTER), None)
    assert q.unit == "dateTimeAsIso" and q.expr.endswith(" * 1000")
