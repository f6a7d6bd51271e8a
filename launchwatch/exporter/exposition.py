"""Prometheus text (0.0.4) and OpenMetrics (1.0) rendering, straight to bytes.

A target's samples are rendered once when its document changes and the bytes are reused until
it changes again, so a page of 50,000 unchanged series costs a concatenation, not 50,000
formatting calls. The output is byte-for-byte what prometheus_client's ``generate_latest``
writes for the same samples (tests hold it to that).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["CONTENT_TYPES", "OPENMETRICS", "TEXT", "Block", "Family", "gzip_member", "negotiate", "page", "render"]

TEXT = "text"
OPENMETRICS = "openmetrics"
CONTENT_TYPES = {
    TEXT: "text/plain; version=0.0.4; charset=utf-8",
    OPENMETRICS: "application/openmetrics-text; version=1.0.0; charset=utf-8",
}
OPENMETRICS_EOF = b"# EOF\n"
# A block at least this big is compressed once and kept as its own gzip member; smaller ones are
# compressed together with the self metrics on each scrape (cheap at that size).
GZIP_MEMBER_MIN = 4096


@dataclass(slots=True)
class Family:
    """One metric: ``name`` as in the plan (counters end in ``_total``, info metrics in ``_info``)."""

    name: str
    type: str  # "counter", "gauge" or "info"
    help: str
    label_names: tuple[str, ...] = ()
    samples: list[tuple[tuple[str, ...], float]] = field(default_factory=list)
    timestamps: list[float | None] | None = None  # Unix seconds per sample (None: no timestamp), or none at all
    shared: bool = False  # several targets' blocks hold samples of this family: the page groups them

    def add(self, label_values: Sequence[str], value: float) -> None:
        self.samples.append((tuple(label_values), value))


class Block:
    """A target's samples, rendered (and gzipped) at most once per format while they stay the same.

    Families several targets share (``Family.shared``) are kept apart: the page writes each one's
    HELP and TYPE once, then every target's samples of it, as the text formats require.
    """

    __slots__ = ("_gzipped", "_rendered", "_shared", "families")

    def __init__(self, families: list[Family]):
        self.families = families
        self._rendered: dict[str, bytes] = {}
        self._gzipped: dict[str, bytes] = {}
        self._shared: dict[str, dict[str, bytes]] = {}

    def rendered(self, fmt: str) -> bytes:
        out = self._rendered.get(fmt)
        if out is None:  # two scrapes racing here both render the same bytes: harmless
            out = self._rendered[fmt] = render([f for f in self.families if not f.shared], fmt)
        return out

    def gzipped(self, fmt: str) -> bytes:
        out = self._gzipped.get(fmt)
        if out is None:
            out = self._gzipped[fmt] = gzip_member(self.rendered(fmt))
        return out

    def shared(self, fmt: str) -> dict[str, bytes]:
        """Each shared family's sample lines, without HELP and TYPE."""
        out = self._shared.get(fmt)
        if out is None:
            out = self._shared[fmt] = {f.name: render([f], fmt, header=False) for f in self.families if f.shared}
        return out


def page(blocks: Iterable[Block], tail: Iterable[Family], fmt: str, *, compress: bool) -> bytes:
    """The /metrics body: the targets' blocks as rendered before, then ``tail`` (rendered now).

    Compressed, large blocks go out as the gzip members made when they last changed; gzip
    readers (Go's included) read concatenated members as one stream.
    """
    blocks, tail = list(blocks), list(tail)
    own = [f.name for b in blocks for f in b.families if not f.shared] + [f.name for f in tail]
    shared: dict[str, Family] = {}
    for b in blocks:
        for f in b.families:
            if f.shared:
                shared.setdefault(f.name, f)
    names = own + list(shared)
    if len(names) != len(set(names)):  # OpenMetrics parsers reject the whole page: fail loudly here instead
        raise ValueError(f"metric families named twice on one page: {sorted({n for n in names if names.count(n) > 1})}")
    grouped = b"".join(render([Family(f.name, f.type, f.help, f.label_names)], fmt)
                       + b"".join(b.shared(fmt).get(name, b"") for b in blocks) for name, f in shared.items())
    end = grouped + render(tail, fmt) + (OPENMETRICS_EOF if fmt == OPENMETRICS else b"")
    if not compress:
        return b"".join([*(b.rendered(fmt) for b in blocks), end])
    members, small = [], []
    for b in blocks:
        if len(b.rendered(fmt)) >= GZIP_MEMBER_MIN:
            members.append(b.gzipped(fmt))
        else:
            small.append(b.rendered(fmt))
    small.append(end)
    members.append(gzip_member(b"".join(small)))
    return b"".join(members)


