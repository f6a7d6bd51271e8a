"""Deliver a report: its Markdown to a Slack-compatible incoming webhook, its HTML (with the plots
inline) and text by e-mail over SMTP. Secrets (the webhook URL, the SMTP password) are read from
``env:VAR`` or ``file:PATH`` and never appear in output or in an error.

Why here and not in each command: a report is only read if it arrives where people look, and the
webhook URL and the SMTP password are credentials; one module holds the care they need (no URL path
in any message, no password over a connection without TLS to a remote host).

The ``report`` command uses it in two lines::

    from launchwatch.report.deliver import DeliveryError, DeliveryOptions, deliver, delivery_options

    @main.command()
    @delivery_options                      # --post, --mail, --smtp, --smtp-starttls/--smtp-ssl, ...
    def report(..., delivery: DeliveryOptions) -> None:
        ...
        try:
            deliver(delivery, markdown=md, html=html, text=text, title=title, echo=click.echo)
        except DeliveryError as exc:       # one line, no secret: print it and exit 1
            click.echo(f"launchwatch report: {exc}", err=True)
            sys.exit(1)

``deliver(options, markdown, html, text, title, echo) -> None`` reads every secret first (nothing is
sent when one is missing), posts when ``--post`` was given, mails when ``--mail`` was, echoes one line
per delivery, and raises one ``DeliveryError`` naming every delivery that failed. ``delivery.wanted``
is False when neither was asked for.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import ipaddress
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click
import requests

__all__ = [
    "DeliveryError",
    "DeliveryOptions",
    "SmtpSettings",
    "deliver",
    "delivery_options",
    "inline_images",
    "post_markdown",
    "read_secret",
    "send_mail",
    "to_mrkdwn",
]

SLACK_TEXT_LIMIT = 39_000  # Slack cuts a message's text at 40,000 characters; cut it ourselves, and say so


class DeliveryError(Exception):
    """A delivery failed: one line for the person who asked, never a URL path, a password or a traceback."""


# --------------------------------------------------------------------------------------------- secrets


def read_secret(spec: str) -> str:
    """The value ``spec`` names: ``env:VAR`` (an environment variable), ``file:PATH`` (a file's content,
    trailing newline dropped), or ``spec`` itself for a value that is no secret.

    Why: a secret on the command line shows in ``ps`` and shell history; in a cron line, a systemd
    unit or a Kubernetes Secret it comes from the environment or a mounted file instead.

    >>> read_secret("env:HOME") == os.environ["HOME"]
    True
    """
    kind, sep, rest = spec.partition(":")
    if sep and kind == "env":
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", rest):
            raise DeliveryError(f"{spec!r}: env: takes an environment variable's name, e.g. env:SLACK_WEBHOOK_URL")
        value = os.environ.get(rest)
        if not value:
            raise DeliveryError(f"environment variable {rest} is {'empty' if value == '' else 'not set'}")
        return value
    if sep and kind == "file":
        try:
            value = Path(rest).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise DeliveryError(f"cannot read secret file {rest}: {exc.strerror or type(exc).__name__}") from None
        except UnicodeDecodeError:
            raise DeliveryError(f"secret file {rest} is not UTF-8 text") from None
        if not value:
            raise DeliveryError(f"secret file {rest} is empty")
        return value
    return spec


def _is_secret_spec(spec: str) -> bool:
    return spec.startswith(("env:", "file:"))


def _scrub(text: str, secrets: Sequence[str]) -> str:
    """``text`` on one line with every secret (and its base64, as AUTH PLAIN/LOGIN send it) cut out."""
    for secret in secrets:
        if len(secret) >= 4:
            for form in (secret, base64.b64encode(secret.encode()).decode()):
                text = text.replace(form, "***")
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------ Slack mrkdwn


_FENCE = re.compile(r"^\s*(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")


def _escape(text: str) -> str:
    """Slack's three control characters, as its formatting guide asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str) -> str:
    """One line of Markdown as mrkdwn: code spans kept, links ``<url|text>``, **bold** ``*bold*``,
    *italic* ``_italic_``, ~~struck~~ ``~struck~``; images by their alt text (a data: URL cannot go
    to a chat)."""
    parts = _CODE_SPAN.split(text)
    out = []
    # split() with one group pair gives [text, ticks, code, text, ticks, code, ...]
    i = 0
    while i < len(parts):
        if i % 3 == 0:
            out.append(_inline_text(parts[i]))
            i += 1
        else:
            out.append(f"`{_escape(parts[i + 1])}`")
            i += 2
    return "".join(out)


