"""The named correction layer between grafanalib 0.7.1 and current Grafana.

grafanalib 0.7.1 writes schemaVersion 12, string datasources, ``"null"`` threshold steps, gauge
options inside ``fieldConfig.defaults``, and legacy keys current Grafana ignores. This module
rewrites exactly what the project's panels use, and fills the options Grafana would fill with its
defaults (taken from Grafana's own JSON schemas), so the result validates against them.
"""

from __future__ import annotations

import json
from typing import Any

from grafanalib._gen import DashboardEncoder
from grafanalib.core import Dashboard

__all__ = ["DATASOURCE", "SCHEMA_VERSION", "panel_link", "to_current_grafana"]

SCHEMA_VERSION = 39
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}

_DASHBOARD_KEYS = {"uid", "title", "description", "tags", "timezone", "editable", "graphTooltip", "time",
                   "timepicker", "refresh", "schemaVersion", "version", "panels", "templating", "annotations", "links"}
_PANEL_KEYS = {"type", "id", "targets", "title", "description", "datasource", "gridPos", "links", "options",
               "fieldConfig", "transformations", "interval", "maxDataPoints", "transparent"}
_ROW_KEYS = {"type", "id", "title", "gridPos", "collapsed", "panels"}
_TARGET_KEYS = {"expr", "refId", "legendFormat", "instant", "range", "format", "interval"}
_FIELD_DEFAULT_KEYS = {"unit", "min", "max", "decimals", "thresholds", "mappings", "color", "custom", "noValue",
                       "displayName"}
_REDUCE = {"calcs": ["lastNotNull"], "fields": "", "values": False}
_OPTION_DEFAULTS: dict[str, dict[str, Any]] = {
    "stat": {"graphMode": "area", "colorMode": "value", "justifyMode": "auto", "textMode": "auto", "wideLayout": True,
             "showPercentChange": False, "percentChangeColorMode": "standard", "orientation": "auto",
             "reduceOptions": _REDUCE},
    "gauge": {"showThresholdLabels": False, "showThresholdMarkers": True, "sizing": "auto", "minVizWidth": 75,
              "minVizHeight": 75, "orientation": "auto", "reduceOptions": _REDUCE},
    "timeseries": {"legend": {"calcs": [], "displayMode": "list", "placement": "bottom", "showLegend": True},
                   "tooltip": {"mode": "multi", "sort": "desc"}},
    "state-timeline": {"legend": {"calcs": [], "displayMode": "list", "placement": "bottom", "showLegend": True},
                       "tooltip": {"mode": "single", "sort": "none"}, "mergeValues": True, "showValue": "auto",
                       "alignValue": "left", "rowHeight": 0.9},
    "bargauge": {"displayMode": "gradient", "orientation": "horizontal", "showUnfilled": True, "valueMode": "color",
                 "namePlacement": "auto", "sizing": "auto", "minVizWidth": 8, "minVizHeight": 16, "maxVizHeight": 300,
                 "reduceOptions": _REDUCE, "legend": {"calcs": [], "displayMode": "list", "placement": "bottom",
                                                      "showLegend": False}},
    "table": {"frameIndex": 0, "showHeader": True, "cellHeight": "sm"},
    "text": {"mode": "markdown", "content": ""},
}


def to_current_grafana(dashboard: Dashboard) -> dict[str, Any]:
    """grafanalib's dashboard as JSON current Grafana (schemaVersion 39) reads without migrating."""
    raw = json.loads(json.dumps(dashboard.auto_panel_ids().to_json_data(), cls=DashboardEncoder))
    out = {k: v for k, v in raw.items() if k in _DASHBOARD_KEYS and v is not None}
    out["schemaVersion"] = SCHEMA_VERSION
    out["timepicker"] = {"refresh_intervals": raw.get("timepicker", {}).get("refresh_intervals", [])}
    out["panels"] = [_panel(p) for p in raw.get("panels", [])]
    out["templating"] = {"list": [_variable(v) for v in raw.get("templating", {}).get("list", [])]}
    out["links"] = [_link(link) for link in raw.get("links", [])]
    return out


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def _panel(p: dict[str, Any]) -> dict[str, Any]:
    if p.get("type") == "row":
        row = {k: v for k, v in p.items() if k in _ROW_KEYS}
        row["panels"] = [_panel(x) for x in row.get("panels", [])]
        return row
    kind = p["type"]
    panel = _drop_none({k: v for k, v in p.items() if k in _PANEL_KEYS})
    for key in ("links", "transformations"):
        if not panel.get(key):
            panel.pop(key, None)
    if panel.get("description") == "":
        panel.pop("description")
    if kind == "alertlist":
        panel["options"] = _alertlist_options(p)
        panel["fieldConfig"] = {"defaults": {}, "overrides": []}
        panel.pop("targets", None)
        panel.pop("datasource", None)
        return panel
    if kind != "text":
        panel["datasource"] = dict(DATASOURCE)
        panel["targets"] = [_target(t) for t in p.get("targets", [])]
    else:
        panel.pop("targets", None)
        panel.pop("datasource", None)
    options = dict(p.get("options") or {})
    if kind == "bargauge":  # grafanalib 0.7.1 writes Grafana 6's options.fieldOptions
        legacy = options.pop("fieldOptions", {})
        for key in ("showThresholdLabels", "showThresholdMarkers"):
            options.pop(key, None)
        defaults = {k: v for k, v in (legacy.get("defaults") or {}).items() if k in ("unit", "min", "max", "decimals")}
        fc = p.get("fieldConfig") or {}
        fc = {**fc, "defaults": {**defaults, "thresholds": {"steps": legacy.get("thresholds") or []},
                                 **(fc.get("defaults") or {})}}
        p = {**p, "fieldConfig": fc}
        options["reduceOptions"] = {"calcs": legacy.get("calcs") or ["lastNotNull"], "fields": "", "values": False}
    panel["fieldConfig"] = _field_config(kind, p.get("fieldConfig") or {})
    if kind == "gauge":  # grafanalib 0.7.1 writes these into fieldConfig.defaults
        defaults = (p.get("fieldConfig") or {}).get("defaults", {})
        options["reduceOptions"] = {"calcs": defaults.get("calcs", ["lastNotNull"]), "fields": "",
                                    "values": bool(defaults.get("values", False))}
        fc = p.get("fieldConfig") or {}
        options["showThresholdLabels"] = bool(fc.get("showThresholdLabels", False))
        options["showThresholdMarkers"] = bool(fc.get("showThresholdMarkers", True))
    if kind in _OPTION_DEFAULTS:
        defaults = _OPTION_DEFAULTS[kind]
        options = {**defaults, **options}
        for key, value in defaults.items():  # grafanalib writes partial legend/tooltip objects
            if isinstance(value, dict) and isinstance(options.get(key), dict):
                options[key] = {**value, **options[key]}
    if kind == "stat" and "fields" in options.get("reduceOptions", {}):
        options["reduceOptions"] = {**_REDUCE, **options["reduceOptions"]}
    if kind == "table":
        options = {k: v for k, v in options.items() if k in ("frameIndex", "showHeader", "cellHeight", "sortBy",
                                                             "footer")}
        if not options.get("sortBy"):
            options.pop("sortBy", None)
    panel["options"] = options
    return panel


