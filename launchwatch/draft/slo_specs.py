"""SLO specifications a team already keeps — Sloth's ``version: prometheus/v1`` (and its Kubernetes
``PrometheusServiceLevel``), OpenSLO's ``kind: SLO`` — as the plan's ``slos:``.

Read line by line, a spec's ``objective: 99.9`` drafted a count missed below 99.9, and its SLI nothing. Each
objective is an SLO judged by its error budget, whose burn-rate alerts the plan's slos: entry generates. The
spec's SLI queries read the service's own instrumentation, which launchwatch does not export, so the entry
keeps the draft's health probe (a TODO) and a note quotes the queries for the reviewer to map.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from launchwatch.draft.findings import Finding, Unclear
from launchwatch.draft.quantities import duration_seconds
from launchwatch.draft.text import Line
from launchwatch.draft.tiers import TARGET

__all__ = ["slo_spec_blocks"]

_START_RE = re.compile(r"^\s*(?:version:\s*[\"']?prometheus/v1\b|apiVersion:\s*[\"']?(?:sloth\.slok\.dev|openslo)/v1)",
                       re.I)
_OBJECTIVE_RE = re.compile(r"^\s*(?:-\s+)?(?:objective|target|targetPercent):\s*[\"']?\d")


def _spec_objectives(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Each objective of one YAML document: its name, ratio, window (seconds or None), SLI and alerting."""
    if str(doc.get("apiVersion", "")).lower().startswith("openslo/"):
        if doc.get("kind") != "SLO":
            return []
        spec = doc.get("spec") or {}
        name = (doc.get("metadata") or {}).get("name") or spec.get("service") or "slo"
        windows = [w.get("duration") for w in spec.get("timeWindow") or [] if isinstance(w, dict)]
        out = []
        objectives = [o for o in spec.get("objectives") or [] if isinstance(o, dict)]
        for n, o in enumerate(objectives):
            ratio = float(o["target"]) if o.get("target") is not None else \
                round(float(o["targetPercent"]) / 100, 12) if o.get("targetPercent") is not None else None
            label = (o.get("displayName") or str(n + 1)) if len(objectives) > 1 else ""
            out.append({"name": f"{name}-{label}" if label else name, "ratio": ratio, "service": spec.get("service"),
                        "window": duration_seconds(str(windows[0])) if windows else None,
                        "sli": (spec.get("indicator") or {}).get("spec") if isinstance(spec.get("indicator"), dict)
                        else spec.get("indicatorRef"), "alerting": None})
        return out
    slos = doc.get("slos") or (doc.get("spec") or {}).get("slos") or []
    return [{"name": s.get("name") or "slo",
             "ratio": round(float(s["objective"]) / 100, 12) if s.get("objective") is not None else None,
             "window": None, "sli": s.get("sli"), "alerting": s.get("alerting"),
             "service": doc.get("service") or (doc.get("spec") or {}).get("service")}
            for s in slos if isinstance(s, dict)]


_SIDES = ("error_query", "total_query", "errors_ratio_query", "good", "bad", "total")


def _queries(sli: Any) -> str:
    """The SLI's queries as the spec writes them, each by its side (Sloth's error_query / total_query,
    OpenSLO's good / bad / total)."""
    return "; ".join(f"{side}: {query}" for side, query in _walk(sli, "query"))


def _walk(node: Any, side: str) -> list[tuple[str, str]]:
    """Every query string under ``node``, with the side it is under (good / total / error_query …)."""
    if isinstance(node, list):
        return [kv for v in node for kv in _walk(v, side)]
    if not isinstance(node, dict):
        return []
    out: list[tuple[str, str]] = []
    for key, value in node.items():
        here = key if key in _SIDES else side
        if isinstance(value, str) and (key in _SIDES or key in ("query", "promql")):
            out.append((here, value))
        else:
            out += _walk(value, here)
    return out


def slo_spec_blocks(lines: list[Line], paths: list[list[str]]) -> tuple[list[Unclear], set[int]]:
    """The objectives of the SLO specs in ``lines`` (as objective notes the draft's slos: holds, and notes on
    their SLIs), and the line indices the specs take (no other shape reads those)."""
    out: list[Unclear] = []
    taken: set[int] = set()
    start = 0
    while (start := next((i for i in range(start, len(lines)) if _START_RE.match(lines[i].raw)), -1)) >= 0:
        end = next((k for k in range(start + 1, len(lines)) if lines[k].raw.strip().startswith(("```", "~~~"))),
                   len(lines))  # to the end of its code fence, or of the file
        out += _spec(lines, paths, start, end)
        taken |= set(range(start, end))
        start = end
    return out, taken


def _spec(lines: list[Line], paths: list[list[str]], start: int, end: int) -> list[Unclear]:
    """What one spec (``lines[start:end]``) says."""
    try:
        docs = [d for d in yaml.safe_load_all("\n".join(line.raw for line in lines[start:end])) if isinstance(d, dict)]
        objectives = [o for d in docs for o in _spec_objectives(d)]
    except (yaml.YAMLError, TypeError, ValueError, AttributeError, KeyError):
        return [Unclear(lines[start].number, lines[start].text, paths[start], f"line {lines[start].number}: an SLO "
                        "spec the drafter could not read as YAML: write its slos: entries by hand")]
    if not objectives:  # (an OpenSLO Service or AlertPolicy, a spec with no slos: listed)
        return [Unclear(lines[start].number, lines[start].text, paths[start], f"line {lines[start].number}: an SLO "
                        "spec with no objective the drafter reads: write its slos: entries by hand if it has any")]
    at = [k for k in range(start, end) if _OBJECTIVE_RE.match(lines[k].raw)]
    out: list[Unclear] = []
    for n, o in enumerate(objectives):
        k = at[n] if len(at) == len(objectives) else start
        line, path = lines[k], [h for h in paths[k] if not re.fullmatch(r"[a-z_][a-zA-Z0-9_]*", h)]
        path = path or ([f"service {o['service']}"] if o["service"] else [])
        name = re.sub(r"[^a-z0-9]+", "-", str(o["name"]).lower()).strip("-") or "slo"
        name = name if name[0].isalpha() else f"slo-{name}"
        if o["ratio"] is None or not 0 < o["ratio"] < 1:
            out.append(Unclear(line.number, line.text, path, f"line {line.number}: the SLO {o['name']!r} states no "
                               "objective between 0 and 100%: write its slos: entry by hand"))
            continue
        excerpt = f"{o['name']}: objective {o['ratio']:.6g}"
        f = Finding(line.number, o["name"], "<", o["ratio"], "ratio", TARGET, path, excerpt, window=o["window"],
                    slo=True, name=name)
        out.append(Unclear(line.number, excerpt, path, f"line {line.number}: the SLO {o['name']!r}", objective=f))
        queries = _queries(o["sli"])
        out.append(Unclear(line.number, excerpt, path, f"line {line.number}: the SLO {o['name']!r} reads "
                           f"{queries or 'an SLI'} from the service's own metrics, which launchwatch does not export: "
                           f"its slos: entry {name} judges the health probe until you give it errors and total, "
                           "counters the exporter reads from the product's JSON"))
        page = (o["alerting"] or {}).get("page_alert") if isinstance(o["alerting"], dict) else None
        if isinstance(page, dict) and page.get("disable"):
            out.append(Unclear(line.number, excerpt, path, f"line {line.number}: the SLO {o['name']!r} pages on "
                               "nothing (page_alert disabled); its slos: entry pages its fast burn to page_tier: "
                               "point page_tier at a tier that notifies no one if it should stay so"))
    return out
