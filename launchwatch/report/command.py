"""What ``launchwatch report`` does, apart from parsing its options: pick the report and the period,
compute it from Prometheus, write it all at once (never half a file), and hand it to delivery."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from launchwatch.output import write_file
from launchwatch.plan.model import Plan
from launchwatch.prometheus_api import parse_time
from launchwatch.report.compute import ReportError, ReportResult, build_report, report_for, reports_of
from launchwatch.report.markdown import render_json, render_markdown

__all__ = ["FORMATS", "ReportRequest", "make_report", "write_atomically"]

FORMATS = ("markdown", "html", "json")


@dataclass(frozen=True)
class ReportRequest:
    prometheus: str
    report: str | None = None
    period: str | None = None
    end: str = "now"
    launch_at: str | None = None
    format: str = "markdown"


def _time(text: str, what: str) -> float:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise ReportError(f"{what}: {exc}") from None


def make_report(plan: Plan, req: ReportRequest, *, plots: bool) -> ReportResult:
    """The report ``req`` asks for, computed from Prometheus."""
    report = report_for(plan, req.report, req.period)
    _, derived = reports_of(plan)
    launch_at = _time(req.launch_at, "--launch-at") if req.launch_at else None
    return build_report(plan, report, req.prometheus, end=_time(req.end, "--end"), period=req.period,
                        launch_at=launch_at, plots=plots, derived=derived)


def render(result: ReportResult, fmt: str) -> str:
    if fmt == "html":  # matplotlib is imported only for the HTML (half a second of every other run)
        from launchwatch.report.html import render_html

        return render_html(result)
    return {"markdown": render_markdown, "json": render_json}[fmt](result)


def write_atomically(text: str, output: str | None, echo: Callable[[str], None]) -> None:
    """``text`` to ``output`` (renamed into place whole) or to stdout when there is none or it is '-'."""
    if output in (None, "-"):
        sys.stdout.write(text)
        return
    path = Path(str(output))
    write_file(path, text)
    echo(f"wrote {path}")
