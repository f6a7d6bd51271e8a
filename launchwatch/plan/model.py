"""The typed plan model: the one shape every part of launchwatch reads.

A plan is loaded and validated once (``launchwatch.plan.loader``); the exporter, the alert
generator and the dashboards all take this model, never the YAML.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cached_property
from typing import Annotated, Any, Literal

import jsonpath
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from launchwatch.plan import label_specs
from launchwatch.plan.dashboards import Dashboard
from launchwatch.plan.jsonpaths import compile_jsonpath, find
from launchwatch.plan.k8s_jsonpath import Untranslatable, looks_like_k8s, to_query
from launchwatch.plan.metric_lint import label_problem, name_problems
from launchwatch.plan.reports import Report
from launchwatch.plan.thresholds import BusinessHours, Channel, Phases, Slo, Threshold, Tier, Unexpressible
from launchwatch.plan.units import parse_duration, parse_size

__all__ = [
    "Auth",
    "BasicAuth",
    "JsonAssertion",
    "MetricMapping",
    "Module",
    "Plan",
    "Probe",
    "SecretRef",
    "Source",
    "TlsConfig",
    "compile_jsonpath",
    "find",
]

METRIC_NAME_RE = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
SOURCE_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
PLAN_NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
# Set by Prometheus (job, instance), by the exporter (target) or on generated alerts (the rest):
# a business metric using one would have it overwritten.
RESERVED_LABELS = frozenset({"target", "job", "instance", "alertname", "severity", "tier", "plan", "signal",
                             "escalation", "business_hours", "slo", "phase"})

# the exporter's own families and the series Prometheus writes for every scrape and alert: a plan
# metric of the same name would make two families of one name (a scrape OpenMetrics rejects whole)
RESERVED_METRIC_PREFIXES = ("launchwatch_", "scrape_")
RESERVED_METRICS = frozenset({"up", "ALERTS", "ALERTS_FOR_STATE"})

def _check_jsonpath(expr: str) -> str:
    if not isinstance(expr, str) or not expr.startswith("$"):
        raise ValueError(f"{expr!r} is not a JSONPath query: it must start with '$'{_rfc9535_hint(expr)}")
    return _compiles(expr)


def _rfc9535_hint(expr: str, root: str = "$") -> str:
    """For a Kubernetes-style path (json_exporter's ``{ .x }``), its RFC 9535 spelling."""
    if not isinstance(expr, str) or not looks_like_k8s(expr):
        return ""
    try:
        return f" (Kubernetes JSONPath, as json_exporter writes it; in RFC 9535: {to_query(expr, root)!r})"
    except Untranslatable as exc:
        return f" (Kubernetes JSONPath, as json_exporter writes it, with no RFC 9535 equivalent: {exc})"


def _compiles(expr: str) -> str:
    try:
        compile_jsonpath(expr)
    # The parser also lets OverflowError (a literal such as 1e400) and RecursionError (deep nesting) out.
    except (jsonpath.JSONPathError, ArithmeticError, RecursionError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ValueError(f"bad JSONPath {expr!r}: {reason}") from None
    return expr


def _check_relative(expr: str) -> str:
    if not isinstance(expr, str) or not expr.startswith("@"):
        raise ValueError(f"{expr!r} must be relative to the matched node, e.g. '@.count'{_rfc9535_hint(expr, '@')}")
    return _compiles(expr)


def _check_value_query(expr: str) -> str:
    if expr in ("@key", "@parentkey", "@target") or expr.startswith("@key("):  # labels only
        raise ValueError(f"{expr!r} is for labels: 'value' takes a query such as '@.count'")
    return _check_relative(expr)


def _check_node_query(expr: str) -> str:
    """A query from the matched node (``@.x``) or from the document's root (``$.x``)."""
    if isinstance(expr, str) and expr.startswith("$"):
        return _compiles(expr)
    if isinstance(expr, str) and expr.startswith("@"):
        return _check_value_query(expr)
    raise ValueError(f"{expr!r} must be a query: '@.field' (from the matched node) or '$.field' (from the "
                     f"document){_rfc9535_hint(expr, '@')}")


def _check_label_spec(spec: str) -> str:
    for q in label_specs.queries(spec):
        _compiles(q)
    return spec


def _check_metric_name(name: str) -> str:
    if not METRIC_NAME_RE.match(name):
        raise ValueError(f"{name!r} is not a valid Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
    if name in RESERVED_METRICS or name.startswith(RESERVED_METRIC_PREFIXES):
        raise ValueError(f"metric name {name!r} is reserved: the exporter ({RESERVED_METRIC_PREFIXES[0]}*) or "
                         "Prometheus (up, scrape_*, ALERTS) writes series of that name; rename it")
    if problems := name_problems(name):
        raise ValueError(f"{name!r}: " + "; ".join(problems))
    return name


def _check_label_name(name: str, *, target_ok: bool = False) -> str:
    if not LABEL_NAME_RE.match(name) or name.startswith("__"):
        raise ValueError(f"{name!r} is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, no '__')")
    if problem := label_problem(name):
        raise ValueError(problem)
    if name == "target" and target_ok:  # a metric several sources share: checked to be '@target' by the mapping
        return name
    if name in RESERVED_LABELS:
        raise ValueError(f"label {name!r} is reserved: launchwatch, Prometheus or the generated alerts set it"
                         f" (rename it, e.g. 'customer_{name}')")
    return name


def _check_regex(text: str) -> str:
    try:
        re.compile(text)
    except (re.error, OverflowError, RecursionError) as exc:  # a{4294967296}, thousands of nested groups
        raise ValueError(f"bad regular expression {text!r}: {exc}") from None
    return text


Duration = Annotated[float, BeforeValidator(parse_duration)]
Size = Annotated[int, BeforeValidator(parse_size)]
JsonPath = Annotated[str, AfterValidator(_check_jsonpath)]
RelativePath = Annotated[str, AfterValidator(_check_relative)]
ValueQuery = Annotated[str, AfterValidator(_check_value_query)]
NodeQuery = Annotated[str, AfterValidator(_check_node_query)]
LabelSpec = Annotated[str, AfterValidator(label_specs.check_label), AfterValidator(_check_label_spec)]
MetricName = Annotated[str, AfterValidator(_check_metric_name)]
LabelName = Annotated[str, AfterValidator(_check_label_name)]
LabelKey = Annotated[str, AfterValidator(lambda n: _check_label_name(n, target_ok=True))]
Regex = Annotated[str, AfterValidator(_check_regex)]


def _with_zone(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise ValueError("give the time zone, e.g. 2026-12-01T09:00:00-03:00 or …Z: a bare time is ambiguous")
    return moment


class _Strict(BaseModel):
    # No NaN or infinity: a scale or value_map entry of .nan would pass `check` and then fail every scrape.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SecretRef(_Strict):
    """Where a secret lives: an environment variable or a file, never the plan text."""

    env: str | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of 'env' (variable name) or 'file' (path)")
        return self

    def describe(self) -> str:
        """Where the secret comes from, safe to log (never the value)."""
        return f"env:{self.env}" if self.env else f"file:{self.file}"


class BasicAuth(_Strict):
    username: str
    password: SecretRef


class Auth(_Strict):
    """HTTP authentication for a source: a bearer token or basic auth."""

    bearer: SecretRef | None = None
    basic: BasicAuth | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Auth:
        if (self.bearer is None) == (self.basic is None):
            raise ValueError("give exactly one of 'bearer' or 'basic'")
        return self


class TlsConfig(_Strict):
    ca_file: str | None = None
    insecure_skip_verify: bool = False


class MetricMapping(_Strict):
    """One Prometheus metric read from a source's JSON.

    ``path`` selects nodes; each node gives one sample. ``value`` (relative, ``@.x``) picks the
    number inside an object node, or is a number every matched node gives (json_exporter's static
    values); ``labels`` take a reference or a template (``launchwatch.plan.label_specs``).
    """

    name: MetricName
    help: str = Field(min_length=1)
    type: Literal["counter", "gauge", "info"]
    path: JsonPath
    value: float | ValueQuery | None = None
    labels: dict[LabelKey, LabelSpec] = Field(default_factory=dict)
    label_defaults: dict[LabelName, str] = Field(default_factory=dict)  # a label whose query finds null or nothing
    const_labels: dict[LabelName, str] = Field(default_factory=dict)
    value_map: dict[str, float] = Field(default_factory=dict)
    value_map_default: float | None = None  # a string value_map does not list (else the value is invalid)
    numeric_strings: bool = True  # "1234.5" (JSON number syntax only) is the number 1234.5
    optional: bool = False  # a null or absent value gives no sample and is not counted as missing
    timestamp: NodeQuery | None = None  # the sample's time: Unix time (timestamp_unit) or an RFC 3339 string
    timestamp_unit: Literal["s", "ms"] = "s"
    scale: float = 1.0

    @model_validator(mode="after")
    def _naming(self) -> MetricMapping:
        if self.type == "counter" and not self.name.endswith("_total"):
            raise ValueError(f"counter {self.name!r} must end in '_total' (Prometheus naming)")
        if self.type != "counter" and self.name.endswith("_total"):
            raise ValueError(f"{self.type} {self.name!r} must not end in '_total': only counters do")
        if self.type == "info" and not self.name.endswith("_info"):
            raise ValueError(f"info metric {self.name!r} must end in '_info'")
        clash = set(self.labels) & set(self.const_labels)
        if clash:
            raise ValueError(f"labels {sorted(clash)} are given both in 'labels' and 'const_labels'")
        if "target" in self.labels and self.labels["target"] != "@target":
            raise ValueError("label 'target' is the source's name: only 'target: \"@target\"' may set it")
        if extra := sorted(set(self.label_defaults) - set(self.labels)):
            raise ValueError(f"label_defaults for {extra}: not in 'labels'")
        if self.value_map_default is not None and not self.value_map:
            raise ValueError("'value_map_default' without a 'value_map'")
        if isinstance(self.value, float) and self.type == "info":
            raise ValueError("an info metric's value is always 1: drop 'value'")
        return self

    @cached_property
    def value_query(self) -> str | None:
        """The relative query of ``value``, or None (the node itself, or a fixed ``value``)."""
        return self.value if isinstance(self.value, str) else None

    @cached_property
    def label_names(self) -> tuple[str, ...]:
        return tuple(self.labels) + tuple(self.const_labels)

    @property
    def shared(self) -> bool:
        """A metric sources may share: its samples carry the ``target`` label."""
        return "target" in self.labels


class JsonAssertion(_Strict):
    """A check on the health JSON: the node at ``path`` equals one of ``equals``."""

    name: LabelName
    path: JsonPath
    equals: list[str | float | bool] = Field(min_length=1)

    @cached_property
    def compiled_path(self) -> jsonpath.JSONPath:
        return compile_jsonpath(self.path)


class Probe(_Strict):
    """blackbox_exporter-style checks: status, duration, body and JSON assertions, TLS expiry."""

    max_duration: Duration | None = None
    body_regex: Regex | None = None
    assertions: list[JsonAssertion] = Field(default_factory=list)


class _Request(_Strict):
    """How to fetch a JSON document and read it: what a source and a module share."""

    method: Literal["GET", "POST", "HEAD"] = "GET"  # POST when a body is given and no method
    headers: dict[str, str | SecretRef] = Field(default_factory=dict)
    auth: Auth | None = None
    body: str | None = None
    timeout: Duration = 10.0
    valid_status_codes: list[Annotated[int, Field(ge=100, le=599)]] = Field(default_factory=lambda: [200])
    max_response_bytes: Size = 4 * 1024 * 1024
    tls: TlsConfig = Field(default_factory=TlsConfig)
    isolation: Literal["source", "metric"] = "source"  # what one invalid value takes down
    metrics: list[MetricMapping] = Field(default_factory=list)
    probe: Probe | None = None

    @model_validator(mode="before")
    @classmethod
    def _post_with_body(cls, data: Any) -> Any:
        # json_exporter POSTs whenever a body is set; so does launchwatch unless the method is given
        if isinstance(data, dict) and data.get("body") is not None and "method" not in data:
            return {**data, "method": "POST"}
        return data

    @model_validator(mode="after")
    def _request_fits(self) -> _Request:
        if self.timeout <= 0:
            raise ValueError("'timeout' must be more than 0s")
        if self.method == "HEAD" and self.needs_json:
            raise ValueError("method HEAD gets no body, so 'metrics' and probe 'assertions' could never read one: "
                             "use GET (or keep HEAD for a probe of status, duration and TLS only)")
        if self.method != "POST" and self.body is not None:
            raise ValueError(f"a 'body' is sent only with POST, not {self.method} (json_exporter POSTs whenever a "
                             "body is set): set 'method: POST' or drop the body")
        seen: dict[str, str] = {}
        for name in self.headers:
            first = seen.setdefault(name.lower(), name)
            if first != name:
                raise ValueError(f"headers {first!r} and {name!r} are one header (names are case-insensitive): "
                                 "keep one")
        return self

    @property
    def needs_json(self) -> bool:
        return bool(self.metrics) or bool(self.probe and self.probe.assertions)


class Module(_Request):
    """A reusable set of mappings and request settings (json_exporter's module).

    Sources name it (``module:``) to share its mappings; ``/probe?module=NAME&target=URL`` fetches
    any URL the module's ``allowed_targets`` admits, the multi-target pattern of blackbox_exporter.
    """

    name: Annotated[str, Field(pattern=SOURCE_NAME_RE.pattern)]
    allowed_targets: list[str] = Field(default_factory=list)  # URL prefixes or host[:port]; empty: no /probe

    @model_validator(mode="after")
    def _has_work(self) -> Module:
        if not self.metrics and self.probe is None:
            raise ValueError("a module needs 'metrics', a 'probe', or both")
        for entry in self.allowed_targets:
            _check_allowed_target(entry)
        return self

    def as_source(self, url: str) -> Source:
        """The module as a source fetching ``url`` (named after the module), as ``/probe`` runs it."""
        fields = self.model_dump(exclude={"name", "allowed_targets"}, exclude_defaults=True)
        return Source.model_validate({**fields, "name": self.name, "url": url})


def _check_allowed_target(entry: str) -> None:
    from launchwatch.plan.targets import parse_allowed  # small module of its own: the allow-list's rules

    parse_allowed(entry)


class Source(_Request):
    """An HTTP endpoint of the product: fetched fresh on every scrape (or each ``min_interval``)."""

    name: Annotated[str, Field(pattern=SOURCE_NAME_RE.pattern)]
    url: str = Field(min_length=1)
    description: str = ""
    module: str | None = None  # a module's settings and mappings, for what this source does not set
    min_interval: Duration = 0.0

    @model_validator(mode="after")
    def _has_work(self) -> Source:
        if not self.metrics and self.probe is None:
            raise ValueError("a source needs 'metrics', a 'probe', or both")
        return self


def _with_modules(data: Any) -> Any:
    """Sources naming a module get the module's fields they do not set themselves (raw data, before
    validation, so the usual defaults and checks apply to the result)."""
    if not isinstance(data, dict) or not isinstance(data.get("modules"), list) or not isinstance(
            data.get("sources"), list):
        return data
    modules = {m.get("name"): m for m in data["modules"] if isinstance(m, dict)}
    sources = []
    for src in data["sources"]:
        module = modules.get(src.get("module")) if isinstance(src, dict) else None
        if module is not None:
            inherited = {k: v for k, v in module.items() if k not in ("name", "allowed_targets")}
            own = src.get("metrics") or []
            src = {**inherited, **src, "metrics": [*(module.get("metrics") or []), *own]}
        sources.append(src)
    return {**data, "sources": sources}


# journeys build on the request types above (secrets, TLS, durations, JSONPath): imported once they exist
from launchwatch.plan.journeys import Journey  # noqa: E402


class Plan(_Strict):
    """A product's launch-monitoring plan: what to fetch, and what the documents say is too much."""

    plan: Annotated[str, Field(pattern=PLAN_NAME_RE.pattern)]
    title: str
    description: str = ""
    seed: str = ""
    base_url: str = ""
    max_concurrency: int = Field(default=64, ge=1, le=1024)
    sources: list[Source] = Field(default_factory=list)
    modules: list[Module] = Field(default_factory=list)  # shared mappings; /probe's modules
    job: str | None = None
    runbook_base: str | None = None
    phases: Phases | None = None
    business_hours: BusinessHours | None = None
    channels: list[Channel] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)
    thresholds: list[Threshold] = Field(default_factory=list)
    slos: list[Slo] = Field(default_factory=list)
    unexpressible: list[Unexpressible] = Field(default_factory=list)
    launch_at: Annotated[datetime | None, AfterValidator(_with_zone)] = None  # T+0: annotated on every dashboard
    dashboards: list[Dashboard] = Field(default_factory=list)  # none: a derived set (launchwatch.dashboards)
    reports: list[Report] = Field(default_factory=list)  # none: a derived daily and weekly (launchwatch.report)
    journeys: list[Journey] = Field(default_factory=list)  # synthetic user journeys (launchwatch.plan.journeys)

    @model_validator(mode="before")
    @classmethod
    def _sources_with_modules(cls, data: Any) -> Any:
        return _with_modules(data)

    @model_validator(mode="after")
    def _has_sources(self) -> Plan:
        if not self.sources and not self.modules and not self.journeys:
            raise ValueError("a plan needs 'sources' (or 'modules' for /probe, or 'journeys')")
        return self

    @property
    def job_name(self) -> str:
        """The Prometheus job that scrapes this plan's exporter; rules select on it."""
        return self.job or self.plan

    def runbook_url(self, alert: str) -> str:
        base = self.runbook_base or f"docs/alerts/{self.plan}.md"
        return f"{base}#{alert.lower()}"

    def tier(self, name: str) -> Tier:
        for t in self.tiers:
            if t.name == name:
                return t
        raise KeyError(name)

    def channel(self, name: str) -> Channel:
        for c in self.channels:
            if c.name == name:
                return c
        raise KeyError(name)

    @cached_property
    def metrics(self) -> dict[str, list[MetricMapping]]:
        """Every business metric name with its mappings (several when split by constant labels)."""
        out: dict[str, list[MetricMapping]] = {}
        for s in self.sources:
            for m in s.metrics:
                out.setdefault(m.name, []).append(m)
        used = {s.module for s in self.sources}
        for mod in self.modules:  # a module only /probe reads: its metrics are the plan's too
            if mod.name not in used:
                for m in mod.metrics:
                    out.setdefault(m.name, []).append(m)
        return out

    def module(self, name: str) -> Module:
        for m in self.modules:
            if m.name == name:
                return m
        raise KeyError(name)

    def journey(self, name: str) -> Journey:
        for j in self.journeys:
            if j.name == name:
                return j
        raise KeyError(name)

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)
