"""Our exposition bytes equal prometheus_client's for the same samples, and pages parse and decompress."""

from __future__ import annotations

import gzip

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.openmetrics import exposition as om
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text
from prometheus_client.utils import floatToGoString

from launchwatch.exporter.exposition import (
    GZIP_MEMBER_MIN,
    OPENMETRICS,
    TEXT,
    Block,
    Family,
    go_float,
    negotiate,
    page,
    render,
)

NAME = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
LABEL = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda n: n not in ("le", "quantile"))
VALUE = st.floats(allow_nan=False) | st.integers(-(2**60), 2**60).map(float)


@st.composite
def families(draw) -> Family:
    kind = draw(st.sampled_from(["counter", "gauge", "info"]))
    base = draw(NAME).removesuffix("_total").removesuffix("_info") or "m"
    name = {"counter": base + "_total", "info": base + "_info"}.get(kind, base)
    labels = tuple(draw(st.lists(LABEL, max_size=3, unique=True)))
    fam = Family(name, kind, draw(st.text(min_size=1, max_size=30)), labels)
    rows = draw(st.lists(st.tuples(*[st.text(max_size=12) for _ in labels]), max_size=4, unique=True))
    for values in rows:
        value = 1.0 if kind == "info" else draw(VALUE)
        if kind == "counter":
            value = abs(value)
        fam.add(values, value)
    return fam


def client_family(fam: Family):
    """The same samples as prometheus_client objects, to render with its own generate_latest."""
    if fam.type == "counter":
        out = CounterMetricFamily(fam.name, fam.help, labels=list(fam.label_names))
    elif fam.type == "info":
        out = InfoMetricFamily(fam.name.removesuffix("_info"), fam.help, labels=list(fam.label_names))
    else:
        out = GaugeMetricFamily(fam.name, fam.help, labels=list(fam.label_names))
    for values, value in fam.samples:
        if fam.type == "info":
            out.add_metric([], dict(zip(fam.label_names, values, strict=True)))
        else:
            out.add_metric(list(values), value)
    return out


class _Registry:
    def __init__(self, fams):
        self.fams = fams

    def collect(self):
        return self.fams


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(families(), max_size=4, unique_by=lambda f: f.name.removesuffix("_total").removesuffix("_info")))
def test_bytes_equal_prometheus_client_in_both_formats(fams):
    theirs = _Registry([client_family(f) for f in fams])
    assert render(fams, TEXT) == generate_latest(theirs)
    assert render(fams, OPENMETRICS) + b"# EOF\n" == om.generate_latest(theirs)


def test_page_parses_and_gzip_members_concatenate():
    big = Family("endpoint_requests_total", "counter", "Requests.", ("endpoint",))
    for i in range(2000):
        big.add([f"/api/{i}"], float(i))
    small = Family("queue_depth", "gauge", 'Depth "now".\nSecond line.', ())
    small.add([], 3.0)
    blocks = [Block([big]), Block([small])]
    assert len(blocks[0].rendered(TEXT)) >= GZIP_MEMBER_MIN > len(blocks[1].rendered(TEXT))
    tail = [Family("launchwatch_target_up", "gauge", "Up.", ("target",), [(("api",), 1.0)])]
    for fmt, parse in ((TEXT, parse_text), (OPENMETRICS, parse_openmetrics)):
        plain = page(blocks, tail, fmt, compress=False)
        compressed = page(blocks, tail, fmt, compress=True)
        assert compressed.count(b"\x1f\x8b\x08") >= 2  # the big block travels as its own member
        assert gzip.decompress(compressed) == gzip.decompress(gzip.compress(plain))
        parsed = {f.name: f for f in parse(plain.decode())}
        assert len(parsed["endpoint_requests"].samples) == 2000
        assert parsed["queue_depth"].samples[0].value == 3.0
    assert blocks[0].gzipped(TEXT) is blocks[0].gzipped(TEXT)  # made once, reused


def test_negotiation_follows_prometheus_accept_header():
    prometheus = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                  "text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
    assert negotiate(prometheus) == OPENMETRICS
    assert negotiate("text/plain") == TEXT
    assert negotiate("") == TEXT


@given(st.floats() | st.integers(-(2**70), 2**70).map(float))
@settings(max_examples=2000, deadline=None)
def test_go_float_is_client_pythons_float_to_go_string(value):
    """The credited copy in exposition.py equals the library it was copied from."""
    assert go_float(value) == floatToGoString(value)


def test_a_page_never_names_one_family_twice():
    block = Block([Family("up", "gauge", "a business gauge named like Prometheus' own", (), [((), 1.0)])])
    with pytest.raises(ValueError, match="named twice"):
        page([block], [Family("up", "gauge", "h", (), [((), 1.0)])], OPENMETRICS, compress=False)
    assert page([block], [Family("other", "gauge", "h", (), [((), 1.0)])], TEXT, compress=False)
