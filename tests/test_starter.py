"""`launchwatch init`: a starter plan from a sample that loads, and reads the sample's own values back."""

from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchwatch.cli import main
from launchwatch.exporter.extract import extract
from launchwatch.plan import load_plan, load_plan_text
from launchwatch.plan.starter import Sample, StarterError, fetch_sample, starter_plan
from tests.conftest import free_port, launchwatch_cmd
from tests.upstream import Reply, Upstream

SAMPLE = {"orders": {"placed": 120, "failed": 3}, "latency_ms": {"p95": 840}, "status": "ok",
          "queues": {"email": {"depth": 12}, "sms": {"depth": 0}}}

# Shapes the sample above does not have: nested and empty arrays, deep and keyed maps, awkward keys,
# numbers in strings, a top-level array.
INVENTED = {
    "arrays": {"data": {"endpoints": [
        {"path": "/a", "status": "ok", "p95_ms": 120, "p99_ms": 300, "requests_total": 5, "meta": {"weight": 3},
         "hist": [1, 2]},
        {"path": "/b", "status": "degraded", "p95_ms": 80, "p99_ms": 200, "requests_total": 7, "meta": {"weight": 1},
         "hist": []}]},
        "matrix": [[1, 2], [3, 4]], "empty": [], "nothing": {}, "n": None, "readings": [1, 2.5]},
    "deep": {"regions": {"eu": {"queues": {"email": {"depth": 1}}, "lag_s": 3, "healthy": True},
                         "us": {"queues": {"email": {"depth": 2}}, "lag_s": 4, "healthy": False}},
             "a": {"b": {"c": {"d": {"e": {"f": 42}}}}}, "checks": {"db": "ok", "cache": "down"}},
    "keys": {"Total Orders": 5, "cpu-usage-pct": 55, "memoryMB": 512, "Response Time P99": 1.5, "it's": 1,
             "a\\b": 2, "ws\nline": 3, "é-count": 4, "5xx": 9, "": 7, "up": True, "updated_at": 1700000000,
             "version": "1.2.3", "count": "42", "Health": "DEGRADED", "incidents": {"p0": 1, "p1": 2},
             "errors_total": -1, "orders_today": {"placed": 4}},
    "top-array": [{"name": "email", "target": "x", "id": 1, "sent": 5}, {"name": "sms", "target": "y", "id": 2,
                                                                          "sent": 6}],
    "top-array-repeats": [{"kind": "a", "v": 1}, {"kind": "a", "v": 2}, {"v": 3, "kind": "b"}],
}


def plan_for(doc, name: str = "sample", url: str | None = None) -> str:
    return starter_plan(Sample(doc, f"{name}.json", len(json.dumps(doc)), url, name))


def mappings(text: str) -> dict[tuple[str, str], object]:
    """Every mapping by (name, path + value), to look one up in a test."""
    plan = load_plan_text(text)
    return {(m.name, m.path + (m.value or "")): m for s in plan.sources for m in s.metrics}


def samples(text: str, doc) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The exporter's own extraction of ``doc`` through the plan: (name, labels) -> value."""
    plan = load_plan_text(text)
    got = {}
    for source in plan.sources:
        result = extract(source, doc)
        assert result.missing == []
        for fam in result.families:
            for values, value in fam.samples:
                got[(fam.name, tuple(zip(fam.label_names, values, strict=True)))] = value
    return got


def test_the_sample_gives_prometheus_names_types_units_and_labels():
    text = plan_for(SAMPLE)
    m = mappings(text)
    assert set(m) == {
        ("orders_placed_total", "$.orders.placed"), ("orders_failed_total", "$.orders.failed"),
        ("latency_seconds", "$.latency_ms.p95"), ("status_ok", "$.status"), ("queues_depth", "$.queues.*.depth")}
    placed = m[("orders_placed_total", "$.orders.placed")]
    assert placed.type == "counter" and "$.orders.placed" in placed.help
    latency = m[("latency_seconds", "$.latency_ms.p95")]
    assert (latency.type, latency.scale, latency.const_labels) == ("gauge", 0.001, {"percentile": "p95"})
    status = m[("status_ok", "$.status")]
    assert status.value_map == {"ok": 1, "degraded": 0, "down": 0, "error": 0, "fail": 0}
    assert m[("queues_depth", "$.queues.*.depth")].labels == {"queue": "@parentkey"}
    # each guess is said next to it, and the plan has no thresholds or dashboards, only the commented example
    assert text.count("type counter is guessed from the name ('placed' under 'orders')") == 1
    assert "holds a status word" in text
    assert "\nthresholds:" not in text and "dashboards:" not in text and "\n# thresholds:" in text
    assert text == plan_for(SAMPLE)  # same sample, same bytes


