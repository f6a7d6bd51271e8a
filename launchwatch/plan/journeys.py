"""The ``journeys:`` section of a plan: synthetic user journeys, each an ordered list of HTTP steps.

A journey is what a launch document's smoke test does by hand ("sign up, log in, create a session,
join it"): each step is a request whose URL, headers and body may use ``${variables}``, ``extract``
reads values from its response (a JSONPath or a header, optionally narrowed by a regex) for later
steps, and ``expect`` says what a good answer is (status codes, JSONPath assertions, a deadline).
``cleanup`` steps run after every run, whether the journey passed or not (delete the test user).

A journey runs at most every ``interval``; the exporter serves the last result in between, so a
Prometheus scrape never triggers a burst of sign-ups (``launchwatch.exporter.journeys`` runs them).

>>> from launchwatch.plan.journeys import Journey
>>> j = Journey.model_validate({"name": "login", "interval": "5m", "steps": [
...     {"name": "signup", "method": "POST", "url": "/api/signup", "json": {"email": "lw-${uuid}@example.test"},
...      "extract": {"user_id": "$.user.id"}},
...     {"name": "me", "url": "/api/users/${user_id}"}]})
>>> [s.name for s in j.steps], j.interval
(['signup', 'me'], 300.0)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BeforeValidator, ConfigDict, Field, model_validator

from launchwatch.plan.model import (
    Duration,
    JsonPath,
    Regex,
    SecretRef,
    Size,
    TlsConfig,
    _Strict,
)

__all__ = [
    "BUILTIN_VARIABLES",
    "ITERATION",
    "Assertion",
    "Expect",
    "Extraction",
    "Journey",
    "Step",
    "journey_problems",
    "references",
    "resolve",
]

NAME_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
VARIABLE_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
# ${name}; "$${" is a literal "${"
_REFERENCE = re.compile(r"\$\$\{|\$\{([^}]*)\}")
# generated per run, so runs stay independent of each other: the same value everywhere within one run
BUILTIN_VARIABLES = {
    "uuid": "a random UUID (one per run)",
    "random": "8 random hexadecimal digits (one per run)",
    "now": "the run's start, Unix seconds",
    "now_ms": "the run's start, Unix milliseconds",
}
ITERATION = "iteration"  # inside a step with 'repeat': 1, 2, ... (a number in a JSON body)
DEFAULT_STATUS = tuple(range(200, 300))

Name = Annotated[str, Field(pattern=NAME_RE.pattern)]
VariableName = Annotated[str, Field(pattern=VARIABLE_RE.pattern)]


def references(text: str) -> Iterator[str]:
    """The variable names ``text`` refers to as ``${name}``.

    >>> list(references("/api/users/${user_id}?at=${now}&x=$${literal}"))
    ['user_id', 'now']
    """
    for m in _REFERENCE.finditer(text):
        if m.group(1) is not None:
            yield m.group(1)


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON-like value (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _extraction_shorthand(value: Any) -> Any:
    """``otp: $.code`` is ``otp: {path: $.code}``."""
    return {"path": value} if isinstance(value, str) else value


class Extraction(_Strict):
    """Where a variable's value comes from in a step's response: a JSONPath into the JSON body or a
    response header, optionally narrowed to the first group of ``regex``. ``secret`` values (a token,
    an OTP) are masked wherever launchwatch shows anything."""

    path: JsonPath | None = None
    header: str | None = Field(default=None, min_length=1)
    regex: Regex | None = None
    secret: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> Extraction:
        if (self.path is None) == (self.header is None):
            raise ValueError("give exactly one of 'path' (a JSONPath into the body) or 'header' (a response header)")
        if self.regex is not None and re.compile(self.regex).groups > 1:
            raise ValueError(f"regex {self.regex!r} has more than one group: the value is the first group's text")
        return self


class Assertion(_Strict):
    """The node at ``path`` exists and is not null, and equals one of ``equals`` when given (strings may
    use ``${variables}``)."""

    path: JsonPath
    equals: list[str | float | bool] | None = Field(default=None, min_length=1)


class Expect(_Strict):
    """What a good answer is; the first check that fails fails the step (and names the reason)."""

    status: list[Annotated[int, Field(ge=100, le=599)]] = Field(default_factory=list)  # empty: any 2xx
    max_duration: Duration | None = None  # the step's deadline: a slower answer is cut (reason timeout)
    assertions: list[Assertion] = Field(default_factory=list)

    @property
    def status_codes(self) -> tuple[int, ...]:
        return tuple(self.status) or DEFAULT_STATUS


class Step(_Strict):
    """One HTTP request of a journey."""

    name: Name
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] = "GET"  # POST when a body is given
    url: str = Field(min_length=1)  # relative to the journey's (or the plan's) base_url, or absolute
    headers: dict[str, str | SecretRef] = Field(default_factory=dict)
    json_body: Any = Field(default=None, alias="json")
    form: dict[str, str] | None = None
    body: str | None = None
    extract: dict[VariableName, Annotated[Extraction, BeforeValidator(_extraction_shorthand)]] = Field(
        default_factory=dict)
    expect: Expect = Field(default_factory=Expect)
    timeout: Duration = 10.0
    max_response_bytes: Size = 1024 * 1024
    follow_redirects: bool = True
    repeat: int = Field(default=1, ge=1, le=100)  # the request this many times in a row, ${iteration} = 1, 2, ...

    @model_validator(mode="before")
    @classmethod
    def _post_with_body(cls, data: Any) -> Any:
        if isinstance(data, dict) and "method" not in data and any(
                data.get(k) is not None for k in ("json", "form", "body")):
            return {**data, "method": "POST"}
        return data

    @model_validator(mode="after")
    def _fits(self) -> Step:
        given = [k for k, v in (("json", self.json_body), ("form", self.form), ("body", self.body)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"give one request body: {' and '.join(given)} are both set")
        if given and self.method in ("GET", "HEAD"):
            raise ValueError(f"a {self.method} request sends no body: set 'method: POST' (or PUT, PATCH, DELETE)")
        if self.timeout <= 0:
            raise ValueError("'timeout' must be more than 0s")
        if self.method == "HEAD" and (self.expect.assertions or any(e.path for e in self.extract.values())):
            raise ValueError("a HEAD response has no body for 'assertions' or a 'path' extraction to read")
        seen: dict[str, str] = {}
        for name in self.headers:
            first = seen.setdefault(name.lower(), name)
            if first != name:
                raise ValueError(f"headers {first!r} and {name!r} are one header (names are case-insensitive)")
        return self

    @property
    def deadline(self) -> float:
        """The most this step may take: ``timeout``, or ``expect.max_duration`` when shorter."""
        if self.expect.max_duration is not None:
            return min(self.timeout, self.expect.max_duration)
        return self.timeout

    def texts(self) -> Iterator[tuple[str, str]]:
        """(field, text) of everything in the request that may hold ``${variables}``."""
        yield "url", self.url
        for name, value in self.headers.items():
            if isinstance(value, str):
                yield f"headers.{name}", value
        if self.json_body is not None:
            for text in _strings(self.json_body):
                yield "json", text
        for name, value in (self.form or {}).items():
            yield f"form.{name}", value
        if self.body is not None:
            yield "body", self.body
        for i, assertion in enumerate(self.expect.assertions):
            for value in assertion.equals or []:
                if isinstance(value, str):
                    yield f"expect.assertions[{i}].equals", value


class Journey(_Strict):
    """A synthetic user journey: ``steps`` in order, then ``cleanup`` (always), at most every ``interval``."""

    name: Name
    description: str = ""
    section: str = ""  # where the launch document asks for this check
    summary: str = ""  # the alert's summary (default: says which journey fails)
    interval: Duration  # a run starts at most this often; scrapes in between get the last result
    timeout: Duration = 60.0  # the whole run (steps and cleanup); each step also has its own
    tier: str | None = None  # the plan's tier whose channels hear when the journey fails (none: no alert)
    for_: Duration = Field(default=0.0, alias="for")  # how long the journey must keep failing before it alerts
    base_url: str | None = None  # default: the plan's
    headers: dict[str, str | SecretRef] = Field(default_factory=dict)  # sent with every step
    tls: TlsConfig = Field(default_factory=TlsConfig)
    variables: dict[VariableName, str] = Field(default_factory=dict)  # may use the built-in variables
    secrets: dict[VariableName, SecretRef] = Field(default_factory=dict)  # masked wherever shown
    steps: list[Step] = Field(min_length=1)
    cleanup: list[Step] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True)

    @model_validator(mode="after")
    def _coherent(self) -> Journey:
        if self.interval <= 0 or self.timeout <= 0:
            raise ValueError("'interval' and 'timeout' must be more than 0s")
        if self.timeout > self.interval:
            raise ValueError(f"'timeout' ({self.timeout:g}s) is longer than 'interval' ({self.interval:g}s): a run "
                             "could still be going when the next is due")
        names: set[str] = set()
        for step in [*self.steps, *self.cleanup]:
            if step.name in names:
                raise ValueError(f"step name {step.name!r} is used twice (steps and cleanup share one namespace)")
            names.add(step.name)
        defined = dict.fromkeys([*BUILTIN_VARIABLES, ITERATION], "built-in")
        for kind, group in (("variables", self.variables), ("secrets", self.secrets)):
            for name in group:
                if name in defined:
                    raise ValueError(f"{kind}: {name!r} is already a {defined[name]} variable")
                defined[name] = kind
        for name, text in self.variables.items():
            for ref in references(text):
                if ref not in BUILTIN_VARIABLES:
                    raise ValueError(f"variables.{name}: ${{{ref}}} is not a built-in variable "
                                     f"({', '.join(BUILTIN_VARIABLES)})")
        for name, value in self.headers.items():
            if isinstance(value, str):
                self._check_refs(f"headers.{name}", value, defined, set())
        later = {v for s in self.all_steps for v in s.extract}
        for step in self.steps:
            self._check_step(step, defined, "", later)
            for var in step.extract:
                if var in defined:
                    raise ValueError(f"step {step.name!r}: extract {var!r} is already a {defined[var]} variable")
                defined[var] = f"step {step.name!r}'s extracted"
        for step in self.cleanup:  # cleanup may use what any step extracts; a value not reached skips it
            self._check_step(step, defined, "cleanup ", later)
            for var in step.extract:
                if var in defined:
                    raise ValueError(f"cleanup step {step.name!r}: extract {var!r} is already a {defined[var]} "
                                     "variable")
                defined[var] = f"cleanup step {step.name!r}'s extracted"
        return self

    def _check_step(self, step: Step, defined: dict[str, str], what: str, later: set[str]) -> None:
        if step.repeat == 1:
            defined = {k: v for k, v in defined.items() if k != ITERATION}
        for field, text in step.texts():
            self._check_refs(f"{what}step {step.name!r} {field}", text, defined, later)

    @staticmethod
    def _check_refs(where: str, text: str, defined: dict[str, str], later: set[str]) -> None:
        for ref in references(text):
            if ref not in defined:
                hint = " (a later step extracts it)" if ref in later else ""
                raise ValueError(f"{where}: ${{{ref}}} is not defined before it is used{hint}; defined: "
                                 f"{', '.join(sorted(defined)) or 'none'}")

    @property
    def secret_variables(self) -> frozenset[str]:
        """Names whose values are masked: the secrets and every extraction marked secret."""
        extracted = {v for s in [*self.steps, *self.cleanup] for v, e in s.extract.items() if e.secret}
        return frozenset(self.secrets) | frozenset(extracted)

    @property
    def all_steps(self) -> list[Step]:
        return [*self.steps, *self.cleanup]



def journey_problems(plan: Any) -> list[tuple[tuple[str | int, ...], str]]:
    """What one journey cannot see: names unique in the plan, a known tier, URLs that resolve to http(s).

    ``plan`` is a ``launchwatch.plan.model.Plan``; its loader reports these as ``file:line: key: problem``."""
    out: list[tuple[tuple[str | int, ...], str]] = []
    seen: dict[str, int] = {}
    tiers = [t.name for t in plan.tiers]
    for i, journey in enumerate(plan.journeys):
        if seen.setdefault(journey.name, i) != i:
            out.append((("journeys", i, "name"), f"duplicate journey name {journey.name!r} "
                                                 f"(also journeys[{seen[journey.name]}])"))
        if journey.tier is not None and journey.tier not in tiers:
            close = difflib.get_close_matches(journey.tier, tiers, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (tiers: {', '.join(tiers) or 'none'})"
            out.append((("journeys", i, "tier"), f"unknown tier {journey.tier!r}{hint}"))
        base = journey.base_url if journey.base_url is not None else plan.base_url
        for group in ("steps", "cleanup"):
            for j, step in enumerate(getattr(journey, group)):
                if problem := _url_problem(step.url, base):
                    out.append((("journeys", i, group, j, "url"), problem))
    return out


def resolve(base_url: str, url: str) -> str:
    """A step URL made absolute against ``base_url`` (as sources' URLs are)."""
    if "://" in url or not base_url:
        return url
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def _url_problem(url: str, base: str) -> str | None:
    if "://" in url and "${" in url.split("/", 3)[2]:
        return None  # the host comes from a variable: only a run can tell
    try:
        parts = urlsplit(resolve(base, url))
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        usable = False
    if usable:
        return None
    hint = "" if base or "://" in url else " (a relative URL needs 'base_url', the journey's or the plan's)"
    return f"{url!r} is not an http(s) URL{hint}"
