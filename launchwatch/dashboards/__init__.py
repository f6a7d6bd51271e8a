"""Grafana dashboards (grafanalib) generated from a plan."""
