"""Hostile upstreams: the exporter watching a launch must be the last thing to break when the product breaks.

One plan holds a well-behaved source and one source per way a product can misbehave (drip, size,
gzip bomb, redirect loop, bad UTF-8, deep JSON, NaN, 1e400, duplicate keys, bad TLS, unresolvable
name, reset mid-body), all served by real servers on 127.0.0.1. A real ``launchwatch run`` process
is scraped twice; each hostile target must be down with its own reason and a clear message, the
good target must keep its values in the very same scrapes, and the log must hold no traceback.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import json
import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from launchwatch.exporter.fetch import REASONS
from tests.conftest import Processes, free_port, launchwatch_cmd, parse_metrics, wait_for
from tests.hostile import (
    Behaviour,
    HostileServer,
    chunked,
    drip,
    drip_head,
    gzip_bomb,
    redirect,
    reply,
    reset_mid_body,
    truncated,
)
from tests.upstream import Reply, Upstream

EXTRACT_REASONS = ("invalid_json", "invalid_value")
SOURCE_TIMEOUT = 1.0  # every hostile source's timeout; the drips would take a minute or more
CAP = 1024  # max_response_bytes of the hostile sources (the gzip bomb's is BOMB_CAP)
BOMB_CAP = 256 * 1024
DEEP_CAP = 1024 * 1024  # deep-json is 200 KB: it must fail on its depth, not its size
BOMB_MIB = 100
WIDGETS = b'{"widgets": 7}'
# 4 labels of 63 characters: each label is legal, so Python and urllib3 accept the name, but the
# whole is longer than DNS allows (255 octets), so glibc fails the lookup without sending any query.
UNRESOLVABLE = ".".join(["a" * 63] * 4) + ".invalid"


@dataclass(frozen=True)
class Case:
    target: str
    reason: str  # the reason label it must be counted under
    message: tuple[str, ...]  # what its logged error must say (case-insensitive)


CASES = [
    Case("drip-body", "timeout", ("within 1s",)),
    Case("drip-head", "timeout", ("within 1s",)),
    Case("too-large", "too_large", (f"{CAP}-byte cap",)),
    Case("too-large-chunked", "too_large", (f"{CAP}-byte cap",)),
    Case("gzip-bomb", "too_large", (f"{BOMB_CAP}-byte cap",)),
    Case("redirect-loop", "redirect", ("too many redirects",)),
    Case("invalid-utf8", "invalid_json", ("not utf-8",)),
    Case("deep-json", "invalid_json", ("nested deeper",)),
    Case("nan", "invalid_json", ("nan is not valid json",)),
    Case("infinity", "invalid_json", ("infinity is not valid json",)),
    Case("huge-number", "invalid_value", ("not a finite number",)),
    Case("duplicate-keys", "invalid_json", ("duplicate key 'widgets'",)),
    Case("tls-self-signed", "tls", ("self-signed", "tls.ca_file", "tls.insecure_skip_verify")),
    Case("tls-unknown-ca", "tls", ("not trusted", "tls.ca_file")),
    Case("tls-expired", "tls", ("expired", "tls.insecure_skip_verify")),
    Case("dns", "dns", ("does not resolve",)),
    Case("reset-mid-body", "connection_reset", ("reset by peer mid-body",)),
    Case("truncated-body", "connection_reset", (f"closed mid-body ({len(WIDGETS)} bytes read, 100 more expected)",)),
]
# Sources whose plan trusts a certificate the cases above reject: they must be up with their value.
TRUSTED = {"tls-self-signed-ca-file": 7.0, "tls-self-signed-skip-verify": 7.0, "tls-ca-file": 7.0,
           "tls-expired-skip-verify": 7.0}


def _self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key, as ``openssl req -x509`` makes one."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "launchwatch hostile self-signed")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "self-signed.pem", directory / "self-signed.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def _trustme_context(leaf: trustme.LeafCert) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    leaf.configure_cert(ctx)
    return ctx


def _source(name: str, url: str, *, timeout: float = SOURCE_TIMEOUT, cap: int = CAP, tls: str = "") -> str:
    metric = name.replace("-", "_") + "_widgets"
    return (f"  - name: {name}\n    url: {json.dumps(url)}\n    timeout: {timeout:g}s\n"
            f"    max_response_bytes: {cap}\n{tls}    metrics:\n"
            f"      - {{name: {metric}, help: Widgets., type: gauge, path: $.widgets}}\n")


@dataclass
class Scrape:
    metrics: dict[str, float]
    seconds: float


@dataclass
class Run:
    scrapes: list[Scrape]
    log: str
    errors: dict[str, str]  # target -> its logged error message
    hostile: HostileServer


def _scrape(url: str) -> Scrape:
    start = time.monotonic()
    resp = requests.get(url + "/metrics", timeout=60)
    resp.raise_for_status()
    return Scrape(parse_metrics(resp.text), time.monotonic() - start)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    with contextlib.ExitStack() as stack:  # every server and the exporter stopped, whatever fails
        yield _run(tmp_path_factory.mktemp("hostile"), stack)


def _run(tmp: Path, stack: contextlib.ExitStack) -> Run:
    good = Upstream()
    stack.callback(good.stop)
    good.set("/good", Reply(body=json.dumps({"orders": 42, "revenue": 1234.5, "status": "ok"}).encode()))

    def serve(routes: dict[str, Behaviour], ctx: ssl.SSLContext | None = None) -> HostileServer:
        server = HostileServer(routes, ctx)
        stack.callback(server.stop)
        return server

    bomb, bomb_size = gzip_bomb(BOMB_MIB)
    assert bomb_size < BOMB_CAP < BOMB_MIB << 20  # under the cap on the wire, far over it inflated
    hostile = serve({
        "/drip-body": drip(b'{"widgets": 7, "pad": "' + b"x" * 60 + b'"}', interval=1.0),
        "/drip-head": drip_head(WIDGETS, interval=0.5),
        "/too-large": reply(b'{"widgets": 7, "pad": "' + b"x" * (64 * CAP) + b'"}'),
        "/too-large-chunked": chunked(b'{"widgets": 7, "pad": "' + b"x" * (64 * CAP) + b'"}'),
        "/gzip-bomb": bomb,
        "/redirect-loop": redirect("/redirect-loop"),
        "/invalid-utf8": reply(b'{"widgets": 7, "name": "caf\xe9"}'),  # Latin-1, not UTF-8
        "/deep-json": reply(b'{"widgets": 7, "deep": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        "/nan": reply(b'{"widgets": NaN}'),
        "/infinity": reply(b'{"widgets": 1, "other": -Infinity}'),
        "/huge-number": reply(b'{"widgets": 1e400}'),
        "/duplicate-keys": reply(b'{"widgets": 7, "widgets": 8}'),
        "/reset-mid-body": reset_mid_body(b'{"widgets": 7, "pad": "xxxx', declared=CAP - 24),
        "/truncated-body": truncated(WIDGETS, declared=len(WIDGETS) + 100),  # the prefix is complete JSON
    })
    ca = trustme.CA()
    ca_file = tmp / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    now = datetime.datetime.now(datetime.UTC)
    expired = ca.issue_cert("127.0.0.1", not_before=now - datetime.timedelta(days=30),
                            not_after=now - datetime.timedelta(days=1))
    self_cert, self_key = _self_signed(tmp)
    widgets = {"/widgets": reply(WIDGETS)}
    tls_self = serve(widgets, _server_context(self_cert, self_key))
    tls_ca = serve(widgets, _trustme_context(ca.issue_cert("127.0.0.1")))
    tls_expired = serve(widgets, _trustme_context(expired))

    sources = [
        "  - name: good\n    url: " + good.url + "/good\n    timeout: 5s\n    metrics:\n"
        "      - {name: orders_total, help: Orders., type: counter, path: $.orders}\n"
        "      - {name: revenue_brl, help: Revenue., type: gauge, path: $.revenue}\n"
        "      - {name: app_status, help: Status., type: gauge, path: $.status, value_map: {ok: 1}}\n"
    ]
    caps = {"gzip-bomb": BOMB_CAP, "deep-json": DEEP_CAP}
    for path in hostile.routes:
        name = path.strip("/")
        sources.append(_source(name, hostile.url + path, cap=caps.get(name, CAP)))
    skip = "    tls: {insecure_skip_verify: true}\n"
    trust_self, trust_ca = (f"    tls: {{ca_file: {json.dumps(str(p))}}}\n" for p in (self_cert, ca_file))
    sources += [
        _source("tls-self-signed", tls_self.url + "/widgets"),
        _source("tls-self-signed-ca-file", tls_self.url + "/widgets", tls=trust_self),
        _source("tls-self-signed-skip-verify", tls_self.url + "/widgets", tls=skip),
        _source("tls-unknown-ca", tls_ca.url + "/widgets"),
        _source("tls-ca-file", tls_ca.url + "/widgets", tls=trust_ca),
        _source("tls-expired", tls_expired.url + "/widgets", tls=trust_ca),  # a trusted CA does not excuse expiry
        _source("tls-expired-skip-verify", tls_expired.url + "/widgets", tls=skip),
        _source("dns", f"http://{UNRESOLVABLE}:{free_port()}/widgets"),
    ]
    plan = tmp / "hostile.yml"
    # every source fetched at once: none waits in the queue behind the drips
    plan.write_text(f"plan: hostile\ntitle: Hostile upstreams\nmax_concurrency: {len(sources)}\nsources:\n"
                    + "".join(sources))

    log = tmp / "exporter.log"
    port = free_port()
    procs = Processes()
    stack.callback(procs.stop_all)
    proc = procs.start(launchwatch_cmd("run", "--config", str(plan), "--listen", f"127.0.0.1:{port}"), log)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: proc.poll() is None and requests.get(url + "/-/ready", timeout=2).ok,
             what="the exporter to serve")
    scrapes = [_scrape(url), _scrape(url)]
    assert proc.poll() is None, "the exporter died"
    text = log.read_text()
    errors = {m["target"]: m["error"] for m in re.finditer(
        r"target down target=(?P<target>\S+) reason=\S+ error=(?P<error>.*)$", text, re.MULTILINE)}
    return Run(scrapes, text, errors, hostile)


def test_every_case_exists_in_the_plan_and_uses_a_known_reason(run):
    assert {c.reason for c in CASES} <= set(REASONS) | set(EXTRACT_REASONS)
    for target in [c.target for c in CASES] + list(TRUSTED):
        assert f'launchwatch_target_up{{target="{target}"}}' in run.scrapes[0].metrics, target


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.target)
def test_hostile_target_is_down_with_its_reason_and_the_good_one_keeps_its_values(run, case):
    metric = case.target.replace("-", "_") + "_widgets"
    for n, scrape in enumerate(run.scrapes, start=1):
        m = scrape.metrics
        assert m[f'launchwatch_target_up{{target="{case.target}"}}'] == 0
        assert not any(key.startswith(metric) for key in m), f"{case.target} exported a business sample"
        counted = {k: v for k, v in m.items() if k.startswith("launchwatch_target_scrape_errors_total{")
                   and f'target="{case.target}"' in k}
        failed = metric if case.reason == "invalid_value" else ""  # the mapping that failed, if one did
        assert counted == {f'launchwatch_target_scrape_errors_total{{metric="{failed}",reason="{case.reason}",'
                           f'target="{case.target}"}}': float(n)}
        # the same scrape: the good target kept every value
        assert m['launchwatch_target_up{target="good"}'] == 1
        assert m["orders_total"] == 42
        assert m["revenue_brl"] == 1234.5
        assert m["app_status"] == 1
    error = run.errors.get(case.target, "")
    for part in case.message:
        assert part.lower() in error.lower(), f"{case.target}: {part!r} not in the logged error {error!r}"


@pytest.mark.parametrize("target", TRUSTED)
def test_a_certificate_the_plan_trusts_is_accepted(run, target):
    for scrape in run.scrapes:
        assert scrape.metrics[f'launchwatch_target_up{{target="{target}"}}'] == 1
        assert scrape.metrics[target.replace("-", "_") + "_widgets"] == TRUSTED[target]


def test_the_log_names_each_failure_once_and_holds_no_traceback(run):
    assert "Traceback" not in run.log
    assert "Exception in thread" not in run.log
    stray = [ln for ln in run.log.splitlines() if not ln.startswith("ts=")]
    assert not stray, f"unstructured lines in the log (a warning or a traceback): {stray}"
    for target in [t for t in TRUSTED if t.endswith("skip-verify")]:
        assert run.log.count(f"target {target}: TLS certificate verification is off") == 1
    for case in CASES:
        lines = [ln for ln in run.log.splitlines() if f"target down target={case.target} " in ln]
        assert len(lines) == 1, (case.target, lines)  # logged on the change to down, not on every scrape
        assert f"reason={case.reason} " in lines[0]


@pytest.mark.parametrize("path", ["/drip-body", "/drip-head"])
def test_a_drip_is_cut_off_at_the_deadline_not_read_to_the_end(run, path):
    # The drips would last over a minute; the exporter must hang up on them itself, after its 1 s
    # deadline, rather than leave a fetch running after the scrape gave up on it.
    assert run.hostile.hung_up(path).wait(15), f"the exporter never hung up on {path}"
    for scrape in run.scrapes:
        target = path.strip("/")
        assert scrape.metrics[f'launchwatch_target_scrape_duration_seconds{{target="{target}"}}'] < 15
        assert scrape.seconds < SOURCE_TIMEOUT + 15  # generous slack: the point is not a minute
