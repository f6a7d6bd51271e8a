"""Scenario suites: how a plan's whole rule set behaves in situations an on-call person lives through.

The per-threshold suites (``promtool_tests``) prove each number. These prove behaviour, for every
plan and phase, with every rule of the phase evaluating together:

- **healthy launch** (2 h at launch traffic): nothing above the plan's lowest tier fires;
- **quiet night** (6 h of sparse traffic in which every request fails and no good outcome happens,
  so every ratio is past its line, and zero-activity stretches are long): nothing at the paging
  severity fires;
- **exporter unreachable** for 30 minutes: a paging alert fires within 10;
- **one source down** (each source in turn): the alert watching it fires within 10 minutes;
- **outage with a 6-minute lull** (each escalated threshold): every escalation stage still fires by
  its documented time.

The traffic is derived from the plan's own thresholds (``baseline``): every gauge sits where no
threshold of the phase fires, every counter grows at a pace that keeps every ratio and increase
inside its lines and every ratio above its minimum volume. A plan whose thresholds leave no such
place is reported, not papered over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from launchwatch.alerting.guards import min_expected, min_volume
from launchwatch.alerting.monitoring import paging_tier, quiet_tier
from launchwatch.alerting.promtool_tests import (
    INSTANCE,
    expected_alert,
    fire_and_silent_values,
    input_series,
    piecewise,
    round_up,
    sample,
)
from launchwatch.alerting.rules import AlertRule, RuleSet
from launchwatch.plan.model import Plan
from launchwatch.plan.thresholds import SEVERITIES, Slo, Threshold
from launchwatch.plan.units import format_duration
from launchwatch.selfmetric_names import PROBE_SUCCESS, TARGET_UP

__all__ = ["Baseline", "NoHealthyTraffic", "baseline", "build_scenarios"]

LAUNCH_RATE = 2.0  # events per second of each counter series at launch traffic, before the constraints
NIGHT_GAP = 5400  # seconds between the sparse events of a quiet night
HEALTHY_FOR, NIGHT_FOR = 7200, 6 * 3600
OUTAGE_AFTER, OUTAGE_FOR, PAGE_WITHIN = 1200, 1800, 600
LULL = 360
MONITORED = frozenset({"up", TARGET_UP})  # written by _monitoring_series, per situation
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}

Key = tuple[str, tuple[tuple[str, str], ...]]  # metric, sorted extra labels


class NoHealthyTraffic(ValueError):
    """Some value always fires a threshold of the phase: the plan contradicts itself."""


def _key(metric: str, labels: dict[str, str]) -> Key:
    return metric, tuple(sorted(labels.items()))


def _covers(matchers: dict[str, str], key: Key) -> bool:
    labels = dict(key[1])
    return all(labels.get(k) == v for k, v in matchers.items())


@dataclass
class Baseline:
    """Healthy values per input series: gauges, ages (for timestamp gauges) and counter rates per second."""

    gauges: dict[Key, float] = field(default_factory=dict)
    ages: dict[Key, float] = field(default_factory=dict)
    rates: dict[Key, float] = field(default_factory=dict)
    caps: dict[Key, float] = field(default_factory=dict)  # the least "more than" an increase rule allows


def _thresholds(rules: RuleSet) -> list[Threshold]:
    return [a.threshold for a in [*rules.alerts, *rules.monitoring] if a.threshold is not None]


def baseline(plan: Plan, rules: RuleSet) -> Baseline:
    """Launch traffic at which no threshold of ``rules`` fires; ``NoHealthyTraffic`` names those that still would."""
    ths = _thresholds(rules)
    out = Baseline()
    gauge_series: dict[str, set[Key]] = {}
    counter_series: dict[str, set[Key]] = {}
    for th in ths:
        by = {label: "x" for label in th.by}
        if th.kind in ("ratio", "increase"):
            counter_series.setdefault(th.metric, set()).add(_key(th.metric, {**th.matchers, **by}))
            if th.denominator:
                counter_series.setdefault(th.denominator, set()).add(
                    _key(th.denominator, {**th.denominator_matchers, **by}))
        else:
            gauge_series.setdefault(th.metric, set()).add(_key(th.metric, {**th.matchers, **by}))
    for slo in _slos(rules):
        if slo.probe_target:
            gauge_series.setdefault(PROBE_SUCCESS, set()).add(_key(PROBE_SUCCESS, {"target": slo.probe_target}))
        else:
            for metric in (str(slo.errors), str(slo.total)):
                counter_series.setdefault(metric, set()).add(_key(metric, {}))
    for metric, keys in counter_series.items():  # the events no matcher names: "other" outcomes
        names = sorted({k for key in keys for k, _ in key[1]})
        if names:
            keys.add(_key(metric, {n: "other" for n in names}))
            keys.discard(_key(metric, {}))
    problems: list[str] = []
    for metric, keys in gauge_series.items():
        for key in keys:
            judged = [th for th in ths if th.metric == metric and th.kind != "drop" and _covers(th.matchers, key)]
            value = _healthy_value(metric, [(th.op, th.value) for th in judged if th.kind == "value"]
                                   + _probe_constraints(plan, rules, key))
            ages = [(th.op, th.value) for th in judged if th.kind == "age"]
            if ages:
                out.ages[key] = _healthy_value("age_seconds", ages) or 0.0
            elif value is None:
                problems.append(f"{metric}{dict(key[1])}: no value satisfies " +
                                ", ".join(f"not {th.op} {th.value:g}" for th in judged))
            else:
                out.gauges[key] = value
    for keys in counter_series.values():
        for key in keys:
            out.rates[key] = LAUNCH_RATE
    problems += _settle_counters(plan, rules, ths, out)
    if problems:
        raise NoHealthyTraffic(f"plan {plan.plan}: every value fires an alert, so the scenario suites cannot show "
                               "a healthy launch; these thresholds leave no healthy value between them: "
                               + "; ".join(problems))
    return out


def _slos(rules: RuleSet) -> list[Slo]:
    """The SLOs whose alerts are in ``rules`` (those of the phase)."""
    return list({id(a.slo): a.slo for a in rules.slo_alerts if a.slo is not None}.values())


def _probe_constraints(plan: Plan, rules: RuleSet, key: Key) -> list[tuple[str, float]]:
    """A probed SLO's success is healthy at 1."""
    if key[0] == PROBE_SUCCESS and any(s.probe_target == dict(key[1]).get("target") for s in _slos(rules)):
        return [("<", 1.0)]
    return []