def _alertlist_options(p: dict[str, Any]) -> dict[str, Any]:
    """Unified-alerting alert list; grafanalib's ``nameFilter`` carries the label matcher (``{plan="x"}``)."""
    states = set(p.get("stateFilter") or [])
    label_filter = p.get("nameFilter") or ""
    return {
        "viewMode": "list", "groupMode": "default", "groupBy": [], "maxItems": p.get("limit") or 20,
        "sortOrder": p.get("sortOrder") or 1, "dashboardAlerts": False, "alertName": "",
        "alertInstanceLabelFilter": label_filter if label_filter.startswith("{") else "",
        "stateFilter": {"firing": "firing" in states, "pending": "pending" in states, "noData": False,
                        "normal": False, "error": False},
    }


def _target(t: dict[str, Any]) -> dict[str, Any]:
    target = {k: v for k, v in t.items() if k in _TARGET_KEYS and v not in (None, "")}
    target["datasource"] = dict(DATASOURCE)
    if target.get("instant"):
        target["range"] = False
    else:
        target.pop("instant", None)
        target["range"] = True
    return target


def _field_config(kind: str, fc: dict[str, Any]) -> dict[str, Any]:
    defaults = {k: v for k, v in (fc.get("defaults") or {}).items() if k in _FIELD_DEFAULT_KEYS and v is not None}
    steps = defaults.get("thresholds", {}).get("steps", [])
    defaults["thresholds"] = {"mode": "absolute", "steps": [
        {"color": s["color"], "value": None if s.get("value") in ("null", None) else float(s["value"])} for s in steps
    ] or [{"color": "green", "value": None}]}
    custom = defaults.get("custom")
    if isinstance(custom, dict):
        custom = _drop_none(custom)
        if kind == "timeseries":
            custom.pop("stacking", None)
            custom["stacking"] = {"group": "A", "mode": "none"}
        if kind == "table":
            custom = {"align": "auto", "filterable": bool(custom.get("filterable", False)),
                      "cellOptions": {"type": "auto"}}
        defaults["custom"] = custom
    if kind in ("stat", "gauge", "table", "bargauge"):
        defaults.pop("custom", None)
        defaults["color"] = {"mode": "thresholds"}
    if kind in ("alertlist", "text"):
        return {"defaults": {}, "overrides": []}
    return {"defaults": defaults, "overrides": fc.get("overrides") or []}


def _variable(v: dict[str, Any]) -> dict[str, Any]:
    keep = {"type", "name", "label", "query", "current", "options", "hide", "refresh", "regex", "includeAll",
            "multi", "datasource", "description", "skipUrlSync", "sort", "allValue"}
    out = _drop_none({k: val for k, val in v.items() if k in keep})
    if isinstance(out.get("current"), dict):
        current = out["current"]
        text, value = current.get("text", ""), current.get("value", "")
        if value == "$__all":
            text = "All"
        out["current"] = {"text": [text], "value": [value]} if out.get("multi") else {"text": text, "value": value}
    if out.get("type") == "query":
        out["datasource"] = dict(DATASOURCE)
    for key in ("regex", "allValue"):
        if out.get(key) in ("", None):
            out.pop(key, None)
    return out


def panel_link(title: str, url: str) -> dict[str, Any]:
    """A link on a panel (e.g. its alert's runbook), opening in a new tab."""
    return _link({"title": title, "url": url, "type": "link", "targetBlank": True, "keepTime": False})


def _link(link: dict[str, Any]) -> dict[str, Any]:
    keep = {"title", "type", "icon", "tooltip", "url", "tags", "asDropdown", "targetBlank", "includeVars", "keepTime"}
    out = _drop_none({k: v for k, v in link.items() if k in keep})
    if "uri" in link and "url" not in out:
        out["url"] = link["uri"]
    out.setdefault("tags", [])
    out.setdefault("icon", "external link")
    out.setdefault("tooltip", "")
    out.setdefault("asDropdown", False)
    out.setdefault("targetBlank", False)
    out.setdefault("includeVars", False)
    out.setdefault("keepTime", True)
    return out
