"""launchwatch's own metrics: names and help in one place, read by the exporter, alerts and dashboards."""

from __future__ import annotations

import platform
from collections.abc import Iterable

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from launchwatch import __version__
from launchwatch.exporter.engine import Recorder, ScrapeResult
from launchwatch.selfmetric_names import (
    BUILD_INFO,
    CONFIG_RELOAD_SUCCESSFUL,
    CONFIG_RELOAD_TIMESTAMP,
    PROBE_CHECK_SUCCESS,
    PROBE_HTTP_STATUS_CODE,
    PROBE_SUCCESS,
    PROBE_TLS_NOT_AFTER,
    TARGET_MISSING_VALUES,
    TARGET_SCRAPE_DURATION,
    TARGET_SCRAPE_ERRORS,
    TARGET_UP,
)

__all__ = ["self_families"]



def self_families(plan_name: str, results: Iterable[ScrapeResult], recorder: Recorder, *,
                  reload_ok: bool, reload_timestamp: float) -> list[Metric]:
    """Per-target health, probe results, error counters, reload state and build info."""
    up = GaugeMetricFamily(TARGET_UP, "1 if the target was fetched and its JSON matched the plan, else 0.",
                           labels=["target"])
    duration = GaugeMetricFamily(TARGET_SCRAPE_DURATION, "Seconds the target's fetch and extraction took.",
                                 labels=["target"])
    probe = GaugeMetricFamily(PROBE_SUCCESS, "1 if the target's probe passed every check, else 0.",
                              labels=["target"])
    status = GaugeMetricFamily(PROBE_HTTP_STATUS_CODE, "HTTP status code of the probed response.",
                               labels=["target"])
    checks = GaugeMetricFamily(PROBE_CHECK_SUCCESS, "1 if one probe check passed (max_duration, body_regex "
                               "or a named JSON assertion), else 0.", labels=["target", "check"])
    tls = GaugeMetricFamily(PROBE_TLS_NOT_AFTER, "Expiry of the probed server's TLS certificate, Unix seconds.",
                            labels=["target"])
    for r in results:
        up.add_metric([r.target], 1.0 if r.ok else 0.0)
        duration.add_metric([r.target], r.duration)
        if r.probe is not None:
            probe.add_metric([r.target], 1.0 if r.ok and r.probe.success else 0.0)
            if r.status_code is not None:
                status.add_metric([r.target], float(r.status_code))
            for check, passed in sorted(r.probe.checks.items()):
                checks.add_metric([r.target, check], 1.0 if passed else 0.0)
            if r.tls_not_after is not None:
                tls.add_metric([r.target], r.tls_not_after)
    errors = CounterMetricFamily(TARGET_SCRAPE_ERRORS, "Failed fetches of a target, by reason.",
                                 labels=["target", "reason"])
    missing = CounterMetricFamily(TARGET_MISSING_VALUES, "Metric values that were null or absent in the "
                                  "target's JSON (no sample exported).", labels=["target", "metric"])
    for (target, reason), n in sorted(recorder.errors.items()):
        errors.add_metric([target, reason], float(n))
    for (target, metric), n in sorted(recorder.missing.items()):
        missing.add_metric([target, metric], float(n))
    reload = GaugeMetricFamily(CONFIG_RELOAD_SUCCESSFUL, "1 if the last plan (re)load succeeded, else 0.",
                               value=1.0 if reload_ok else 0.0)
    reload_ts = GaugeMetricFamily(CONFIG_RELOAD_TIMESTAMP, "Unix time of the last successful plan load.",
                                  value=reload_timestamp)
    build = GaugeMetricFamily(BUILD_INFO, "launchwatch version and the plan it runs, value 1.",
                              labels=["version", "python_version", "plan"])
    build.add_metric([__version__, platform.python_version(), plan_name], 1.0)
    return [up, duration, errors, missing, probe, status, checks, tls, reload, reload_ts, build]