def _healthy_value(metric: str, constraints: list[tuple[str, float]]) -> float | None:
    """A value none of ``(op, value)`` fires on: the middle of the allowed range, 1 for a 0/1 gauge."""
    lo, hi, points = -math.inf, math.inf, set()
    for op, v in constraints:
        eps = abs(v) * 1e-3 + 1e-6
        if op in (">", ">="):
            hi = min(hi, v if op == ">" else v - eps)
        elif op in ("<", "<="):
            lo = max(lo, v if op == "<" else v + eps)
        else:
            points.add(v)
    if metric.endswith("_ratio"):
        lo, hi = max(lo, 0.0), min(hi, 1.0)
    if lo > hi:
        return None
    if math.isinf(lo) and math.isinf(hi):
        value = max(points, default=0.0) + 1
    elif math.isinf(hi):
        value = lo + max(1.0, abs(lo)) / 2
    elif math.isinf(lo):
        value = hi / 2 if hi > 0 else hi - max(1.0, abs(hi))
    else:
        value = (lo + hi) / 2
    while value in points:
        value += 1.0 if math.isinf(hi - lo) else (hi - lo) / 7
    return value


def _sum(out: Baseline, metric: str, matchers: dict[str, str]) -> tuple[float, list[Key]]:
    keys = [k for k in out.rates if k[0] == metric and _covers(matchers, k)]
    return sum(out.rates[k] for k in keys), keys


def _scale(out: Baseline, keys: list[Key], factor: float) -> None:
    for k in keys:
        out.rates[k] *= factor


