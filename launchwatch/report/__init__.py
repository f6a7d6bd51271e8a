"""Launch reports: the documents' daily, weekly, hourly and launch-day reports, from Prometheus.

``build_report`` computes one report (values, comparisons, issues, status with reasons) from
Prometheus' HTTP API; ``render_markdown``, ``render_html`` and ``render_json`` write it.
"""
