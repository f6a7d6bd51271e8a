"""``--web.config.file``: real TLS (trustme CA), bcrypt basic auth, mTLS, hot reload, bad files."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import time
from pathlib import Path

import bcrypt
import pytest
import requests
import trustme

from tests.conftest import binary, free_port, launchwatch_cmd, parse_metrics, wait_for
from tests.upstream import Reply, Upstream

PLAN = ("plan: guarded\ntitle: Guarded\nsources:\n  - name: api\n    url: {url}\n    metrics:\n"
        "      - {{name: orders_total, help: Orders., type: counter, path: $.orders}}\n")
PASSWORD = "correct horse battery staple"


def bcrypt_hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()  # cost 4: the minimum, fast in tests


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def upstream():
    up = Upstream()
    up.set("/orders", Reply(body=json.dumps({"orders": 7}).encode()))
    yield up
    up.stop()


class Guarded:
    """``launchwatch run --web.config.file`` as a real process."""

    def __init__(self, tmp_path: Path, processes, upstream: Upstream, web_config: str, *, files: dict | None = None):
        self.dir = tmp_path
        for name, write in (files or {}).items():
            write(tmp_path / name)
        self.web = tmp_path / "web.yml"
        self.web.write_text(web_config)
        plan = tmp_path / "plan.yml"
        plan.write_text(PLAN.format(url=upstream.url + "/orders"))
        self.port = free_port()
        self.log = tmp_path / "run.log"
        self.proc = processes.start(launchwatch_cmd("run", "--config", str(plan), "--listen", f"127.0.0.1:{self.port}",
                                                    "--web.config.file", str(self.web)), self.log)


def tls_files(ca: trustme.CA, *, client: bool = False) -> dict:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    files = {"server.crt": lambda p: p.write_bytes(b"".join(b.bytes() for b in cert.cert_chain_pems)),
             "server.key": lambda p: p.write_bytes(cert.private_key_pem.bytes()),
             "ca.crt": lambda p: p.write_bytes(ca.cert_pem.bytes())}
    return files


def wait_up(url: str, **kwargs) -> None:
    def answered() -> bool:
        return requests.get(url + "/-/healthy", timeout=2, **kwargs).status_code in (200, 401)
    wait_for(answered, what=f"{url} answering")


def test_tls_and_basic_auth_with_wrong_missing_and_correct_passwords(tmp_path, processes, upstream, ca):
    config = ("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
              f"basic_auth_users:\n  alice: {bcrypt_hash(PASSWORD)}\n"
              "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n")
    g = Guarded(tmp_path, processes, upstream, config, files=tls_files(ca))
    url = f"https://127.0.0.1:{g.port}"
    verify = str(tmp_path / "ca.crt")
    wait_up(url, verify=verify)

    missing = requests.get(url + "/metrics", verify=verify, timeout=5)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Basic")
    assert requests.get(url + "/metrics", verify=verify, auth=("alice", "wrong"), timeout=5).status_code == 401
    assert requests.get(url + "/metrics", verify=verify, auth=("mallory", PASSWORD), timeout=5).status_code == 401
    assert requests.get(url + "/", verify=verify, timeout=5).status_code == 401  # every endpoint, not just /metrics
    assert requests.post(url + "/-/reload", verify=verify, timeout=5).status_code == 401

    ok = requests.get(url + "/metrics", verify=verify, auth=("alice", PASSWORD), timeout=5)
    assert ok.status_code == 200
    assert parse_metrics(ok.text)["orders_total"] == 7
    assert ok.headers["X-Content-Type-Options"] == "nosniff"
    assert upstream.hits["/orders"] == 1  # refused requests never reached the product

    with pytest.raises(requests.exceptions.SSLError):  # the server's certificate is checked, not skipped
        requests.get(url + "/metrics", auth=("alice", PASSWORD), timeout=5)
    with pytest.raises(requests.exceptions.ConnectionError):  # plain HTTP on the TLS port gets no answer
        requests.get(f"http://127.0.0.1:{g.port}/metrics", auth=("alice", PASSWORD), timeout=5)
    log = g.log.read_text()
    assert "Traceback" not in log and PASSWORD not in log


def test_keep_alive_connection_serves_many_scrapes_over_one_tls_handshake(tmp_path, processes, upstream, ca):
    g = Guarded(tmp_path, processes, upstream, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n",
                files=tls_files(ca))
    url = f"https://127.0.0.1:{g.port}"
    wait_up(url, verify=str(tmp_path / "ca.crt"))
    ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
    import http.client

    conn = http.client.HTTPSConnection("127.0.0.1", g.port, context=ctx, timeout=5)
    try:
        for _ in range(5):
            conn.request("GET", "/metrics")
            resp = conn.getresponse()
            assert resp.status == 200 and b"orders_total 7.0" in resp.read()
        assert conn.sock is not None  # still the first connection: the server kept it open
    finally:
        conn.close()


def test_client_certificates_are_required_and_verified(tmp_path, processes, upstream, ca):
    client_ca = trustme.CA()
    client = client_ca.issue_cert("prometheus.example")
    stranger = trustme.CA().issue_cert("prometheus.example")
    files = tls_files(ca) | {"clients.crt": lambda p: p.write_bytes(client_ca.cert_pem.bytes())}
    config = ("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
              "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: clients.crt\n"
              "  client_allowed_sans: [prometheus.example]\n")
    g = Guarded(tmp_path, processes, upstream, config, files=files)
    url = f"https://127.0.0.1:{g.port}"
    verify = str(tmp_path / "ca.crt")
    for name, cert in (("good.pem", client), ("stranger.pem", stranger)):
        cert.private_key_and_cert_chain_pem.write_to_path(str(tmp_path / name))
    wait_for(lambda: requests.get(url + "/-/healthy", verify=verify, cert=str(tmp_path / "good.pem"),
                                  timeout=2).ok, what="mTLS exporter up")
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(url + "/metrics", verify=verify, timeout=5)
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(url + "/metrics", verify=verify, cert=str(tmp_path / "stranger.pem"), timeout=5)
    resp = requests.get(url + "/metrics", verify=verify, cert=str(tmp_path / "good.pem"), timeout=5)
    assert parse_metrics(resp.text)["orders_total"] == 7


def test_users_change_without_restart_and_a_bad_edit_keeps_the_last_good_config(tmp_path, processes, upstream):
    g = Guarded(tmp_path, processes, upstream, f"basic_auth_users:\n  alice: {bcrypt_hash(PASSWORD)}\n")
    url = f"http://127.0.0.1:{g.port}"
    wait_up(url)
    assert requests.get(url + "/metrics", auth=("alice", PASSWORD), timeout=5).ok
    time.sleep(1.1)  # a coarse file timestamp could otherwise hide the edit
    g.web.write_text(f"basic_auth_users:\n  bob: {bcrypt_hash('s3cond')}\n")
    wait_for(lambda: requests.get(url + "/metrics", auth=("bob", "s3cond"), timeout=5).ok, what="bob admitted")
    assert requests.get(url + "/metrics", auth=("alice", PASSWORD), timeout=5).status_code == 401
    time.sleep(1.1)
    g.web.write_text("basic_auth_users:\n  bob: not-a-hash\n")

    def bad_edit_logged() -> bool:  # the file is checked when a request comes in, as exporter-toolkit does
        requests.get(url + "/-/healthy", timeout=5)
        return "web config change not applied" in g.log.read_text()

    wait_for(bad_edit_logged, what="bad edit logged")
    assert requests.get(url + "/metrics", auth=("bob", "s3cond"), timeout=5).ok
    assert g.proc.poll() is None


@pytest.mark.parametrize(("config", "expected"), [
    ("tls_server_config:\n  cert_file: server.crt\n  key_fil: server.key\n",
     ":3: tls_server_config.key_fil: unknown key (did you mean 'key_file'?)"),
    ("basic_auth_users:\n  alice: hunter2\n", ":1: basic_auth_users: the password of 'alice' is not a bcrypt hash"),
    ("tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n",
     "tls_server_config: cannot load the certificate or key"),
    ("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAnyClientCert\n",
     ":4: tls_server_config.client_auth_type: RequireAnyClientCert accepts certificates nobody verified"),
])
def test_bad_web_config_stops_start_with_file_line_and_key(tmp_path, config, expected):
    web = tmp_path / "web.yml"
    web.write_text(config)
    plan = tmp_path / "plan.yml"
    plan.write_text(PLAN.format(url="http://127.0.0.1:9/orders"))
    res = subprocess.run(launchwatch_cmd("run", "--config", str(plan), "--listen", f"127.0.0.1:{free_port()}",
                                         "--web.config.file", str(web)), capture_output=True, text=True, timeout=30)
    assert res.returncode == 1
    assert f"{web}{expected}" in res.stderr or (expected in res.stderr and str(web) in res.stderr), res.stderr
    assert "hunter2" not in res.stderr


@pytest.mark.e2e
def test_prometheus_scrapes_through_tls_and_basic_auth(tmp_path, processes, upstream, ca):
    prometheus = binary("prometheus")
    g = Guarded(tmp_path, processes, upstream,
                "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                f"basic_auth_users:\n  prometheus: {bcrypt_hash(PASSWORD)}\n", files=tls_files(ca))
    wait_up(f"https://127.0.0.1:{g.port}", verify=str(tmp_path / "ca.crt"))
    (tmp_path / "password").write_text(PASSWORD)
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n  - job_name: guarded\n"
        f"    scheme: https\n    tls_config: {{ca_file: {tmp_path / 'ca.crt'}}}\n"
        f"    basic_auth: {{username: prometheus, password_file: {tmp_path / 'password'}}}\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{g.port}']}}]\n")
    port = free_port()
    processes.start([prometheus, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path}/tsdb",
                     f"--web.listen-address=127.0.0.1:{port}"], tmp_path / "prometheus.log")

    def orders() -> float | None:
        data = requests.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": "orders_total"},
                            timeout=2).json()["data"]["result"]
        return float(data[0]["value"][1]) if data else None

    assert wait_for(orders, timeout=30, what="Prometheus scraped orders_total over TLS") == 7
    up = requests.get(f"http://127.0.0.1:{port}/api/v1/query", params={"query": "up"}, timeout=2).json()
    assert up["data"]["result"][0]["value"][1] == "1"


def _guard(tmp_path: Path, text: str):
    from launchwatch.exporter.httpd import Request, Response
    from launchwatch.exporter.web_config import WebConfigFile

    (tmp_path / "web.yml").write_text(text)
    web = WebConfigFile(tmp_path / "web.yml")
    handler = web.guard(lambda req: Response.text(200, "ok\n"))

    def call(peer: str, auth: str = "") -> Response:
        return handler(Request("GET", "/metrics", "", {"authorization": auth} if auth else {}, peer=peer))

    return web, call


def _basic(user: str, password: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_rate_limit_is_per_client_and_every_answer_carries_the_headers(tmp_path):
    """A flood from one address is refused without touching the scraper's bucket; 429 and 401 carry
    the configured security headers too (the handler is called as the server calls it, peer included)."""
    _, call = _guard(tmp_path, f"basic_auth_users: {{prometheus: '{bcrypt_hash(PASSWORD)}'}}\n"
                               "rate_limit: {interval: 1h, burst: 3}\n"
                               "http_server_config: {headers: {X-Content-Type-Options: nosniff}}\n")
    flood = [call("10.0.0.66", _basic("prometheus", "guess")).status for _ in range(50)]
    assert flood[:3] == [401, 401, 401] and set(flood[3:]) == {429}
    good = _basic("prometheus", PASSWORD)
    assert [call("10.0.0.1", good).status for _ in range(3)] == [200, 200, 200]
    for status, answer in ((429, call("10.0.0.66", good)), (401, call("10.0.0.7", "Basic x"))):
        assert answer.status == status and ("X-Content-Type-Options", "nosniff") in answer.headers


def test_bcrypt_runs_once_per_credential_good_or_bad_and_never_at_import(tmp_path, monkeypatch):
    import launchwatch.exporter.web_config as web_config

    calls = []
    real = web_config.bcrypt.checkpw
    monkeypatch.setattr(web_config.bcrypt, "checkpw", lambda *a: calls.append(1) or real(*a))
    _, call = _guard(tmp_path, f"basic_auth_users: {{prometheus: '{bcrypt_hash(PASSWORD)}'}}\n")
    for _ in range(5):
        assert call("10.0.0.66", _basic("prometheus", "wrong")).status == 401
        assert call("10.0.0.66", _basic("nobody", "wrong")).status == 401
        assert call("10.0.0.1", _basic("prometheus", PASSWORD)).status == 200
    assert len(calls) == 3
    fresh = subprocess.run([sys.executable, "-c", "import launchwatch.exporter.web_config as w; "
                                            "print(w._dummy_hash.cache_info().currsize)"],
                           capture_output=True, text=True, timeout=60)
    assert fresh.stdout.strip() == "0", fresh.stderr