def _settle_counters(plan: Plan, rules: RuleSet, ths: list[Threshold], out: Baseline) -> list[str]:
    """Move counter paces until no ratio, increase or SLO of the phase fires (at most 200 rounds)."""
    constraints = [th for th in ths if th.kind in ("ratio", "increase")]
    slos = [s for s in _slos(rules) if s.errors and s.total]
    for th in constraints:
        if th.kind == "increase" and th.op in (">", ">="):
            for k in _sum(out, th.metric, th.matchers)[1]:
                out.caps[k] = min(out.caps.get(k, math.inf), th.value)
    for _ in range(200):
        moved = False
        for th in constraints:
            moved |= _settle(out, th)
        for slo in slos:
            errors, ekeys = _sum(out, str(slo.errors), {})
            total, _ = _sum(out, str(slo.total), {})
            budget = 1 - slo.objective
            if total and errors / total > budget / 10:
                _scale(out, ekeys, budget / 20 / (errors / total))
                moved = True
        if not moved:
            return []
    return [f"{th.alert}" for th in constraints if _settle(out, th)]


def _fires(op: str, x: float, v: float) -> bool:
    """Past the line or within 1 % of it: Prometheus' float arithmetic must not tip a healthy value over."""
    margin = abs(v) * 0.01
    return {">": x > v - margin, ">=": x >= v - margin, "<": x < v + margin, "<=": x <= v + margin,
            "==": abs(x - v) <= 1e-9}[op]


def _settle(out: Baseline, th: Threshold) -> bool:
    """One step towards keeping ``th`` silent; whether anything moved."""
    assert th.window is not None
    num, nkeys = _sum(out, th.metric, th.matchers)
    if th.kind == "increase":
        inc = num * th.window
        if th.op in (">", ">="):
            if _fires(th.op, inc, th.value):
                _scale(out, nkeys, (th.value / 2) / inc if th.value > 0 else 0.0)
                return True
            return False
        need = max(2 * th.value, 2 * min_expected(th), 1.0)
        if inc < need and nkeys:
            _scale(out, nkeys, need / inc if inc else 1.0)
            if not inc:
                for k in nkeys:
                    out.rates[k] = need / th.window / len(nkeys)
            return True
        return False
    assert th.denominator is not None
    den, dkeys = _sum(out, th.denominator, th.denominator_matchers)
    volume = min_volume(th)
    if den * th.window < 2 * volume and dkeys:
        factor = 2 * volume / (den * th.window) if den else 1.0
        _scale(out, sorted(set(dkeys) | set(nkeys)), factor)
        return True
    if not den or not _fires(th.op, num / den, th.value):
        return False
    ratio = num / den
    if th.op in (">", ">="):
        _scale(out, nkeys, (th.value / 2) / ratio if th.value > 0 and ratio else 0.0)
    elif th.op == "==":
        _scale(out, nkeys, 1.1) if num else [out.rates.__setitem__(k, LAUNCH_RATE) for k in nkeys]
    else:
        target = (1 + th.value) / 2 if th.value < 1 else 2 * th.value
        rest = den - num if set(nkeys) <= set(dkeys) else 0.0
        if rest:
            factor = target * rest / (num * (1 - target)) if num and target < 1 else 10.0
        else:
            factor = target / ratio if ratio else 10.0
        _scale(out, nkeys, max(factor, 1.01))
    return True


# --- promtool cases ---------------------------------------------------------------------------------


def _series_name(plan: Plan, key: Key) -> str:
    return input_series(plan, key[0], dict(key[1]), {})


