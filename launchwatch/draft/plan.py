"""Assembling the draft plan: thresholds, tiers, channels, phases, a TODO source skeleton.

The draft is a valid plan: ``launchwatch check`` accepts it (warning at each TODO) and
``launchwatch generate`` runs on it, so the team can look at the rules and dashboards before
pointing the source at their product.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from launchwatch.alerting.guards import HOLD, PACE_WINDOWS
from launchwatch.draft.channels import document_channels, legend_of, tier_channels
from launchwatch.draft.escalations import find_escalations, incident_thresholds
from launchwatch.draft.hours import hours_in, overnight_hours, routing_hours, tier_hours
from launchwatch.draft.names import alert_name, metric_name, phrase_key
from launchwatch.draft.objectives import PROBE_SOURCE, objective_tiers, slo_entries
from launchwatch.draft.outline import outline
from launchwatch.draft.phases import PHASE_ORDER, phase_in
from launchwatch.draft.shapes import Finding, Unclear, extract
from launchwatch.draft.text import Line, read_lines, split_lines
from launchwatch.draft.tiers import TARGET, action_severity, channel_types, severity_of, tier_aliases, tier_in
from launchwatch.expressions import SHORTEST_RATE_WINDOW
from launchwatch.plan.units import clock_seconds, format_duration

__all__ = ["TODO_URL", "NoThresholds", "draft_from_text", "draft_plan"]

TODO_URL = "http://todo.invalid"
_DEFAULT_FOR = {"alert": 300.0, TARGET: 900.0}
# targets on business and support outcomes (rather than on the system's health) move slowly: 1h
_OUTCOME_RE = re.compile(r"satisf|rating|\brated\b|\bnps\b|csat|churn|conver(?:sion|t)|acquisition|\bcosts?\b|"
                         r"revenue|\bpaid\b|payments?\b|tickets?\b|customers?\b|retention|adoption|"
                         r"\bresolution|\bmtt[rda]\b|\bwithin\b", re.I)


class NoThresholds(Exception):
    """The document states no threshold the drafter can read; ``notes`` are the lines it saw but could not
    turn into one (an error budget's burn, a rule without a number), which the user should still hear of."""

    def __init__(self, notes: list[str]) -> None:
        super().__init__("no thresholds found")
        self.notes = notes


def _plan_name(path: Path) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if not name or not name[0].isalpha():
        name = "draft-" + name if name else "draft"
    return name[:60].strip("-")


def _title(lines: list[Line], fallback: str) -> str:
    for line in lines[:30]:
        if line.raw.lstrip().startswith("|"):  # a table's header (a spreadsheet's) is no title
            break
        if line.text and re.search(r"[A-Za-z]", line.text):
            return line.text.lstrip("#").strip()[:120]
    return fallback


def _section(f: Finding) -> str:
    where = " > ".join(p for p in f.path if p) or "(top)"
    excerpt = f.excerpt if len(f.excerpt) <= 140 else f.excerpt[:137] + "…"
    return f'{where}: "{excerpt}"'


def _summary(f: Finding) -> str:
    words = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below", "==": "equal to",
             "!=": "other than"}
    shown = _shown(f.value, f.kind)
    text = f"{f.phrase} {words[f.op]} {shown}"
    if f.window:
        text += f" in {format_duration(f.window)}"
    return text[:200]


def _shown(value: float, kind: str) -> str:
    if kind == "up":
        return f"{value:g} (its check failing)"
    if kind == "ratio":
        return f"{value * 100:g}%"
    if kind == "duration":
        return f"{value:g}s" if value < 60 and value != int(value) else format_duration(value)
    if kind == "size":
        unit = next((u for u in ("TB", "GB", "MB", "kB") if value >= _DECIMAL[u]), None)
        return f"{value / _DECIMAL[unit]:g} {unit}" if unit else f"{value:g} bytes"
    return f"{value:g}"


_DECIMAL = {"TB": 1e12, "GB": 1e9, "MB": 1e6, "kB": 1e3}


def draft_from_text(content: str, name: str, title: str | None = None) -> tuple[dict[str, Any], int]:
    """The plan dict for a document's text, and how many thresholds it holds."""
    return _draft(split_lines(content), name, title)


