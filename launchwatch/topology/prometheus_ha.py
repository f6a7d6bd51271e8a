"""prometheus-<replica>.yml for each member of a Prometheus HA pair.

Every replica scrapes every exporter shard and evaluates every rule on its own data, so either one
alone keeps alerting. They differ only in the ``replica`` external label, which Prometheus adds to
what leaves it (alerts, remote-written samples) and never to the series its rules read. Alerts drop
it again (``alert_relabel_configs``): the two copies of an alert reach Alertmanager with identical
labels and are one alert there. What the store receives depends on how it deduplicates:

- ``victoriametrics``: the label is dropped from remote-written samples too, so both replicas write
  the same series and the store keeps one sample per scrape interval (``-dedup.minScrapeInterval``);
- ``mimir``: ``cluster`` and ``__replica__`` external labels for its HA tracker, which accepts one
  replica's samples at a time and drops ``__replica__``;
- ``thanos`` / ``prometheus``: ``replica`` stays on the samples; Thanos Query deduplicates with
  ``--query.replica-label=replica``, a plain Prometheus receiver keeps both copies.
"""

from __future__ import annotations

from launchwatch.alerting.prometheus_config import build_prometheus_config
from launchwatch.plan.model import Plan
from launchwatch.topology.model import Topology
from launchwatch.topology.scrape import shard_scrape_configs

__all__ = ["replica_config", "replica_label"]


def replica_label(topology: Topology) -> str:
    """The external label naming the replica: Mimir's HA tracker reads ``__replica__``."""
    return "__replica__" if topology.store is not None and topology.store.kind == "mimir" else "replica"


def replica_config(plans: list[Plan], topology: Topology, replica: str, *, scrape_interval: str,
                   scrape_timeout: str) -> dict[str, object]:
    """The configuration of replica ``replica``: the single-node prometheus.yml, made HA."""
    base = build_prometheus_config(plans, alertmanagers=[a.listen for a in topology.alertmanagers],
                                   scrape_interval=scrape_interval, scrape_timeout=scrape_timeout)
    label = replica_label(topology)
    external = {label: replica}
    if label == "__replica__":
        external = {"cluster": topology.name, **external}
    config: dict[str, object] = {
        "global": {**base["global"], "external_labels": external},  # type: ignore[dict-item]
        "rule_files": base["rule_files"],
        "alerting": {"alert_relabel_configs": [{"action": "labeldrop", "regex": label}],
                     **base["alerting"]},  # type: ignore[dict-item]
    }
    if topology.store is not None:
        remote: dict[str, object] = {"url": topology.store.write}
        if topology.store.kind == "victoriametrics":
            remote["write_relabel_configs"] = [{"action": "labeldrop", "regex": label}]
        config["remote_write"] = [remote]
    config["scrape_configs"] = shard_scrape_configs(plans, topology)
    return config
