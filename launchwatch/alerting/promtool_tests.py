"""``promtool test rules`` cases for every generated alert.

For each rule: one case where the signal sits just past the documented value (it must fire after
the documented duration, and not before it), one where it sits just inside (it must stay silent).
The input series are built from the same threshold the rule came from, so a changed number in
the plan changes rule and test together.
"""

from __future__ import annotations

import math
from collections import defaultdict

from launchwatch.alerting.guards import (
    PACE_WINDOWS,
    in_business_hours,
    is_shortfall,
    min_expected,
    min_volume,
    utc_offsets,
)
from launchwatch.alerting.humanize import humanizer_for, value_template
from launchwatch.alerting.rules import AlertRule, RuleSet
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import BusinessHours, Threshold
from launchwatch.plan.units import format_duration
from launchwatch.selfmetric_names import PROBE_SUCCESS

__all__ = ["INSTANCE", "build_tests", "expected_alert", "fire_and_silent_values", "input_series", "piecewise",
           "round_up", "sample"]

INSTANCE = "launchwatch:9848"
_RATE_UNIT = 1000.0  # denominator growth per step in ratio inputs


def fire_and_silent_values(th: Threshold) -> tuple[float, float]:
    """A value just past the threshold (fires) and one just inside it (silent)."""
    v = th.value
    d = abs(v) * 0.01 if v else 0.01
    if th.kind == "increase":
        d = max(d, 1.0)
    fire, silent = {">": (v + d, v - d), ">=": (v, v - d), "<": (v - d, v + d), "<=": (v, v + d),
                    "==": (v, v + d)}[th.op]
    if th.kind in ("increase", "ratio", "drop") and th.op in (">=", "<="):
        # computed signals carry float error: sit a hair past the boundary rather than on it (a count's hair under
        # half an event: "<= 500" tested at 499.5 printed "500" in Python and "499" from Prometheus' 499.4999…)
        hair = min(d / 10, 0.25) if th.kind == "increase" else d / 10
        fire = v + hair if th.op == ">=" else v - hair
    if th.kind in ("increase", "ratio"):  # counts and ratios of counters are never negative
        fire, silent = max(fire, 0.0), max(silent, 0.0)
    return fire, silent


def build_tests(plan: Plan, rules: RuleSet, rule_file: str) -> dict[int, dict[str, object]]:
    """Test files keyed by their evaluation interval (seconds): long windows get coarser steps."""
    by_step: dict[int, list[dict[str, object]]] = defaultdict(list)
    for alert in [*rules.alerts, *rules.escalations, *rules.monitoring]:
        step, cases = _threshold_cases(plan, alert)
        by_step[step].extend(cases)
    for alert in rules.absent:
        by_step[60].extend(_absent_cases(plan, alert))
    for alert in rules.slo_alerts:
        by_step[60].extend(_slo_cases(plan, alert))
    order = {"group_eval_order": [str(g["name"]) for g in rules.groups(plan)]}  # recording rules first
    return {
        step: {"rule_files": [rule_file], "evaluation_interval": format_duration(step),
               **(order if step > LOOKBACK_STEP else {}), "tests": cases}
        for step, cases in sorted(by_step.items())
    }


# promtool evaluates every rule of the file at every step of every case: a case of a day at 1m steps
# costs as much as 24 cases of an hour. Long cases get coarser steps (at most this many evaluations).
MAX_EVALUATIONS = 120
PROMTOOL_MAX_SAMPLES = 10_000  # `promtool test rules`' query engine (cmd/promtool/unittest.go: MaxSamples)
# the coarsest step at which an alert evaluated before the recording rule it reads still sees the rule's last
# value (promtool evaluates the groups of a file in no set order unless the suite gives group_eval_order)
LOOKBACK_STEP = 240
LONG_RANGE_SAMPLES = 500  # samples in a range of weeks at its coarser step


