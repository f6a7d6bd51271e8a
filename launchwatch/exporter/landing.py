"""The landing page at ``/``: the plan, its sources and how each fared last time."""

from __future__ import annotations

import html
import time
from collections.abc import Iterable

from launchwatch import __version__
from launchwatch.exporter.engine import ScrapeResult, Target

__all__ = ["landing_page"]


def landing_page(plan_title: str, plan_name: str, targets: Iterable[tuple[Target, ScrapeResult | None]],
                 reload_error: str | None) -> bytes:
    """HTML naming the plan and each source's last status; URLs are shown without credentials."""
    rows = []
    now = time.monotonic()
    for target, last in targets:
        if last is None:
            state, detail = "not scraped yet", ""
        elif last.ok:
            state, detail = "up", f"HTTP {last.status_code}, {last.duration * 1000:.0f} ms"
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
</table></body></html>
"""
    return page.encode("utf-8")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