def _inline_text(text: str) -> str:
    links: list[str] = []

    def keep(rendered: str) -> str:
        links.append(rendered)
        return f"\x00{len(links) - 1}\x00"

    def image(m: re.Match[str]) -> str:
        alt, url = m.group(1).strip() or "image", m.group(2)
        if url.startswith(("http://", "https://")):
            return keep(f"<{_escape(url)}|{_escape(alt)}>")
        return _escape(f"[{alt}]")

    text = _IMAGE.sub(image, text)
    text = _LINK.sub(lambda m: keep(f"<{_escape(m.group(2))}|{_escape(_plain(m.group(1)))}>"), text)
    text = _escape(text)
    text = re.sub(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__", lambda m: "\x01" + (m.group(1) or m.group(2))
                  + "\x01", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"_\1_", text)
    text = re.sub(r"~~(?=\S)(.+?)(?<=\S)~~", r"~\1~", text)
    text = text.replace("\x01", "*")
    return re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], text)


def _plain(text: str) -> str:
    """Markdown inline marks dropped (inside a code block nothing is formatted)."""
    text = _IMAGE.sub(lambda m: m.group(1) or "image", text)
    text = _LINK.sub(r"\1", text)
    return re.sub(r"(\*\*|__|~~|`)", "", text).replace("\\|", "|")


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [_plain(c.strip()) for c in re.split(r"(?<!\\)\|", inner)]


def _table(lines: list[str]) -> list[str]:
    """A Markdown table as an aligned code block: a chat shows no tables, but monospace lines read."""
    header = len(lines) > 1 and bool(_TABLE_RULE.match(lines[1]))
    rows = [_cells(line) for line in lines if not _TABLE_RULE.match(line)]
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    widths = [max(len(r[j]) for r in rows) for j in range(width)]
    out = ["```"]
    for i, row in enumerate(rows):
        out.append(_escape("  ".join(c.ljust(widths[j]) for j, c in enumerate(row)).rstrip()))
        if i == 0 and header:
            out.append("  ".join("-" * w for w in widths))
    out.append("```")
    return out


def to_mrkdwn(markdown: str) -> str:
    """Markdown (as the report writes it) as Slack's mrkdwn, readable in any Slack-compatible chat:
    headings as bold lines, ``**bold**`` → ``*bold*``, ``[t](u)`` → ``<u|t>``, tables as aligned code
    blocks, bullets as •, fenced code kept; ``&``, ``<`` and ``>`` escaped as Slack asks.

    >>> to_mrkdwn("## Status: **RED**\\n- see [runbook](https://x.example/r)")
    '*Status: RED*\\n• see <https://x.example/r|runbook>'
    """
    lines = markdown.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            block = ["```"]
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                block.append(_escape(lines[i]))
                i += 1
            out += [*block, "```"]
            i += 1
            continue
        if line.lstrip().startswith("|"):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            out += _table(lines[i:j])
            i = j
            continue
        heading = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        bullet = re.match(r"^(\s*)[-*+]\s+(.*)$", line)
        quote = re.match(r"^\s{0,3}>\s?(.*)$", line)
        if heading:
            text = _inline(heading.group(2)).replace("*", "")
            out.append(f"*{text}*" if text else "")
        elif re.fullmatch(r"\s{0,3}([-*_])(\s*\1){2,}\s*", line):
            out.append("──────────")
        elif bullet:
            out.append(f"{bullet.group(1)}• {_inline(bullet.group(2))}")
        elif quote:
            out.append(f">{_inline(quote.group(1))}")
        else:
            out.append(_inline(line))
        i += 1
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")
    if len(text) > SLACK_TEXT_LIMIT:
        text = (text[:SLACK_TEXT_LIMIT].rsplit("\n", 1)[0]
                + "\n_… cut here: the full report is in its HTML or e-mail version_")
        if text.count("```") % 2:
            text = text.replace("\n_… cut here", "\n```\n_… cut here", 1)
    return text


# -------------------------------------------------------------------------------------------- webhook


