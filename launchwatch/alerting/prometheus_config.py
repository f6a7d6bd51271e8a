"""prometheus.yml for the generated rules: scrape the exporter, load the rules, send to Alertmanager."""

from __future__ import annotations

from launchwatch.expressions import SCRAPE_INTERVAL
from launchwatch.plan.model import Plan

__all__ = ["build_prometheus_config"]


def build_prometheus_config(plans: list[Plan], *, exporter: str = "127.0.0.1:9848",
                            alertmanagers: list[str] | None = None, scrape_interval: str = SCRAPE_INTERVAL,
                            scrape_timeout: str = "10s", exporters: dict[str, str] | None = None) -> dict[str, object]:
    """One scrape job per plan (its ``job_name``, which every rule selects on)."""
    exporters = exporters or {}
    return {
        "global": {"scrape_interval": scrape_interval, "scrape_timeout": scrape_timeout,
                   "evaluation_interval": scrape_interval},
        "rule_files": ["rules/*.yml"],
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": alertmanagers or ["127.0.0.1:9093"]}]}]},
        "scrape_configs": [
            {"job_name": plan.job_name, "static_configs": [{"targets": [exporters.get(plan.plan, exporter)]}]}
            for plan in plans
        ],
    }