def negotiate(accept: str) -> str:
    """OpenMetrics when the scraper asks for it (Prometheus does), else the classic text format."""
    for part in accept.split(","):
        if part.split(";", 1)[0].strip() == "application/openmetrics-text":
            return OPENMETRICS
    return TEXT


def render(families: Iterable[Family], fmt: str, *, header: bool = True) -> bytes:
    """The exposition of ``families`` in ``fmt`` (no OpenMetrics ``# EOF``: the page adds it once)."""
    out: list[str] = []
    for fam in families:
        if header:
            out.extend(_header(fam, fmt))
        if not fam.samples:
            continue
        order = sorted(range(len(fam.label_names)), key=fam.label_names.__getitem__)
        names = [fam.label_names[i] for i in order]
        prefix = fam.name
        stamps = fam.timestamps
        for k, (values, value) in enumerate(fam.samples):
            ts = "" if stamps is None or stamps[k] is None else " " + _timestamp(stamps[k], fmt)
            if values:
                labels = ",".join(f'{n}="{_escape_value(values[i])}"' for n, i in zip(names, order, strict=True))
                out.append(f"{prefix}{{{labels}}} {go_float(value)}{ts}\n")
            else:
                out.append(f"{prefix} {go_float(value)}{ts}\n")
    return "".join(out).encode("utf-8")


def _timestamp(seconds: float, fmt: str) -> str:
    """Text format: integer milliseconds; OpenMetrics: seconds (as prometheus_client writes them)."""
    if fmt == OPENMETRICS:
        return f"{seconds:.3f}".rstrip("0").rstrip(".") if seconds % 1 else str(int(seconds))
    return str(round(seconds * 1000))


def _header(fam: Family, fmt: str) -> tuple[str, str]:
    if fmt == OPENMETRICS:
        base = fam.name
        if fam.type == "counter":
            base = fam.name.removesuffix("_total")
        elif fam.type == "info":
            base = fam.name.removesuffix("_info")
        help_text = fam.help.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
        return f"# HELP {base} {help_text}\n", f"# TYPE {base} {fam.type}\n"
    kind = "gauge" if fam.type == "info" else fam.type
    help_text = fam.help.replace("\\", r"\\").replace("\n", r"\n")
    return f"# HELP {fam.name} {help_text}\n", f"# TYPE {fam.name} {kind}\n"


def _escape_value(value: str) -> str:
    if "\\" in value or "\n" in value or '"' in value:
        return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")
    return value


def go_float(value: float) -> str:
    """A float as Go's strconv formats it, which is what Prometheus and prometheus_client write.

    A credited copy of prometheus_client's ``floatToGoString`` (Apache-2.0, prometheus/client_python,
    ``prometheus_client/utils.py``), so the exporter does not depend on prometheus_client at run time;
    tests/test_exposition.py holds the two equal on generated floats."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(float(value))
    dot = text.find(".")
    if value > 0 and dot > 6:  # Go switches to exponent form sooner than Python
        mantissa = f"{text[0]}.{text[1:dot]}{text[dot + 1:]}".rstrip("0.")
        return f"{mantissa}e+{dot - 1:02d}"
    return text


def gzip_member(data: bytes) -> bytes:
    """A complete gzip member; members concatenate into one valid gzip stream (RFC 1952, 2.2)."""
    return gzip.compress(data, compresslevel=1, mtime=0)
