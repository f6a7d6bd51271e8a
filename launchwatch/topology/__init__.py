"""Beyond one machine: the configuration of a scaled deployment (sharded exporters, a Prometheus HA pair
or a vmagent cluster with vmalert, an Alertmanager cluster, a long-term store) from the same plans."""

from launchwatch.topology.files import SINGLE_NODE_FILES, TopologyError, check_plans, topology_files
from launchwatch.topology.model import Topology, load_topology

__all__ = ["SINGLE_NODE_FILES", "Topology", "TopologyError", "check_plans", "load_topology", "topology_files"]
