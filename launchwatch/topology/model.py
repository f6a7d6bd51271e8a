"""The topology file: where each process of a scaled deployment runs, read into one typed model.

A topology says *where* things run; the plans still say *what* is watched. Two flavours:

- ``prometheus``: exporter shards, a Prometheus HA pair (or more replicas) scraping every shard,
  an Alertmanager cluster, and a long-term store the replicas remote-write into;
- ``victoriametrics``: exporter shards, a vmagent cluster splitting the shards between its members,
  VictoriaMetrics storing, vmalert evaluating the plans' rules and notifying the Alertmanager cluster.

>>> load_topology("topology.yml")  # doctest: +SKIP
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from launchwatch.plan.loader import load_model_file

__all__ = ["Address", "AlertmanagerPeer", "ExporterShards", "Store", "Topology", "load_topology"]

_ADDRESS = re.compile(r"(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}")
_LABEL_VALUE = re.compile(r"[A-Za-z0-9_.-]+")


def _address(value: str) -> str:
    if not _ADDRESS.fullmatch(value) or not 0 < int(value.rpartition(":")[2]) < 65536:
        raise ValueError(f"{value!r} is not HOST:PORT")
    return value


def _url(value: str) -> str:
    if not re.match(r"https?://[^/\s]+", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value.rstrip("/")


Address = Annotated[str, AfterValidator(_address)]
Url = Annotated[str, AfterValidator(_url)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExporterShards(_Strict):
    """One plan's exporter instances: the i-th address runs ``launchwatch run --shard i/n``."""

    shards: list[Address] = Field(min_length=1)
    config: str | None = None  # the plan file as each exporter host sees it (default: <plan>.yml)

    @model_validator(mode="after")
    def _distinct(self) -> ExporterShards:
        if len(set(self.shards)) != len(self.shards):
            raise ValueError("each shard needs its own address")
        return self


class AlertmanagerPeer(_Strict):
    """One Alertmanager: ``listen`` receives alerts; ``cluster`` gossips with the other members."""

    listen: Address
    cluster: Address | None = None


class Store(_Strict):
    """Where samples are kept: a single-node VictoriaMetrics run here (``listen``), or an existing store
    reached by URL (Mimir, Thanos Receive, a VictoriaMetrics cluster, a Prometheus remote-write receiver)."""

    kind: Literal["victoriametrics", "mimir", "thanos", "prometheus"] = "victoriametrics"
    listen: Address | None = None
    write_url: Url | None = None  # the remote-write endpoint (…/api/v1/write, …/api/v1/push, …/api/v1/receive)
    read_url: Url | None = None  # the Prometheus query API base (vmalert's -datasource.url)

    @model_validator(mode="after")
    def _where(self) -> Store:
        if self.listen and (self.write_url or self.read_url):
            raise ValueError("give listen (run VictoriaMetrics here) or write_url/read_url (an existing store), "
                             "not both")
        if self.listen and self.kind != "victoriametrics":
            raise ValueError(f"only a VictoriaMetrics store is run here; give write_url for {self.kind}")
        if not self.listen and not self.write_url:
            raise ValueError("needs listen (run VictoriaMetrics here) or write_url")
        return self

    @property
    def write(self) -> str:
        """The remote-write URL."""
        return self.write_url or f"http://{self.listen}/api/v1/write"

    @property
    def read(self) -> str | None:
        """The Prometheus query API base URL, when the store can be queried."""
        return self.read_url or (f"http://{self.listen}" if self.listen else None)


class Topology(_Strict):
    """Where every process of a scaled deployment listens; see docs/scaling.md."""

    flavour: Literal["prometheus", "victoriametrics"]
    name: Annotated[str, Field(pattern=_LABEL_VALUE.pattern)] = "launchwatch"  # cluster label (Mimir, vmagent)
    exporters: dict[str, ExporterShards] = Field(min_length=1)
    alertmanagers: list[AlertmanagerPeer] = Field(min_length=1)
    store: Store | None = None
    # prometheus flavour: replica name → listen address; the name is the `replica` external label
    prometheus: dict[Annotated[str, Field(pattern=_LABEL_VALUE.pattern)], Address] = Field(default_factory=dict)
    # victoriametrics flavour
    vmagents: list[Address] = Field(default_factory=list)
    replication_factor: Annotated[int, Field(ge=1)] = 1
    vmalerts: list[Address] = Field(default_factory=list)

    @model_validator(mode="after")
    def _flavour(self) -> Topology:
        if self.flavour == "prometheus":
            if not self.prometheus:
                raise ValueError("the prometheus flavour needs prometheus: {REPLICA: HOST:PORT, …} (two for HA)")
            if self.vmagents or self.vmalerts:
                raise ValueError("vmagents and vmalerts belong to flavour victoriametrics")
        else:
            if not self.vmagents or not self.vmalerts:
                raise ValueError("the victoriametrics flavour needs vmagents: [HOST:PORT, …] and vmalerts: [HOST:PORT]")
            if self.prometheus:
                raise ValueError("prometheus replicas belong to flavour prometheus")
            if self.store is None or self.store.read is None:
                raise ValueError("the victoriametrics flavour needs a store that vmalert can query "
                                 "(listen, or read_url with write_url)")
            if self.replication_factor > len(self.vmagents):
                raise ValueError(f"replication_factor {self.replication_factor} is more than the "
                                 f"{len(self.vmagents)} vmagents")
        if len(self.alertmanagers) > 1 and not all(a.cluster for a in self.alertmanagers):
            raise ValueError("several Alertmanagers form a cluster: give each its cluster: HOST:PORT")
        return self

    @property
    def dedup_needed(self) -> bool:
        """Whether the store receives every sample more than once (HA replicas, replicated vmagents, several
        vmalerts writing the same recording rules and ALERTS)."""
        return len(self.prometheus) > 1 or self.replication_factor > 1 or len(self.vmalerts) > 1


def load_topology(path: str | Path) -> Topology:
    """Read and validate a topology file; a ``PlanError`` lists each problem as ``file:line: key: problem``."""
    return load_model_file(path, Topology, what="topology")