def _healthy_series(plan: Plan, base: Baseline, step: int, n: int, gone: frozenset[str] = frozenset(),
                    until: int | None = None) -> list[dict[str, str]]:
    """Every input series at launch traffic for ``n`` samples; metrics in ``gone`` stop after ``until`` samples."""
    out = []
    for key, value in sorted(base.gauges.items()):
        if key[0] in MONITORED:
            continue
        out.append(_series(plan, key, f"{sample(value)}+0x", step, n, key[0] in gone, until))
    for key, age in sorted(base.ages.items()):
        out.append(_series(plan, key, f"{sample(-age)}+{step}x", step, n, key[0] in gone, until))
    for key, rate in sorted(base.rates.items()):
        out.append(_series(plan, key, f"0+{sample(rate * step)}x", step, n, key[0] in gone, until))
    return out


def _series(plan: Plan, key: Key, head: str, step: int, n: int, stops: bool, until: int | None) -> dict[str, str]:
    if stops and until is not None:
        return {"series": _series_name(plan, key), "values": f"{head}{until - 1} _x{n - until}"}
    return {"series": _series_name(plan, key), "values": f"{head}{n}"}


def _monitoring_series(plan: Plan, step: int, n: int, down_after: int | None = None,
                       source_down: str | None = None) -> list[dict[str, str]]:
    """``up`` of the plan's job and ``launchwatch_target_up`` of each source."""
    exporter_down = down_after is not None and source_down is None
    up = f"1+0x{down_after - 1} 0+0x{n - down_after}" if exporter_down else f"1+0x{n}"
    out = [{"series": f'up{{instance="{INSTANCE}",job="{plan.job_name}"}}', "values": up}]
    for source in plan.sources:
        key = _key(TARGET_UP, {"target": source.name})
        if source.name == source_down and down_after is not None:
            values = f"1+0x{down_after - 1} 0+0x{n - down_after}"
        elif down_after is not None and source_down is None:
            values = f"1+0x{down_after - 1} _x{n - down_after}"
        else:
            values = f"1+0x{n}"
        out.append({"series": _series_name(plan, key), "values": values})
    return out


def _never_fired(plan: Plan, severities: list[str], duration: int) -> list[dict[str, object]]:
    """A PromQL check that no alert of ``severities`` was firing at any evaluation of the case (the
    ``ALERTS`` series the rules wrote): a brief page between two checks cannot slip through."""
    if not severities:
        return []
    sel = f'ALERTS{{alertstate="firing",plan="{plan.plan}",severity=~"{"|".join(severities)}"}}'
    return [{"expr": f"count by (alertname, severity) (count_over_time({sel}[{format_duration(duration)}]))",
             "eval_time": format_duration(duration), "exp_samples": []}]


def _healthy_case(plan: Plan, rules: RuleSet, base: Baseline) -> dict[str, object]:
    step = 60
    n = HEALTHY_FOR // step
    above = [s for s in SEVERITIES if SEVERITY_RANK[s] < SEVERITY_RANK[quiet_tier(plan).severity]]
    return {"name": f"scenario: a healthy launch, {format_duration(HEALTHY_FOR)}: nothing above "
                    f"{quiet_tier(plan).name} fires",
            "interval": format_duration(step),
            "input_series": _monitoring_series(plan, step, n) + _healthy_series(plan, base, step, n),
            "promql_expr_test": _never_fired(plan, above, HEALTHY_FOR)}


