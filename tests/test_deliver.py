"""Report delivery: Slack-compatible webhook and SMTP, against real servers on loopback.

The webhook is a local HTTP receiver; the mail server is aiosmtpd (plain, STARTTLS with a self-signed
certificate made here with ``cryptography``, implicit TLS, AUTH). Every failure is a one-line
``DeliveryError`` that holds neither the webhook URL's path nor the password.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import io
import ipaddress
import json
import ssl
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

from launchwatch.report.deliver import (
    DeliveryError,
    DeliveryOptions,
    SmtpSettings,
    deliver,
    delivery_options,
    inline_images,
    post_markdown,
    read_secret,
    send_mail,
    to_mrkdwn,
)
from tests.conftest import free_port

SECRET_PATH = "/services/T0SECRET/B0SECRET/xoxSecretToken123"
PASSWORD = "pa55-w0rd-never-shown"


def _png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(out, format="PNG")
    return out.getvalue()


PNG, PNG2 = _png("red"), _png("green")
MARKDOWN = """# Daily monitoring report: whatsapp-quiz

**OVERALL STATUS: YELLOW**

## System health

| metric | target | actual | |
|---|---|---|---|
| Uptime | >99.5% | 99.9% | ✔ |
| Error rate | <1% | **1.4%** | ✘ |

