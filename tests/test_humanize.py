"""The Python twins of Prometheus' humanize template functions, held equal to real promtool on a grid
of edge values: promtool renders each annotation and compares it with the Python text."""

from __future__ import annotations

import math
import subprocess

import yaml

from launchwatch.alerting.humanize import TEMPLATE, humanizer_for
from tests.conftest import binary

GRID = [0.0, 1e-12, 1.5e-9, 0.000999, 0.001, 0.0123, 0.25, 0.5, 0.999, 1.0, 1.5, 9.99, 59.4, 60.0, 61.0,
        3599.0, 3600.0, 7272.0, 86399.0, 90000.0, 1234.0, 99999.0, 1e6, 1.5e9, 3e12, 1e21, 1e27,
        -0.5, -1.0, -7272.0, -1234.0, math.nan, math.inf, -math.inf]


def _literal(v: float) -> str:
    return "NaN" if math.isnan(v) else ("+Inf" if v == math.inf else ("-Inf" if v == -math.inf else repr(v)))


def test_humanizers_render_like_promtool(tmp_path):
    rules, cases = [], []
    for unit in ("humanize", "humanizePercentage", "humanizeDuration"):
        for i, value in enumerate(GRID):
            name = f"H{unit[8:] or 'Plain'}{i}"
            rules.append({"alert": name, "expr": f"vector({_literal(value)})",
                          "annotations": {"text": f"{{{{ $value | {TEMPLATE[unit]} }}}}"}})
            cases.append({"eval_time": "1m", "alertname": name,
                          "exp_alerts": [{"exp_labels": {}, "exp_annotations": {"text": humanizer_for(unit)(value)}}]})
    (tmp_path / "rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "humanize", "rules": rules}]}))
    (tmp_path / "test.yml").write_text(yaml.safe_dump({"rule_files": ["rules.yml"], "evaluation_interval": "1m",
                                                       "tests": [{"interval": "1m", "input_series": [],
                                                                  "alert_rule_test": cases}]}))
    res = subprocess.run([binary("promtool"), "test", "rules", "test.yml"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
