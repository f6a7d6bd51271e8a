"""Availability objectives ("Availability — 99.95% of requests succeed over 28 days") as the plan's ``slos:``.

An objective is judged over weeks by its error budget, not by a threshold; the plan's ``slos:`` entry makes the
multiwindow burn-rate alerts and budget rules from it. Its SLI is a probe of the product's health endpoint,
which the draft adds as a TODO source beside the metrics one; the page and ticket tiers are the document's own
(its first critical tier, its first low or medium one), else PAGE and TICKET.
"""

from __future__ import annotations

import math
import re
from typing import Any

from launchwatch.draft.findings import Unclear
from launchwatch.draft.names import ascii_words
from launchwatch.draft.phases import phase_in
from launchwatch.draft.subjects import AVAILABILITY_RE
from launchwatch.draft.tiers import TARGET
from launchwatch.expressions import SLO_PERIOD
from launchwatch.plan.units import format_duration

__all__ = ["PROBE_SOURCE", "objective_tiers", "slo_entries"]

PROBE_SOURCE = "todo-health"
_TICKET_SEVERITIES = ("low", "medium")


def objective_tiers(severities: dict[str, str]) -> tuple[str, str]:
    """The tiers an SLO's fast burn pages and its slow burn tickets: the document's own when it has them."""
    page = next((t for t, s in severities.items() if s == "critical" and t != TARGET), "PAGE")
    ticket = next((t for t, s in severities.items() if s in _TICKET_SEVERITIES and t != TARGET), "TICKET")
    return page, ticket


def _name(phrase: str, excerpt: str, phases: list[str], taken: set[str], given: str | None = None) -> str:
    """The name a spec gives it (Sloth's "payments-latency"), the phrase when it names the objective ("API
    availability"), else the excerpt's word for it ("Success Criteria: >99% uptime" is uptime)."""
    if given:
        phrase = given
    elif not AVAILABILITY_RE.search(phrase):
        word = AVAILABILITY_RE.search(excerpt)
        phrase = "uptime" if word and word.group(0).lower().startswith("up") else "availability"
    base = re.sub(r"[^a-z0-9]+", "-", ascii_words(phrase).lower()).strip("-")[:40].strip("-") or "availability"
    base = base if base[0].isalpha() else f"slo-{base}"
    name, n = base, 2
    if name in taken and phases:
        name = base = f"{base}-{phases[0]}"  # "uptime-ongoing" beside the first month's "uptime"
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def slo_entries(unclear: list[Unclear], page_tier: str, ticket_tier: str,
                phases_seen: list[str]) -> tuple[list[dict[str, Any]], list[Unclear]]:
    """The ``slos:`` entries for the objectives among ``unclear``, and what stays a note: everything else,
    and an objective counted over another period than launchwatch's 30 days (said, not silently changed)."""
    slos: list[dict[str, Any]] = []
    kept: list[Unclear] = []
    taken: set[str] = set()
    for u in unclear:
        f = u.objective
        if f is None or not 0 < f.value < 1:
            kept.append(u)
            continue
        where = " > ".join(p for p in f.path if p) or "(top)"
        phase = next((p for p in map(phase_in, reversed(f.path)) if p), None)
        phases = [phase] if phase and phase in phases_seen else []
        same = next((e for e in slos if e["objective"] == f.value), None) if f.name is None else None
        if same is not None:  # the objective stated again: one SLO, held in every phase either holds it
            same["section"] += f"; again on line {u.line}"
            same["phases"] = sorted(set(same.get("phases", [])) | set(phases), key=phases_seen.index) \
                if same.get("phases") and phases else []
            if not same["phases"]:
                del same["phases"]
            entry = same
        else:
            entry = {"name": _name(f.phrase, f.excerpt, phases, taken, f.name), "objective": f.value,
                     "section": f'{where}: "{f.excerpt[:140]}"', "probe_target": PROBE_SOURCE,
                     "page_tier": page_tier, "ticket_tier": ticket_tier, **({"phases": phases} if phases else {})}
            slos.append(entry)
        if f.window and not math.isclose(f.window, SLO_PERIOD):
            kept.append(Unclear(u.line, u.target, u.path,
                                f"line {u.line}: the objective is counted over {format_duration(f.window)}; the "
                                f"draft's slos: entry {entry['name']} counts its error budget over "
                                f"{format_duration(SLO_PERIOD)}, as launchwatch does every SLO's"))
    return slos, kept
