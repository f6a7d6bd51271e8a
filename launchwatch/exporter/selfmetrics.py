"""launchwatch's own metrics: names and help in one place, read by the exporter, alerts and dashboards."""

from __future__ import annotations

import platform
from collections.abc import Iterable

from launchwatch import __version__
from launchwatch.exporter.engine import Recorder, ScrapeResult
from launchwatch.exporter.exposition import Family
from launchwatch.selfmetric_names import (
    BUILD_INFO,
    CONFIG_RELOAD_SUCCESSFUL,
    CONFIG_RELOAD_TIMESTAMP,
    PROBE_CHECK_SUCCESS,
    PROBE_HTTP_STATUS_CODE,
    PROBE_SUCCESS,
    PROBE_TLS_NOT_AFTER,
    SELF_METRIC_LABELS,
    TARGET_MISSING_VALUES,
    TARGET_SCRAPE_DURATION,
    TARGET_SCRAPE_ERRORS,
    TARGET_UP,
)

__all__ = ["self_families"]



def self_families(plan_name: str, results: Iterable[ScrapeResult], recorder: Recorder, *,
                  reload_ok: bool, reload_timestamp: float) -> list[Family]:
    """Per-target health, probe results, error counters, reload state and build info."""
    up = _new(TARGET_UP, "gauge", "1 if the target was fetched and its JSON matched the plan, else 0.")
    duration = _new(TARGET_SCRAPE_DURATION, "gauge", "Seconds the target's fetch and extraction took.")
    probe = _new(PROBE_SUCCESS, "gauge", "1 if the target's probe passed every check, else 0.")
    status = _new(PROBE_HTTP_STATUS_CODE, "gauge", "HTTP status code of the probed response.")
    checks = _new(PROBE_CHECK_SUCCESS, "gauge", "1 if one probe check passed (max_duration, body_regex "
                  "or a named JSON assertion), else 0.")
    tls = _new(PROBE_TLS_NOT_AFTER, "gauge", "Expiry of the probed server's TLS certificate, Unix seconds.")
    for r in results:
        target = (r.target,)
        up.samples.append((target, 1.0 if r.ok else 0.0))
        duration.samples.append((target, r.duration))
        if r.probe is not None:
            probe.samples.append((target, 1.0 if r.ok and r.probe.success else 0.0))
            if r.status_code is not None:
                status.samples.append((target, float(r.status_code)))
            for check, passed in sorted(r.probe.checks.items()):
                checks.samples.append(((r.target, check), 1.0 if passed else 0.0))
            if r.tls_not_after is not None:
                tls.samples.append((target, r.tls_not_after))
    errors = _new(TARGET_SCRAPE_ERRORS, "counter", "Failed fetches of a target, by reason (and the metric "
                  "whose mapping failed, for invalid values).")
    missing = _new(TARGET_MISSING_VALUES, "counter", "Metric values that were null or absent in the "
                   "target's JSON (no sample exported).")
    errors.samples.extend((key, float(n)) for key, n in sorted(recorder.errors.items()))
    missing.samples.extend((key, float(n)) for key, n in sorted(recorder.missing.items()))
    reload = _new(CONFIG_RELOAD_SUCCESSFUL, "gauge", "1 if the last plan (re)load succeeded, else 0.")
    reload.add((), 1.0 if reload_ok else 0.0)
    reload_ts = _new(CONFIG_RELOAD_TIMESTAMP, "gauge", "Unix time of the last successful plan load.")
    reload_ts.add((), reload_timestamp)
    build = _new(BUILD_INFO, "gauge", "launchwatch version and the plan it runs, value 1.")
    build.add((__version__, platform.python_version(), plan_name), 1.0)
    return [up, duration, errors, missing, probe, status, checks, tls, reload, reload_ts, build]


def _new(name: str, kind: str, help_text: str) -> Family:
    return Family(name, kind, help_text, SELF_METRIC_LABELS[name])
