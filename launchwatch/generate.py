"""``launchwatch generate``: every file a plan gives — alert rules and their tests, prometheus.yml,
alertmanager.yml, Grafana dashboards and provisioning — made in memory, then written all at once.

Output is deterministic (same plan, same bytes) so an operator's diff shows only real changes, and
never half-written: nothing is written unless every file was made.
"""

from __future__ import annotations

from pathlib import Path

from launchwatch.alerting.generate import GenerateOptions, alerting_files
from launchwatch.dashboards.build import grafana_files
from launchwatch.output import write_tree
from launchwatch.plan.model import Plan
from launchwatch.topology import SINGLE_NODE_FILES, topology_files

__all__ = ["GenerateOptions", "generate", "generated_files"]


def generated_files(plans: list[Plan], options: GenerateOptions | None = None) -> dict[str, str]:
    """Every generated file (relative path → text); raises ValueError for a phase a plan lacks (TopologyError,
    a ValueError, for a topology that does not fit the plans)."""
    options = options or GenerateOptions()
    files = alerting_files(plans, options)
    if options.dashboards:
        files.update(grafana_files(plans, options.phase))
    if options.topology is not None:
        for rel in SINGLE_NODE_FILES:
            files.pop(rel, None)
        files.update(topology_files(plans, options.topology, options))
    return files


def generate(plans: list[Plan], out: Path, options: GenerateOptions | None = None,
             removed: list[Path] | None = None) -> list[Path]:
    """Write every generated file for ``plans`` under ``out``; returns the paths written. A file an earlier
    run generated and no plan generates now is removed (and appended to ``removed``)."""
    return write_tree(generated_files(plans, options), out, removed)
