"""`launchwatch preview`: dashboards rendered to PNG with live data.

The pure parts (units, threshold colours, variables, time) are checked directly; every panel type
is drawn against a small fake Prometheus that answers canned data; and one end-to-end test renders
every dashboard of a plan from a real Prometheus scraping the demo, holding the colour and text of
each stat panel to what the same query returns and to the pixels in the image.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from PIL import Image

from launchwatch.dashboards.preview import (
    GRAFANA_COLOURS,
    PreviewError,
    colour_for,
    default_variables,
    format_value,
    grafana_colour,
    legend_for,
    load_dashboard,
    parse_range,
    parse_time,
    render_dashboard,
    substitute,
)
from tests import dashboard_queries
from tests.conftest import binary, free_port

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NO_DATA_MAPPING = [{"type": "special", "options": {"match": "nan", "result": {"text": "NO DATA", "color": "purple",
                                                                               "index": 0}}}]
UP_STEPS = [{"color": "green", "value": None}, {"color": "red", "value": 0.0}, {"color": "green", "value": 1e-9}]


# ---------------------------------------------------------------------------------------------- units


@pytest.mark.parametrize(("value", "unit", "text"), [
    (0.123, "percentunit", "12.3%"),
    (0.5, "percentunit", "50%"),
    (0.9995, "percentunit", "99.95%"),  # never rounded up to 100% when it is not
    (1.0, "percentunit", "100%"),
    (0, "percentunit", "0%"),
    (3.2, "s", "3.2 s"),
    (0.85, "s", "850 ms"),
    (7200, "s", "2 h"),
    (90, "s", "1.5 min"),
    (0, "s", "0 s"),
    (0.0000021, "s", "2.1 µs"),
    (250, "ms", "250 ms"),
    (1500, "ms", "1.5 s"),
    (1, "bool_yes_no", "Yes"),
    (0, "bool_yes_no", "No"),
    (1, "bool_on_off", "On"),
    (1234, "short", "1.23k"),
    (1200, "short", "1.2k"),
    (2_500_000, "short", "2.5M"),
    (42, "short", "42"),
    (0.25, "short", "0.25"),
    (-1500, "short", "-1.5k"),
    (1066.4, "suffix: ARS", "1066 ARS"),
    (15, "suffix: ARS", "15 ARS"),
    (12, "prefix: $", "$12"),
    (2048, "bytes", "2 KiB"),
    (1500, "decbytes", "1.5 kB"),
    (240_000, "Bps", "240 kB/s"),
    (12.5, "reqps", "12.5 req/s"),
    (1_714_564_800_000, "dateTimeAsIso", "2024-05-01 12:00:00"),
    (1250, "currencyUSD", "1.25k USD"),
    (3.14159, "whatever", "3.14"),
    (3.14159, None, "3.14"),
    (math.nan, "percentunit", "NaN"),
    (math.inf, "s", "+Inf"),
    (-math.inf, "short", "-Inf"),
])
def test_format_value(value, unit, text):
    assert format_value(value, unit) == text


def test_format_value_with_decimals():
    assert format_value(0.12345, "percentunit", decimals=1) == "12.3%"
    assert format_value(3, "short", decimals=2) == "3.00"


# -------------------------------------------------------------------------------------------- colours


@pytest.mark.parametrize(("value", "colour"), [
    (-5, "green"), (0, "red"), (1e-10, "red"), (1e-9, "green"), (1, "green"), (math.nan, "green")])
def test_colour_for_up_steps(value, colour):
    """"> 0 is up": exactly 0 is red, anything above the hair-wide band green, NaN the base."""
    assert colour_for(value, UP_STEPS) == colour


def test_colour_for_boundaries_take_the_step_they_reach():
    steps = [{"color": "green", "value": None}, {"color": "blue", "value": 3.0}, {"color": "yellow", "value": 5.0},
             {"color": "red", "value": 10.0}]
    assert [colour_for(v, steps) for v in (2.999, 3.0, 4.9, 5.0, 9.99, 10.0, 1e9, -1e9)] == [
        "green", "blue", "blue", "yellow", "yellow", "red", "red", "green"]
    assert colour_for(1.0, [{"color": "#123456", "value": None}]) == "#123456"
    assert colour_for(1.0, []) == "text"


def test_grafana_colour():
    assert grafana_colour("orange") == "#ff9830"  # Grafana's orange, not CSS's #ffa500
    assert grafana_colour("purple") == GRAFANA_COLOURS["purple"]
    assert grafana_colour("#ABCDEF") == "#abcdef"
    assert grafana_colour("rgba(0, 211, 255, 1)") == "#00d3ff"
    assert grafana_colour("no-such-colour") == grafana_colour(None) == GRAFANA_COLOURS["text"]


# ----------------------------------------------------------------------------------- variables and time


def test_substitute_keeps_regex_back_references():
    variables = {"job": "quiz", "instance": ".+", "__rate_interval": "1m", "__range": "21600s"}
    expr = ('label_replace(rate(x{job=~"$job",instance=~"${instance}"}[$__rate_interval]), "p", "p${1}0", "q", '
            '"(.*)") + increase(y[$__range]) + $jobs + $1')
    assert substitute(expr, variables) == (
        'label_replace(rate(x{job=~"quiz",instance=~".+"}[1m]), "p", "p${1}0", "q", "(.*)") + increase(y[21600s])'
        ' + $jobs + $1')


def test_default_variables_from_a_generated_dashboard(tmp_path):
    board = {"templating": {"list": [
        {"name": "datasource", "type": "datasource", "current": {"value": "Prometheus"}},
        {"name": "job", "type": "query", "multi": True, "includeAll": True, "allValue": ".+",
         "current": {"value": ["whatsapp-quiz"]}},
        {"name": "instance", "type": "query", "multi": True, "includeAll": True, "allValue": ".+",
         "current": {"value": ["$__all"]}},
        {"name": "two", "type": "custom", "multi": True, "current": {"value": ["a.b", "c"]}}]}}
    values = default_variables(board, 6 * 3600, 108)
    assert values["job"] == "whatsapp-quiz"
    assert values["instance"] == ".+"
    assert values["two"] == "(a\\\\.b|c)"  # escaped as Grafana escapes inside a PromQL string
    assert "datasource" not in values
    assert (values["__rate_interval"], values["__range"], values["__interval"]) == ("1m", "21600s", "108s")


def test_parse_time_and_range():
    now = 1_714_564_800.0
    assert parse_time("now", now) == now
    assert parse_time("now-1h", now) == now - 3600
    assert parse_time("2024-05-01T12:00:00Z", now) == 1_714_564_800.0
    assert parse_time("2024-05-01T12:00:00", now) == 1_714_564_800.0
    assert parse_time("1714564800", now) == 1_714_564_800.0
    assert parse_range("6h") == parse_range("now-6h") == 21600
    assert parse_range("7d") == 7 * 86400
    for bad in ("yesterday", "now-"):
        with pytest.raises(PreviewError):
            parse_time(bad, now)
    with pytest.raises(PreviewError):
        parse_range("0s")


def test_legend_for():
    assert legend_for("{{target}} / {{ slo }}", {"target": "api", "slo": "up"}) == "api / up"
    assert legend_for("{{missing}}", {}) == ""
    assert legend_for(None, {"__name__": "up", "job": "x"}) == 'up{job="x"}'


# --------------------------------------------------------------------------------- a fake Prometheus


class FakePrometheus:
    """Canned answers by what the query names; every query it was asked is kept."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.queries.append(params.get("query", ""))
                status, body = fake.answer(url.path, params)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        q = params.get("query", "")
        if "broken" in q:
            return 400, {"status": "error", "errorType": "bad_data", "error": "parse error: unexpected end of input"}
        if path.endswith("/query_range"):
            start, end, step = float(params["start"]), float(params["end"]), float(params["step"])
            times = [start + i * step for i in range(int((end - start) / step) + 1)]
            series = [({"target": "a"}, 0.0), ({"target": "b"}, 0.5)] if "multi" in q else [({"target": "x"}, 0.0)]
            return 200, {"status": "success", "data": {"resultType": "matrix", "result": [
                {"metric": labels, "values": [[t, str(offset + (i % 20 + 1) / 20)] for i, t in enumerate(times)]}
                for labels, offset in series]}}
        at = float(params.get("time", time.time()))
        if "ALERTS" in q:
            result = [({"alertname": "ErrorRateRed", "alertstate": "firing", "severity": "critical"}, "1"),
                      ({"alertname": "QuizSlow", "alertstate": "pending", "severity": "medium"}, "1")]
        elif "nan_metric" in q:
            result = [({}, "NaN")]
        elif "empty_metric" in q:
            result = []
        elif "multi" in q:
            result = [({"target": "a"}, "0.5"), ({"target": "b"}, "0.97")]
        elif "errors_by_type" in q:
            result = [({"error_type": "Timeout"}, "12"), ({"error_type": "Auth"}, "3")]
        elif "users_by_type" in q:
            result = [({"error_type": "Timeout"}, "7")]
        else:
            result = [({"target": "x", "__name__": "up_metric"}, "1")]
        return 200, {"status": "success", "data": {"resultType": "vector", "result": [
            {"metric": labels, "value": [at, value]} for labels, value in result]}}

    def __enter__(self) -> FakePrometheus:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_prometheus() -> Iterator[FakePrometheus]:
    with FakePrometheus() as fake:
        yield fake


