"""Grafana-managed alert rules a document already holds: Alerting → Export, or a file-provisioning YAML.

A team moving its alerts off Grafana brings them along. A rule's threshold sits in its condition's
evaluator ("evaluator: type: gt, params: [0.03]"), its hold in ``for``, its tier in its severity label and
its measure in the first query's ``expr``; each is the draft's threshold under the rule's title. Read line
by line, such a rule gave nothing: the numbers stand alone in ``params:`` lists.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from launchwatch.draft.findings import Finding, Unclear
from launchwatch.draft.promrules import COMPARISON_RE, block_end, rule_kind, stand_in_note, watched_words
from launchwatch.draft.quantities import duration_seconds
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import tier_in

__all__ = ["grafana_rule_blocks"]

_ITEM_RE = re.compile(r"^(?P<indent>\s*)-\s+(?:uid|title):")  # a rule: a list item that opens with either key
_OPS = {"gt": ">", "lt": "<"}


def _evaluator(rule: dict[str, Any]) -> tuple[str, list[float]] | None:
    """The condition's evaluator (its type and params); a math condition ("$B > 0.03") as a "gt"/"lt"."""
    data = rule.get("data") or []
    node = next((d for d in data if isinstance(d, dict) and d.get("refId") == rule.get("condition")), None)
    model = (node or {}).get("model") or {}
    for condition in model.get("conditions") or []:
        evaluator = (condition or {}).get("evaluator") or {}
        if evaluator.get("type"):
            return str(evaluator["type"]), [float(p) for p in evaluator.get("params") or []]
    compared = COMPARISON_RE.search(str(model.get("expression", ""))) if model.get("type") == "math" else None
    if compared and compared.group("op") in (">", "<"):
        return ("gt" if compared.group("op") == ">" else "lt"), [float(compared.group("num"))]
    return None


def _query(rule: dict[str, Any]) -> str:
    return next((str(d["model"]["expr"]) for d in rule.get("data") or []
                 if isinstance(d, dict) and isinstance(d.get("model"), dict) and d["model"].get("expr")), "")


def grafana_rule_blocks(lines: list[Line], paths: list[list[str]]) -> tuple[list[Finding], list[Unclear], set[int]]:
    """The thresholds of the Grafana alert rules in ``lines``, what could not be read of them, and the line
    indices they take (no other shape reads those)."""
    findings: list[Finding] = []
    unclear: list[Unclear] = []
    taken: set[int] = set()
    i = 0
    while i < len(lines):
        m = _ITEM_RE.match(lines[i].raw)
        end = block_end(lines, i) if m else i + 1
        body = [line.raw for line in lines[i:end]]
        if not m or not any("evaluator" in b or "expression:" in b for b in body) or \
                not any(re.match(r"\s*condition:", b) for b in body):
            i += 1
            continue
        taken.update(range(i, end))
        width = len(m.group("indent"))
        try:
            rule = (yaml.safe_load("\n".join(b[width:] for b in body)) or [None])[0]
            evaluator = _evaluator(rule) if isinstance(rule, dict) else None
        except (yaml.YAMLError, TypeError, ValueError, AttributeError, IndexError, KeyError):
            rule, evaluator = None, None
        named = next((t.group(1) for b in body if (t := re.match(r"\s*(?:-\s+)?title:\s*(.+?)\s*$", b))), "")
        title = str(rule.get("title", "")) if isinstance(rule, dict) else named.strip("\"'")  # (no YAML: its line)
        path = [h for h in paths[i] if not re.fullmatch(r"[a-z_][a-z0-9_]*", h)]
        at = next((k for k in range(i, end) if "params" in lines[k].raw or "expression:" in lines[k].raw), i)
        if evaluator is None or evaluator[0] not in (*_OPS, "outside_range") or not evaluator[1]:
            unclear.append(Unclear(lines[at].number, title or lines[i].text, path,
                                   f"line {lines[at].number}: the Grafana rule {title!r} has no condition the drafter "
                                   "reads (above, below or outside a range): write it as a threshold by hand"))
            i = end
            continue
        kind, params = evaluator
        expr = _query(rule)
        labels = rule.get("labels") or {}
        severity = str(labels.get("severity", "")) if isinstance(labels, dict) else ""
        tier = (tier_in(severity) or severity.strip(" .*").upper()) if severity else "ALERT"
        hold = duration_seconds(str(rule["for"])) if rule.get("for") is not None else None
        words = watched_words(re.sub(r"[^\w]+", " ", title))
        name = "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", title)) or None
        compared = [(">", params[0])] if kind == "gt" else [("<", params[0])] if kind == "lt" else \
            [("<", params[0]), (">", params[-1])]  # outside a range: below its low end or above its high end
        for n, (op, value) in enumerate(compared):
            findings.append(Finding(
                lines[at].number, " ".join(words) or "signal", op, value, rule_kind(expr, value), tier, path,
                f"{title}: {expr} {op} {value:g}" + (f" for {rule['for']}" if rule.get("for") else ""),
                for_=hold if hold is not None else 0.0, name=f"{name}{'Below' if n == 0 else 'Above'}"
                if name and len(compared) > 1 else name,
                note=stand_in_note(f"the Grafana rule {title!r}", expr or "its query")))
        i = end
    return findings, unclear, taken