def _step(total: float, window: float, longest: float | None = None) -> int:
    """Sample and evaluation step: 1m, coarser for long cases (at most a fifth of the rule's window), and
    under Prometheus' 5m lookback so an alert always sees the recording rule it reads. Not for a range of
    weeks ("99% … over 28 days"; ``longest``, a shortfall's pace over the windows before, when longer than the
    window): promtool's engine loads at most PROMTOOL_MAX_SAMPLES samples per query ([28d] at 4m is 10,081),
    so it gets the coarse step it needs, and its suite evaluates the recording rules first (LOOKBACK_STEP)."""
    step = 60.0
    if total / step > MAX_EVALUATIONS:
        step = total / MAX_EVALUATIONS
        if window:
            step = min(step, window / 5)
        if (longest or window) / min(step, LOOKBACK_STEP) <= 0.9 * PROMTOOL_MAX_SAMPLES:
            step = min(step, LOOKBACK_STEP)
        else:  # fine enough that increase() over the range reads as it would live, coarse enough to run fast,
            # and a whole fraction of the window, so "offset <window>" lands on a sample (the lookback is 5m)
            wanted = math.ceil((longest or window) / LONG_RANGE_SAMPLES / 60)
            minutes = int(window // 60)
            step = 60.0 * next((m for m in range(wanted, minutes + 1) if minutes % m == 0 and window % 60 == 0),
                               wanted)
    return int(math.ceil(step / 60) * 60)


def round_up(t: float, step: int) -> int:
    """``t`` rounded up to a whole evaluation step."""
    return int(math.ceil(t / step) * step)


def _threshold_cases(plan: Plan, alert: AlertRule) -> tuple[int, list[dict[str, object]]]:
    th = alert.threshold
    assert th is not None
    if is_shortfall(th) and "escalation" not in alert.rule["labels"]:  # type: ignore[operator]
        return _shortfall_cases(plan, alert)
    fire, silent = fire_and_silent_values(th)
    window = th.window or 0.0  # tests are generated for unscaled rules only
    offset = th.offset or 0.0
    for_ = alert.for_seconds
    name = str(alert.rule["alert"])
    age = th.value if th.kind == "age" else 0.0  # a timestamp series must not go below 0
    total = window + for_ + offset + age + 600
    step = _step(total, window)
    t_fire = round_up(window + offset + for_ + age + 2 * step, step)
    cases = []
    for label, value in (("fires", fire), ("silent", silent)):
        series, shown, start_true = _inputs(plan, th, value, step, t_fire, for_, window)
        checks: list[dict[str, object]] = [{
            "eval_time": format_duration(t_fire), "alertname": name,
            "exp_alerts": [expected_alert(plan, alert, shown)] if label == "fires" else [],
        }]
        short = start_true + for_ - step
        if label == "fires" and for_ >= 2 * step and th.kind != "drop" and short > 0:
            checks.append({"eval_time": format_duration(short), "alertname": name, "exp_alerts": []})
        op_text = f"{th.op} {th.value:g}"
        cases.append({
            "name": f"{name} {label} at {value:g} ({op_text}, for {format_duration(for_)})",
            "interval": format_duration(step),
            "input_series": series,
            "alert_rule_test": checks,
        })
    volume = min_volume(th)
    if volume and "escalation" not in alert.rule["labels"]:  # type: ignore[operator]
        # past the threshold, but on half the volume the rule needs (a group of a few, a quiet night)
        small = volume / 2 * step / window if th.kind == "ratio" else volume / 2
        series, _, _ = _inputs(plan, th, fire, step, t_fire, for_, window, small)
        cases.append({"name": f"{name} silent at {fire:g} on half its minimum volume of {volume:g}",
                      "interval": format_duration(step), "input_series": series,
                      "alert_rule_test": [{"eval_time": format_duration(t_fire), "alertname": name, "exp_alerts": []}]})
    return step, cases


def _shortfall_cases(plan: Plan, alert: AlertRule) -> tuple[int, list[dict[str, object]]]:
    """A shortfall rule (``increase`` too low) after a busy stretch: fires once the pace falls past the
    threshold for the hold; silent just inside it; silent at a quiet start (no earlier pace) and,
    for business-hours rules, outside business hours."""
    th = alert.threshold
    assert th is not None and th.window is not None
    fire, silent = fire_and_silent_values(th)
    window, for_ = th.window, alert.for_seconds
    expected = min_expected(th)
    name = str(alert.rule["alert"])
    busy = max(10 * expected, 2 * (silent + 1))  # events per window while traffic is normal
    history = (PACE_WINDOWS + 1) * window if expected else 0.0
    pace = PACE_WINDOWS * window if expected else None  # the guard reads the windows before
    step = _step(history + window + for_ + 600, window, pace)
    bh = plan.business_hours if th.business_hours else None
    t_fire = round_up(history + window + for_ + 2 * step, step)
    if bh is not None:  # the first moment the guard has held through the hold, for one UTC offset of the location
        found = _business_time(bh, t_fire, for_, window, 60)
        if found is None:  # business hours too short for window and hold: the rule can never fire, say so
            return 60, [{"name": f"{name}: business hours too short for its window and hold, never fires",
                         "interval": "1m", "input_series": [], "alert_rule_test": [
                             {"eval_time": "1m", "alertname": name, "exp_alerts": []}]}]
        step = _step(found, window, pace)
        t_fire = _business_time(bh, round_up(t_fire, step), for_, window, step) or found
    switch = t_fire - for_ - window - step  # where the pace falls to the tested value
    n = int(t_fire // step) + 1
    cases = []
    for label, value in (("fires", fire), ("silent", silent)):
        values = piecewise([(busy * step / window, switch // step), (value * step / window, n - switch // step)]) \
            if expected else _counter(0, value * step / window, n)
        checks: list[dict[str, object]] = [{
            "eval_time": format_duration(t_fire), "alertname": name,
            "exp_alerts": [expected_alert(plan, alert, value)] if label == "fires" else []}]
        t_true = switch + window if expected else window  # the earliest the shortfall can show
        if label == "fires" and for_ >= 2 * step and bh is None:  # not before its hold
            checks.append({"eval_time": format_duration(round_up(t_true + for_ - step, step) - step),
                           "alertname": name, "exp_alerts": []})
        if label == "fires" and bh is not None:
            night = t_fire - 6 * 3600
            if night > window + 2 * step and not any(in_business_hours(bh, night, o) for o in utc_offsets(bh.location)):
                checks.append({"eval_time": format_duration(round_up(night, step)), "alertname": name,
                               "exp_alerts": []})
        cases.append({
            "name": f"{name} {label} at {value:g} per {format_duration(window)} after a busy stretch",
            "interval": format_duration(step),
            "input_series": [{"series": input_series(plan, th.metric, th.matchers, {k: "x" for k in th.by}),
                              "values": values}],
            "alert_rule_test": checks,
        })
    if expected:  # the same shortfall without the traffic that makes it unusual (a quiet night, a fresh start)
        quiet = min(fire, expected / 2)
        cases.append({
            "name": f"{name} silent at {quiet:g} per {format_duration(window)} without busier earlier traffic",
            "interval": format_duration(step),
            "input_series": [{"series": input_series(plan, th.metric, th.matchers, {k: "x" for k in th.by}),
                              "values": _counter(0, quiet * step / window, n)}],
            "alert_rule_test": [{"eval_time": format_duration(t_fire), "alertname": name, "exp_alerts": []}],
        })
    return step, cases


def _business_time(bh: BusinessHours, earliest: int, for_: float, window: float, step: int) -> int | None:
    """The first evaluation from ``earliest`` at which the rule's business-hours guard (one clause per
    UTC offset of the location) has held since one step before its hold began; None within a week."""
    offsets = utc_offsets(bh.location)
    return next((t for t in range(earliest, earliest + 8 * 86400, step)
                 if any(in_business_hours(bh, t - for_ - step, o, window) and in_business_hours(bh, t, o, window)
                        for o in offsets)), None)


def piecewise(segments: list[tuple[float, float]]) -> str:
    """A counter growing by ``slope`` per sample for ``count`` samples, segment after segment."""
    out, start = [], 0.0
    for slope, count in segments:
        count = int(count)
        if count <= 0:
            continue
        out.append(f"{sample(start)}+{sample(slope)}x{count - 1}")
        start += slope * count
    return " ".join(out)


def input_series(plan: Plan, metric: str, matchers: dict[str, str], extra: dict[str, str]) -> str:
    """A promtool input series name: the metric as the plan's exporter serves it to its job."""
    labels = {"job": plan.job_name, "instance": INSTANCE, **extra, **matchers}
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
    return f"{metric}{{{inner}}}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _counter(start: float, slope: float, n: int) -> str:
    return f"{sample(start)}+{sample(slope)}x{n}"


def sample(v: float) -> str:
    """A sample value as promtool reads it."""
    return format(v, ".12g")


def _inputs(plan: Plan, th: Threshold, value: float, step: int, t_fire: int, for_: float,
            window: float, volume: float | None = None) -> tuple[list[dict[str, str]], float, float]:
    """Input series that hold the signal at ``value``; the value the alert shows; when it turns true.
    ``volume``: the ratio's denominator per step, or the drop's earlier level (plenty by default)."""
    n = int(t_fire // step) + 1
    by = {label: "x" for label in th.by}
    if th.kind == "value":
        name = input_series(plan, th.metric, th.matchers, by)
        return [{"series": name, "values": f"{sample(value)}+0x{n}"}], value, 0
    if th.kind == "age":
        start_true = t_fire - for_ - step
        stamp = start_true - th.value  # the age crosses the threshold exactly when the wait starts
        if value < th.value and th.op in (">", ">="):
            stamp = t_fire - value  # silent: still just inside the threshold at the last evaluation
        if th.op in ("<", "<="):
            stamp = t_fire - value
            start_true = 0
        return [{"series": input_series(plan, th.metric, th.matchers, by), "values": f"{sample(stamp)}+0x{n}"}], \
            t_fire - stamp, start_true
    if th.kind == "drop":
        switch = t_fire - for_ - window
        old_n = int(switch // step)
        base = 100.0 if volume is None else volume
        values = f"{sample(base)}+0x{old_n - 1} {sample(base * (1 - value))}+0x{n - old_n}"
        return [{"series": input_series(plan, th.metric, th.matchers, by), "values": values}], value, switch
    if th.kind == "increase":
        per_step = value * step / window
        name = input_series(plan, th.metric, th.matchers, by)
        return [{"series": name, "values": _counter(0, per_step, n)}], value, step
    # ratio
    assert th.denominator is not None
    rate = _RATE_UNIT if volume is None else volume
    series = []
    if th.denominator == th.metric:
        both = {**th.denominator_matchers, **th.matchers}
        rest = {**th.denominator_matchers, **{k: "other" for k in th.matchers}}
        series.append({"series": input_series(plan, th.metric, both, by), "values": _counter(0, value * rate, n)})
        series.append({"series": input_series(plan, th.metric, rest, by),
                       "values": _counter(0, (1 - value) * rate, n)})
    else:
        series.append({"series": input_series(plan, th.metric, th.matchers, by),
                       "values": _counter(0, value * rate, n)})
        series.append({"series": input_series(plan, th.denominator, th.denominator_matchers, by),
                       "values": _counter(0, rate, n)})
    return series, value, step


def expected_alert(plan: Plan, alert: AlertRule, shown: float) -> dict[str, object]:
    """What promtool must see of ``alert`` firing on the test's input series, showing ``shown``."""
    th = alert.threshold
    sig_labels = set(alert.signal.labels)
    labels = {"job": plan.job_name}
    if "instance" in sig_labels:
        labels["instance"] = INSTANCE
    if th is not None:
        if "instance" in sig_labels:
            labels.update(th.matchers)
        labels.update({label: "x" for label in th.by})
    labels.update(alert.rule["labels"])  # type: ignore[arg-type]  # a rule's labels win, as in Prometheus
    return {"exp_labels": labels, "exp_annotations": _annotations(alert, shown)}


def _annotations(alert: AlertRule, shown: float) -> dict[str, str]:
    annotations = dict(alert.rule["annotations"])  # type: ignore[arg-type]
    token = value_template(alert.unit)
    annotations["description"] = str(annotations["description"]).replace(token, humanizer_for(alert.unit)(shown))
    return annotations


def _absent_cases(plan: Plan, alert: AlertRule) -> list[dict[str, object]]:
    """Fires when the plan's job has no ``up`` at all (another job's does not count); silent when it has."""
    name = str(alert.rule["alert"])
    t_eval = round_up(alert.for_seconds + 120, 60)
    n = int(t_eval // 60) + 1
    cases = []
    for label, job in (("fires without the job's up", "some-other-job"), ("silent while the job is scraped",
                                                                           plan.job_name)):
        expected = []
        if job != plan.job_name:
            labels = {**dict(alert.rule["labels"]), "job": plan.job_name}  # type: ignore[arg-type]
            expected = [{"exp_labels": labels, "exp_annotations": dict(alert.rule["annotations"])}]  # type: ignore[arg-type]
        cases.append({
            "name": f"{name} {label}",
            "interval": "1m",
            "input_series": [{"series": f'up{{instance="{INSTANCE}",job="{job}"}}', "values": f"1+0x{n}"}],
            "alert_rule_test": [{"eval_time": format_duration(t_eval), "alertname": name, "exp_alerts": expected}],
        })
    return cases


def _slo_cases(plan: Plan, alert: AlertRule) -> list[dict[str, object]]:
    slo = alert.slo
    assert slo is not None
    budget = 1 - slo.objective
    name = str(alert.rule["alert"])
    t_eval = round_up(alert.for_seconds + 300, 60)
    n = int(t_eval // 60) + 1
    cases = []
    for label, error_ratio in (("fires on a full outage", 1.0), ("silent at 0.9x the budget", 0.9 * budget)):
        if slo.probe_target:
            series = [{"series": input_series(plan, PROBE_SUCCESS, {"target": slo.probe_target}, {}),
                       "values": f"{sample(1 - error_ratio)}+0x{n}"}]
        else:
            series = [
                {"series": input_series(plan, str(slo.errors), {}, {}), "values": _counter(0, error_ratio * 1000, n)},
                {"series": input_series(plan, str(slo.total), {}, {}), "values": _counter(0, 1000, n)},
            ]
        expected = []
        if error_ratio == 1.0:
            labels = {**dict(alert.rule["labels"]), "job": plan.job_name}  # type: ignore[arg-type]
            expected = [{"exp_labels": labels, "exp_annotations": _annotations(alert, 1.0)}]
        cases.append({
            "name": f"{name} {label}",
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": [{"eval_time": format_duration(t_eval), "alertname": name, "exp_alerts": expected}],
        })
    return cases
