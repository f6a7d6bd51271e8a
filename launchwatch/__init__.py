"""launchwatch: turn a product's launch-monitoring plan into running monitoring.

One plan file per product feeds the exporter (``launchwatch.exporter``), the alert
generator (``launchwatch.alerting``) and the dashboards (``launchwatch.dashboards``).
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
