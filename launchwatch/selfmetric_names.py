"""Names and labels of launchwatch's own metrics: the exporter writes them, plans and rules read them."""

from __future__ import annotations

__all__ = [
    "BUILD_INFO",
    "CONFIG_RELOAD_SUCCESSFUL",
    "CONFIG_RELOAD_TIMESTAMP",
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
}