- ErrorRateAboveTarget fired for 12 min, see [runbook](https://runbooks.example/quiz#error-rate)
* a <tag> & an ampersand

```
raw **not bold**
```
"""


# ------------------------------------------------------------------------------------------- mrkdwn


def test_markdown_becomes_slack_mrkdwn():
    text = to_mrkdwn(MARKDOWN)
    lines = text.splitlines()
    assert lines[0] == "*Daily monitoring report: whatsapp-quiz*"
    assert "*OVERALL STATUS: YELLOW*" in lines and "*System health*" in lines
    assert "**" not in text.replace("raw **not bold**", "")
    table = lines[lines.index("*System health*") + 2: lines.index("*System health*") + 8]
    assert table == ["```",  # aligned as Slack shows it: &gt; is one character on screen
                     "metric      target  actual",
                     "----------  ------  ------  -",
                     "Uptime      &gt;99.5%  99.9%   ✔",
                     "Error rate  &lt;1%     1.4%    ✘",
                     "```"]
    assert "• ErrorRateAboveTarget fired for 12 min, see <https://runbooks.example/quiz#error-rate|runbook>" in lines
    assert "• a &lt;tag&gt; &amp; an ampersand" in lines
    assert "raw **not bold**" in lines  # fenced code kept as written
    assert text.count("```") % 2 == 0


def test_mrkdwn_table_is_aligned_in_a_code_block():
    text = to_mrkdwn("| a | long header |\n|:--|--:|\n| **1** | [x](http://y) |\n")
    assert text.splitlines() == ["```", "a  long header", "-  -----------", "1  x", "```"]


@pytest.mark.parametrize(("markdown", "mrkdwn"), [
    ("**bold** and *italic* and ~~gone~~", "*bold* and _italic_ and ~gone~"),
    ("__bold__ `**code**`", "*bold* `**code**`"),
    ("### Heading with **bold**", "*Heading with bold*"),
    ("![plot](data:image/png;base64,AAAA)", "[plot]"),
    ("![plot](https://x.example/p.png)", "<https://x.example/p.png|plot>"),
    ("> quoted **text**", ">quoted *text*"),
    ("a * b * c", "a * b * c"),
    ("---", "──────────"),
    ("[a & b](https://x.example/?q=1&r=2)", "<https://x.example/?q=1&amp;r=2|a &amp; b>"),
])
def test_mrkdwn_inline(markdown, mrkdwn):
    assert to_mrkdwn(markdown) == mrkdwn


def test_long_reports_are_cut_with_a_note():
    text = to_mrkdwn("\n".join(f"| row {i} | {'x' * 80} |" for i in range(2000)))
    assert len(text) < 40_000 and text.endswith("version_") and text.count("```") % 2 == 0


# ------------------------------------------------------------------------------------------- secrets


def test_read_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("LW_TEST_SECRET", "s3cret")
    (tmp_path / "secret").write_text("from-file\n")
    assert read_secret("env:LW_TEST_SECRET") == "s3cret"
    assert read_secret(f"file:{tmp_path / 'secret'}") == "from-file"
    assert read_secret("https://hooks.example/x") == "https://hooks.example/x"
    monkeypatch.setenv("LW_EMPTY", "")
    for spec, message in [("env:LW_NOT_SET_ANYWHERE", "environment variable LW_NOT_SET_ANYWHERE is not set"),
                          ("env:LW_EMPTY", "is empty"), ("env:1BAD", "environment variable's name"),
                          (f"file:{tmp_path / 'missing'}", "cannot read secret file")]:
        with pytest.raises(DeliveryError, match=message):
            read_secret(spec)


# ------------------------------------------------------------------------------------------- webhook


class Receiver:
    """A loopback incoming webhook: records each POST, answers ``status`` (after ``delay`` seconds)."""

    def __init__(self, status: int = 200, body: bytes = b"ok", delay: float = 0.0) -> None:
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.status, self.body, self.delay = status, body, delay
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((self.path, dict(self.headers), json.loads(data)))
                time.sleep(outer.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the timeout test's client left
                    self.send_response(outer.status)
                    self.send_header("Content-Length", str(len(outer.body)))
                    self.end_headers()
                    self.wfile.write(outer.body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.origin + SECRET_PATH + "?token=abc123secret"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


def test_post_markdown_sends_the_slack_payload(receiver):
    post_markdown(receiver.url, MARKDOWN)
    [(path, headers, payload)] = receiver.requests
    assert path == SECRET_PATH + "?token=abc123secret"
    assert headers["Content-Type"] == "application/json"
    assert payload == {"text": to_mrkdwn(MARKDOWN), "mrkdwn": True}


def _no_secret(message: str) -> None:
    assert "SECRET" not in message and "secret" not in message.lower().replace(
        "secret file", "") and PASSWORD not in message and "xox" not in message, message


@pytest.mark.parametrize(("status", "body", "expected"), [
    (500, b"internal error", "answered HTTP 500: internal error"),
    (404, b"no_service " + SECRET_PATH.encode(), "answered HTTP 404: no_service ***"),
    (302, b"", "answered HTTP 302"),
])
def test_webhook_failures_never_show_the_url_path(status, body, expected):
    r = Receiver(status, body)
    try:
        with pytest.raises(DeliveryError) as err:
            post_markdown(r.url, "hello")
    finally:
        r.stop()
    assert str(err.value) == f"webhook {r.origin} {expected}" and "\n" not in str(err.value)
    _no_secret(str(err.value))


def test_webhook_network_errors_never_show_the_url_path():
    closed = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(DeliveryError) as err:
        post_markdown(closed + SECRET_PATH, "hello")
    assert str(err.value) == f"webhook {closed}: connection refused"
    slow = Receiver(delay=2.0)
    try:
        with pytest.raises(DeliveryError) as err:
            post_markdown(slow.url, "hello", timeout=0.3)
    finally:
        slow.stop()
    assert str(err.value) == f"webhook {slow.origin}: timed out"
    with pytest.raises(DeliveryError, match="not an http"):
        post_markdown("ftp://hooks.example" + SECRET_PATH, "x")


# ---------------------------------------------------------------------------------------------- SMTP


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (its own CA), and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "launchwatch test relay")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "relay.pem", directory / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Inbox:
    """aiosmtpd handler: keeps each mail with whether it came over TLS and authenticated."""

    def __init__(self) -> None:
        self.mails: list[dict[str, Any]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        tls = server.transport.get_extra_info("ssl_object") is not None  # STARTTLS or implicit TLS
        self.mails.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "tls": tls,
                           "authenticated": session.authenticated,
                           "message": email.message_from_bytes(envelope.content, policy=email.policy.default)})
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"monitor", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


class Relay:
    """An aiosmtpd server on a free loopback port."""

    def __init__(self, **kwargs: Any) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, ready_timeout=10, **kwargs)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def relay_factory():
    started: list[Relay] = []

    def make(**kwargs: Any) -> Relay:
        started.append(Relay(**kwargs))
        return started[-1]

    yield make
    for relay in started:
        relay.stop()


@pytest.fixture
def certificate(tmp_path):
    cert, key = self_signed(tmp_path)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    return cert, server


HTML = (f'<h1>Daily report</h1><p>Error rate</p><img alt="error rate" src="data:image/png;base64,'
        f'{base64.b64encode(PNG).decode()}"><img src=\'data:image/png;base64,{base64.b64encode(PNG2).decode()}\'>'
        f'<img alt="again" src="data:image/png;base64,{base64.b64encode(PNG).decode()}">')
TEXT = "Daily report\nError rate 1.4 % (target <1 %)\n"


def _check_mail(mail: dict[str, Any], to: list[str]) -> None:
    msg = mail["message"]
    assert mail["to"] == to and msg["To"] == ", ".join(to) and msg["Subject"] == "Daily report: whatsapp-quiz"
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.get_payload()
    assert plain.get_content_type() == "text/plain" and plain.get_content().replace("\r\n", "\n") == TEXT
    assert related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    body = html.get_content()
    assert "data:image" not in body and "<h1>Daily report</h1>" in body
    cids = [part["Content-ID"].strip("<>") for part in images]
    assert len(images) == 2 and [p.get_content_type() for p in images] == ["image/png", "image/png"]
    assert [p.get_content() for p in images] == [PNG, PNG2]
    assert [body.count(f"cid:{cid}") for cid in cids] == [2, 1]  # the same plot twice is one part


def test_plain_mail_with_inline_plots(relay_factory):
    relay = relay_factory()
    send_mail(HTML, TEXT, "Daily report: whatsapp-quiz", ["team@example.com", "cto@example.com"],
              SmtpSettings(port=relay.port, sender="launchwatch@example.com"))
    [mail] = relay.inbox.mails
    assert mail["from"] == "launchwatch@example.com" and not mail["tls"]
    _check_mail(mail, ["team@example.com", "cto@example.com"])


def test_starttls_with_a_self_signed_certificate_and_auth(relay_factory, certificate):
    cert, server_tls = certificate
    relay = relay_factory(tls_context=server_tls, require_starttls=True, authenticator=_authenticator,
                          auth_require_tls=True)
    settings = SmtpSettings(port=relay.port, starttls=True, username="monitor", password=PASSWORD,
                            sender="launchwatch@example.com", cafile=str(cert), timeout=10)
    send_mail(HTML, TEXT, "Daily report: whatsapp-quiz", ["team@example.com"], settings)
    [mail] = relay.inbox.mails
    assert mail["tls"] and mail["authenticated"]
    _check_mail(mail, ["team@example.com"])

    with pytest.raises(DeliveryError) as err:  # the wrong password
        send_mail(HTML, TEXT, "x", ["team@example.com"], SmtpSettings(
            port=relay.port, starttls=True, username="monitor", password=PASSWORD[::-1], cafile=str(cert)))
    assert "authentication failed (535" in str(err.value)
    _no_secret(str(err.value).replace(PASSWORD[::-1], PASSWORD))

    with pytest.raises(DeliveryError) as err:  # the self-signed certificate, not trusted
        send_mail(HTML, TEXT, "x", ["team@example.com"], SmtpSettings(
            port=relay.port, starttls=True, username="monitor", password=PASSWORD))
    assert "TLS certificate not trusted (self-signed certificate" in str(err.value)
    _no_secret(str(err.value))
    assert len(relay.inbox.mails) == 1


def test_implicit_tls(relay_factory, certificate):
    cert, server_tls = certificate
    relay = relay_factory(ssl_context=server_tls)
    send_mail(HTML, TEXT, "Daily report: whatsapp-quiz", ["team@example.com"],
              SmtpSettings(port=relay.port, ssl=True, cafile=str(cert), sender="lw@example.com"))
    assert relay.inbox.mails[0]["tls"]


def test_smtp_failures_are_one_line_without_the_password(relay_factory):
    closed = free_port()
    cases = [
        (SmtpSettings(port=closed), f"SMTP 127.0.0.1:{closed} (no TLS): connection refused"),
        (SmtpSettings(host="192.0.2.10", port=25, username="monitor", password=PASSWORD),  # never connected to
         "SMTP 192.0.2.10:25: refusing to send the password of monitor without TLS to a host that is not loopback"),
        (SmtpSettings(port=closed, username="monitor"), "a user (monitor) but no password"),
        (SmtpSettings(port=closed, ssl=True, starttls=True), "use STARTTLS or TLS, not both"),
    ]
    plain = relay_factory()
    cases += [(SmtpSettings(port=plain.port, starttls=True), "the server does not offer STARTTLS"),
              (SmtpSettings(port=plain.port, username="monitor", password=PASSWORD), "does not offer AUTH")]
    for settings, message in cases:
        with pytest.raises(DeliveryError) as err:
            send_mail(HTML, TEXT, "x", ["team@example.com"], settings)
        assert message in str(err.value), str(err.value)
        _no_secret(str(err.value))
    with pytest.raises(DeliveryError) as err:
        send_mail(HTML, TEXT, "x", ["nobody@example.com"], SmtpSettings(port=plain.port))
    assert "every recipient refused (nobody@example.com: 550 5.1.1 no such mailbox)" in str(err.value)
    with pytest.raises(DeliveryError) as err:
        send_mail(HTML, TEXT, "x", ["team@example.com", "nobody@example.com"], SmtpSettings(port=plain.port))
    assert "mailed to team@example.com but refused for nobody@example.com: 550" in str(err.value)
    assert [m["to"] for m in plain.inbox.mails] == [["team@example.com"]]


def test_loopback_relay_may_take_credentials_without_tls(relay_factory):
    relay = relay_factory(authenticator=_authenticator, auth_require_tls=False)
    send_mail(HTML, TEXT, "x", ["team@example.com"], SmtpSettings(port=relay.port, username="monitor",
                                                                  password=PASSWORD))
    assert relay.inbox.mails[0]["authenticated"] and not relay.inbox.mails[0]["tls"]


def test_inline_images_leaves_what_is_not_a_data_png():
    html = '<img src="https://x.example/a.png"><img src="data:image/png;base64,@@notbase64@@">'
    assert inline_images(html) == (html, [])


# ------------------------------------------------------------------------------------------ the CLI


@click.command()
@click.option("--title", default="Daily report: whatsapp-quiz")
@delivery_options
def fake_report(title: str, delivery: DeliveryOptions) -> None:
    """What the report command does with its delivery options."""
    try:
        deliver(delivery, markdown=MARKDOWN, html=HTML, text=TEXT, title=title, echo=click.echo)
    except DeliveryError as exc:
        click.echo(f"fake-report: {exc}", err=True)
        sys.exit(1)


def test_delivery_options_post_and_mail(receiver, relay_factory, certificate, tmp_path):
    cert, server_tls = certificate
    relay = relay_factory(tls_context=server_tls, require_starttls=True, authenticator=_authenticator)
    (tmp_path / "password").write_text(PASSWORD + "\n")
    env = {"SLACK_WEBHOOK_URL": receiver.url}
    args = ["--post", "env:SLACK_WEBHOOK_URL", "--mail", "team@example.com", "--mail", "ops@example.com",
            "--smtp", f"127.0.0.1:{relay.port}", "--smtp-starttls", "--smtp-user", "monitor",
            "--smtp-password", f"file:{tmp_path / 'password'}", "--smtp-cafile", str(cert),
            "--mail-from", "launchwatch@example.com"]
    result = CliRunner().invoke(fake_report, args, env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"posted the report to the webhook at {receiver.origin}",
        f"mailed the report to team@example.com, ops@example.com via 127.0.0.1:{relay.port} (STARTTLS, as monitor)"]
    _no_secret(result.stdout)
    assert receiver.requests[0][2]["text"] == to_mrkdwn(MARKDOWN)
    _check_mail(relay.inbox.mails[0], ["team@example.com", "ops@example.com"])

    receiver.status = 500  # one delivery fails: the other is still made, and the error names the failed one
    result = CliRunner().invoke(fake_report, args, env=env)
    assert result.exit_code == 1 and len(relay.inbox.mails) == 2
    assert result.stderr == f"fake-report: webhook {receiver.origin} answered HTTP 500: ok\n"
    _no_secret(result.output)


@pytest.mark.parametrize(("args", "env", "message", "code"), [
    (["--smtp-password", PASSWORD, "--mail", "a@example.com"], {}, "never the password itself", 2),
    (["--post", "hooks.example/x"], {}, "give the webhook URL, env:VAR or file:PATH", 2),
    (["--mail", "not-an-address"], {}, "is not a mail address", 2),
    (["--smtp", "host:99999", "--mail", "a@example.com"], {}, "port out of range", 2),
    (["--smtp-ssl", "--smtp-starttls", "--mail", "a@example.com"], {}, "not both", 2),
    (["--post", "env:LW_UNSET_WEBHOOK"], {}, "environment variable LW_UNSET_WEBHOOK is not set", 1),
    (["--post", "env:HOOK", "--mail", "a@example.com", "--smtp-user", "u", "--smtp-password", "env:LW_UNSET_PW"],
     {"HOOK": "http://127.0.0.1:1" + SECRET_PATH}, "environment variable LW_UNSET_PW is not set", 1),
])
def test_delivery_option_errors(args, env, message, code):
    result = CliRunner().invoke(fake_report, args, env=env)
    assert result.exit_code == code and message in result.stderr, result.output
    assert "Traceback" not in result.output
    if code == 1:  # a delivery error: one line; a usage error: click's usage lines, then one Error: line
        assert result.stderr.count("\n") == 1
    else:
        assert result.stderr.splitlines()[-1].startswith("Error: ")
    assert not result.stdout  # nothing was sent: secrets are read before any delivery
    _no_secret(result.output.replace("LW_UNSET_PW", ""))


def test_nothing_asked_nothing_done():
    result = CliRunner().invoke(fake_report, [])
    assert result.exit_code == 0 and result.output == ""
    assert not DeliveryOptions().wanted