def _night_case(plan: Plan, rules: RuleSet, base: Baseline) -> dict[str, object]:
    """Sparse traffic: one event per series every ``NIGHT_GAP``, none of the good outcomes (every ratio
    is past its line: all requests fail, no checkout ends in an order), none where an increase rule
    allows less than one."""
    step = 120
    n = NIGHT_FOR // step
    every = NIGHT_GAP // step
    series = _monitoring_series(plan, step, n)
    series += [s for s in _healthy_series(plan, base, step, n) if s["series"].split("{")[0] not in
               {k[0] for k in base.rates}]
    good = {k for th in _thresholds(rules) if th.kind == "ratio" and th.op in ("<", "<=", "==")
            for k in _sum(base, th.metric, th.matchers)[1]}  # good outcomes: none at all tonight
    for key, rate in sorted(base.rates.items()):
        if rate == 0 or base.caps.get(key, math.inf) < 1 or key in good:
            values = f"0+0x{n}"
        else:
            values = " ".join(f"{i}+0x{every - 1}" for i in range(n // every + 1))
        series.append({"series": _series_name(plan, key), "values": values})
    return {"name": f"scenario: a quiet night, {format_duration(NIGHT_FOR)} of sparse traffic: nothing pages",
            "interval": format_duration(step),
            "input_series": series,
            "promql_expr_test": _never_fired(plan, [paging_tier(plan).severity], NIGHT_FOR)}


def _exporter_down_case(plan: Plan, rules: RuleSet, base: Baseline) -> dict[str, object]:
    step = 60
    n = (OUTAGE_AFTER + OUTAGE_FOR) // step
    until = OUTAGE_AFTER // step
    names = frozenset(k[0] for k in (*base.gauges, *base.ages, *base.rates))
    down = next(a for a in rules.monitoring if a.rule["alert"] == "LaunchwatchExporterDown")
    return {"name": f"scenario: the exporter unreachable for {format_duration(OUTAGE_FOR)}: "
                    f"{paging_tier(plan).name} is paged within {format_duration(PAGE_WITHIN)}",
            "interval": format_duration(step),
            "input_series": _monitoring_series(plan, step, n, down_after=until)
            + _healthy_series(plan, base, step, n, names, until),
            "alert_rule_test": [{"eval_time": format_duration(OUTAGE_AFTER + PAGE_WITHIN),
                                 "alertname": "LaunchwatchExporterDown",
                                 "exp_alerts": [expected_alert(plan, down, 0.0)]}]}


def _watching(rules: RuleSet, source: str) -> AlertRule | None:
    """The alert that fires when ``source`` cannot be fetched: the plan's own, else launchwatch's."""
    for alert in [*rules.alerts, *rules.monitoring]:
        th = alert.threshold
        if th is not None and th.metric == TARGET_UP and th.matchers.get("target") == source and th.op == "==":
            return alert
    return None


def _source_down_cases(plan: Plan, rules: RuleSet, base: Baseline) -> list[dict[str, object]]:
    step = 60
    until = OUTAGE_AFTER // step
    cases = []
    for source in plan.sources:
        alert = _watching(rules, source.name)
        if alert is None:
            continue
        # within 10 minutes, or the watching rule's own hold (and window) when the plan holds it longer
        th = alert.threshold
        within = max(PAGE_WITHIN, round_up(alert.for_seconds + ((th.window or 0) if th else 0) + 2 * step, step))
        n = (OUTAGE_AFTER + max(OUTAGE_FOR, within + 2 * step)) // step
        names = frozenset(m.name for m in source.metrics)
        series = _monitoring_series(plan, step, n, down_after=until, source_down=source.name)
        series += _healthy_series(plan, base, step, n, names, until)
        if source.probe is not None:  # a failed fetch fails its probe and emits no checks
            series = [s for s in series if not (s["series"].startswith(("launchwatch_probe_success{",
                                                                         "launchwatch_probe_check_success{"))
                                                and f'target="{source.name}"' in s["series"])]
            series.append({"series": _series_name(plan, _key(PROBE_SUCCESS, {"target": source.name})),
                           "values": f"1+0x{until - 1} 0+0x{n - until}"})
        name = str(alert.rule["alert"])
        cases.append({
            "name": f"scenario: source {source.name} down for {format_duration(n * step - OUTAGE_AFTER)}: {name} "
                    f"fires within {format_duration(within)}",
            "interval": format_duration(step),
            "input_series": series,
            "alert_rule_test": [{"eval_time": format_duration(OUTAGE_AFTER + within), "alertname": name,
                                 "exp_alerts": [expected_alert(plan, alert, 0.0)]}]})
    return cases


def _lull_cases(plan: Plan, rules: RuleSet) -> dict[int, list[dict[str, object]]]:
    """Past the line, back inside it for 6 minutes once the base alert fires, past it again: every
    stage fires by its documented time (the incident's clock must not restart)."""
    out: dict[int, list[dict[str, object]]] = {}
    for base_alert in rules.alerts:
        th = base_alert.threshold
        assert th is not None
        stages = [e for e in rules.escalations if e.threshold is th]
        if not stages or th.kind not in ("value", "ratio", "increase") or (th.kind == "value" and th.window):
            continue  # (a gauge averaged over a window smooths a 6-minute lull into none)
        longest = max(s.for_seconds for s in stages)
        step = 60 if longest <= 2 * 3600 else 120
        fire, silent = fire_and_silent_values(th)
        base_fires = round_up(base_alert.for_seconds + 2 * step, step)
        lull_from, lull_to = base_fires + 2 * step, base_fires + 2 * step + LULL
        t_end = round_up(longest + 4 * step + LULL, step)
        n = t_end // step + 1
        segments = [(fire, lull_from // step), (silent, LULL // step), (fire, n - lull_to // step)]
        checks = [{"eval_time": format_duration(round_up(stage.for_seconds + 2 * step, step)),
                   "alertname": str(stage.rule["alert"]), "exp_alerts": [expected_alert(plan, stage, fire)]}
                  for stage in stages]
        out.setdefault(step, []).append({
            "name": f"scenario: {th.alert} with a {format_duration(LULL)} lull: every escalation stage fires on time",
            "interval": format_duration(step),
            "input_series": _signal_series(plan, th, segments, step),
            "alert_rule_test": checks})
    return out


def _signal_series(plan: Plan, th: Threshold, segments: list[tuple[float, int]], step: int) -> list[dict[str, str]]:
    """Input series whose signal sits at each segment's value for its number of samples."""
    by = {label: "x" for label in th.by}
    if th.kind == "value":
        values = " ".join(f"{sample(v)}+0x{c - 1}" for v, c in segments if c > 0)
        return [{"series": _series_name(plan, _key(th.metric, {**th.matchers, **by})), "values": values}]
    assert th.window is not None
    if th.kind == "increase":
        return [{"series": _series_name(plan, _key(th.metric, {**th.matchers, **by})),
                 "values": piecewise([(v * step / th.window, c) for v, c in segments])}]
    assert th.denominator is not None
    volume = max(1000.0, min_volume(th) * 10)  # denominator events per step
    if th.denominator == th.metric:
        both = {**th.denominator_matchers, **th.matchers, **by}
        rest = {**th.denominator_matchers, **{k: "other" for k in th.matchers}, **by}
        return [{"series": _series_name(plan, _key(th.metric, both)),
                 "values": piecewise([(v * volume, c) for v, c in segments])},
                {"series": _series_name(plan, _key(th.metric, rest)),
                 "values": piecewise([((1 - v) * volume, c) for v, c in segments])}]
    return [{"series": _series_name(plan, _key(th.metric, {**th.matchers, **by})),
             "values": piecewise([(v * volume, c) for v, c in segments])},
            {"series": _series_name(plan, _key(th.denominator, {**th.denominator_matchers, **by})),
             "values": piecewise([(volume, c) for _, c in segments])}]


def build_scenarios(plan: Plan, rules: RuleSet, rule_file: str) -> dict[int, dict[str, object]]:
    """Scenario test files keyed by evaluation interval; empty for a plan without tiers."""
    if not plan.tiers:
        return {}
    base = baseline(plan, rules)
    by_step: dict[int, list[dict[str, object]]] = {
        60: [_healthy_case(plan, rules, base), _exporter_down_case(plan, rules, base),
             *_source_down_cases(plan, rules, base)],
        120: [_night_case(plan, rules, base)],
    }
    for step, cases in _lull_cases(plan, rules).items():
        by_step.setdefault(step, []).extend(cases)
    # a case with nothing to check could never fail (e.g. a healthy launch of a one-tier plan): leave it out
    by_step = {step: [c for c in cases if c.get("alert_rule_test") or c.get("promql_expr_test")]
               for step, cases in by_step.items()}
    return {step: {"rule_files": [rule_file], "evaluation_interval": format_duration(step), "tests": cases}
            for step, cases in sorted(by_step.items()) if cases}