def draft_plan(path: str | Path, name: str | None = None) -> tuple[dict[str, Any], int]:
    """Draft a plan from the document at ``path``; raises NoThresholds when it states none.

    >>> plan, n = draft_plan("launch.md")  # doctest: +SKIP
    """
    path = Path(path)
    return _draft(read_lines(path), name or _plan_name(path), None)


_SAME_SIGNAL_IGNORED = {"average", "avg", "mean", "total", "overall", "system", "server", "success", "rate"}


def _words(phrase: str) -> set[str]:
    return set(phrase_key(phrase).split()) - _SAME_SIGNAL_IGNORED


def _one_per_rule(findings: list[Finding]) -> list[Finding]:
    """A rule the document states again outside its own section and its siblings (the same comparison, value, tier
    and duration on a phrase whose words are one's a part of the other's: "Error rate <1%" in an overview
    and in the success criteria) is one threshold; the first keeps the later lines in its excerpt. Within
    one section, sibling rules each keep their own (each rule's "SLA: < 15 min")."""
    kept: list[Finding] = []
    for f in findings:
        words = _words(f.phrase)
        key = (f.op, f.value, f.kind, f.tier, f.for_, f.window, f.drop, f.counter)
        same = next((g for g in kept if (g.op, g.value, g.kind, g.tier, g.for_, g.window, g.drop, g.counter) == key
                     and g.path[:-1] != f.path[:-1] and words and _words(g.phrase)
                     and (words <= _words(g.phrase) or _words(g.phrase) <= words)), None)
        if same is None:
            kept.append(f)
        else:
            same.excerpt += f"; again on line {f.line}"
    return kept


_SUCCESS_WORDS = {"success", "successful", "succeeded", "rate", "ratio"}
_FAILURE_WORDS = {"failure", "failures", "failed", "failing", "fail", "fails", "rate", "ratio"}
_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">="}


def _as_success(findings: list[Finding]) -> list[Finding]:
    """"Video Connection Failures > 20%" where the document also measures the "Video connection success rate":
    one signal, so one metric — the success rate below 80%."""
    def keywords(phrase: str) -> set[str]:
        return set(phrase_key(phrase).split())

    success = {frozenset(keywords(f.phrase) - _SUCCESS_WORDS): f.phrase for f in findings
               if f.kind == "ratio" and not f.drop and keywords(f.phrase) & {"success", "successful"}}
    for f in findings:
        words = keywords(f.phrase)
        same = frozenset(words - _FAILURE_WORDS)
        if f.kind == "ratio" and not f.drop and words & _FAILURE_WORDS - {"rate", "ratio"} and same and same in success:
            note = (f"the document's '{f.phrase}' as the share that succeeds ({success[same]}): "
                    f"{f.op} {f.value:.4g} failing is {_FLIP[f.op]} {1 - f.value:.4g} succeeding")
            f.phrase, f.op, f.value = success[same], _FLIP[f.op], round(1 - f.value, 9)
            f.note = f"{f.note}; {note}" if f.note else note
    return findings


