"""Names and labels of launchwatch's own metrics: the exporter writes them, plans and rules read them."""

from __future__ import annotations

__all__ = [
    "BUILD_INFO",
    "CONFIG_RELOAD_SUCCESSFUL",
    "CONFIG_RELOAD_TIMESTAMP",
    "JOURNEY_AGE",
    "JOURNEY_DURATION",
    "JOURNEY_FAILURES",
    "JOURNEY_LAST_RUN",
    "JOURNEY_RUNS",
    "JOURNEY_STEP_DURATION",
    "JOURNEY_STEP_SUCCESS",
    "JOURNEY_SUCCESS",
    "PROBE_CHECK_SUCCESS",
    "PROBE_HTTP_STATUS_CODE",
    "PROBE_SUCCESS",
    "PROBE_TLS_NOT_AFTER",
    "SELF_METRIC_LABELS",
    "TARGET_MISSING_VALUES",
    "TARGET_SCRAPE_DURATION",
    "TARGET_SCRAPE_ERRORS",
    "TARGET_UP",
]

TARGET_UP = "launchwatch_target_up"
TARGET_SCRAPE_DURATION = "launchwatch_target_scrape_duration_seconds"
TARGET_SCRAPE_ERRORS = "launchwatch_target_scrape_errors_total"
TARGET_MISSING_VALUES = "launchwatch_target_missing_values_total"
PROBE_SUCCESS = "launchwatch_probe_success"
PROBE_HTTP_STATUS_CODE = "launchwatch_probe_http_status_code"
PROBE_CHECK_SUCCESS = "launchwatch_probe_check_success"
PROBE_TLS_NOT_AFTER = "launchwatch_probe_tls_cert_not_after_timestamp_seconds"
CONFIG_RELOAD_SUCCESSFUL = "launchwatch_config_last_reload_successful"
CONFIG_RELOAD_TIMESTAMP = "launchwatch_config_last_reload_success_timestamp_seconds"
BUILD_INFO = "launchwatch_build_info"
# synthetic user journeys (launchwatch.exporter.journeys): the last run's outcome, served until the next
JOURNEY_SUCCESS = "launchwatch_journey_success"
JOURNEY_DURATION = "launchwatch_journey_duration_seconds"
JOURNEY_STEP_SUCCESS = "launchwatch_journey_step_success"
JOURNEY_STEP_DURATION = "launchwatch_journey_step_duration_seconds"
JOURNEY_FAILURES = "launchwatch_journey_failures_total"
JOURNEY_RUNS = "launchwatch_journey_runs_total"
JOURNEY_LAST_RUN = "launchwatch_journey_last_run_timestamp_seconds"
JOURNEY_AGE = "launchwatch_journey_age_seconds"

# metric name -> label names, so a plan's thresholds can be checked against them
SELF_METRIC_LABELS: dict[str, tuple[str, ...]] = {
    TARGET_UP: ("target",),
    TARGET_SCRAPE_DURATION: ("target",),
    TARGET_SCRAPE_ERRORS: ("target", "reason", "metric"),  # metric: the mapping that failed, "" for a fetch
    TARGET_MISSING_VALUES: ("target", "metric"),
    PROBE_SUCCESS: ("target",),
    PROBE_HTTP_STATUS_CODE: ("target",),
    PROBE_CHECK_SUCCESS: ("target", "check"),
    PROBE_TLS_NOT_AFTER: ("target",),
    CONFIG_RELOAD_SUCCESSFUL: (),
    CONFIG_RELOAD_TIMESTAMP: (),
    BUILD_INFO: ("version", "python_version", "plan"),
    JOURNEY_SUCCESS: ("journey",),
    JOURNEY_DURATION: ("journey",),
    JOURNEY_STEP_SUCCESS: ("journey", "step"),
    JOURNEY_STEP_DURATION: ("journey", "step"),
    JOURNEY_FAILURES: ("journey", "step", "reason"),  # reason: launchwatch.exporter.fetch.REASONS
    JOURNEY_RUNS: ("journey",),
    JOURNEY_LAST_RUN: ("journey",),
    JOURNEY_AGE: ("journey",),
}