def panel(kind: str, title: str, x: int, y: int, w: int, h: int, exprs: list[str] | None = None,
          **defaults: Any) -> dict[str, Any]:
    legend = defaults.pop("legend", "{{target}}")
    extra = defaults.pop("extra", {})
    return {"type": kind, "title": title, "gridPos": {"x": x, "y": y, "w": w, "h": h},
            "targets": [{"expr": e, "refId": chr(65 + i), "legendFormat": legend} for i, e in enumerate(exprs or [])],
            "fieldConfig": {"defaults": defaults, "overrides": []}, **extra}


def every_panel_type() -> dict[str, Any]:
    up = {"mode": "absolute", "steps": UP_STEPS}
    ratio = {"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "green", "value": 0.9}]}
    return {"title": "every panel type", "time": {"from": "now-6h", "to": "now"}, "templating": {"list": [
        {"name": "job", "type": "query", "multi": True, "includeAll": True, "current": {"value": ["demo"]}}]},
        "panels": [
            {"type": "row", "title": "Now", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}, "collapsed": False,
             "panels": []},
            panel("stat", "Up", 0, 1, 4, 5, ['up_metric{job=~"$job"}'], unit="bool_yes_no", thresholds=up,
                  mappings=NO_DATA_MAPPING),
            panel("stat", "Missing", 4, 1, 4, 5, ["(nan_metric) or on() vector(NaN)"], unit="percentunit",
                  thresholds=up, mappings=NO_DATA_MAPPING),
            panel("stat", "Nothing", 8, 1, 4, 5, ["empty_metric"], unit="short"),
            panel("stat", "Two", 12, 1, 6, 5, ["multi"], unit="percentunit", thresholds=ratio,
                  mappings=NO_DATA_MAPPING),
            panel("stat", "Broken", 18, 1, 6, 5, ["broken("], unit="short"),
            panel("gauge", "Gauge", 0, 6, 6, 6, ["multi"], unit="percentunit", min=0, max=1, thresholds=ratio),
            panel("bargauge", "Bars", 6, 6, 6, 6, ["multi"], unit="percentunit", min=0, max=1, thresholds=ratio),
            panel("timeseries", "Lines", 12, 6, 12, 6, ['rate(multi[$__rate_interval])'], unit="s",
                  thresholds=ratio, custom={"thresholdsStyle": {"mode": "line"}}),
            panel("state-timeline", "States", 0, 12, 12, 4, ["up_metric"], unit="bool_yes_no", thresholds=up),
            panel("table", "Table", 12, 12, 12, 5, ["errors_by_type[$__range]", "users_by_type"], legend="",
                  unit="short", extra={"transformations": [{"id": "merge", "options": {}}, {
                      "id": "organize", "options": {"excludeByName": {"Time": True}, "renameByName": {
                          "Value #A": "Errors", "Value #B": "Users", "error_type": "Error type"}}}]}),
            {"type": "alertlist", "title": "Alerts", "gridPos": {"x": 0, "y": 17, "w": 12, "h": 5},
             "options": {"alertInstanceLabelFilter": '{plan="demo"}', "maxItems": 20}},
            {"type": "text", "title": "Notes", "gridPos": {"x": 12, "y": 17, "w": 6, "h": 5},
             "options": {"mode": "markdown", "content": "# Runbooks\n**Page** the [on-call](http://x) first."}},
            panel("piechart", "Pie", 18, 17, 6, 5),
            {"type": "row", "title": "Folded", "gridPos": {"x": 0, "y": 22, "w": 24, "h": 1}, "collapsed": True,
             "panels": [panel("stat", "Hidden", 0, 23, 6, 5, ["hidden_metric"])]},
        ]}