def _origin(url: str) -> str:
    """Scheme and host (and port) of ``url``: all of a webhook URL that may be shown."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(an unreadable URL)"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}"


def _request_reason(exc: requests.RequestException) -> str:
    """Why a request failed, from the exception's type and its OS error: never its text, which quotes the URL."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake failed (certificate not trusted?)"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.TooManyRedirects):
        return "too many redirects"
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:  # requests wraps urllib3's MaxRetryError, whose reason wraps the OS error
        inner = todo.pop(0)
        if inner in seen:
            continue
        seen.append(inner)
        if isinstance(inner, ConnectionRefusedError):
            return "connection refused"
        if isinstance(inner, socket.gaierror):
            return "host name not found"
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror.lower()
        todo += [e for e in (inner.__cause__, inner.__context__, getattr(inner, "reason", None),
                             *inner.args) if isinstance(e, BaseException)]
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "cannot connect"
    return type(exc).__name__


def post_markdown(url: str, markdown: str, *, timeout: float = 10) -> None:
    """POST ``markdown`` (converted by ``to_mrkdwn``) as ``{"text": ..., "mrkdwn": true}`` to a
    Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat, Discord's /slack endpoint).

    Raises ``DeliveryError`` for a network error or a non-2xx answer; its message shows only the URL's
    scheme and host, because the path of a webhook URL is its secret.
    """
    origin = _origin(url)
    if not re.match(r"https?://[^/]", url):
        raise DeliveryError(f"webhook {origin}: not an http(s) URL")
    payload = {"text": to_mrkdwn(markdown), "mrkdwn": True}
    parts = urlsplit(url)
    secrets = [url, parts.path + (f"?{parts.query}" if parts.query else ""), parts.path, parts.query,
               *(piece for piece in re.split(r"[/?&=]", f"{parts.path}?{parts.query}") if len(piece) >= 6)]
    try:
        resp = requests.post(url, json=payload, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise DeliveryError(f"webhook {origin}: {_request_reason(exc)}") from None
    if not 200 <= resp.status_code < 300:
        body = _scrub(resp.text[:300], sorted(secrets, key=len, reverse=True)) if resp.text else ""
        raise DeliveryError(f"webhook {origin} answered HTTP {resp.status_code}" + (f": {body[:120]}" if body else ""))


# --------------------------------------------------------------------------------------------- e-mail


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail. ``starttls`` upgrades a plain connection (port 587/25); ``ssl`` is TLS
    from the first byte (port 465). ``cafile`` trusts a private CA or a self-signed relay certificate."""

    host: str = "127.0.0.1"
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "launchwatch@localhost"
    timeout: float = 30.0
    cafile: str | None = None

    @property
    def security(self) -> str:
        return "TLS" if self.ssl else "STARTTLS" if self.starttls else "no TLS"


_DATA_IMG = re.compile(
    r"""(<img\b[^>]*?\bsrc\s*=\s*)(["'])data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)\2""",
    re.IGNORECASE)


def inline_images(html: str, domain: str = "launchwatch") -> tuple[str, list[tuple[str, str, bytes]]]:
    """``html`` with each ``<img src="data:image/...;base64,...">`` pointing at ``cid:`` instead, and
    the images as (content id, subtype, bytes), one per distinct image.

    Why: most mail clients (Gmail, Outlook) show no data: URLs, but do show related parts by cid.
    """
    images: dict[str, tuple[str, str, bytes]] = {}

    def swap(m: re.Match[str]) -> str:
        try:
            data = base64.b64decode("".join(m.group(4).split()), validate=True)
        except (binascii.Error, ValueError):
            return m.group(0)
        digest = hashlib.sha256(data).hexdigest()[:16]
        if digest not in images:
            images[digest] = (f"plot-{len(images) + 1}-{digest}@{domain}", m.group(3).lower(), data)
        return f"{m.group(1)}{m.group(2)}cid:{images[digest][0]}{m.group(2)}"

    return _DATA_IMG.sub(swap, html), list(images.values())


def _message(html: str, text: str, subject: str, to: Sequence[str], sender: str) -> EmailMessage:
    """multipart/alternative: text/plain, then multipart/related (text/html + the inline images)."""
    domain = sender.rpartition("@")[2] or "launchwatch"
    body, images = inline_images(html, domain)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid("launchwatch-report", domain=domain)
    msg.set_content(text)
    msg.add_alternative(body, subtype="html")
    html_part = msg.get_payload()[1]
    for cid, subtype, data in images:
        html_part.add_related(data, maintype="image", subtype=subtype, cid=f"<{cid}>",
                              filename=cid.partition("@")[0] + (".jpg" if subtype == "jpeg" else f".{subtype}"),
                              disposition="inline")
    return msg


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=settings.cafile)
    except (OSError, ssl.SSLError) as exc:
        raise DeliveryError(f"cannot read CA file {settings.cafile}: {getattr(exc, 'strerror', None) or exc}") from None


def _smtp_reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentication failed ({exc.smtp_code} {_smtp_text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(f"{rcpt}: {code} {_smtp_text(text)}" for rcpt, (code, text) in exc.recipients.items())
        return f"every recipient refused ({refused})"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return f"sender {exc.sender} refused ({exc.smtp_code} {_smtp_text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_smtp_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "the server does not offer AUTH (give no --smtp-user, or use the submission port with TLS)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message}; --smtp-cafile names a private CA)"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, OSError):
        return (exc.strerror or type(exc).__name__).lower()
    return str(exc) or type(exc).__name__


def _smtp_text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def send_mail(html: str, text: str, subject: str, to: list[str], settings: SmtpSettings) -> None:
    """Send one mail to ``to``: the text and the HTML as alternatives, with the HTML's data: images as
    inline ``cid:`` parts so mail clients show the plots.

    STARTTLS or TLS as ``settings`` ask (the certificate is verified); credentials are refused over a
    connection without TLS unless the host is loopback (a local relay). Raises ``DeliveryError`` with
    one line that never holds the password.
    """
    where = f"SMTP {settings.host}:{settings.port}"
    if not to:
        raise DeliveryError("no recipient: give --mail ADDRESS")
    if settings.ssl and settings.starttls:
        raise DeliveryError(f"{where}: use STARTTLS or TLS, not both")
    if settings.username and not settings.password:
        raise DeliveryError(f"{where}: a user ({settings.username}) but no password (--smtp-password env:VAR)")
    if settings.password and not settings.username:
        raise DeliveryError(f"{where}: a password but no user (--smtp-user NAME)")
    if settings.username and not (settings.ssl or settings.starttls) and not _loopback(settings.host):
        raise DeliveryError(f"{where}: refusing to send the password of {settings.username} without TLS to a host "
                            "that is not loopback; add --smtp-starttls (port 587) or --smtp-ssl (port 465)")
    msg = _message(html, text, subject, to, settings.sender)
    context = _tls_context(settings) if settings.ssl or settings.starttls else None
    secrets = [settings.password or ""]
    try:
        smtp: smtplib.SMTP = (smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout, context=context)
                              if settings.ssl else smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout))
        with smtp:
            smtp.ehlo()
            if settings.starttls:
                if not smtp.has_extn("starttls"):
                    raise DeliveryError(f"{where}: the server does not offer STARTTLS")
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            refused = smtp.send_message(msg, from_addr=settings.sender, to_addrs=list(to))
    except DeliveryError:
        raise
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        raise DeliveryError(_scrub(f"{where} ({settings.security}): {_smtp_reason(exc)}", secrets)) from None
    if refused:
        listed = "; ".join(f"{rcpt}: {code} {_smtp_text(text)}" for rcpt, (code, text) in refused.items())
        sent = [r for r in to if r not in refused]
        raise DeliveryError(_scrub(f"{where}: mailed to {', '.join(sent)} but refused for {listed}", secrets))


