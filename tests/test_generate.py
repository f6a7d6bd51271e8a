"""`launchwatch generate` for plans a team wrote: a renamed copy of every built-in plan and a plan
made by `launchwatch init` get rules, tests, routing and dashboards; problems are file:line: key
messages; output is all or nothing; `--check` says what is stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from launchwatch.plan import builtin_plan_path, builtin_plans

RUN = [sys.executable, "-m", "launchwatch"]
SAMPLE = {"orders": {"placed": 120, "failed": 3}, "latency_ms": {"p95": 840}, "status": "ok",
          "queues": {"email": {"depth": 12}, "sms": {"depth": 0}}}


def lw(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    res = subprocess.run([*RUN, *args], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert "Traceback" not in res.stdout + res.stderr, res.stdout + res.stderr
    return res


def renamed(name: str, tmp: Path) -> Path:
    """A team's copy of a built-in plan under its own name, as the README says to make one."""
    text = lw("plans", "--show", name).stdout.replace(f"plan: {name}\n", f"plan: acme-{name}\n", 1)
    path = tmp / f"acme-{name}.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", builtin_plans())
def test_a_renamed_copy_of_each_builtin_plan_generates_everything(name, tmp_path):
    plan = renamed(name, tmp_path)
    assert lw("check", str(plan)).returncode == 0
    res = lw("generate", "--config", str(plan), "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    assert (out / f"prometheus/rules/acme-{name}.yml").read_text().count("alert:") > 5
    assert list((out / "prometheus/tests").glob(f"acme-{name}*.yml"))
    assert "acme-" + name in (out / "alertmanager/alertmanager.yml").read_text()
    boards = [json.loads(p.read_text()) for p in (out / f"grafana/dashboards/acme-{name}").glob("*.json")]
    assert boards and all(b["panels"] for b in boards)


def test_init_then_check_then_generate(tmp_path):
    (tmp_path / "sample.json").write_text(json.dumps(SAMPLE))
    assert lw("init", "--from-json", "sample.json", "--name", "acme", cwd=tmp_path).returncode == 0
    assert lw("check", "acme.yml", cwd=tmp_path).returncode == 0
    res = lw("generate", "--config", "acme.yml", "--out", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    board = json.loads((tmp_path / "out/grafana/dashboards/acme/lw-acme.json").read_text())
    titles = [p["title"] for p in board["panels"]]
    assert "Health of the monitoring" in titles and "Other metrics" in titles
    assert (tmp_path / "out/prometheus/prometheus.yml").exists()


def test_a_broken_dashboard_section_is_named_by_file_line_and_key(tmp_path):
    full = builtin_plan_path("whatsapp-quiz").read_text()
    head, section = full.split("\ndashboards:", 1)
    assert "signal: error-rate\n" in section and "type: timeseries" in section
    bad = tmp_path / "bad.yml"
    bad.write_text(head + "\ndashboards:" + section.replace("signal: error-rate\n", "signal: eror-rate\n", 1)
                   .replace("type: timeseries", "type: timeserie", 1))
    res = lw("check", str(bad))
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert any(":" in line and "dashboards[" in line and "timeserie" in line for line in lines), res.stderr
    res = lw("generate", "--config", str(bad), "--out", str(tmp_path / "out"))
    assert res.returncode == 1 and not (tmp_path / "out").exists()
    fixed = tmp_path / "fixed.yml"
    fixed.write_text(head + "\ndashboards:" + section.replace("signal: error-rate\n", "signal: eror-rate\n", 1))
    res = lw("check", str(fixed))
    assert res.returncode == 1 and "unknown signal 'eror-rate' (did you mean 'error-rate'?)" in res.stderr
    assert res.stderr.startswith(f"{fixed}:"), res.stderr


def test_generate_is_all_or_nothing_and_check_finds_stale_files(tmp_path):
    out = tmp_path / "out"
    assert lw("generate", "--plan", "whatsapp-quiz", "--out", str(out)).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert lw("generate", "--plan", "whatsapp-quiz", "--out", str(out), "--check").returncode == 0
    # a phase the second plan lacks: nothing is written, not even the first plan's files
    res = lw("generate", "--plan", "whatsapp-quiz", "--plan", "ecommerce-support", "--phase", "week-1",
             "--exporter", "whatsapp-quiz=127.0.0.1:9848", "--exporter", "ecommerce-support=127.0.0.1:9850",
             "--out", str(out))
    assert res.returncode == 2 and "has no phase 'week-1'" in res.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    rules = out / "prometheus/rules/whatsapp-quiz.yml"
    rules.write_text(rules.read_text() + "# edited by hand\n")
    res = lw("generate", "--plan", "whatsapp-quiz", "--out", str(out), "--check")
    assert res.returncode == 1 and "prometheus/rules/whatsapp-quiz.yml" in res.stderr


def test_job_is_set_at_generate_time_for_rules_scrape_config_and_dashboards(tmp_path):
    out = tmp_path / "out"
    assert lw("generate", "--plan", "whatsapp-quiz", "--job", "quiz-prod", "--out", str(out)).returncode == 0
    assert "job_name: quiz-prod" in (out / "prometheus/prometheus.yml").read_text()
    assert 'job="quiz-prod"' in (out / "prometheus/rules/whatsapp-quiz.yml").read_text()
    board = json.loads((out / "grafana/dashboards/whatsapp-quiz/lw-whatsapp-quiz-main.json").read_text())
    job = next(v for v in board["templating"]["list"] if v["name"] == "job")
    assert "quiz-prod" in json.dumps(job["current"])


def test_each_plan_gets_its_own_scrape_job_and_exporter(tmp_path):
    import yaml

    out = tmp_path / "out"
    res = lw("generate", "--plan", "all", "--out", str(out))
    assert res.returncode == 2 and "one exporter serves one plan" in res.stderr and not out.exists()
    addresses = {name: f"{name}-exporter:9848" for name in builtin_plans()}
    res = lw("generate", "--plan", "all", *[f"--exporter={n}={a}" for n, a in addresses.items()], "--out", str(out))
    assert res.returncode == 0, res.stderr
    jobs = yaml.safe_load((out / "prometheus/prometheus.yml").read_text())["scrape_configs"]
    assert {j["job_name"]: j["static_configs"][0]["targets"] for j in jobs} == {n: [a] for n, a in addresses.items()}


def test_a_file_no_plan_generates_any_more_is_removed_and_nothing_else(tmp_path):
    """Renaming a plan left its old rules behind, which `rule_files: rules/*.yml` went on loading."""
    out = tmp_path / "out"
    plan = tmp_path / "shop.yml"
    plan.write_text(builtin_plan_path("whatsapp-quiz").read_text().replace("plan: whatsapp-quiz", "plan: shop", 1))
    assert lw("generate", "--config", str(plan), "--out", str(out)).returncode == 0
    old_rules, old_board = out / "prometheus/rules/shop.yml", out / "grafana/dashboards/shop"
    assert old_rules.is_file() and old_board.is_dir()
    mine = out / "prometheus/rules/hand-written.yml"
    mine.write_text("groups: []\n")
    plan.write_text(plan.read_text().replace("plan: shop", "plan: shop-v2", 1))
    res = lw("generate", "--config", str(plan), "--out", str(out), "--check")
    assert res.returncode == 1 and f"{old_rules}: generated before, no plan generates it now" in res.stderr, res.stderr
    res = lw("generate", "--config", str(plan), "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert f"removed {old_rules}" in res.stdout
    assert not old_rules.exists() and not old_board.exists()  # its emptied folder too
    assert (out / "prometheus/rules/shop-v2.yml").is_file()
    assert mine.read_text() == "groups: []\n"  # never generated: never touched
    assert lw("generate", "--config", str(plan), "--out", str(out), "--check").returncode == 0


def test_a_file_written_whole_gets_the_mode_a_plain_write_gives(tmp_path):
    """A draft, a report or an imported plan was left 0600 (its staging file's mode): a report a web server
    publishes, or a plan a colleague checks, was unreadable to them."""
    import os

    from launchwatch.output import write_file

    old = os.umask(0o022)
    try:
        fresh = tmp_path / "report.html"
        write_file(fresh, "<p>launch</p>")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "plan.yml"
        kept.write_text("old")
        kept.chmod(0o640)
        write_file(kept, "new")
        assert kept.read_text() == "new" and kept.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)