def _draft(lines: list[Line], name: str, title: str | None) -> tuple[dict[str, Any], int]:
    findings, unclear = extract(lines)
    findings = _one_per_rule(_as_success(findings))
    paths = outline(lines)
    # "Between 22:00 and 07:00 only SEV1 pages": hours that route, which no threshold of the line holds
    held = {f.line for f in findings}
    unclear += [Unclear(line.number, line.text, path, f"line {line.number}: hours that decide who is notified "
                        f"({hours}): mark the rules that wait business_hours: true and set the plan's "
                        "business_hours to the hours they may notify in (and its time zone)")
                for line, path in zip(lines, paths, strict=True)
                if line.number not in held and (hours := routing_hours(line.text))]
    escalations = find_escalations(lines, paths)
    # "Critical: page, then escalate to X after 20 minutes": the 20 minutes is the escalation's, no threshold
    after = {(e.line, e.after) for e in escalations}
    findings = [f for f in findings if (f.line, f.value) not in after]
    # "### Critical (P0)": the document's critical rules are P0's, not a second critical tier's
    aliases = tier_aliases([h for path in paths for h in path])
    for f in findings:
        f.tier = aliases.get(f.tier, f.tier)
    for e in escalations:
        e.tiers = list(dict.fromkeys(aliases.get(t, t) for t in e.tiers))
    if not findings and not any(e.tiers for e in escalations) and not any(u.objective for u in unclear):
        raise NoThresholds([u.reason for u in unclear])
    # the phases the thresholds' sections name ("Day 1" over a checklist with no threshold is no phase)
    # (and a table's phase columns, a spreadsheet's too, which has no headings)
    phases_seen = [p for p in PHASE_ORDER
                   if any(f.phase == p or any(phase_in(h) == p for h in f.path) for f in findings)]
    phase_names = phases_seen or ["launch"]

    # one metric per distinct phrase (and unit); reused wherever the phrase comes back
    metrics: dict[tuple[str, str, bool], str] = {}
    used_names: dict[str, tuple[str, str, bool]] = {}
    tiers_order: list[str] = []
    tier_severity: dict[str, str] = {}  # tiers named by an action carry the severity the action implies
    thresholds: list[dict[str, Any]] = []
    plan_hours: dict[str, Any] | None = None  # the first hours a rule is limited to
    # "P2: Slack, business hours only": every P2 rule waits for them
    by_tier_hours = tier_hours(lines, {f.line for f in findings}, aliases)
    taken: set[str] = set()
    seen: dict[tuple[str, str, str], list[Finding]] = {}
    for f in findings:
        counter = f.counter and not f.drop
        # a change ("down 30% day-over-day") is a share of a level that is a count unless it is itself a rate
        kind = ("ratio" if re.search(r"rate|ratio|conversion|share|percent", f.phrase, re.I) else "count") \
            if f.drop else f.kind
        # ("daily bookings drop > 20%": the metric is the bookings, the drop is the rule's)
        level = re.sub(r"\s+(?:drops?|falls?|declines?|decreases?|increases?|rises?|spikes?)$", "", f.phrase,
                       flags=re.I) if f.drop else f.phrase
        key = (phrase_key(level, counted=counter) or "signal", kind, counter)
        if f.metric and not f.drop:
            key = (f.metric, kind, counter)  # the name the document writes is the metric
        if key not in metrics:
            mname = f.metric if f.metric and not f.drop else metric_name(level, kind, counter)
            base, n = mname, 2
            while mname in used_names and used_names[mname] != key:
                mname = re.sub(r"(_total|_seconds|_ratio|_bytes|_bytes_per_second)?$",
                               lambda m, n=n: f"_{n}{m.group(1) or ''}", base, count=1)
                n += 1
            metrics[key] = mname
            used_names[mname] = key
        metric = metrics[key]
        if f.tier not in tiers_order:
            tiers_order.append(f.tier)
            if f.severity:
                tier_severity[f.tier] = f.severity
        phase = f.phase  # (a table's phase column), else the nearest heading that names one
        for h in reversed(f.path) if phase is None else ():
            phase = phase_in(h)
            if phase:
                break
        entry: dict[str, Any] = {
            "alert": alert_name(f.phrase, f.tier, taken, f.name),
            "summary": _summary(f),
            "section": _section(f),
            "tier": f.tier,
            "metric": metric,
        }
        for_ = f.for_
        if f.drop:
            entry["kind"] = "drop"
            window = f.window or 3600.0
            for_ = for_ if for_ is not None else 1800.0
            day = re.search(r"day|daily|24 ?h|\bd/?o/?d\b", f.excerpt, re.I)
            # ("Daily orders drop more than 10% vs last week", "the same day last week": a week back)
            week = re.search(r"\b(?:last|previous|prior) week\b|\bweek[- ]over[- ]week\b|\bw/?o/?w\b|\ba week ago\b|"
                             r"\b7 days ago\b", f.excerpt, re.I)
            entry["window"] = format_duration(window)
            entry["offset"] = "1d" if (day and not week) or window + for_ >= 604800 else "1w"
            if window + for_ >= 86400:
                entry["offset"] = format_duration(window + for_ + 604800)
        elif counter and f.window:
            entry["kind"] = "increase"
            if f.window < SHORTEST_RATE_WINDOW:
                # "Requests per second over 300": increase() over a second holds no two scrapes and never fires;
                # the same pace counted over a minute does
                said = f"{f.value:g} per {format_duration(f.window)}"
                f.value, f.window = round(f.value * SHORTEST_RATE_WINDOW / f.window, 9), SHORTEST_RATE_WINDOW
                f.note = "; ".join(n for n in (f.note, (
                    f"{said} counted over {format_duration(f.window)} ({f.value:g}): increase() needs two scrapes "
                    "in its window")) if n)
            entry["window"] = format_duration(f.window)
        elif f.window:
            entry["window"] = format_duration(f.window)
        entry["op"] = f.op
        entry["value"] = f.value
        if for_ is None:
            # a window holds the wait ("zero orders in 30 min"); a per-minute rate's minute is its unit, no wait
            waits = f.window and f.window >= 300 and not f.drop
            for_ = 0.0 if waits else _DEFAULT_FOR.get(f.tier, _DEFAULT_FOR["alert"])
            human = f.kind == "duration" and f.value >= 60 and (re_response(f) or f.phrase.endswith(" age"))
            if human:
                # a response or resolution time, a queue's age ("older than 45 min"): the value already holds the wait
                for_ = 0.0
            elif f.tier == TARGET and not f.window and _OUTCOME_RE.search(f"{f.phrase} {f.excerpt}"):
                for_ = 3600.0  # an outcome (satisfaction, conversion, support) is judged over the hour
        if for_:
            entry["for"] = format_duration(for_)
        hours = hours_in(f.excerpt)
        night = overnight_hours(f.excerpt) if hours is None else None
        if night:  # "No orders for 30 minutes between 10pm and 2am": not silently watched at every hour
            f.note = "; ".join(n for n in (f.note, (
                f"the document holds this rule to {night}, hours that run past midnight, which a plan's "
                "business_hours (within one day) cannot hold: watched at every hour; review")) if n)
        by_tier = by_tier_hours.get(f.tier) if hours is None else None
        if by_tier is not None:
            hours = by_tier[1]
        within = plan_hours or hours
        if hours is not None and entry.get("kind") == "increase" and f.window and \
                clock_seconds(within["start"]) + f.window >= clock_seconds(within["end"]):
            # "Negative amounts ≤ 10 per day" of a tier held to business hours: a day's count never fits in them
            # (the rule could never fire), so it is watched at every hour, and said
            says = f"{f.tier} (line {by_tier[0]})" if by_tier else "this rule"
            f.note = "; ".join(n for n in (f.note, (
                f"the document holds {says} to business hours, but a {format_duration(f.window)} count does not fit "
                f"between {within['start']} and {within['end']}: watched at every hour; review")) if n)
            hours = None
        if hours is not None:
            entry["business_hours"] = True
            plan_hours = plan_hours or hours
            held = f"{plan_hours['start']}-{plan_hours['end']}" + \
                ("" if plan_hours["location"] == "UTC" else f" {plan_hours['location']}")
            said = f"{hours['start']}-{hours['end']} {hours['location']}"
            other = "" if hours == plan_hours else (
                f"; the document gives {said} here, and a plan holds one business_hours (the first the document "
                "gives): review which")
            utc = " (UTC until you change it)" if plan_hours["location"] == "UTC" else ""
            says = f"the document says of {f.tier} (line {by_tier[0]})" if by_tier else "the document says"
            f.note = "; ".join(n for n in (f.note, (
                f"only in business hours, as {says}: the plan's business_hours ({held}) holds the days, "
                f"hours and time zone{utc}{other}")) if n)
        elif entry.get("kind") == "increase" and f.op in ("<", "<=") and f.value > 1 and f.tier != TARGET and \
                f.window is not None and PACE_WINDOWS * f.window >= (for_ or HOLD):
            # "Bookings per hour < 10" as an alert: a launch's shortfall, not every quiet night's (a goal, TARGET,
            # still fires on a product steadily below it). Only where the pace the guard reads outlasts the hold
            # ("per minute" held 5m: the guard would forget the busy stretch before the rule fires)
            entry["min_expected"] = f.value
            f.note = "; ".join(n for n in (f.note, (
                f"min_expected {f.value:g}: it fires only when the recent pace predicted at least that many, so a "
                "quiet night does not page; drop min_expected to alert whenever it is below")) if n)
        if phase and phases_seen:
            entry["phases"] = [phase]
        entry["source_line"] = f.line
        default = "for: a default; the document gives no duration" if f.for_ is None and for_ else ""
        if f.note or default:
            entry["note"] = "; ".join(n for n in (f.note, default) if n)
        thresholds.append(entry)
        seen.setdefault((metric, f.tier, f.op), []).append(f)

    opened, untiered = incident_thresholds(escalations, taken)
    for t in opened:
        tiers_order += [t["tier"]] if t["tier"] not in tiers_order else []
        metrics.setdefault((t["metric"], "duration", False), t["metric"])
    thresholds, conflicts = _keep_healthy(thresholds + opened)
    notes = _contradictions(seen) + conflicts + untiered
    # "## 🔴 P1 (page immediately)": a tier whose own heading pages is critical, whatever its name's rank
    paged = {tier_in(h) for path in paths for h in path[-1:] if tier_in(h) and action_severity(h) == "critical"}
    legend = legend_of(lines)
    # "### P1 (Critical)": the word says the code's severity
    worded = {code: severity_of(word) for word, code in aliases.items()}
    severities = {t: tier_severity.get(t) or ("critical" if t in paged else worded.get(t) or severity_of(t))
                  for t in tiers_order}
    # "legend: 🔴 page, 🟠 ping #oncall, 🟡 just watch": the document says what each colour means
    severities.update({t: legend[t][0] for t in tiers_order if t in legend and legend[t][0]})
    # an availability objective is an slos: entry, its fast burn paging and its slow burn ticketing a tier
    named_tiers = set(tiers_order)
    page_tier, ticket_tier = objective_tiers(severities)
    slos, unclear = slo_entries(unclear, page_tier, ticket_tier, phases_seen)
    for tier, severity in ((page_tier, "critical"), (ticket_tier, "low")) if slos else ():
        if tier not in severities:
            tiers_order.append(tier)
            severities[tier] = severity
    channels, per_tier = document_channels(lines, paths, findings, severities, aliases)
    tiers = [{"name": t, "severity": severities[t], "channels": tier_channels(t, severities[t], channels, per_tier),
              "description": ("from the document's own words" if t in named_tiers else
                              "added for the SLOs' burn-rate alerts") + "; TODO: review the channels"}
             for t in tiers_order]
    for tier in tiers:
        if tier["channels"] == ["dashboard"] and tier["severity"] in ("critical", "high"):
            # (the document names no channel a page could go to: the draft invents no address)
            tier["description"] = tier["description"].replace(
                "TODO: review the channels", f"TODO: a {tier['severity']} tier on the dashboard only notifies no "
                "one; give it a channel (a pager, a chat room)")
    # an escalation level is told only by its step, never a tier's first channel
    named = {c["name"] for c in channels}
    for step in (s for t in opened for s in t["escalate"]):
        if step["channels"][0] not in named:
            named.add(step["channels"][0])
            channels.insert(-1, {"name": step["channels"][0], "type": "email",
                                 "description": f"escalation level {step['level']!r} named by the document; "
                                                "TODO: its type and address"})
    notes += _unrouted(channels, tiers, opened, lines, paths)
    gauges: dict[str, dict[str, Any]] = {}
    for (_key, kind, counter), mname in metrics.items():
        gauges.setdefault(mname, {"name": mname, "help": f"TODO: what {mname} measures ({kind}).",
                                  "type": "counter" if counter else "gauge",
                                  "path": f"$.TODO.{mname}"})
    plan: dict[str, Any] = {
        "plan": name,
        "title": title or _title(lines, name),
        "description": "Drafted by `launchwatch draft`: review every threshold and fill in the source.",
        "base_url": TODO_URL,
        "sources": ([{"name": "todo", "description": "TODO: the product's endpoint that reports these metrics",
                      "url": f"{TODO_URL}/TODO/metrics", "metrics": list(gauges.values())}] if gauges else []) + ([{
                         "name": PROBE_SOURCE, "description": "TODO: the health endpoint whose success is the "
                                                              "availability the slos: entries judge",
                         "url": f"{TODO_URL}/TODO/health", "probe": {}}] if slos else []),
        "phases": {"names": phase_names, "default": phase_names[0]},
        **({"business_hours": plan_hours} if plan_hours else {}),
        "channels": channels,
        "tiers": tiers,
        "thresholds": thresholds,
        **({"slos": slos} if slos else {}),
        "unexpressible": [_unexpressible(u) for u in unclear] + notes,
    }
    return plan, len(thresholds)