def test_the_exporter_reads_the_samples_values_back():
    assert samples(plan_for(SAMPLE), SAMPLE) == {
        ("orders_placed_total", ()): 120, ("orders_failed_total", ()): 3,
        ("latency_seconds", (("percentile", "p95"),)): 0.84, ("status_ok", ()): 1,
        ("queues_depth", (("queue", "email"),)): 12, ("queues_depth", (("queue", "sms"),)): 0}


@pytest.mark.parametrize("name", INVENTED)
def test_invented_shapes_load_and_extract_every_value(name):
    doc = INVENTED[name]
    text = plan_for(doc, name, f"http://127.0.0.1:1/api/{name}")
    got = samples(text, doc)
    assert got
    plan = load_plan_text(text)
    assert all(not set(m.labels) & {"target", "job", "instance"} for s in plan.sources for m in s.metrics)
    assert text == plan_for(doc, name, f"http://127.0.0.1:1/api/{name}")


def test_invented_shapes_values_and_what_is_left_out():
    arrays = plan_for(INVENTED["arrays"])
    got = samples(arrays, INVENTED["arrays"])
    assert got[("data_endpoints_seconds", (("path", "/a"), ("percentile", "p99")))] == pytest.approx(0.3)
    assert got[("data_endpoints_status_ok", (("path", "/b"),))] == 0
    assert got[("data_endpoints_requests_total", (("path", "/b"),))] == 7
    assert got[("data_endpoints_meta_weight", (("path", "/a"),))] == 3
    assert got[("readings", (("index", "1"),))] == 2.5
    for left_out in ("$.data.endpoints[*].hist: an array inside each item", "$.matrix: an array of arrays",
                     "$.empty: an empty array", "$.nothing: an empty object", "$.n: null in the sample"):
        assert left_out in arrays

    deep = samples(plan_for(INVENTED["deep"]), INVENTED["deep"])
    assert deep[("regions_queues_email_depth", (("region", "us"),))] == 2
    assert deep[("regions_lag_seconds", (("region", "eu"),))] == 3
    assert deep[("regions_healthy", (("region", "us"),))] == 0
    assert deep[("ab_cd_e_f", ())] == 42  # $.a.b.c.d.e.f: promtool reads "_b" and "_d" as unit abbreviations
    assert deep[("checks_ok", (("check", "cache"),))] == 0

    keys = plan_for(INVENTED["keys"])
    got = samples(keys, INVENTED["keys"])
    assert got[("total_orders_total", ())] == 5
    assert got[("cpu_usage_ratio", ())] == pytest.approx(0.55)
    assert got[("memory_bytes", ())] == 512 * 2**20
    assert got[("response_time", (("percentile", "p99"),))] == 1.5
    # "a b" gives "ab": promtool reads a word "b" as an abbreviated unit (bytes)
    assert got[("its", ())] == 1 and got[("ab", ())] == 2 and got[("ws_line", ())] == 3
    assert got[("e_total", ())] == 4
    assert got[("main_5xx", ())] == 9 and got[("main", ())] == 7  # named after the source "main"
    assert got[("main_up", ())] == 1  # `up` is Prometheus' own series
    assert got[("updated_timestamp_seconds", ())] == 1700000000
    assert got[("health_ok", ())] == 0
    assert got[("incidents_p0", ())] == 1  # a priority, not a quantile
    assert got[("errors", ())] == -1  # negative: no counter
    assert got[("orders_today_placed", ())] == 4  # a count for today goes back to 0: no counter
    assert "value_map: {OK: 1, DEGRADED: 0" in keys
    assert "$.count: a number in a string" in keys and "$.version: a string" in keys

    top = plan_for(INVENTED["top-array"], "top-array", "http://127.0.0.1:1/api/messages")
    got = samples(top, INVENTED["top-array"])
    assert got == {("messages_sent_total", (("name", "email"), ("item_target", "x"))): 5,
                   ("messages_sent_total", (("name", "sms"), ("item_target", "y"))): 6}
    repeats = samples(plan_for(INVENTED["top-array-repeats"]), INVENTED["top-array-repeats"])
    assert repeats[("main_v", (("kind", "a"), ("index", "1")))] == 2


