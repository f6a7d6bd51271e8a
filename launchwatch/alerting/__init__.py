"""Alerting: Prometheus rules, their promtool tests and Alertmanager routing, generated from a plan."""
