"""The landing page at ``/``: the plan, its sources and how each fared last time."""

from __future__ import annotations

import html
import time
from collections.abc import Iterable
from typing import Any

from launchwatch import __version__
from launchwatch.exporter.engine import ScrapeResult, Target
from launchwatch.plan.units import format_duration

__all__ = ["landing_page"]


def landing_page(plan_title: str, plan_name: str, targets: Iterable[tuple[Target, ScrapeResult | None]],
                 reload_error: str | None, journeys: Iterable[Any] = ()) -> bytes:
    """HTML naming the plan and each source's last status, and each journey's last run (which step
    broke and why); URLs are shown without credentials, journeys' secrets masked."""
    rows = []
    now = time.monotonic()
    for target, last in targets:
        if last is None:
            state, detail = "not scraped yet", ""
        elif last.ok:
            state, detail = "up", f"HTTP {last.status_code}, {last.duration * 1000:.0f} ms"
            if last.failed:  # isolation: metric
                detail += "; mappings dropped: " + ", ".join(f"{metric} ({reason})" for reason, metric in last.failed)
        else:
            state, detail = f"down ({last.reason})", last.error or ""
        age = f"{now - last.finished_at:.0f} s ago" if last else ""
        rows.append(
            f"<tr><td>{_e(target.source.name)}</td><td>{_e(target.fetcher.safe_url)}</td>"
            f"<td class='{'up' if last and last.ok else 'down'}'>{_e(state)}</td><td>{_e(detail)}</td>"
            f"<td>{_e(age)}</td></tr>"
        )
    warning = f"<p class='down'>Last reload failed, still serving the previous plan: {_e(reload_error)}</p>" \
        if reload_error else ""
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>launchwatch: {_e(plan_name)}</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.2em .8em;text-align:left}}
.up{{color:#1a7f37}}.down{{color:#cf222e}}</style></head>
<body><h1>launchwatch — {_e(plan_title)}</h1>
<p>Plan <code>{_e(plan_name)}</code>, launchwatch {__version__}.
<a href="/metrics">Metrics</a> · <a href="/-/healthy">Healthy</a> · <a href="/-/ready">Ready</a></p>
{warning}
<table><tr><th>Source</th><th>URL</th><th>Last status</th><th>Detail</th><th>When</th></tr>
{''.join(rows)}
</table>
{_journeys(journeys)}</body></html>
"""
    return page.encode("utf-8")


def _journeys(journeys: Iterable[Any]) -> str:
    """A table of the journeys (``launchwatch.exporter.journeys``): last run, the step that broke and why."""
    rows = []
    now = time.time()
    for state in journeys:
        journey, last = state.journey, state.last
        if last is None:
            status, detail, when = "not run yet", f"runs at most every {format_duration(journey.interval)}", ""
        else:
            status = "passed" if last.ok else f"failed at step {last.failed.name} ({last.failed.reason})"
            detail = last.failed.error if last.failed else ", ".join(
                f"{s.name} {s.duration * 1000:.0f} ms" for s in last.steps if s.ok is not None and not s.cleanup)
            broken = [s for s in last.steps if s.cleanup and s.ok is False]
            if broken:
                detail += "; cleanup " + ", ".join(f"{s.name} failed ({s.reason}: {s.error})" for s in broken)
            when = f"{now - last.finished:.0f} s ago (every {format_duration(journey.interval)})"
        ok = last is not None and last.ok
        rows.append(f"<tr><td>{_e(journey.name)}</td><td class='{'up' if ok else 'down'}'>{_e(status)}</td>"
                    f"<td>{_e(detail)}</td><td>{_e(when)}</td></tr>")
    if not rows:
        return ""
    return ("<h2>Journeys</h2>\n<table><tr><th>Journey</th><th>Last run</th><th>Detail</th><th>When</th></tr>\n"
            + "".join(rows) + "\n</table>\n")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
