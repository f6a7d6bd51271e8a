"""A json_exporter configuration as a launchwatch plan: ``launchwatch import json-exporter CONFIG.yml``.

Each json_exporter module becomes a plan module (``/probe?module=NAME&target=URL`` answers as
json_exporter's did); each metric becomes one mapping (an ``object`` metric one per value, named
``<name>_<value>`` as json_exporter names them); Kubernetes JSONPath becomes RFC 9535. What has no
equivalent, or changes on the way (a counter's ``_total``, a non-base unit, a secret that stays out
of the plan), is listed in ``Conversion.notes`` and at the top of the written plan.

>>> conv = convert({"modules": {"default": {"metrics": [{"name": "n", "path": "{ .n }"}]}}}, "imported")
>>> conv.plan["modules"][0]["metrics"][0]["path"]
'$.n'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from launchwatch.plan.k8s_jsonpath import Untranslatable, parse_template, to_query, to_template
from launchwatch.plan.metric_lint import base_units, clean_name, label_problem
from launchwatch.plan.model import LABEL_NAME_RE, RESERVED_LABELS, SOURCE_NAME_RE

__all__ = ["Conversion", "convert", "probe_targets"]

_MODULE_KEYS = {"headers", "metrics", "http_client_config", "body", "valid_status_codes"}
_METRIC_KEYS = {"name", "path", "labels", "type", "valuetype", "epochtimestamp", "help", "values",
                "allow_missing_key", "valueconverter"}


@dataclass
class Conversion:
    """The plan (YAML-ready), what changed or could not be converted, and json_exporter's names of each
    converted metric (``renamed``: json_exporter's series name → launchwatch's)."""

    plan: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)


def convert(config: Any, name: str, *, targets: dict[str, list[str]] | None = None,
            source: str = "the configuration") -> Conversion:
    """``config`` (json_exporter's YAML, parsed) as a plan named ``name``; ``targets`` are each module's
    allowed targets (from Prometheus' scrape configs or ``--allow-target``)."""
    conv = Conversion({"plan": name, "title": f"Imported from json_exporter ({source})",
                       "description": "Converted by launchwatch import json-exporter; review the notes above.",
                       "modules": []})
    if not isinstance(config, dict) or not isinstance(config.get("modules"), dict):
        raise ValueError("not a json_exporter configuration: no 'modules' mapping (json_exporter 0.5 and later)")
    for key in sorted(set(config) - {"modules"}):
        conv.notes.append(f"{key}: not a json_exporter setting launchwatch knows; left out")
    for module_name, module in config["modules"].items():
        allowed = (targets or {}).get(str(module_name))
        converted = _module(conv, str(module_name), module or {}, allowed)
        if converted["metrics"]:
            conv.plan["modules"].append(converted)
    return conv


def _module(conv: Conversion, name: str, module: dict[str, Any], allowed: list[str] | None) -> dict[str, Any]:
    where = f"modules.{name}"
    plan_name = name.lower().replace(".", "-")
    if not SOURCE_NAME_RE.match(plan_name):
        plan_name = "m-" + re.sub(r"[^a-z0-9_-]", "-", plan_name)
    if plan_name != name:
        conv.notes.append(f"{where}: renamed {plan_name!r} (module names are [a-z][a-z0-9_-]*): Prometheus' "
                          f"params must say module={plan_name}")
    out: dict[str, Any] = {"name": plan_name}
    for key in sorted(set(module) - _MODULE_KEYS):
        conv.notes.append(f"{where}.{key}: unknown to json_exporter; left out")
    if module.get("headers"):
        out["headers"] = {str(k): str(v) for k, v in module["headers"].items()}
    _http_client(conv, where, plan_name, module.get("http_client_config") or {}, out)
    body = module.get("body") or {}
    if body.get("content"):
        if body.get("templatize"):
            conv.notes.append(f"{where}.body: a Go template (templatize: true) launchwatch cannot render; left out, "
                              "so the module sends GET without a body")
        else:
            out["body"] = str(body["content"])  # launchwatch POSTs a body, as json_exporter did
    if module.get("valid_status_codes"):
        out["valid_status_codes"] = [int(c) for c in module["valid_status_codes"]]
    else:
        conv.notes.append(f"{where}: json_exporter accepted any 2xx status; launchwatch accepts 200 unless "
                          "valid_status_codes lists more")
    out["isolation"] = "metric"  # json_exporter drops only the metric whose value fails
    out["allowed_targets"] = list(allowed or [])
    if not allowed:
        conv.notes.append(f"{where}: allowed_targets is empty, so /probe refuses every target until you list the "
                          "URL prefixes or hosts it may fetch (json_exporter fetched any URL)")
    metrics = []
    for i, metric in enumerate(module.get("metrics") or []):
        metrics.extend(_metric(conv, f"{where}.metrics[{i}]", metric or {}))
    out["metrics"] = metrics
    if not metrics:
        conv.notes.append(f"{where}: no metric could be converted; the module is left out")
    return out


def _env_name(module: str, what: str) -> str:
    return re.sub(r"[^A-Z0-9]", "_", f"JSON_EXPORTER_{module}_{what}".upper())


def _http_client(conv: Conversion, where: str, module: str, http: dict[str, Any], out: dict[str, Any]) -> None:
    where = f"{where}.http_client_config"
    handled = {"basic_auth", "bearer_token", "bearer_token_file", "authorization", "tls_config"}
    basic = http.get("basic_auth")
    if basic:
        if basic.get("password_file"):
            password = {"file": str(basic["password_file"])}
        else:
            password = {"env": _env_name(module, "password")}
            if basic.get("password"):
                conv.notes.append(f"{where}.basic_auth.password: not copied into the plan; set the environment "
                                  f"variable {password['env']} to it")
        if basic.get("username_file"):
            conv.notes.append(f"{where}.basic_auth.username_file: launchwatch takes the user name itself; left out")
        out["auth"] = {"basic": {"username": str(basic.get("username", "")), "password": password}}
    bearer = None
    if http.get("bearer_token_file"):
        bearer = {"file": str(http["bearer_token_file"])}
    elif http.get("bearer_token"):
        bearer = {"env": _env_name(module, "token")}
        conv.notes.append(f"{where}.bearer_token: not copied into the plan; set the environment variable "
                          f"{bearer['env']} to it")
    authorization = http.get("authorization") or {}
    if authorization:
        kind = str(authorization.get("type", "Bearer"))
        if kind.lower() != "bearer":
            conv.notes.append(f"{where}.authorization: type {kind!r} has no launchwatch equivalent (auth is bearer or "
                              "basic); left out")
        elif authorization.get("credentials_file"):
            bearer = {"file": str(authorization["credentials_file"])}
        else:
            bearer = {"env": _env_name(module, "token")}
            conv.notes.append(f"{where}.authorization.credentials: not copied into the plan; set the environment "
                              f"variable {bearer['env']} to it")
    if bearer is not None and "auth" not in out:
        out["auth"] = {"bearer": bearer}
    elif bearer is not None:
        conv.notes.append(f"{where}: both basic_auth and a bearer token; launchwatch sends one: basic kept")
    tls = http.get("tls_config") or {}
    tls_out = {}
    if tls.get("ca_file"):
        tls_out["ca_file"] = str(tls["ca_file"])
    if tls.get("insecure_skip_verify"):
        tls_out["insecure_skip_verify"] = True
    for key in sorted(set(tls) - {"ca_file", "insecure_skip_verify"}):
        conv.notes.append(f"{where}.tls_config.{key}: no launchwatch equivalent (client certificates, server_name, "
                          "TLS versions); left out")
    if tls_out:
        out["tls"] = tls_out
    for key in sorted(set(http) - handled):
        value = http[key]
        if key in ("follow_redirects", "enable_http2") and value in (True, None):
            continue  # what launchwatch does for sources anyway (HTTP/1.1 is what it speaks)
        conv.notes.append(f"{where}.{key}: no launchwatch equivalent (proxy, OAuth 2, redirects); left out")


def _metric(conv: Conversion, where: str, metric: dict[str, Any]) -> list[dict[str, Any]]:
    keys = {str(k).lower(): k for k in metric}
    for key in sorted(set(keys) - _METRIC_KEYS):
        conv.notes.append(f"{where}.{keys[key]}: unknown to json_exporter; left out")
    name = str(metric.get("name", ""))
    scrape = str(metric.get("type", "value"))
    valuetype = str(metric.get("valuetype", "untyped"))
    kind = "counter" if valuetype == "counter" else "gauge"
    if valuetype not in ("counter", "gauge") and _UNTYPED not in conv.notes:
        conv.notes.append(_UNTYPED)
    root = "$" if scrape == "value" else "@"
    try:
        path = to_query(str(metric.get("path", "")))
    except Untranslatable as exc:
        conv.notes.append(f"{where}.path ({name}): {exc}; metric left out")
        return []
    if scrape == "object" and not re.search(r"\[[^\]]*[*?:,][^\]]*\]|\.\*|\.\.", path):
        conv.notes.append(f"{where}.path ({name}): one object per sample; if {path} is an array, add [*]")
    base: dict[str, Any] = {"help": str(metric.get("help") or name), "type": kind, "path": path}
    labels, const = _labels(conv, where, name, metric.get("labels") or {}, root)
    if labels:
        base["labels"] = labels
    if const:
        base["const_labels"] = const
    if metric.get("allow_missing_key"):
        base["optional"] = True
    stamp = metric.get(keys.get("epochtimestamp", "epochTimestamp"))
    if stamp:
        try:
            base["timestamp"] = to_query(str(stamp), root)
            base["timestamp_unit"] = "ms"  # json_exporter reads epochTimestamp as milliseconds
        except Untranslatable as exc:
            conv.notes.append(f"{where}.epochTimestamp ({name}): {exc}; left out")
    if scrape == "value":
        return [_finish(conv, where, name, dict(base))]
    if scrape != "object":
        conv.notes.append(f"{where}.type ({name}): {scrape!r} is neither value nor object; metric left out")
        return []
    converters = metric.get(keys.get("valueconverter", "valueconverter")) or {}
    out = []
    for value_name, value_path in (metric.get("values") or {}).items():
        mapping = dict(base)
        full = f"{name}_{value_name}"
        text = str(value_path)
        try:
            parts = parse_template(text)
            if len(parts) == 1 and parts[0].action:
                mapping["value"] = to_query(text, "@")
            elif not any(p.action for p in parts):
                mapping["value"] = float(text)
            else:
                raise Untranslatable(f"{text!r} mixes text and queries")
        except (Untranslatable, ValueError) as exc:
            conv.notes.append(f"{where}.values.{value_name} ({full}): {exc}; left out")
            continue
        if text in converters:
            mapping["value_map"] = _value_map(converters[text])
            conv.notes.append(f"{where}.valueconverter ({full}): json_exporter matched strings in any case; "
                              "value_map lists them in lower, upper and capitalised case")
        out.append(_finish(conv, f"{where}.values.{value_name}", full, mapping))
    for key in sorted(set(map(str, converters)) - {str(v) for v in (metric.get("values") or {}).values()}):
        conv.notes.append(f"{where}.valueconverter.{key!r} ({name}): names no value path; left out")
    return out


_UNTYPED = ("valuetype: untyped (json_exporter's default) is a gauge in launchwatch, which has no untyped metrics; "
            "set type: counter where a value only grows")


def _value_map(converter: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for key, number in converter.items():
        for spelling in (str(key).lower(), str(key).upper(), str(key).capitalize()):
            out.setdefault(spelling, float(number))
    return out


def _labels(conv: Conversion, where: str, name: str, labels: dict[str, Any], root: str
            ) -> tuple[dict[str, str], dict[str, str]]:
    dynamic: dict[str, str] = {}
    const: dict[str, str] = {}
    for label, spec in labels.items():
        label, text = str(label), str(spec)
        new = label
        if not LABEL_NAME_RE.match(label) or label.startswith("__"):
            conv.notes.append(f"{where}.labels.{label} ({name}): not a Prometheus label name; left out")
            continue
        if label in RESERVED_LABELS or label_problem(label):
            new = f"exported_{label}"
            conv.notes.append(f"{where}.labels.{label} ({name}): renamed {new} ({label!r} is launchwatch's, "
                              "Prometheus' or promtool's)")
        try:
            parts = parse_template(text)
            if not any(p.action for p in parts):
                const[new] = text
            elif len(parts) == 1:
                dynamic[new] = to_query(text, root)
            else:
                dynamic[new] = to_template(text, root)
        except Untranslatable as exc:
            conv.notes.append(f"{where}.labels.{label} ({name}): {exc}; left out")
    if dynamic and _EMPTY_LABELS not in conv.notes:
        conv.notes.append(_EMPTY_LABELS)
    return dynamic, const


_EMPTY_LABELS = ("labels: json_exporter exported an empty label where a label's query found nothing; launchwatch "
                 "drops the sample and counts it in launchwatch_target_missing_values_total (label_defaults keeps it)")


def _finish(conv: Conversion, where: str, series: str, mapping: dict[str, Any]) -> dict[str, Any]:
    """The mapping's launchwatch name: a counter ends in _total, units are base units, promtool is content."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", series)).lower() or "value"
    if name[0].isdigit():
        name = "json_" + name
    converted = base_units(name)
    if converted is not None:
        name, factor = converted
        mapping["scale"] = factor
    if mapping["type"] == "counter" and not name.endswith("_total"):
        name = clean_name(name + "_total")
    elif mapping["type"] == "gauge":
        name = clean_name(name.removesuffix("_total") if name.endswith("_total") else name)
    if name != series:
        why = "counters end in _total" if mapping["type"] == "counter" else "promtool's naming rules"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", series.removesuffix("_total")):
            why = "Prometheus' name characters, snake_case"
        if converted is not None:
            why = f"base units, values × {converted[1]:g}"
        conv.notes.append(f"{where}: {series} is exported as {name} ({why})")
        conv.renamed[series] = name
    order = ("help", "type", "path", "value", "value_map", "scale", "labels", "const_labels", "optional")
    return {"name": name, **{k: mapping[k] for k in order if k in mapping},
            **{k: v for k, v in mapping.items() if k not in order}}


def probe_targets(prometheus: Any) -> dict[str, list[str]]:
    """Each module's targets in a Prometheus configuration's /probe jobs (json_exporter's README pattern:
    ``metrics_path: /probe``, ``params: {module: [NAME]}``, targets in ``static_configs``)."""
    out: dict[str, list[str]] = {}
    for job in (prometheus or {}).get("scrape_configs") or []:
        if not isinstance(job, dict) or job.get("metrics_path") != "/probe":
            continue
        module = ((job.get("params") or {}).get("module") or ["default"])[0]
        for static in job.get("static_configs") or []:
            for target in static.get("targets") or []:
                target = str(target)
                if urlsplit(target).scheme not in ("http", "https"):
                    target = "http://" + target
                out.setdefault(str(module), [])
                if target not in out[str(module)]:
                    out[str(module)].append(target)
    return out
