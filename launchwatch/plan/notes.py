"""What ``check`` says about a valid plan: choices that are allowed but whose effect is easy to miss.

Each note is a key of the plan and a sentence; ``launchwatch check`` prints them as
``note: file:line: key: …`` and still exits 0.
"""

from __future__ import annotations

from launchwatch.expressions import SCRAPE_INTERVAL, SHORTEST_RATE_WINDOW
from launchwatch.plan.model import MetricMapping, Module, Plan, Source
from launchwatch.plan.units import format_duration
from launchwatch.plan.urls import has_credentials

__all__ = ["plan_notes"]

_Key = tuple[str | int, ...]
# The headers launchwatch sends on its own; a plan header of the same name (in any case) replaces it.
DEFAULT_HEADERS = {"accept": "Accept: application/json", "accept-encoding": "Accept-Encoding: gzip, deflate",
                   "user-agent": "User-Agent: launchwatch"}


def plan_notes(plan: Plan) -> list[tuple[_Key, str]]:
    """Notes on the plan's sources and modules, in plan order."""
    out: list[tuple[_Key, str]] = []
    for kind, items in (("sources", plan.sources), ("modules", plan.modules)):
        for i, item in enumerate(items):
            out += _request_notes((kind, i), item)
            own = item.metrics
            if kind == "sources" and isinstance(item, Source) and item.module:
                own = item.metrics[len(plan.module(item.module).metrics):]  # a module's mappings: noted there
                first = len(item.metrics) - len(own)
            else:
                first = 0
            for j, m in enumerate(own, start=first):
                out += _mapping_notes((kind, i, "metrics", j), m, item.isolation)
    return out + _window_notes(plan)


_FUNCTION = {"increase": "increase()", "ratio": "rate()"}  # what a threshold of the kind reads its window with


def _window_notes(plan: Plan) -> list[tuple[_Key, str]]:
    """A count's or a ratio's window too short for Prometheus: increase() and rate() need two scrapes in it, and
    over less they return nothing, so the rule never fires (and never says so)."""
    return [(("thresholds", i, "window"), f"{format_duration(th.window)} holds fewer than two scrapes at the generated "
             f"Prometheus' {SCRAPE_INTERVAL} interval: {_FUNCTION[th.kind]} over it returns nothing and the rule never "
             f"fires; measure over {format_duration(SHORTEST_RATE_WINDOW)} or more and scale the value")
            for i, th in enumerate(plan.thresholds)
            if th.kind in ("increase", "ratio") and th.window is not None and th.window < SHORTEST_RATE_WINDOW]


def _request_notes(key: _Key, item: Source | Module) -> list[tuple[_Key, str]]:
    out = []
    for name in item.headers:
        lower = name.lower()
        if lower in DEFAULT_HEADERS:
            out.append(((*key, "headers", name), f"replaces launchwatch's own {DEFAULT_HEADERS[lower]} (header "
                                                 "names are case-insensitive: one is sent)"))
        if lower == "authorization" and item.auth is not None:
            out.append(((*key, "headers", name), "'auth' wins: this Authorization header is not sent"))
        elif lower == "authorization" and isinstance(item, Source) and has_credentials(item.url):
            out.append(((*key, "headers", name), "the URL's user:password wins: this Authorization header is not "
                                                 "sent"))
    return out


def _mapping_notes(key: _Key, m: MetricMapping, isolation: str) -> list[tuple[_Key, str]]:
    out = []
    if m.value_map and m.value_map_default is None:
        effect = ("drops this metric's samples (isolation: metric)" if isolation == "metric" else
                  "fails the whole source (launchwatch_target_up 0, reason invalid_value)")
        what = "neither listed here nor a number" if m.numeric_strings else "not listed here"
        out.append(((*key, "value_map"), f"a string {what} {effect}; set value_map_default to give other strings "
                                         "a value"))
    if m.timestamp:
        out.append(((*key, "timestamp"), "samples carry the document's time: Prometheus' staleness handling does not "
                                         "apply to them, and samples older than about an hour are refused"))
    return out