def test_every_panel_type_against_a_fake_prometheus(tmp_path, fake_prometheus):
    end = 1_714_564_800.0
    result = render_dashboard(every_panel_type(), fake_prometheus.url, tmp_path / "all.png", end=end)
    assert (tmp_path / "all.png").read_bytes()[:8] == PNG_MAGIC
    assert Image.open(tmp_path / "all.png").size == (result.width, result.height)
    by_title = {p.title: p for p in result.panels}
    assert "Hidden" not in by_title and not any("hidden_metric" in q for q in fake_prometheus.queries)
    assert by_title["Folded"].type == "row"
    shown = {t: [(v.legend, v.text, v.colour) for v in by_title[t].values] for t in by_title}
    green, red, purple = (grafana_colour(c) for c in ("green", "red", "purple"))
    assert shown["Up"] == [("x", "Yes", green)]
    assert shown["Missing"] == [("", "NO DATA", purple)]
    assert [v[1] for v in shown["Nothing"]] == ["No data"]
    assert shown["Two"] == [("a", "50%", red), ("b", "97%", green)]
    assert shown["Gauge"] == shown["Bars"] == shown["Two"]
    assert by_title["Broken"].error == "bad_data: parse error: unexpected end of input"
    assert all(by_title[t].error is None for t in by_title if t != "Broken")
    assert [v[0] for v in shown["Lines"]] == ["a", "b"]
    assert [(v[0], v[1]) for v in shown["States"]] == [("x", "Yes")]
    assert [(v[0], v[1]) for v in shown["Table"]] == [("Errors", "3"), ("Users", "No data"), ("Errors", "12"),
                                                      ("Users", "7")]
    assert [(v[0], v[1]) for v in shown["Alerts"]] == [("ErrorRateRed", "critical · firing"),
                                                       ("QuizSlow", "medium · pending")]
    asked = " ".join(fake_prometheus.queries)
    assert 'ALERTS{alertstate=~"firing|pending",plan="demo"}' in asked
    assert 'up_metric{job=~"demo"}' in asked and "rate(multi[1m])" in asked and "errors_by_type[21600s]" in asked
    assert "$" not in asked
    image = Image.open(tmp_path / "all.png").convert("RGB")
    assert _pixels(image, by_title["Broken"].box, grafana_colour("red")) > 20  # the error, in red
    assert _pixels(image, by_title["Missing"].box, purple) > 50  # NO DATA, in purple


