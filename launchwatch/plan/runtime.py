"""The plan as the exporter runs it: small slotted objects built once from the validated model.

The validation model (``launchwatch.plan.model``) is what every part of launchwatch reads, and it is
the right tool for saying what is wrong with a plan. Kept for serving, it is heavy: pydantic gives
every metric mapping an attribute dict, a set of the fields given and its own empty dicts, some
1.5 KiB a mapping, 14 MiB for a plan of 1,000 sources. The exporter only reads a source's request
settings and mappings, so it runs on these instead: slots, equal strings and values stored once, and
no pydantic (they pickle and unpickle without it, so a process that only serves never imports it).

The attribute names are the model's: the exporter reads either kind.

>>> from launchwatch.plan import builtin_plan_path, load_plan
>>> runtime = runtime_plan(load_plan(builtin_plan_path("video-sessions")))  # doctest: +SKIP
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["LoadFailed", "RuntimeMapping", "RuntimeModule", "RuntimePlan", "RuntimeSource", "load_in_child",
           "runtime_plan"]


class _Record:
    """Fields in slots; built by keyword; printed by field."""

    __slots__: tuple[str, ...] = ()

    def __init__(self, **fields: Any):
        for name in self.__slots__:
            object.__setattr__(self, name, fields[name])

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({inner})"

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in self.__slots__)

    def __getstate__(self) -> tuple[Any, ...]:
        return self._values()

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self._values()))


class RuntimeSecret(_Record):
    """Where a secret lives (``SecretRef``): read at each fetch, never kept."""

    __slots__ = ("env", "file")

    def describe(self) -> str:
        return f"env:{self.env}" if self.env else f"file:{self.file}"


class RuntimeBasicAuth(_Record):
    __slots__ = ("password", "username")


class RuntimeAuth(_Record):
    __slots__ = ("basic", "bearer")


class RuntimeTls(_Record):
    __slots__ = ("ca_file", "insecure_skip_verify")


class RuntimeAssertion(_Record):
    __slots__ = ("equals", "name", "path")


class RuntimeProbe(_Record):
    __slots__ = ("assertions", "body_regex", "max_duration")


class RuntimeMapping(_Record):
    """One metric mapping (``MetricMapping``), with what the exporter derives from it worked out once."""

    __slots__ = ("const_labels", "help", "label_defaults", "label_names", "labels", "name", "numeric_strings",
                 "optional", "path", "scale", "shared", "timestamp", "timestamp_unit", "type", "value", "value_map",
                 "value_map_default", "value_query")


_REQUEST = ("method", "headers", "auth", "body", "timeout", "valid_status_codes", "max_response_bytes", "tls",
            "isolation", "metrics", "probe", "needs_json")


class RuntimeSource(_Record):
    """One source (``Source``): where and how to fetch, and its mappings."""

    __slots__ = ("name", "url", "module", "min_interval", *_REQUEST)


class RuntimeModule(_Record):
    """A module (``Module``): request settings and mappings that ``/probe`` applies to a target URL."""

    __slots__ = ("name", "allowed_targets", *_REQUEST)

    def as_source(self, url: str) -> RuntimeSource:
        """The module as a source fetching ``url`` (named after the module), as ``/probe`` runs it."""
        return RuntimeSource(name=self.name, url=url, module=None, min_interval=0.0,
                             **{n: getattr(self, n) for n in _REQUEST})


class RuntimePlan(_Record):
    """What the exporter serves: sources and modules, plus the journeys as the model has them."""

    __slots__ = ("base_url", "journeys", "max_concurrency", "modules", "plan", "sources", "title")

    def __getstate__(self) -> tuple[Any, ...]:
        # journeys are the model's (pydantic) objects: pickled apart, so a plan without any unpickles without it
        return tuple(pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) if n == "journeys" and v else v
                     for n, v in zip(self.__slots__, self._values(), strict=True))

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        values = list(state)
        at = self.__slots__.index("journeys")
        if isinstance(values[at], bytes):
            import launchwatch.plan.model  # noqa: F401  (the journeys' module imports cleanly only after the model)

            values[at] = pickle.loads(values[at])
        super().__setstate__(tuple(values))

    def module(self, name: str) -> RuntimeModule:
        for m in self.modules:
            if m.name == name:
                return m
        raise KeyError(name)

    def source(self, name: str) -> RuntimeSource:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)

    @property
    def metrics(self) -> dict[str, list[RuntimeMapping]]:
        """Every business metric name with its mappings (as ``Plan.metrics``)."""
        out: dict[str, list[RuntimeMapping]] = {}
        for s in self.sources:
            for m in s.metrics:
                out.setdefault(m.name, []).append(m)
        used = {s.module for s in self.sources}
        for mod in self.modules:
            if mod.name not in used:
                for m in mod.metrics:
                    out.setdefault(m.name, []).append(m)
        return out


def runtime_plan(plan: Any) -> RuntimePlan:
    """The runtime form of a validated ``Plan`` (one already in runtime form is returned as it is)."""
    if isinstance(plan, RuntimePlan):
        return plan
    return _Builder().plan(plan)


class _Builder:
    """Builds the runtime objects, storing each equal string, tuple, dict and small object once."""

    def __init__(self) -> None:
        self._seen: dict[Any, Any] = {}
        self._strings: dict[str, str] = {}
        self._empty: dict[Any, Any] = {}

    def one(self, value: Any) -> Any:
        """``value``, or an equal one built before (strings, numbers, tuples and records)."""
        if type(value) is str:
            return self._strings.setdefault(value, value)
        if value is None:
            return None
        try:
            return self._seen.setdefault((type(value), value), value)
        except TypeError:  # unhashable (e.g. a list in a value): kept as it is
            return value

    def dict_(self, d: dict) -> dict:
        if not d:
            return self._empty  # one empty dict for every mapping without labels, value map...
        items = tuple((self.one(k), self.one(v)) for k, v in d.items())
        key = (dict, items)
        try:
            found = self._seen.get(key)
        except TypeError:
            return dict(items)
        if found is None:
            found = self._seen[key] = dict(items)
        return found

    def plan(self, plan: Any) -> RuntimePlan:
        return RuntimePlan(plan=plan.plan, title=plan.title, base_url=plan.base_url,
                           max_concurrency=plan.max_concurrency,
                           sources=tuple(self.source(s) for s in plan.sources),
                           modules=tuple(self.module(m) for m in plan.modules),
                           journeys=tuple(plan.journeys))

    def source(self, src: Any) -> RuntimeSource:
        return RuntimeSource(name=self.one(src.name), url=self.one(src.url), module=self.one(src.module),
                             min_interval=src.min_interval, **self.request(src))

    def module(self, mod: Any) -> RuntimeModule:
        return RuntimeModule(name=self.one(mod.name), allowed_targets=tuple(mod.allowed_targets),
                             **self.request(mod))

    def request(self, req: Any) -> dict[str, Any]:
        headers = {self.one(k): v if isinstance(v, str) else self.secret(v) for k, v in req.headers.items()}
        return {
            "method": self.one(req.method), "headers": self.dict_(headers), "auth": self.auth(req.auth),
            "body": req.body, "timeout": req.timeout, "valid_status_codes": self.one(tuple(req.valid_status_codes)),
            "max_response_bytes": req.max_response_bytes,
            "tls": self.one(RuntimeTls(ca_file=req.tls.ca_file, insecure_skip_verify=req.tls.insecure_skip_verify)),
            "isolation": self.one(req.isolation), "metrics": tuple(self.mapping(m) for m in req.metrics),
            "probe": self.probe(req.probe), "needs_json": req.needs_json,
        }

    def secret(self, ref: Any) -> RuntimeSecret:
        return self.one(RuntimeSecret(env=ref.env, file=ref.file))

    def auth(self, auth: Any) -> RuntimeAuth | None:
        if auth is None:
            return None
        basic = auth.basic and RuntimeBasicAuth(username=auth.basic.username, password=self.secret(auth.basic.password))
        return RuntimeAuth(bearer=auth.bearer and self.secret(auth.bearer), basic=basic)

    def probe(self, probe: Any) -> RuntimeProbe | None:
        if probe is None:
            return None
        assertions = tuple(RuntimeAssertion(name=self.one(a.name), path=self.one(a.path), equals=list(a.equals))
                           for a in probe.assertions)
        return RuntimeProbe(max_duration=probe.max_duration, body_regex=probe.body_regex, assertions=assertions)

    def mapping(self, m: Any) -> RuntimeMapping:
        one = self.one
        return RuntimeMapping(
            name=one(m.name), help=one(m.help), type=one(m.type), path=one(m.path), value=one(m.value),
            labels=self.dict_(m.labels), label_defaults=self.dict_(m.label_defaults),
            const_labels=self.dict_(m.const_labels), value_map=self.dict_(m.value_map),
            value_map_default=m.value_map_default, numeric_strings=m.numeric_strings, optional=m.optional,
            timestamp=one(m.timestamp), timestamp_unit=one(m.timestamp_unit), scale=m.scale,
            value_query=one(m.value_query), label_names=one(tuple(one(n) for n in m.label_names)), shared=m.shared,
        )


class LoadFailed(Exception):
    """The plan file could not be read (the message says why, as ``launchwatch check`` would)."""


def load_in_child(path: Path, base_url: str | None) -> RuntimePlan:
    """The runtime form of the plan file at ``path``, read in a child process of its own.

    The serving process reloads this way: the loader's modules and the memory a big plan's reading
    touches stay in the child. Raises ``LoadFailed`` with the loader's problems."""
    command = [sys.executable, "-m", "launchwatch.plan.runtime", str(path)]
    if base_url is not None:
        command += ["--base-url", base_url]
    done = subprocess.run(command, capture_output=True, timeout=600, check=False)
    if done.returncode != 0:
        raise LoadFailed(done.stderr.decode("utf-8", "replace").strip() or f"plan loader exited {done.returncode}")
    return pickle.loads(done.stdout)


def _main(argv: list[str]) -> int:
    """``python -m launchwatch.plan.runtime PATH [--base-url URL]``: the pickled runtime form on stdout."""
    from launchwatch.plan.loader import PlanError, load_plan

    base_url = argv[argv.index("--base-url") + 1] if "--base-url" in argv else None
    try:
        plan = load_plan(argv[0], base_url=base_url)
    except PlanError as exc:
        print(exc, file=sys.stderr)
        return 1
    sys.stdout.buffer.write(pickle.dumps(runtime_plan(plan), protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":  # run as a script, this file is __main__: build with the module's own classes
    from launchwatch.plan.runtime import _main as main

    sys.exit(main(sys.argv[1:]))
