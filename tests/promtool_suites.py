"""Run generated promtool test files on every core, and each distinct test only once across phases.

promtool evaluates every rule of a file's ``rule_files`` at each step of each test group. A group
testing one alert runs against only the rules that alert's result depends on (its own, the recording
rules and alerts it reads, transitively, in their groups and order): the other rules cannot change it,
and a plan's 160 rules made each such group cost 160 rules' evaluations. Groups are dealt round the
workers, heaviest first, each worker's share written beside its file (same ``evaluation_interval``), so
a group still runs, unchanged, against the rules it reads.

A plan's phases share most of their rules: the same group testing the same alert, whose rule and
everything it reads (recording rules, the alerts it escalates) are the same text in the same order,
gives the same result in every phase, so ``seen`` lets a later phase skip it. Scenario groups, which
judge every rule, always run.

Across the plans drafted from many documents (``same_shape``), a group whose rules and series differ from
one already run only in their names (plan, metrics, alerts, label values) and in the document's numbers
runs through the same generator code: it is skipped as well, its annotations judged by their template
actions only (their literal words are the document's). 0 and 1 stay themselves (an "== 0" check, a ratio
at 1), and so does a sign.
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


def _rules(where: Path, doc: dict[str, Any], rules_of: dict[str, list[_Rule]]) -> list[_Rule]:
    """Every rule of a test file's ``rule_files`` (relative to the file's folder ``where``), read once."""
    rules = []
    for rel in doc.get("rule_files", []):
        path = str((where / rel).resolve())
        if path not in rules_of:
            loaded = yaml.safe_load(Path(path).read_text()) or {}
            rules_of[path] = [(g["name"], g, i, r) for g in loaded.get("groups", []) for i, r in enumerate(g["rules"])]
        rules += rules_of[path]
    return rules


def _reads(group: dict[str, Any], rules: list[_Rule]) -> tuple[str, list[_Rule]] | None:
    """The alert a group tests and the rules its result depends on; None for a group that judges every
    rule (a scenario, an expression test)."""
    names = {case["alertname"] for case in group.get("alert_rule_test") or []}
    if len(names) != 1 or group.get("promql_expr_test"):
        return None
    alertname = names.pop()
    return alertname, _read_by(rules, alertname)


_MATCHER_VALUE_RE = re.compile(r'=~?\s*"([^"]*)"')
_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}", re.S)
# a number, not a name's digits ("p99", "http_5xx"); the count of a series' "0+0x189" too
_NUMBER_RE = re.compile(r"(?:(?<![A-Za-z_])|(?<=\dx))\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def _names(group: dict[str, Any], read_by: list[_Rule]) -> set[str]:
    """The names a group and the rules it reads give (metrics, alerts, groups, label values): a plan's own words."""
    words: set[str] = set()
    for series in group.get("input_series") or []:
        m = re.match(r"\s*([A-Za-z_:][\w:]*)?", series["series"])
        words |= {m.group(1) or "", *_MATCHER_VALUE_RE.findall(series["series"])}
    for case in group.get("alert_rule_test") or []:
        words.add(case["alertname"])
        words |= {str(v) for alert in case.get("exp_alerts") or [] for v in (alert.get("exp_labels") or {}).values()}
    for name, _, _, rule in read_by:
        words |= {name, rule.get("alert") or rule["record"], *map(str, (rule.get("labels") or {}).values()),
                  *_MATCHER_VALUE_RE.findall(str(rule["expr"]))}
    return {w for w in words if w}


def _shape(group: dict[str, Any], read: list[Any], interval: Any, words: set[str]) -> str:
    """A group's key with its names and numbers as placeholders, annotations as their template actions."""
    cases = group.get("alert_rule_test") or []
    group = {**group, "alert_rule_test": [{**case, "exp_alerts": [
        {k: v for k, v in alert.items() if k != "exp_annotations"} for alert in case.get("exp_alerts") or []]}
        for case in cases]}
    read = [(g, opts, {k: ({a: _TEMPLATE_RE.findall(str(t)) for a, t in v.items()} if k == "annotations" else v)
                       for k, v in rule.items()}) for g, opts, rule in read]
    text = yaml.safe_dump([interval, group, read], sort_keys=True)
    placeholders: dict[str, str] = {}
    pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if pattern:
        text = re.sub(rf"(?<![\w:.-])(?:{pattern})(?![\w:.-])",
                      lambda m: placeholders.setdefault(m.group(0), f"NAME{len(placeholders)}"), text)
    return _NUMBER_RE.sub(lambda m: m.group(0) if m.group(0) in ("0", "1") else "N", text)