def test_the_commented_threshold_example_is_valid_once_uncommented():
    for doc in (SAMPLE, INVENTED["top-array"], {"requests": {"total": 4}}, {"depth": 3}):
        text = plan_for(doc)
        head, sep, tail = text.partition("# channels:")
        uncommented = head + "\n".join(line[2:] for line in (sep + tail).splitlines()) + "\n"
        plan = load_plan_text(uncommented)
        assert len(plan.thresholds) == 1 and plan.thresholds[0].metric in plan.metrics


_KEYS = st.one_of(st.sampled_from(["status", "p95", "latency_ms", "orders", "placed", "total", "target", "id", "name",
                                   "queues", "up", "quantile", "a b", "it's", "x\u2028y", "5xx", "", "created_at"]),
                  st.text(max_size=4))
_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-10, 10**13),
                    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["ok", "down", "OK", "a", "42"]))
_SHAPED = st.builds(lambda keys, inner: {k: dict(inner) for k in keys}, st.lists(_KEYS, min_size=2, max_size=3,
                    unique=True), st.dictionaries(_KEYS, _LEAVES, min_size=1, max_size=3))
_DOCS = st.recursive(st.one_of(_LEAVES, _SHAPED), lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=15)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(st.dictionaries(_KEYS, _DOCS, min_size=1, max_size=4), st.lists(_DOCS, min_size=1, max_size=3)))
def test_any_document_gives_a_plan_the_exporter_can_read_it_with(doc):
    doc = json.loads(json.dumps(doc))  # what a parser gives: no tuples, no NaN
    try:
        text = plan_for(doc)
    except StarterError as exc:
        assert "nothing numeric found" in str(exc)
        return
    plan = load_plan_text(text)
    extract(plan.sources[0], doc)  # no ExtractError: the sample itself never fails its own plan


def test_nothing_numeric_is_an_error():
    with pytest.raises(StarterError, match="nothing numeric found"):
        plan_for({"name": "shop", "tags": [], "meta": {"version": "1"}})


