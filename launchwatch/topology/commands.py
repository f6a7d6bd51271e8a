"""Every process of a topology with its command line: vmagent and vmalert are configured by flags, so
the flags are generated output too, as reviewable as the files they read.

Programs are named as their packages install them (``prometheus``, ``alertmanager`` —
``prometheus-alertmanager`` on Debian —, ``victoria-metrics``, ``vmagent``, ``vmalert``, ``launchwatch``);
paths are relative to the generated directory, which each process runs in; ``data/`` holds their state.
"""

from __future__ import annotations

from dataclasses import dataclass

from launchwatch.plan.model import Plan
from launchwatch.topology.model import Topology
from launchwatch.topology.scrape import shard_of

__all__ = ["Process", "processes"]


@dataclass(frozen=True)
class Process:
    """One process to run: ``role`` groups the members of one kind (exporter, prometheus, vmagent, …)."""

    name: str
    role: str
    listen: str
    argv: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "listen": self.listen, "argv": self.argv}


def processes(plans: list[Plan], topology: Topology, *, scrape_interval: str) -> list[Process]:
    """The processes in start order: exporters, store, Alertmanagers, then the scrapers and evaluators."""
    out = [*_exporters(plans, topology), *_store(topology, scrape_interval), *_alertmanagers(topology)]
    if topology.flavour == "prometheus":
        out += [Process(f"prometheus-{replica}", "prometheus", listen, [
            "prometheus", f"--config.file=prometheus/prometheus-{replica}.yml",
            f"--storage.tsdb.path=data/prometheus-{replica}", f"--web.listen-address={listen}"])
            for replica, listen in topology.prometheus.items()]
    else:
        out += _vmagents(topology) + _vmalerts(topology, scrape_interval)
    return out


def _exporters(plans: list[Plan], topology: Topology) -> list[Process]:
    out = []
    for plan in plans:
        shards = topology.exporters[plan.plan]
        for i, listen in enumerate(shards.shards):
            shard = shard_of(i, len(shards.shards))
            out.append(Process(f"exporter-{plan.plan}-{i}", "exporter", listen, [
                "launchwatch", "run", "--config", shards.config or f"{plan.plan}.yml", "--shard", shard,
                "--listen", listen]))
    return out


def _store(topology: Topology, scrape_interval: str) -> list[Process]:
    store = topology.store
    if store is None or store.listen is None:
        return []
    argv = ["victoria-metrics", f"-httpListenAddr={store.listen}", "-storageDataPath=data/victoria-metrics"]
    if topology.dedup_needed:  # every sample arrives more than once: keep one per scrape interval
        argv.append(f"-dedup.minScrapeInterval={scrape_interval}")
    return [Process("victoria-metrics", "store", store.listen, argv)]


def _alertmanagers(topology: Topology) -> list[Process]:
    out = []
    for i, am in enumerate(topology.alertmanagers):
        argv = ["alertmanager", "--config.file=alertmanager/alertmanager.yml", f"--storage.path=data/alertmanager-{i}",
                f"--web.listen-address={am.listen}", f"--cluster.listen-address={am.cluster or ''}"]
        argv += [f"--cluster.peer={other.cluster}" for other in topology.alertmanagers if other is not am]
        out.append(Process(f"alertmanager-{i}", "alertmanager", am.listen, argv))
    return out


def _vmagents(topology: Topology) -> list[Process]:
    assert topology.store is not None
    count = len(topology.vmagents)
    out = []
    for i, listen in enumerate(topology.vmagents):
        argv = ["vmagent", "-promscrape.config=vmagent/scrape.yml", f"-remoteWrite.url={topology.store.write}",
                f"-remoteWrite.tmpDataPath=data/vmagent-{i}", f"-httpListenAddr={listen}"]
        if count > 1:
            argv += [f"-promscrape.cluster.membersCount={count}", f"-promscrape.cluster.memberNum={i}",
                     f"-promscrape.cluster.replicationFactor={topology.replication_factor}"]
        out.append(Process(f"vmagent-{i}", "vmagent", listen, argv))
    return out


def _vmalerts(topology: Topology, scrape_interval: str) -> list[Process]:
    store = topology.store
    assert store is not None and store.read is not None
    out = []
    for i, listen in enumerate(topology.vmalerts):
        argv = ["vmalert", "-rule=vmalert/rules/*.yml", f"-datasource.url={store.read}",
                f"-remoteWrite.url={store.write}", "-remoteWrite.disablePathAppend", f"-remoteRead.url={store.read}",
                *(f"-notifier.url=http://{am.listen}" for am in topology.alertmanagers),
                f"-evaluationInterval={scrape_interval}", f"-httpListenAddr={listen}"]
        out.append(Process(f"vmalert-{i}", "vmalert", listen, argv))
    return out
