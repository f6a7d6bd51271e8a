"""Alert catalogues: one heading per alert ("### HighErrorRate") over its fields ("Severity: P1",
"Condition: 5xx ratio > 2%", "Duration: 5 minutes"). The block's severity field is its rules' tier, its
heading their name; a condition with no number is said rather than dropped.
"""

from __future__ import annotations

import re

from launchwatch.draft.findings import Finding, Unclear
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import tier_in

__all__ = ["field_tiers", "per_alert_blocks"]

_FIELD_TIER_RE = re.compile(r"^(?:severity|priority|sev|level|urgency)\s*:\s*(?P<v>\S.{0,40})$", re.I)
_CONDITION_FIELD_RE = re.compile(r"^(?:condition|threshold|trigger|when|fires when)\s*:\s*\S", re.I)
_ALERT_NAME_RE = re.compile(r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+")  # "HighErrorRate"


def field_tiers(lines: list[Line], paths: list[list[str]]) -> dict[tuple[str, ...], str]:
    """The tier each block's "Severity: P1" field names (an alert catalogue's), by the block's heading path."""
    tiers: dict[tuple[str, ...], str] = {}
    for line, path in zip(lines, paths, strict=True):
        m = _FIELD_TIER_RE.match(line.text)
        if m and path:
            tiers[tuple(path)] = tier_in(m.group("v")) or m.group("v").strip(" .*").upper()
    return tiers


def per_alert_blocks(lines: list[Line], paths: list[list[str]], findings: list[Finding]) -> list[Unclear]:
    """An alert catalogue: "### HighErrorRate" over "Severity: P1" and "Condition: 5xx ratio > 2%". The block's
    severity field is its rules' tier, and a heading that is an alert's name names them; a condition with no
    number ("inventory count differs from the box office feed") is said."""
    tiers = field_tiers(lines, paths)
    judged = {tuple(f.path) for f in findings}
    rules = {tuple(p) for line, p in zip(lines, paths, strict=True) if _CONDITION_FIELD_RE.match(line.text)}
    unclear = [Unclear(line.number, line.text, path,
                       f"line {line.number}: a rule without a number ({tiers[tuple(path)]}): say which metric shows "
                       "it and at what value")
               for line, path in zip(lines, paths, strict=True)
               if tuple(path) in tiers and tuple(path) not in judged and _CONDITION_FIELD_RE.match(line.text)]
    for f in findings:
        tier = tiers.get(tuple(f.path))
        if tier and f.tier in ("ALERT", "PAGE"):
            f.tier = tier
        if f.path and _ALERT_NAME_RE.fullmatch(f.path[-1]) and (tier or tuple(f.path) in rules):
            f.name = f.path[-1]  # (a "### WhatsApp" section's thresholds are not all named WhatsApp)
    return unclear