# ---------------------------------------------------------------------------------------- command line


@dataclass(frozen=True)
class DeliveryOptions:
    """What the delivery options asked for, as given (secrets still as their ``env:``/``file:`` specs)."""

    post: str | None = None
    mail: tuple[str, ...] = ()
    smtp: str = "127.0.0.1:25"
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_cafile: str | None = None
    mail_from: str | None = None
    subject: str | None = None

    @property
    def wanted(self) -> bool:
        """True when something is to be delivered."""
        return bool(self.post or self.mail)

    def smtp_settings(self) -> SmtpSettings:
        """The SMTP settings, the password read from its spec (``DeliveryError`` when it cannot be)."""
        host, port = _host_port(self.smtp, 465 if self.smtp_ssl else 587 if self.smtp_starttls else 25)
        password = read_secret(self.smtp_password) if self.smtp_password else None
        sender = self.mail_from or (self.smtp_user if self.smtp_user and "@" in self.smtp_user
                                    else f"launchwatch@{socket.getfqdn() or 'localhost'}")
        return SmtpSettings(host=host, port=port, starttls=self.smtp_starttls, ssl=self.smtp_ssl,
                            username=self.smtp_user, password=password, sender=sender, cafile=self.smtp_cafile)


def _host_port(text: str, default_port: int) -> tuple[str, int]:
    """``HOST``, ``HOST:PORT`` or ``[v6]:PORT``."""
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d+))?|([^:\[\]\s]+)(?::(\d+))?", text.strip())
    if not m:
        raise DeliveryError(f"--smtp {text!r}: use HOST or HOST:PORT, e.g. smtp.example.com:587")
    host, port = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    if port is not None and not 0 < int(port) < 65536:
        raise DeliveryError(f"--smtp {text!r}: port out of range")
    return host, int(port) if port else default_port


