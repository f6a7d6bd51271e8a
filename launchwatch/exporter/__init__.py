"""The exporter: fetch a plan's sources on every scrape and serve them as Prometheus metrics."""

from launchwatch.exporter.engine import Engine, ScrapeResult, Shard
from launchwatch.exporter.server import Exporter, serve

__all__ = ["Engine", "Exporter", "ScrapeResult", "Shard", "serve"]