_FIRES = {">": lambda x, v: x > v, ">=": lambda x, v: x >= v, "<": lambda x, v: x < v,
          "<=": lambda x, v: x <= v, "==": lambda x, v: x == v, "!=": lambda x, v: x != v}


def _healthy(judged: list[tuple[str, float]]) -> bool:
    """Whether some value fires none of ``judged`` (generate's scenario tests need one)."""
    points = {0.0, -1.0, 1e15}
    for _, v in judged:
        eps = 1e-6 * max(1.0, abs(v))
        points |= {v, v - eps, v + eps}
    return any(not any(_FIRES[op](x, v) for op, v in judged) for x in points)


def _keep_healthy(thresholds: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """Drop (into the notes) a threshold that would leave its metric no value that fires nothing."""
    kept: list[dict[str, Any]] = []
    notes = []
    for t in thresholds:
        if t.get("kind", "value") == "value":
            judged = [(k["op"], k["value"]) for k in kept
                      if k["metric"] == t["metric"] and k.get("kind", "value") == "value"]
            if not _healthy([*judged, (t["op"], t["value"])]):
                notes.append({"target": f"{t['summary']} ({t['tier']})", "section": t["section"],
                              "reason": f"line {t['source_line']}: contradicts another threshold on "
                                        f"{t['metric']} (together every value would fire); choose one"})
                continue
        kept.append(t)
    return kept, notes


def re_response(f: Finding) -> bool:
    """Whether a duration threshold is a human response / resolution target (no ``for``). A mean time (MTTR,
    "average response") is not a wait that grows: it is judged like any outcome."""
    text = f"{f.excerpt} {f.phrase}"
    return bool(re.search(r"respon|resol|acknowledg|support|within", text, re.I)) and \
        not re.search(r"\bmean\b|\bmtt[rda]\b|\baverage\b|\bavg\b", text, re.I)


def _unrouted(channels: list[dict[str, str]], tiers: list[dict[str, Any]], opened: list[dict[str, Any]],
              lines: list[Line], paths: list[list[str]]) -> list[dict[str, str]]:
    """A channel the document names that no tier goes to ("Business signals go to #growth during office hours"):
    the plan routes by tier, so the user says which rules it is for."""
    used = {c for t in tiers for c in t["channels"]} | {s["channels"][0] for t in opened for s in t["escalate"]}
    out = []
    for c in channels:
        if c["name"] in used or c["type"] == "dashboard":
            continue
        where = c.get("to") or c["name"]
        at = next((i for i, line in enumerate(lines) if where.lower() in line.text.lower() or
                   (not c.get("to") and (c["name"], c["type"]) in channel_types(line.text))), None)
        line, path = (lines[at], paths[at]) if at is not None else (None, [])
        out.append({"target": line.text[:200] if line else where, "section": " > ".join(path) or "(top)",
                    "reason": f"{f'line {line.number}: ' if line else ''}names the channel {where} for no tier the "
                              f"drafter could tell (the plan routes by tier): add {c['name']} to the tiers of the "
                              "rules it is for, or give those rules a tier of their own"})
    return out


def _unexpressible(u: Unclear) -> dict[str, str]:
    where = " > ".join(u.path) or "(top)"
    return {"target": u.target[:200], "section": where, "reason": u.reason}


def _contradictions(seen: dict[tuple[str, str, str], list[Finding]]) -> list[dict[str, str]]:
    """The same signal, tier and comparison with different values in one phase: the user chooses."""
    out = []
    for (metric, tier, op), fs in seen.items():
        by_phase: dict[str | None, list[Finding]] = {}
        for f in fs:
            phase = f.phase or next((phase_in(h) for h in reversed(f.path) if phase_in(h)), None)
            by_phase.setdefault(phase, []).append(f)
        for phase, group in by_phase.items():
            values = sorted({f.value for f in group})
            if len(values) > 1:
                lines = ", ".join(f"line {f.line}: {_shown(f.value, f.kind)}" for f in group)
                out.append({"target": f"{metric} {op} ({tier})", "section": " > ".join(group[0].path) or "(top)",
                            "reason": f"contradiction: different values for one signal and tier"
                                      f"{' in phase ' + phase if phase else ''} ({lines}); keep one"})
    return out
