"""Scrape jobs for sharded exporters: one job per plan (the job its rules select), one target per shard.

Shared by the Prometheus replicas and the vmagent cluster, so both scrape exactly the same targets
with the same labels. Each target carries ``shard="i/n"``, the ``--shard`` it runs: a dead shard's
``up == 0`` says which sources went blind.
"""

from __future__ import annotations

from launchwatch.plan.model import Plan
from launchwatch.topology.model import Topology

__all__ = ["SHARD_LABEL", "shard_of", "shard_scrape_configs"]

SHARD_LABEL = "shard"


def shard_of(index: int, count: int) -> str:
    """The ``--shard`` argument (and ``shard`` label value) of shard ``index`` of ``count``."""
    return f"{index}/{count}"


def shard_scrape_configs(plans: list[Plan], topology: Topology) -> list[dict[str, object]]:
    """A scrape job per plan with every shard of its exporter as a target."""
    out: list[dict[str, object]] = []
    for plan in plans:
        shards = topology.exporters[plan.plan].shards
        out.append({"job_name": plan.job_name, "static_configs": [
            {"targets": [address], "labels": {SHARD_LABEL: shard_of(i, len(shards))}}
            for i, address in enumerate(shards)]})
    return out
