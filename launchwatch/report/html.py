"""A report as one self-contained HTML page (for a browser or a mail): status, tables, issues, and
the plots embedded as PNG data URIs."""

from __future__ import annotations

import base64
from html import escape

from launchwatch.report.compute import ReportResult
from launchwatch.report.markdown import STATUS_MARKS, target_text, tick
from launchwatch.report.plots import plot_row
from launchwatch.report.text import change, clock, duration

__all__ = ["render_html"]

_STATUS_COLOURS = {"GREEN": "#2e7d32", "YELLOW": "#b28704", "RED": "#c62828"}
_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto;
       color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 4px 8px; text-align: left; font-size: 14px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.status { color: #fff; padding: 8px 14px; border-radius: 6px; display: inline-block; font-weight: bold; }
.ok { color: #2e7d32; } .missed { color: #c62828; } .muted { color: #777; font-size: 12px; }
img { display: block; margin: 0.5em 0; max-width: 100%; }
"""


def _png(data: bytes) -> str:
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(data).decode()}">'


def render_html(result: ReportResult) -> str:
    r, w = result.report, result.window
    e = escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{e(r.title)}</title>",
           f"<style>{_STYLE}</style></head><body>", f"<h1>{e(r.title)}</h1>",
           f"<p><b>Plan:</b> {e(result.plan.title)} ({e(result.plan.plan)})<br>"
           f"<b>Period:</b> {e(w.describe())} ({e(w.name)})"
           + (f"<br><b>From the document:</b> {e(r.section)}" if r.section and not result.derived else "")
           + ("<br><b>Report:</b> derived from the plan's thresholds, SLOs and counters" if result.derived else "")
           + "</p>",
           f'<h2>OVERALL STATUS: <span class="status" style="background:{_STATUS_COLOURS[result.status]}">'
           f"{STATUS_MARKS[result.status]} {result.status}</span></h2><ul>"]
    out += [f"<li>{STATUS_MARKS[x.status]} {e(x.text)}</li>" for x in result.reasons] or [
        "<li>no alert fired, every figure met its target</li>"]
    out.append("</ul>")
    for title, rows in result.sections:
        out.append(f"<h2>{e(title)}</h2><table><tr><th></th><th>Value</th><th>Target</th><th></th>")
        if result.previous is not None:
            out.append(f"<th>Previous {e(w.unit)}</th><th>Change</th>")
        out.append("</tr>")
        for row in rows:
            css = {True: "ok", False: "missed"}.get(row.met, "")
            note = f' <span class="muted">{e(row.note)}</span>' if row.note else ""
            out.append(f"<tr><td>{e(row.label)}{note}</td><td class=\"num\">{e(row.shown(row.value))}"
                       f"</td><td>{e(target_text(row))}</td><td class=\"{css}\">{tick(row)}</td>")
            if result.previous is not None:
                out.append(f'<td class="num">{e(row.shown(row.previous))}</td>'
                           f"<td class=\"num\">{e(change(row.value, row.previous, row.unit))}</td>")
            out.append("</tr>")
        out.append("</table>")
        out += [_png(plot_row(result.plan, row, w)) for row in rows if row.series]
    if r.issues:
        out.append("<h2>ISSUES IDENTIFIED</h2>")
        if result.issues:
            out.append("<table><tr><th>Alert</th><th>Tier</th><th>Severity</th><th>Start</th><th>End</th>"
                       "<th>Duration</th></tr>")
            for i in result.issues:
                what = i.alert + (" " + ",".join(f"{k}={v}" for k, v in i.labels.items()) if i.labels else "")
                summary = f'<br><span class="muted">{e(i.summary)}</span>' if i.summary else ""
                end = "still firing" if i.ongoing else clock(i.end)
                out.append(f"<tr><td>{e(what)}{summary}</td><td>{e(i.tier)}</td><td>{e(i.severity)}</td>"
                           f"<td>{clock(i.start)}</td><td>{end}</td><td>{duration(i.duration)}</td></tr>")
            out.append("</table>")
        else:
            out.append("<p>No alert fired in the period.</p>")
    out.append(f'<p class="muted">Generated {clock(result.generated_at)} UTC by launchwatch from Prometheus.</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