def test_table_columns_follow_the_organize_transformation(tmp_path, fake_prometheus):
    from launchwatch.dashboards import preview

    board = every_panel_type()
    table = next(p for p in board["panels"] if p["title"] == "Table")
    data = preview._fetch(table, preview._Context(preview.Prometheus(fake_prometheus.url), {"__range": "1h"},
                                                  0.0, 100.0, 1.0))
    columns, rows, values = preview._table(table, data)
    assert columns == ["Error type", "Errors", "Users"]
    assert [[text for text, _ in row] for row in rows] == [["Auth", "3", "No data"], ["Timeout", "12", "7"]]
    assert values == [1, 2]


def test_forty_panels_render_in_a_few_seconds(tmp_path, fake_prometheus):
    panels = []
    for i in range(40):
        kind = ("stat", "timeseries", "gauge", "state-timeline")[i % 4]
        panels.append(panel(kind, f"panel {i}", (i % 4) * 6, (i // 4) * 6, 6, 6, ["multi"], unit="percentunit",
                            thresholds={"steps": [{"color": "red", "value": None}, {"color": "green", "value": 0.9}]}))
    started = time.monotonic()
    result = render_dashboard({"title": "forty", "panels": panels}, fake_prometheus.url, tmp_path / "40.png",
                              end=1_714_564_800.0)
    assert time.monotonic() - started < 15  # a few seconds alone; generous for a busy 2-core CI machine
    assert len(result.panels) == 40 and result.height > 60 * 40  # 60 grid rows, 42 px each


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launchwatch", "preview", *args], capture_output=True, text=True,
                          timeout=60)