def _key(doc: dict[str, Any], group: dict[str, Any], reads: tuple[str, list[_Rule]] | None,
         same_shape: bool = False) -> str | None:
    """What decides a group's result, as text; None for a group that judges every rule."""
    if reads is None:
        return None
    alertname, read_by = reads
    # the rules in their evaluation order, with their groups' options; where other rules sit between them
    # does not change what they compute. A group that expects the alert not to fire cannot see the alert's
    # own labels and annotations (e.g. the phase label, which differs from phase to phase); the labels of
    # what it reads stay (a selector may match on them)
    silent = not any(case.get("exp_alerts") for case in group["alert_rule_test"])
    read = [(g, {k: v for k, v in opts.items() if k != "rules"},
             {k: v for k, v in r.items()
              if not (silent and r.get("alert") == alertname and k in ("labels", "annotations"))})
            for g, opts, _, r in read_by]
    if same_shape:
        return _shape(group, read, doc.get("evaluation_interval"), _names(group, read_by))
    return yaml.safe_dump([doc.get("evaluation_interval"), group, read], sort_keys=True)


def _rule_file(rules: list[_Rule]) -> dict[str, Any]:
    """A rules file of just these rules, each in its group (with the group's options), in their order."""
    groups: dict[str, dict[str, Any]] = {}
    for name, opts, _, rule in rules:
        groups.setdefault(name, {**{k: v for k, v in opts.items() if k != "rules"}, "rules": []})["rules"].append(rule)
    return {"groups": list(groups.values())}


def run_promtool_tests(cwd: Path, test_files: list[str], workers: int | None = None,
                       seen: set[str] | None = None, same_shape: bool = False) -> list[str]:
    """Run the groups of ``test_files`` (paths relative to ``cwd``), skipping those ``seen`` already ran
    (and adding the rest), or with ``same_shape`` one of the same shape; the failures, with promtool's words."""
    workers = workers or os.cpu_count() or 2
    docs = {name: yaml.safe_load((cwd / name).read_text()) for name in test_files}
    rules_of: dict[str, list[_Rule]] = {}
    rule_sets: dict[str, int] = {}  # a reduced rules file's text: its number
    items = []  # (cost, test file, reduced rules file's number or None, group)
    for name, doc in docs.items():
        interval = parse_duration(doc.get("evaluation_interval", "1m"))
        every = _rules((cwd / name).parent, doc, rules_of)
        for group in doc["tests"]:
            reads = _reads(group, every)
            key = _key(doc, group, reads, same_shape)
            if seen is not None and key is not None:
                if key in seen:
                    continue
                seen.add(key)
            number = None
            if reads is not None:
                number = rule_sets.setdefault(yaml.safe_dump(_rule_file(reads[1]), sort_keys=False), len(rule_sets))
            items.append((_steps(group, interval) * len(reads[1] if reads else every), name, number, group))
    chunks: list[dict[tuple[str, int | None], list[dict[str, Any]]]] = [{} for _ in range(workers)]
    load = [0.0] * workers
    for cost, name, number, group in sorted(items, key=lambda x: -x[0]):  # heaviest first, to the lightest worker
        k = load.index(min(load))
        load[k] += cost
        chunks[k].setdefault((name, number), []).append(group)
    texts = {number: text for text, number in rule_sets.items()}
    procs = []
    for k, chunk in enumerate(chunks):
        files = []
        for (name, number), groups in sorted(chunk.items(), key=lambda x: (x[0][0], x[0][1] is not None, x[0][1] or 0)):
            doc = {**docs[name], "tests": groups}
            stem = Path(name).stem
            part = Path(name).with_name(f"{stem}.part{k}.yml")
            if number is not None:  # beside its rules, out of the way of the file's folder
                part = Path(name).parent / ".reduced" / f"{stem}.part{k}.r{number}.yml"
                (cwd / part).parent.mkdir(exist_ok=True)
                (cwd / part).with_name(f"{stem}.r{number}.rules.yml").write_text(texts[number])
                doc["rule_files"] = [f"{stem}.r{number}.rules.yml"]
                present = {g["name"] for g in yaml.safe_load(texts[number])["groups"]}
                if "group_eval_order" in doc:
                    doc["group_eval_order"] = [g for g in doc["group_eval_order"] if g in present]
            (cwd / part).write_text(yaml.safe_dump(doc, sort_keys=False))
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
