"""A report as Markdown (files, chat) and as JSON (machines): the same figures, the same order."""

from __future__ import annotations

import json
from typing import Any

from launchwatch.report.compute import ReportResult, RowResult
from launchwatch.report.text import change, clock, describe_value, duration, span

__all__ = ["STATUS_MARKS", "render_json", "render_markdown", "target_text", "tick"]

STATUS_MARKS = {"GREEN": "🟢", "YELLOW": "🟡", "RED": "🔴"}


def target_text(row: RowResult) -> str:
    return f"{row.target.op} {describe_value(row.target.value, row.unit)}" if row.target else ""


def tick(row: RowResult) -> str:
    """✔ met, ✘ missed, … not yet (a goal for a window still running), ? no data; empty without a target."""
    if row.met is None and row.pending and row.value is not None:
        return "…"
    return {True: "✔", False: "✘", None: "?" if row.target else ""}[row.met]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: ReportResult) -> str:
    r, w = result.report, result.window
    unit = w.unit
    lines = [f"# {r.title}", ""]
    lines.append(f"**Plan:** {result.plan.title} (`{result.plan.plan}`)  ")
    lines.append(f"**Period:** {w.describe()} ({w.name})  ")
    if result.derived:
        lines.append("**Report:** derived from the plan's thresholds, SLOs and counters (the plan has no `reports:`)  ")
    elif r.section:
        lines.append(f"**From the document:** {r.section}  ")
    lines += ["", f"## OVERALL STATUS: {STATUS_MARKS[result.status]} {result.status}", ""]
    if result.reasons:
        lines += [f"- {STATUS_MARKS[reason.status]} {_cell(reason.text)}" for reason in result.reasons]
    else:
        lines.append("- no alert fired, every figure met its target")
    lines.append("")
    for title, rows in result.sections:
        lines += [f"## {title}", ""]
        head = ["", "Value", "Target", ""]
        if result.previous is not None:
            head += [f"Previous {unit}", "Change"]
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in rows:
            cells = [row.label + (f" ({row.note})" if row.note else ""), row.shown(row.value),
                     target_text(row), tick(row)]
            if result.previous is not None:
                cells += [row.shown(row.previous), change(row.value, row.previous, row.unit)]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    if r.issues:
        lines += ["## ISSUES IDENTIFIED", ""]
        if result.issues:
            lines += ["| Alert | Tier | Severity | Start | End | Duration |", "|---|---|---|---|---|---|"]
            for i in result.issues:
                what = i.alert + (" " + ",".join(f"{k}={v}" for k, v in i.labels.items()) if i.labels else "")
                end = "still firing" if i.ongoing else clock(i.end)
                lines.append(f"| {_cell(what)} | {_cell(i.tier)} | {i.severity} | {clock(i.start)} | {end} | "
                             f"{duration(i.duration)} |")
        else:
            lines.append("No alert fired in the period.")
        lines.append("")
    lines.append(f"_Generated {clock(result.generated_at)} UTC by launchwatch from Prometheus._")
    return "\n".join(lines) + "\n"


def _row_json(row: RowResult) -> dict[str, Any]:
    return {"label": row.label, "value": row.value, "unit": row.unit, "aggregation": row.aggregation,
            "shown": row.shown(row.value), "previous": row.previous,
            "change": change(row.value, row.previous, row.unit) if row.previous is not None else None,
            "target": {"op": row.target.op, "value": row.target.value} if row.target else None, "met": row.met,
            "crossed": [t.alert for t in row.crossed], "note": row.note, "error": row.error}


def render_json(result: ReportResult) -> str:
    w = result.window
    doc = {
        "plan": result.plan.plan, "report": result.report.name, "title": result.report.title,
        "derived": result.derived,
        "period": {"name": w.name, "start": w.start, "end": w.end, "in_progress": w.in_progress},
        "previous": {"start": result.previous.start, "end": result.previous.end} if result.previous else None,
        "status": result.status,
        "reasons": [{"status": r.status, "text": r.text} for r in result.reasons],
        "sections": [{"title": t, "rows": [_row_json(r) for r in rows]} for t, rows in result.sections],
        "issues": [{"alert": i.alert, "tier": i.tier, "severity": i.severity, "start": i.start, "end": i.end,
                    "duration": i.duration, "ongoing": i.ongoing, "earlier": i.earlier, "labels": i.labels,
                    "text": span(i)} for i in result.issues],
        "generated_at": result.generated_at,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