def test_cli_errors_are_one_line(tmp_path, fake_prometheus):
    not_a_board = tmp_path / "x.json"
    not_a_board.write_text('{"title": "no panels"}')
    board = tmp_path / "board.json"
    board.write_text(json.dumps(every_panel_type()))
    closed = f"http://127.0.0.1:{free_port()}"
    cases = [([str(tmp_path / "missing.json"), "--prometheus", fake_prometheus.url], "cannot read"),
             ([str(not_a_board), "--prometheus", fake_prometheus.url], "is not a Grafana dashboard"),
             ([str(board), "--prometheus", closed], "Prometheus unreachable"),
             ([str(board), "--prometheus", fake_prometheus.url, "--range", "soon"], "is not a time range")]
    for args, message in cases:
        res = _cli(*args)
        assert res.returncode == 1, (args, res.stderr)
        assert res.stderr.count("\n") == 1 and message in res.stderr and "Traceback" not in res.stderr, res.stderr
    res = _cli(str(board), "--prometheus", fake_prometheus.url, "-o", str(tmp_path / "b.png"), "--var", "job=other",
               "--end", "2024-05-01T12:00:00Z", "--range", "1h")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "b.png").read_bytes()[:8] == PNG_MAGIC
    assert "1 with a query error" in res.stdout
    assert any('up_metric{job=~"other"}' in q for q in fake_prometheus.queries)


def test_load_dashboard_reads_a_provisioning_wrapper(tmp_path):
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({"dashboard": {"title": "t", "panels": []}, "overwrite": True}))
    assert load_dashboard(path)["title"] == "t"


def _pixels(image: Image.Image, box: tuple[int, int, int, int], colour: str) -> int:
    """How many pixels inside ``box`` have exactly ``colour``."""
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(count for count, pixel in (image.crop(box).getcolors(1 << 20) or []) if pixel == rgb)


# ----------------------------------------------------------------------------------------------- e2e


def _expected(board: dict[str, Any], stat: dict[str, Any], prom: str, end: float) -> list[tuple[str, float]]:
    """(legend, value) the stat's queries return when asked directly, with the same variables."""
    variables = default_variables(board, parse_range(board["time"]["from"]), 1)
    out = []
    for target in stat["targets"]:
        body = requests.get(f"{prom}/api/v1/query", params={"query": substitute(target["expr"], variables),
                                                            "time": f"{end:.3f}"}, timeout=10).json()
        out += [(legend_for(target.get("legendFormat"), r["metric"]), float(r["value"][1]))
                for r in body["data"]["result"]]
    return out


@pytest.mark.e2e
def test_previews_of_every_dashboard_of_a_live_plan(tmp_path):
    """whatsapp-quiz's dashboards and the overview, rendered from a real Prometheus scraping the demo:
    no panel errs, and every stat panel shows the value its query returns, in the step colour that
    value falls in (or NO DATA in the mapping's purple), in the image's pixels too."""
    binary("prometheus")
    procs: list[subprocess.Popen[bytes]] = []
    try:
        prom, out = dashboard_queries.start([dashboard_queries.builtin("whatsapp-quiz")], tmp_path, procs)
        time.sleep(20)
        end = time.time() - 3  # every sample up to then is in: the same instant query answers the same
        boards = [*sorted((out / "grafana/dashboards/whatsapp-quiz").glob("*.json")),
                  out / "grafana/dashboards/overview/lw-overview.json"]
        assert len(boards) == 4
        checked = 0
        for path in boards:
            board = load_dashboard(path)
            png = tmp_path / f"{path.stem}.png"
            result = render_dashboard(board, prom, png, end=end)
            assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 10_000
            image = Image.open(png).convert("RGB")
            assert image.size == (result.width, result.height) and result.width == 1800
            assert result.height > 100 * max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in board["panels"]) * 0.4
            assert not [(p.title, p.error) for p in result.panels if p.error]
            shown = {p.title: p for p in result.panels}
            for stat in (p for p in board["panels"] if p["type"] == "stat"):
                defaults = stat["fieldConfig"]["defaults"]
                steps = defaults["thresholds"]["steps"]
                expected = _expected(board, stat, prom, end)
                got = shown[stat["title"]]
                assert sorted((v.legend, v.text) for v in got.values) == sorted(
                    (legend, "NO DATA" if math.isnan(value) else format_value(value, defaults["unit"]))
                    for legend, value in expected), stat["title"]
                for v in got.values:
                    if math.isnan(v.value):
                        colour = "purple"
                    else:
                        colour = [s["color"] for s in steps if s["value"] is None or s["value"] <= v.value][-1]
                    assert v.colour == grafana_colour(colour) == grafana_colour(
                        "purple" if math.isnan(v.value) else colour_for(v.value, steps)), (stat["title"], v)
                    assert _pixels(image, got.box, v.colour) > 30, (stat["title"], v)
                checked += 1
        assert checked >= 30
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