def test_cli_writes_a_plan_that_load_plan_reads(tmp_path, monkeypatch):
    sample = tmp_path / "Shop API.json"
    sample.write_text(json.dumps(SAMPLE))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["init", "--from-json", str(sample)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    plan = load_plan(tmp_path / "shop-api.yml")
    assert (plan.plan, plan.base_url, plan.sources[0].url) == ("shop-api", "http://127.0.0.1:8080", "/Shop%20API.json")
    assert "launchwatch check shop-api.yml" in result.stdout
    assert "launchwatch generate --config shop-api.yml --out out/" in result.stdout

    result = runner.invoke(main, ["init", "--from-json", str(sample), "--name", "Shop", "-o", "-",
                                  "--url", "https://shop.example.com/api/v1/stats?x=1"], catch_exceptions=False)
    assert result.exit_code == 0
    plan = load_plan_text(result.stdout)
    assert (plan.plan, plan.base_url, plan.sources[0].name, plan.sources[0].url) == \
        ("shop", "https://shop.example.com", "stats", "/api/v1/stats?x=1")
    assert "launchwatch check" in result.stderr


def one_line_error(args: list[str], code: int = 1) -> str:
    result = CliRunner().invoke(main, ["init", *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("launchwatch init: ") and "Traceback" not in result.stderr
    return lines[0]


def test_cli_errors_are_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"orders": {"placed": 1,}\n}')
    assert "bad.json: not valid JSON: Expecting property name enclosed in double quotes at line 1, column 25" in \
        one_line_error(["--from-json", str(bad)])
    assert "missing.json: cannot read: No such file or directory" in \
        one_line_error(["--from-json", str(tmp_path / "missing.json")])
    assert "cannot read" in one_line_error(["--from-json", str(tmp_path)])
    (tmp_path / "scalar.json").write_text("42")
    assert "the JSON is a number; a sample must be an object or an array" in \
        one_line_error(["--from-json", str(tmp_path / "scalar.json")])
    (tmp_path / "dup.json").write_text('{"a": 1, "a": 2}')
    assert "duplicate key 'a'" in one_line_error(["--from-json", str(tmp_path / "dup.json")])
    (tmp_path / "words.json").write_text('{"a": "b"}')
    assert "nothing numeric found" in one_line_error(["--from-json", str(tmp_path / "words.json")])

    good = tmp_path / "good.json"
    good.write_text(json.dumps(SAMPLE))
    out = tmp_path / "out.yml"
    out.write_text("mine\n")
    assert "out.yml: already exists; use --force" in one_line_error(["--from-json", str(good), "-o", str(out)])
    assert out.read_text() == "mine\n"
    assert CliRunner().invoke(main, ["init", "--from-json", str(good), "-o", str(out), "--force"]).exit_code == 0
    assert out.read_text().startswith("# Starter plan")

    one_line_error([], code=2)
    one_line_error(["--from-json", str(good), "--from-url", "http://127.0.0.1:1/"], code=2)
    one_line_error(["--from-url", "http://127.0.0.1:1/", "--url", "http://127.0.0.1:1/"], code=2)
    assert "not an http(s) URL" in one_line_error(["--from-json", str(good), "--url", "ftp://x/y"], code=2)
    assert "connection refused" in one_line_error(["--from-url", f"http://127.0.0.1:{free_port()}/x"])


def test_cli_error_in_a_real_process_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"a": 1')
    proc = subprocess.run(launchwatch_cmd("init", "--from-json", str(bad)), capture_output=True, text=True,
                          timeout=30, cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert "line 1, column 8" in proc.stderr


@pytest.fixture
def upstream():
    up = Upstream()
    yield up
    up.stop()


def test_from_url_fetches_once_and_points_the_plan_at_it(upstream, tmp_path, monkeypatch):
    upstream.set("/api/health", Reply(body=json.dumps(SAMPLE).encode()))
    host_url = upstream.url.replace("http://", "http://monitor:s3cret@")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--from-url", host_url + "/api/health"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert upstream.hits["/api/health"] == 1
    assert upstream.seen_headers["/api/health"]["Authorization"].startswith("Basic ")
    written = tmp_path / "plan-127-0-0-1.yml"
    text = written.read_text()
    assert "s3cret" not in text and "monitor" not in text
    plan = load_plan(written)
    assert (plan.base_url, plan.sources[0].name, plan.sources[0].url) == (upstream.url, "health", "/api/health")
    assert samples(text, SAMPLE)[("queues_depth", (("queue", "email"),))] == 12


def test_from_url_failures_say_why(upstream):
    upstream.set("/down", Reply(status=503, body=b"{}"))
    upstream.set("/html", Reply(body=b"<html>", headers={"Content-Type": "text/html"}))
    upstream.set("/slow", Reply(body=b"{}", delay=2.0))
    with pytest.raises(StarterError, match="answered HTTP 503"):
        fetch_sample(upstream.url + "/down")
    with pytest.raises(StarterError, match="/html: not valid JSON: Expecting value at line 1, column 1"):
        fetch_sample(upstream.url + "/html")
    with pytest.raises(StarterError, match=r"within 0\.3s"):
        fetch_sample(upstream.url + "/slow", timeout=0.3)


def test_plan_names_are_normalised():
    from launchwatch.plan.starter import plan_name

    assert plan_name("Shop API") == "shop-api"
    assert plan_name("2024_Launch") == "plan-2024-launch"
    assert plan_name("!!!") == "starter"
    with pytest.raises(StarterError):
        plan_name("!!!", fallback=None)


def test_keys_named_like_prometheus_or_launchwatch_series_get_a_prefix():
    text = plan_for({"up": 1, "scrape_count": 3, "launchwatch_x": 2}, "edge")
    names = {m.name for m in load_plan_text(text).sources[0].metrics}
    assert names and not names & {"up", "scrape_total", "launchwatch_x"}
    assert all(not n.startswith(("scrape_", "launchwatch_")) for n in names)
