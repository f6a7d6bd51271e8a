"""``promtool check metrics`` accepts every built-in plan's /metrics, and ``check`` refuses what it would flag."""

from __future__ import annotations

import subprocess

import pytest

from launchwatch.exporter.engine import Engine
from launchwatch.exporter.exposition import TEXT, Family, page, render
from launchwatch.exporter.selfmetrics import self_families
from launchwatch.plan import PlanError, builtin_plan_path, builtin_plans, load_plan, load_plan_text
from launchwatch.plan.metric_lint import label_problem, name_problems
from launchwatch.simulator import Simulator
from tests.conftest import binary


def promtool_problems(text: str) -> list[str]:
    done = subprocess.run([binary("promtool"), "check", "metrics"], input=text, capture_output=True, text=True,
                          timeout=60)
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]


@pytest.mark.parametrize("name", builtin_plans())
def test_every_builtin_plans_page_passes_promtool(name):
    sim = Simulator(name, "127.0.0.1", 0, seed=7).start()
    try:
        plan = load_plan(builtin_plan_path(name), base_url=sim.url)
        engine = Engine(plan)
        try:
            results = engine.scrape(10)
        finally:
            engine.close()
    finally:
        sim.stop()
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    own = self_families(plan.plan, results, engine.recorder, reload_ok=True, reload_timestamp=1.0)
    body = page([r.block for r in results if r.block], own, TEXT, compress=False).decode()
    assert "percentile=" in body or name == "whatsapp-rollout"  # the plans' precomputed percentiles
    assert promtool_problems(body) == []


# Names and labels promtool flags or accepts; the plan check must agree with it on each.
NAMES = ["orders_count", "cart_sum", "latency_bucket", "latency_ms", "disk_mb_free", "uptime_s", "queue_gauge",
         "errors_counter_value", "fooBar", "response_milliseconds", "transfer_kilobytes", "sessions_minutes",
         "latency_seconds", "orders", "db_pool_active", "count", "orders_countable", "slo_hours_left",
         "summary_of_day", "payments_per_day"]
LABELS = ["quantile", "le", "fooBar", "percentile", "status", "leg"]


def test_check_refuses_exactly_what_promtool_flags():
    families = [Family(n, "gauge", "H.", (), [((), 1.0)]) for n in NAMES]
    families += [Family(f"labelled_{i}", "gauge", "H.", (label,), [(("x",), 1.0)]) for i, label in enumerate(LABELS)]
    flagged = {line.split()[0] for line in promtool_problems(render(families, TEXT).decode())}
    ours = {n for n in NAMES if name_problems(n)} | {f"labelled_{i}" for i, label in enumerate(LABELS)
                                                     if label_problem(label)}
    assert ours == flagged
    for n in NAMES:  # and the plan loader says so, with promtool's words
        text = f"plan: t\ntitle: T\nsources:\n  - {{name: s, url: 'http://x/', metrics: [{{name: {n}, help: H., " \
               "type: gauge, path: $.x}]}\n"
        if n in flagged:
            with pytest.raises(PlanError, match=r"should not|should be|use base unit"):
                load_plan_text(text)
        else:
            load_plan_text(text)
