"""The exporter: fetch a plan's sources on every scrape and serve them as Prometheus metrics.

The names below are imported on first use (PEP 562): the serving process
(``launchwatch.exporter.process``) imports only what serving needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from launchwatch.exporter.engine import Engine, ScrapeResult, Shard
    from launchwatch.exporter.server import Exporter, serve

__all__ = ["Engine", "Exporter", "ScrapeResult", "Shard", "serve"]

_WHERE = {"Engine": "engine", "ScrapeResult": "engine", "Shard": "engine", "Exporter": "server", "serve": "server"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
