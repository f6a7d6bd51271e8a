"""Planted secrets never leak: not in logs, pages, metrics, reload answers, error messages or generated files.

Random credentials (fresh every run) are planted in every place a plan can carry them: ``user:pass@``
in source URLs and in ``base_url``, inline header values, headers and ``auth.bearer`` /
``auth.basic.password`` read from an environment variable or a file, and (upstream side) in a redirect
``Location``. Then every output is collected and grepped for each secret, its base64 ``user:pass`` form
and any 12-character piece of them (a truncated echo is a leak too):

- a real ``launchwatch run --log-level debug`` process whose sources succeed and fail every way (HTTP 500
  and 401 echoing the credentials, connection refused, timeout, redirects to URLs carrying credentials,
  a redirect loop, malformed JSON, bodies echoing the Authorization header, a missing secret), then
  failing and succeeding reloads by ``POST /-/reload`` and by SIGHUP: its whole log, ``/metrics`` (text,
  OpenMetrics, gzip), ``/``, ``/-/healthy``, ``/-/ready``, every ``/-/reload`` answer, a 404 and a 405;
- ``launchwatch check``, ``generate`` and ``run`` on the good plan and on broken variants that put a
  secret right where the problem is (inline secrets the loader refuses, YAML that does not parse, URLs
  that are not http(s), credentials in channel and runbook URLs): stdout, stderr and every file written.

The upstream is asserted to have really received each credential, so the test cannot pass by never
sending them.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import os
import re
import secrets
import signal
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from launchwatch.plan import builtin_plan_path
from tests.conftest import Processes, free_port, launchwatch_cmd, wait_for
from tests.upstream import Reply, Upstream

WINDOW = 12  # any piece this long of a secret found in an output counts as a leak


def _token(kind: str) -> str:
    # Starts with letters so YAML reads it as a string; random so nothing else can contain it.
    return f"lw{kind}{secrets.token_hex(14)}"


def _b64(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class Secrets:
    base_user: str = field(default_factory=lambda: _token("bu"))
    base_pass: str = field(default_factory=lambda: _token("bp"))
    url_user: str = field(default_factory=lambda: _token("uu"))
    url_pass: str = field(default_factory=lambda: _token("up"))
    hdr_inline: str = field(default_factory=lambda: _token("hi"))
    hdr_env: str = field(default_factory=lambda: _token("he"))
    hdr_file: str = field(default_factory=lambda: _token("hf"))
    bearer_env: str = field(default_factory=lambda: _token("be"))
    bearer_file: str = field(default_factory=lambda: _token("bf"))
    basic_user: str = field(default_factory=lambda: _token("au"))
    basic_pass_env: str = field(default_factory=lambda: _token("ae"))
    basic_pass_file: str = field(default_factory=lambda: _token("af"))
    redirect_user: str = field(default_factory=lambda: _token("ru"))
    redirect_pass: str = field(default_factory=lambda: _token("rp"))
    hash_a: str = field(default_factory=lambda: _token("ha"))  # a password with a raw '#': hash_a#hash_b
    hash_b: str = field(default_factory=lambda: _token("hb"))
    channel_user: str = field(default_factory=lambda: _token("cu"))
    channel_pass: str = field(default_factory=lambda: _token("cp"))
    runbook_user: str = field(default_factory=lambda: _token("ku"))
    runbook_pass: str = field(default_factory=lambda: _token("kp"))
    echo_token: str = field(default_factory=lambda: _token("ec"))  # only in the source whose JSON echoes it

    def needles(self, *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
        """Everything that must never show: each secret, each ``user:pass`` pair and its base64."""
        out = {name: value for name, value in vars(self).items() if name not in exclude}
        pairs = {"base": (self.base_user, self.base_pass), "url": (self.url_user, self.url_pass),
                 "basic-env": (self.basic_user, self.basic_pass_env),
                 "basic-file": (self.basic_user, self.basic_pass_file),
                 "redirect": (self.redirect_user, self.redirect_pass),
                 "channel": (self.channel_user, self.channel_pass),
                 "runbook": (self.runbook_user, self.runbook_pass),
                 "hash": (self.url_user, f"{self.hash_a}#{self.hash_b}")}
        for name, (user, password) in pairs.items():
            out[f"{name} user:pass"] = f"{user}:{password}"
            out[f"{name} base64(user:pass)"] = _b64(user, password)
        return out


ENV_HDR, ENV_BEARER, ENV_BASIC, ENV_ECHO, ENV_UNSET = (
    "LW_LEAK_HDR", "LW_LEAK_BEARER", "LW_LEAK_BASIC", "LW_LEAK_ECHO", "LW_LEAK_NEVER_SET")


def _gauge(slug: str) -> dict[str, str]:
    return {"name": f"lwleak_{slug.replace('-', '_')}_n", "help": "A number.", "type": "gauge", "path": "$.n"}


def build_plan(s: Secrets, up: str, closed: str, secret_dir: Path) -> dict[str, Any]:
    """The built-in whatsapp-quiz plan (so ``generate`` writes everything, dashboards included) with
    credentials on its sources and extra sources for every way a fetch can fail."""
    plan = yaml.safe_load(builtin_plan_path("whatsapp-quiz").read_text(encoding="utf-8"))
    host = up.removeprefix("http://")
    plan["base_url"] = f"http://{s.base_user}:{s.base_pass}@{host}"
    builtin = {src["name"]: src for src in plan["sources"]}
    builtin["subscription-analytics"]["headers"] = {"X-Api-Key": s.hdr_inline}
    builtin["system-health"]["headers"] = {"X-Env-Token": {"env": ENV_HDR}}
    builtin["webhooks"]["headers"] = {"X-File-Token": {"file": str(secret_dir / "header")}}
    url_creds = f"http://{s.url_user}:{s.url_pass}@{host}"
    closed_creds = f"http://{s.url_user}:{s.url_pass}@{closed}"
    bearer_env = {"bearer": {"env": ENV_BEARER}}
    bearer_file = {"bearer": {"file": str(secret_dir / "bearer")}}
    basic_env = {"basic": {"username": s.basic_user, "password": {"env": ENV_BASIC}}}
    basic_file = {"basic": {"username": s.basic_user, "password": {"file": str(secret_dir / "basic")}}}
    extra: list[tuple[str, str, dict[str, Any]]] = [
        ("ok-url", f"{url_creds}/ok-url", {"headers": {"X-File-Token": {"file": str(secret_dir / "header")}}}),
        ("ok-bearer-env", f"{up}/ok-bearer-env", {"auth": bearer_env, "headers": {"X-Api-Key": s.hdr_inline}}),
        ("ok-bearer-file", f"{up}/ok-bearer-file", {"auth": bearer_file}),
        ("ok-basic-env", f"{up}/ok-basic-env", {"auth": basic_env, "headers": {"X-Env-Token": {"env": ENV_HDR}}}),
        ("ok-basic-file", f"{up}/ok-basic-file", {"auth": basic_file}),
        ("http-500", f"{url_creds}/http-500", {"headers": {"X-Api-Key": s.hdr_inline}}),
        ("http-401", f"{up}/http-401", {"auth": bearer_env}),
        ("http-403-basic", f"{up}/http-403-basic", {"auth": basic_file}),
        ("refused-url", f"{closed_creds}/refused", {}),
        ("refused-bearer", f"http://{closed}/refused", {"auth": bearer_file}),
        ("timeout-url", f"{url_creds}/timeout-url", {"timeout": "1s"}),
        ("timeout-basic", f"{up}/timeout-basic", {"timeout": "1s", "auth": basic_env}),
        ("redirect-ok", f"{up}/redirect-ok", {"auth": bearer_env}),
        ("redirect-refused", f"{url_creds}/redirect-refused", {}),
        ("redirect-loop", f"{up}/redirect-loop", {"auth": basic_env}),
        ("malformed-json", f"{up}/malformed-json", {"auth": bearer_file}),
        ("echo-unmapped", f"{up}/echo-unmapped", {
            "auth": basic_file, "headers": {"X-Api-Key": s.hdr_inline},
            "probe": {"body_regex": "Basic", "assertions": [{"name": "n_ok", "path": "$.n", "equals": [3]}]}}),
        ("echo-mapped", f"{up}/echo-mapped", {"auth": {"bearer": {"env": ENV_ECHO}}}),
        ("secret-missing", f"{up}/secret-missing", {"auth": {"bearer": {"env": ENV_UNSET}}}),
    ]
    for name, url, more in extra:
        plan["sources"].append({"name": name, "url": url, "timeout": "2s", **more, "metrics": [_gauge(name)]})
    return plan


def upstream_replies(s: Secrets, up: Upstream, closed: str) -> dict[str, Reply]:
    echo = json.dumps({
        "authorization": [f"Basic {_b64(s.basic_user, s.basic_pass_file)}", f"Bearer {s.bearer_env}"],
        "x-api-key": s.hdr_inline, "url": f"{s.url_user}:{s.url_pass}",
    })
    ok = Reply(body=b'{"n": 1}')
    redirect_to = f"http://{s.redirect_user}:{s.redirect_pass}@{up.url.removeprefix('http://')}"
    return {
        "/api/subscription-analytics": ok, "/api/health": Reply(body=b'{"status": "ok"}'),
        "/api/webhooks/stats": ok, "/api/payments/stats": ok, "/api/support/stats": ok, "/admin": ok,
        "/ok-url": ok, "/ok-bearer-env": ok, "/ok-bearer-file": ok, "/ok-basic-env": ok, "/ok-basic-file": ok,
        "/http-500": Reply(500, echo.encode()),
        "/http-401": Reply(401, echo.encode(), {"Content-Type": "application/json",
                                                "WWW-Authenticate": f'Bearer realm="{s.bearer_env}"'}),
        "/http-403-basic": Reply(403, echo.encode()),
        "/timeout-url": Reply(body=b'{"n": 1}', delay=2.5), "/timeout-basic": Reply(body=b'{"n": 1}', delay=2.5),
        "/redirect-ok": Reply(302, b"", {"Location": f"{redirect_to}/redirect-final"}),
        "/redirect-final": ok,
        "/redirect-refused": Reply(302, b"", {"Location": f"http://{s.redirect_user}:{s.redirect_pass}@{closed}/x"}),
        "/redirect-loop": Reply(302, b"", {"Location": f"{redirect_to}/redirect-loop"}),
        "/malformed-json": Reply(body=('{"n": 1, "echo": ' + echo).encode()),
        "/echo-unmapped": Reply(body=json.dumps({"n": 3, "echo": json.loads(echo)}).encode()),
        "/echo-mapped": Reply(body=json.dumps({"n": f"Bearer {s.echo_token}"}).encode()),
        "/secret-missing": ok,
    }


def _dump(plan: dict[str, Any]) -> str:
    return yaml.safe_dump(plan, sort_keys=False, width=10_000, allow_unicode=True)


def _source(plan: dict[str, Any], name: str) -> dict[str, Any]:
    return next(src for src in plan["sources"] if src["name"] == name)


def broken_variants(s: Secrets, good: dict[str, Any], up: str) -> dict[str, str]:
    """Plans the loader must refuse, each with a secret right where the problem is."""
    host = up.removeprefix("http://")
    text = _dump(good)
    inline = f"X-Api-Key: {s.hdr_inline}"
    assert inline in text

    def edit(change: Callable[[dict[str, Any]], None]) -> str:
        plan = copy.deepcopy(good)
        change(plan)
        return _dump(plan)

    def set_url(name: str, url: str) -> Callable[[dict[str, Any]], None]:
        return lambda p: _source(p, name).__setitem__("url", url)

    def set_key(name: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
        return lambda p: _source(p, name).__setitem__(key, value)

    def set_channel_url(p: dict[str, Any]) -> None:
        channel = next(c for c in p["channels"] if c.get("url"))
        channel["url"] = f"http://{s.channel_user}:{s.channel_pass}@127.0.0.1:9097/{channel['name']}"

    creds = f"{s.url_user}:{s.url_pass}"
    return {
        "url-not-http": edit(set_url("ok-url", f"ftp://{creds}@{host}/ok-url")),
        "url-without-scheme": edit(set_url("ok-url", f"{creds}@{host}/ok-url")),
        "url-password-with-raw-hash": edit(set_url("ok-url", f"http://{s.url_user}:{s.hash_a}#{s.hash_b}@{host}/x")),
        "url-bad-ipv6": edit(set_url("ok-url", f"http://{creds}@[::1/ok-url")),
        "base-url-not-http": edit(lambda p: p.__setitem__("base_url", f"htp://{s.base_user}:{s.base_pass}@{host}")),
        "inline-bearer": edit(set_key("ok-bearer-env", "auth", {"bearer": s.bearer_env})),
        "inline-basic-password": edit(set_key("ok-basic-env", "auth", {
            "basic": {"username": s.basic_user, "password": s.basic_pass_env}})),
        "bearer-and-inline-basic": edit(set_key("ok-basic-env", "auth", {
            "bearer": {"env": ENV_BEARER}, "basic": {"username": s.basic_user, "password": s.basic_pass_env}})),
        "secret-ref-with-value": edit(set_key("ok-basic-env", "headers", {
            "X-Env-Token": {"env": ENV_HDR, "value": s.hdr_env}})),
        "header-as-list": edit(set_key("ok-bearer-env", "headers", {"X-Api-Key": [s.hdr_inline]})),
        "header-as-mapping": edit(set_key("ok-bearer-env", "headers", {"X-Api-Key": {"token": s.hdr_inline}})),
        "channel-url-credentials": edit(set_channel_url),
        "runbook-base-credentials": edit(lambda p: p.__setitem__(
            "runbook_base", f"https://{s.runbook_user}:{s.runbook_pass}@wiki.example/runbooks")),
        # YAML that does not parse, with the secret on the offending line: a value starting with '!'
        # is a tag, one starting with '*' an alias.
        "yaml-secret-read-as-tag": text.replace(inline, f"X-Api-Key: !{s.hdr_inline}"),
        "yaml-custom-tag": text.replace(inline, f"X-Api-Key: !secret {s.hdr_inline}"),
        "yaml-secret-read-as-alias": text.replace(inline, f"X-Api-Key: *{s.hdr_inline}"),
        "yaml-int-tag": text.replace(inline, f"X-Api-Key: !!int {s.hdr_inline}"),
        "yaml-float-tag": text.replace(inline, f"X-Api-Key: !!float {s.hdr_inline}"),
        "yaml-binary-tag": text.replace(inline, f"X-Api-Key: !!binary {s.hdr_inline}"),
        "yaml-map-tag": text.replace(inline, f"X-Api-Key: !!map {s.hdr_inline}"),
        "yaml-unclosed-quote": text.replace(inline, f"X-Api-Key: '{s.hdr_inline}"),
        "yaml-bad-escape": text.replace(inline, f'X-Api-Key: "{s.hdr_inline}\\q"'),
        "yaml-duplicate-header": re.sub(rf"( *){re.escape(inline)}\n", rf"\g<0>\g<1>{inline}\n", text, count=1),
    }


@dataclass
class Scenario:
    secrets: Secrets
    outputs: dict[str, str]  # what was seen → its text
    seen_headers: dict[str, dict[str, str]]
    hits: dict[str, int]
    exit_codes: dict[str, int | None]  # broken-variant command → exit code (None: still running at timeout)
    reload_statuses: dict[str, int]


def _cli(args: list[str], env: dict[str, str], timeout: float = 20) -> tuple[int | None, str]:
    try:
        done = subprocess.run(args, capture_output=True, env={**os.environ, **env}, timeout=timeout)
    except subprocess.TimeoutExpired as exc:  # e.g. `run` on a plan the loader wrongly accepts
        out = (exc.stdout or b"") + (exc.stderr or b"")
        return None, out.decode("utf-8", "replace")
    return done.returncode, (done.stdout + b"\n" + done.stderr).decode("utf-8", "replace")


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_bytes().decode("utf-8", "replace")
            for p in sorted(root.rglob("*")) if p.is_file()}


def _describe(resp: requests.Response) -> str:
    """Status line, headers and body: all of it is output."""
    headers = "\n".join(f"{k}: {v}" for k, v in resp.headers.items())
    return f"HTTP {resp.status_code} {resp.reason}\n{headers}\n\n{resp.text}"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    tmp = tmp_path_factory.mktemp("leak")
    s = Secrets()
    secret_dir = tmp / "secrets"
    secret_dir.mkdir()
    (secret_dir / "header").write_text(s.hdr_file + "\n")
    (secret_dir / "bearer").write_text(s.bearer_file + "\n")
    (secret_dir / "basic").write_text(s.basic_pass_file + "\n")
    env = {ENV_HDR: s.hdr_env, ENV_BEARER: s.bearer_env, ENV_BASIC: s.basic_pass_env, ENV_ECHO: s.echo_token}
    os.environ.pop(ENV_UNSET, None)

    up = Upstream()
    procs = Processes()
    outputs: dict[str, str] = {}
    exit_codes: dict[str, int | None] = {}
    reload_statuses: dict[str, int] = {}
    try:
        closed = f"127.0.0.1:{free_port()}"
        for path, reply in upstream_replies(s, up, closed).items():
            up.set(path, reply)
        good = build_plan(s, up.url, closed, secret_dir)
        good_text = _dump(good)
        variants = broken_variants(s, good, up.url)
        plan_file = tmp / "plan.yml"
        plan_file.write_text(good_text)

        # check and generate on the good plan
        code, out = _cli(launchwatch_cmd("check", "--config", str(plan_file)), env)
        assert code == 0, out
        outputs["check (good plan)"] = out
        gen = tmp / "generated"
        code, out = _cli(launchwatch_cmd("generate", "--config", str(plan_file), "--out", str(gen)), env)
        assert code == 0, out
        outputs["generate (good plan): output"] = out
        files = _tree(gen)
        assert any(f.startswith("grafana/") for f in files) and "alertmanager/alertmanager.yml" in files, files
        for rel, text in files.items():
            outputs[f"generate (good plan): {rel}"] = text

        # check, generate and run on every broken variant (two at a time: the machine is shared)
        def broken(name: str, text: str) -> list[tuple[str, int | None, str]]:
            path = tmp / "variants" / f"{name}.yml"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
            out_dir = tmp / "variants" / f"{name}-generated"
            results = []
            for cmd, args, timeout in [
                ("check", ["check", "--config", str(path)], 20),
                ("generate", ["generate", "--config", str(path), "--out", str(out_dir)], 20),
                # a refused plan exits at once; 20 s only bounds a wrongly accepted one, which would serve on
                # (5 s was too short for the interpreter to start on a loaded 2-core machine)
                ("run", ["run", "--config", str(path), "--listen", f"127.0.0.1:{free_port()}",
                         "--log-level", "debug"], 20),
            ]:
                code, out = _cli(launchwatch_cmd(*args), env, timeout)
                results.append((f"{cmd} ({name})", code, out))
            if out_dir.exists():
                for rel, text in _tree(out_dir).items():
                    results.append((f"generate ({name}): {rel}", 0, text))
            return results

        with ThreadPoolExecutor(2) as pool:
            for results in pool.map(lambda item: broken(*item), variants.items()):
                for what, code, out in results:
                    outputs[what] = out
                    if not what.startswith("generate (") or ":" not in what:
                        exit_codes[what] = code

        # the exporter, at debug level
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log_path = tmp / "exporter.log"
        proc = procs.start(launchwatch_cmd("run", "--config", str(plan_file), "--listen", f"127.0.0.1:{port}",
                                           "--web.enable-lifecycle", "--log-level", "debug"), log_path, env=env)
        wait_for(lambda: requests.get(base + "/-/ready", timeout=2).ok, what="exporter ready")

        def get(what: str, path: str, **headers: str) -> requests.Response:
            resp = requests.get(base + path, headers=headers, timeout=30)
            outputs[f"GET {path} ({what})"] = _describe(resp)
            return resp

        def scrape_all(what: str) -> None:
            text = get(f"text, {what}", "/metrics")
            assert 'launchwatch_target_up{target="ok-url"} 1.0' in text.text, text.text
            get(f"OpenMetrics, {what}", "/metrics", Accept="application/openmetrics-text; version=1.0.0")
            resp = requests.get(base + "/metrics", headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
            outputs[f"GET /metrics (gzip, {what})"] = gzip.decompress(resp.raw.read()).decode("utf-8", "replace")
            get(what, "/")

        scrape_all("first scrape")
        scrape_all("second scrape")
        get("healthy", "/-/healthy")
        get("ready", "/-/ready")
        get("not found", "/nope")
        get("wrong method", "/-/reload")

        for name, text in variants.items():
            plan_file.write_text(text)
            resp = requests.post(base + "/-/reload", timeout=30)
            reload_statuses[name] = resp.status_code
            outputs[f"POST /-/reload ({name})"] = _describe(resp)
            get(f"after failed reload {name}", "/")
        get("metrics after failed reloads", "/metrics")
        plan_file.write_text(good_text)
        resp = requests.post(base + "/-/reload", timeout=30)
        outputs["POST /-/reload (good plan)"] = _describe(resp)
        reload_statuses["good plan"] = resp.status_code
        scrape_all("after a good reload")

        def count(text: str) -> int:
            return log_path.read_text(errors="replace").count(text)

        failed, reloaded = count("reload failed"), count("reloaded plan")
        plan_file.write_text(variants["inline-bearer"])
        os.kill(proc.pid, signal.SIGHUP)
        wait_for(lambda: count("reload failed") > failed, what="SIGHUP reload failing")
        get("after SIGHUP with a broken plan", "/")
        plan_file.write_text(good_text)
        os.kill(proc.pid, signal.SIGHUP)
        wait_for(lambda: count("reloaded plan") > reloaded, what="SIGHUP reload succeeding")
        scrape_all("after SIGHUP with the good plan")

        procs.stop_all()
        outputs["exporter log (stdout and stderr, debug level)"] = log_path.read_text(errors="replace")
        seen = tmp / "outputs"  # everything grepped, one file each, to read when a test fails
        seen.mkdir()
        for i, (what, text) in enumerate(outputs.items()):
            (seen / f"{i:03d}-{re.sub(r'[^A-Za-z0-9.-]+', '_', what)[:120]}.txt").write_text(f"{what}\n\n{text}")
        yield Scenario(s, outputs, dict(up.seen_headers), dict(up.hits), exit_codes, reload_statuses)
    finally:
        procs.stop_all()
        up.stop()


def _leaks(outputs: dict[str, str], needles: dict[str, str]) -> list[str]:
    """One line per output holding any secret: which secrets, and the text around the first."""
    found = []
    for what, text in outputs.items():
        names, first = [], ""
        for name, value in needles.items():
            pieces = {value[i:i + WINDOW] for i in range(max(len(value) - WINDOW, 0) + 1)}
            hit = next((p for p in pieces if p in text), None)
            if hit is not None:
                names.append(name)
                at = text.index(hit)
                first = first or text[max(at - 100, 0):at + 60]
        if names:
            found.append(f"{what}: {', '.join(names)}: …{first!r}…")
    return found


def test_upstream_really_received_every_credential(scenario):
    s, seen = scenario.secrets, scenario.seen_headers
    expect = {
        "/api/subscription-analytics": {"Authorization": f"Basic {_b64(s.base_user, s.base_pass)}",
                                        "X-Api-Key": s.hdr_inline},
        "/api/health": {"Authorization": f"Basic {_b64(s.base_user, s.base_pass)}", "X-Env-Token": s.hdr_env},
        "/api/webhooks/stats": {"X-File-Token": s.hdr_file},
        "/ok-url": {"Authorization": f"Basic {_b64(s.url_user, s.url_pass)}", "X-File-Token": s.hdr_file},
        "/ok-bearer-env": {"Authorization": f"Bearer {s.bearer_env}", "X-Api-Key": s.hdr_inline},
        "/ok-bearer-file": {"Authorization": f"Bearer {s.bearer_file}"},
        "/ok-basic-env": {"Authorization": f"Basic {_b64(s.basic_user, s.basic_pass_env)}",
                          "X-Env-Token": s.hdr_env},
        "/ok-basic-file": {"Authorization": f"Basic {_b64(s.basic_user, s.basic_pass_file)}"},
        "/http-500": {"Authorization": f"Basic {_b64(s.url_user, s.url_pass)}", "X-Api-Key": s.hdr_inline},
        "/http-401": {"Authorization": f"Bearer {s.bearer_env}"},
        "/timeout-url": {"Authorization": f"Basic {_b64(s.url_user, s.url_pass)}"},
        "/timeout-basic": {"Authorization": f"Basic {_b64(s.basic_user, s.basic_pass_env)}"},
        "/redirect-ok": {"Authorization": f"Bearer {s.bearer_env}"},
        "/redirect-refused": {"Authorization": f"Basic {_b64(s.url_user, s.url_pass)}"},
        "/malformed-json": {"Authorization": f"Bearer {s.bearer_file}"},
        "/echo-unmapped": {"Authorization": f"Basic {_b64(s.basic_user, s.basic_pass_file)}",
                           "X-Api-Key": s.hdr_inline},
        "/echo-mapped": {"Authorization": f"Bearer {s.echo_token}"},
    }
    wrong = {path: {k: seen.get(path, {}).get(k) for k in want} for path, want in expect.items()
             if any(seen.get(path, {}).get(k) != v for k, v in want.items())}
    assert not wrong, f"the upstream did not get these credentials: {wrong}"
    assert scenario.hits["/redirect-final"] >= 1 and scenario.hits["/redirect-loop"] > 1
    assert "/secret-missing" not in scenario.hits  # no secret, no request


def test_every_output_was_collected(scenario):
    outs = scenario.outputs
    log = outs["exporter log (stdout and stderr, debug level)"]
    # the failures really happened, so their messages were there to leak into
    for needle in ("reason=connection_refused", "reason=timeout", "reason=http_status", "reason=redirect",
                   "reason=invalid_json", "reason=secret", "reload failed", "reloaded plan"):
        assert needle in log, needle
    assert any(k.startswith("generate (good plan): grafana/dashboards/") for k in outs)
    assert scenario.reload_statuses["good plan"] == 200
    assert "down (connection_refused)" in outs["GET / (first scrape)"]


def test_broken_plans_are_refused_cleanly(scenario):
    """Each broken variant is refused by check, generate and run: exit 1, no traceback, no hang."""
    bad = {what: code for what, code in scenario.exit_codes.items() if code != 1}
    assert not bad, f"not refused with exit code 1: {bad}"
    tracebacks = [what for what, out in scenario.outputs.items() if "Traceback" in out]
    assert not tracebacks, f"tracebacks in: {tracebacks}"
    failed_reloads = {name: code for name, code in scenario.reload_statuses.items() if name != "good plan"}
    assert set(failed_reloads.values()) == {500}, failed_reloads


def test_no_secret_in_any_output(scenario):
    leaks = _leaks(scenario.outputs, scenario.secrets.needles(exclude=("echo_token",)))
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks)


def test_echoed_credential_in_a_mapped_field_does_not_leak(scenario):
    s = scenario.secrets
    needles = {"echo_token": s.echo_token}
    leaks = _leaks(scenario.outputs, needles)
    assert not leaks, "secrets leaked:\n" + "\n".join(leaks)