def _check_post(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value and not _is_secret_spec(value) and not re.match(r"https?://[^/]", value):
        raise click.BadParameter("give the webhook URL, env:VAR or file:PATH")
    return value


def _check_password(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value and not _is_secret_spec(value):
        raise click.BadParameter("give env:VAR or file:PATH, never the password itself (it would show in ps "
                                 "and in shell history)")
    return value


def _check_mail(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    for address in value:
        if "@" not in parseaddr(address)[1]:
            raise click.BadParameter(f"{address!r} is not a mail address")
    return value


def _check_smtp(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        _host_port(value, 25)
    except DeliveryError as exc:
        raise click.BadParameter(str(exc).partition(": ")[2]) from None
    return value


F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option("--post", metavar="URL|env:VAR|file:PATH", callback=_check_post,
                 help="Post the Markdown version to a Slack-compatible incoming webhook. The URL is a secret: "
                      "give it as env:SLACK_WEBHOOK_URL or file:PATH."),
    click.option("--mail", "mail", multiple=True, metavar="TO", callback=_check_mail,
                 help="Mail the HTML version (plots inline) to this address (repeatable)."),
    click.option("--smtp", default="127.0.0.1:25", show_default=True, metavar="HOST[:PORT]", callback=_check_smtp,
                 help="SMTP server (port defaults: 25, 587 with --smtp-starttls, 465 with --smtp-ssl)."),
    click.option("--smtp-starttls", is_flag=True,
                 help="Upgrade the SMTP connection with STARTTLS (certificate checked)."),
    click.option("--smtp-ssl", is_flag=True, help="SMTP over TLS from the first byte (port 465)."),
    click.option("--smtp-user", metavar="NAME", help="SMTP user (needs TLS unless the server is loopback)."),
    click.option("--smtp-password", metavar="env:VAR|file:PATH", callback=_check_password,
                 help="Where the SMTP password is: an environment variable or a file."),
    click.option("--smtp-cafile", metavar="PEM", type=click.Path(dir_okay=False),
                 help="Trust this CA (or self-signed certificate) for the SMTP server's TLS."),
    click.option("--mail-from", metavar="ADDRESS", help="Sender (default: the SMTP user if it is an address, "
                                                         "else launchwatch@<this host>)."),
    click.option("--subject", metavar="TEXT", help="Mail subject (default: the report's title)."),
]
_NAMES = ("post", "mail", "smtp", "smtp_starttls", "smtp_ssl", "smtp_user", "smtp_password", "smtp_cafile",
          "mail_from", "subject")


def delivery_options(f: F) -> F:
    """Add the delivery options to a click command; it receives them as one ``delivery: DeliveryOptions``."""
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for name in _NAMES}
        if given["smtp_starttls"] and given["smtp_ssl"]:
            raise click.UsageError("give --smtp-starttls or --smtp-ssl, not both")
        kwargs["delivery"] = DeliveryOptions(**{**given, "mail": tuple(given["mail"])})
        return f(*args, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def deliver(options: DeliveryOptions, markdown: str, html: str, text: str, title: str,
            echo: Callable[[str], Any]) -> None:
    """Post and/or mail one report as ``options`` ask, one echoed line per delivery (no secret in it).

    Every secret is read before anything is sent, so a missing one sends nothing; then each delivery
    is tried, and one ``DeliveryError`` names all that failed.
    """
    if not options.wanted:
        return
    url = read_secret(options.post) if options.post else None
    settings = options.smtp_settings() if options.mail else None
    failed = []
    if url is not None:
        try:
            post_markdown(url, markdown)
            echo(f"posted the report to the webhook at {_origin(url)}")
        except DeliveryError as exc:
            failed.append(str(exc))
    if settings is not None:
        try:
            send_mail(html, text, options.subject or title, list(options.mail), settings)
            user = f", as {settings.username}" if settings.username else ""
            echo(f"mailed the report to {', '.join(options.mail)} via {settings.host}:{settings.port} "
                 f"({settings.security}{user})")
        except DeliveryError as exc:
            failed.append(str(exc))
    if failed:
        raise DeliveryError("; ".join(failed))
