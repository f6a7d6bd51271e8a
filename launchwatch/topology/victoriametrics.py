"""The VictoriaMetrics flavour's files: vmagent's scrape configuration and vmalert's rule files.

vmagent reads Prometheus' ``scrape_configs`` as they are: the same shard jobs the Prometheus replicas
scrape. vmalert reads Prometheus rule files, except for fields it does not know: vmalert 1.79 rejects a
rule with ``keep_firing_for`` ("unknown fields in rule"). Its rule files are therefore the plan's rules
with that field translated:

- an alert with escalation stages loses ``keep_firing_for`` (the bridge over lulls of ``LULL_BRIDGE``):
  during a lull it resolves and, when the value comes back, fires again, a second notification;
- its escalation stages read the base alert's firing over the last ``LULL_BRIDGE``
  (``max_over_time``), so they still measure how long the incident has lasted, not how long the value
  stayed past the line: the part ``keep_firing_for`` was there for.
"""

from __future__ import annotations

from launchwatch.alerting.rules import LULL_BRIDGE, build_rules, escalation_expr
from launchwatch.expressions import TimeScale
from launchwatch.plan.model import Plan
from launchwatch.topology.model import Topology
from launchwatch.topology.scrape import shard_scrape_configs

__all__ = ["UNSUPPORTED_BY_VMALERT", "vmagent_scrape_config", "vmalert_groups"]

UNSUPPORTED_BY_VMALERT = ("keep_firing_for",)  # rule fields vmalert 1.79 refuses


def vmagent_scrape_config(plans: list[Plan], topology: Topology, *, scrape_interval: str,
                          scrape_timeout: str) -> dict[str, object]:
    """``-promscrape.config`` of every vmagent: the cluster flags decide which member scrapes which shard."""
    return {"global": {"scrape_interval": scrape_interval, "scrape_timeout": scrape_timeout},
            "scrape_configs": shard_scrape_configs(plans, topology)}


def vmalert_groups(plan: Plan, phase: str | None, scale: TimeScale) -> list[dict[str, object]]:
    """The plan's rule groups for ``phase`` as vmalert 1.79 loads them (see the module docstring)."""
    rules = build_rules(plan, phase, scale)
    for alert in rules.alerts:
        for name in UNSUPPORTED_BY_VMALERT:
            alert.rule.pop(name, None)
    for stage in rules.escalations:
        assert stage.threshold is not None
        stage.rule["expr"] = escalation_expr(plan, stage.threshold, scale(LULL_BRIDGE))
    return rules.groups(plan)
