"""Run generated promtool test files on every core, and each distinct test only once across phases.

promtool evaluates every rule of a file's ``rule_files`` at each step of each test group. Each file's
groups are dealt round the workers, heaviest first, each worker's share written beside its file (same
``rule_files`` and ``evaluation_interval``), so a group still runs, unchanged, against the same rules.

A plan's phases share most of their rules: the same group testing the same alert, whose rule and
everything it reads (recording rules, the alerts it escalates) are the same text in the same order,
gives the same result in every phase, so ``seen`` lets a later phase skip it. Scenario groups, which
judge every rule, always run.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from launchwatch.plan.units import parse_duration
from tests.conftest import binary

__all__ = ["run_promtool_tests"]


def _steps(group: dict[str, Any], interval: float) -> float:
    """How many evaluations a group costs: its last eval_time over the evaluation interval."""
    times = [parse_duration(case["eval_time"]) for key in ("alert_rule_test", "promql_expr_test")
             for case in group.get(key) or []]
    return (max(times, default=0.0) or interval) / interval


_Rule = tuple[str, dict[str, Any], int, dict[str, Any]]  # group name, group, place in it, rule


def _read_by(rules: list[_Rule], alertname: str) -> list[_Rule]:
    """The rules an alert's result depends on: its own, the recording rules and alerts their expressions
    read (transitively), in evaluation order (groups in file order, rules in group order)."""
    records = {r["record"]: x for x in rules if "record" in (r := x[3])}
    picked = [x for x in rules if x[3].get("alert") == alertname]
    todo = list(picked)
    while todo:
        expr = str(todo.pop()[3]["expr"])
        named = set(re.findall(r'alertname\s*=\s*"([^"]+)"', expr))
        reads = [x for name, x in records.items() if re.search(rf"(?<![\w:]){re.escape(name)}(?![\w:])", expr)]
        if "ALERTS" in expr:
            reads += [x for x in rules if "alert" in x[3] and (not named or x[3]["alert"] in named)]
        for x in reads:
            if x not in picked:
                picked.append(x)
                todo.append(x)
    return [x for x in rules if x in picked]


def _key(where: Path, doc: dict[str, Any], group: dict[str, Any], rules_of: dict[str, Any]) -> str | None:
    """What decides a group's result, as text; None for a group that judges every rule (a scenario)."""
    names = {case["alertname"] for case in group.get("alert_rule_test") or []}
    if len(names) != 1 or group.get("promql_expr_test"):
        return None
    rules = []
    for rel in doc.get("rule_files", []):
        path = str((where / rel).resolve())  # rule_files are relative to the test file
        if path not in rules_of:
            loaded = yaml.safe_load(Path(path).read_text()) or {}
            rules_of[path] = [(g["name"], g, i, r) for g in loaded.get("groups", []) for i, r in enumerate(g["rules"])]
        rules += rules_of[path]
    # the rules in their evaluation order, with their groups' options; where other rules sit between them
    # does not change what they compute. A group that expects the alert not to fire cannot see the alert's
    # own labels and annotations (e.g. the phase label, which differs from phase to phase); the labels of
    # what it reads stay (a selector may match on them)
    alertname = names.pop()
    silent = not any(case.get("exp_alerts") for case in group["alert_rule_test"])
    read = [(g, {k: v for k, v in opts.items() if k != "rules"},
             {k: v for k, v in r.items()
              if not (silent and r.get("alert") == alertname and k in ("labels", "annotations"))})
            for g, opts, _, r in _read_by(rules, alertname)]
    return yaml.safe_dump([doc.get("evaluation_interval"), group, read], sort_keys=True)


def run_promtool_tests(cwd: Path, test_files: list[str], workers: int | None = None,
                       seen: set[str] | None = None) -> list[str]:
    """Run the groups of ``test_files`` (paths relative to ``cwd``), skipping those ``seen`` already ran
    (and adding the rest); the failures, with promtool's words."""
    workers = workers or os.cpu_count() or 2
    docs = {name: yaml.safe_load((cwd / name).read_text()) for name in test_files}
    chunks: list[dict[str, list[dict[str, Any]]]] = [{} for _ in range(workers)]
    turn = 0
    rules_of: dict[str, Any] = {}
    for name, doc in docs.items():
        interval = parse_duration(doc.get("evaluation_interval", "1m"))
        groups = doc["tests"]
        if seen is not None:
            keys = [_key((cwd / name).parent, doc, g, rules_of) for g in groups]
            groups = [g for g, k in zip(groups, keys, strict=True) if k is None or k not in seen]
            seen.update(k for k in keys if k is not None)
        for group in sorted(groups, key=lambda g: -_steps(g, interval)):
            chunks[turn % workers].setdefault(name, []).append(group)
            turn += 1
    procs = []
    for k, chunk in enumerate(chunks):
        files = []
        for name, groups in sorted(chunk.items()):
            part = Path(name).with_name(f"{Path(name).stem}.part{k}.yml")
            (cwd / part).write_text(yaml.safe_dump({**docs[name], "tests": groups}, sort_keys=False))
            files.append(str(part))
        if files:
            procs.append((files, subprocess.Popen([binary("promtool"), "test", "rules", *files], cwd=cwd, text=True,
                                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
    failed = []
    for files, proc in procs:
        out = proc.communicate(timeout=900)[0]
        if proc.returncode:
            failed.append(f"{', '.join(files)}:\n{out[-4000:]}")
    return failed
