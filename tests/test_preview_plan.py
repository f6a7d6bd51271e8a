"""`launchwatch preview --plan/--config … --out DIR`: every dashboard a plan generates, as PNGs.

The command-line forms are checked in-process (click's runner: one-line errors, never a traceback);
one end-to-end test renders every dashboard of whatsapp-quiz from a real Prometheus scraping the
simulator, switches a fault on, and holds a stat panel's colour in the image to the data: green
"Yes" while the health check passes, red "No" once Prometheus has seen it fail.
"""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from PIL import Image

from launchwatch.cli import main
from launchwatch.dashboards.preview import grafana_colour, plan_dashboards, preview_plans
from launchwatch.generate import GenerateOptions, generate
from launchwatch.plan import builtin_plan_path, load_plan
from tests.conftest import binary, free_port, launchwatch_cmd, wait_for

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["preview", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--plan", "whatsapp-quiz"], "give --out DIR"),
    (["board.json", "--plan", "whatsapp-quiz"], "not both"),
    (["--plan", "whatsapp-quiz", "--out", "d", "-o", "x.png"], "-o goes with DASHBOARD.json"),
    (["board.json", "--out", "d"], "--out and --phase go with --plan/--config"),
    ([], "give DASHBOARD.json, or --plan NAME"),
    (["--plan", "no-such-plan", "--out", "d"], "no-such-plan"),
])
def test_usage_errors(args, message):
    code, _, err = _run(*args, "--prometheus", "http://127.0.0.1:1")
    assert code == 2 and message in err and "Traceback" not in err, err


def test_plan_mode_errors_are_one_line(tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    code, out, err = _run("--plan", "whatsapp-quiz", "--prometheus", closed, "--out", str(tmp_path / "png"))
    assert code == 1 and err.count("\n") == 1 and "Prometheus unreachable at" in err, err
    assert not out and not (tmp_path / "png").exists()  # nothing drawn, no folder made
    code, _, err = _run("--plan", "whatsapp-quiz", "--phase", "nope", "--prometheus", closed, "--out", str(tmp_path))
    assert code == 1 and err.count("\n") == 1 and "has no phase 'nope'" in err, err
    broken = tmp_path / "broken.yml"
    broken.write_text("plan: broken\nsources: nope\n")
    code, _, err = _run("--config", str(broken), "--prometheus", closed, "--out", str(tmp_path))
    assert code == 1 and "broken.yml:" in err and "Traceback" not in err, err


def test_plan_dashboards_are_what_generate_writes(tmp_path):
    plan = load_plan(builtin_plan_path("video-sessions"))
    generate([plan], tmp_path, GenerateOptions(dashboards=True))
    written = sorted(p.stem for p in (tmp_path / "grafana/dashboards").rglob("*.json"))
    assert sorted(b["uid"] for b in plan_dashboards([plan])) == written


def _pixels(image: Image.Image, box: tuple[int, int, int, int], colour: str) -> int:
    rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return sum(count for count, pixel in (image.crop(box).getcolors(1 << 20) or []) if pixel == rgb)


def _instant(prom: str, query: str) -> list[float]:
    body = requests.get(f"{prom}/api/v1/query", params={"query": query}, timeout=5).json()
    return [float(r["value"][1]) for r in body["data"]["result"]]


@pytest.mark.e2e
def test_every_dashboard_of_a_plan_from_live_data(tmp_path, processes, simulator_factory):
    """Every dashboard of whatsapp-quiz becomes a PNG, one line each; after the health endpoint goes
    down, the "Server up" stat turns from green Yes to red No in the pixels of its own box."""
    plan = load_plan(builtin_plan_path("whatsapp-quiz"))
    sim = simulator_factory("whatsapp-quiz")
    exporter = f"127.0.0.1:{free_port()}"
    processes.start(launchwatch_cmd("run", "--plan", "whatsapp-quiz", "--listen", exporter, "--base-url", sim.url),
                    tmp_path / "exporter.log")
    out = tmp_path / "generated"
    generate([plan], out, GenerateOptions(exporters={plan.plan: exporter}, scrape_interval="1s",
                                          scrape_timeout="1s", dashboards=False))
    prom = f"http://127.0.0.1:{free_port()}"
    processes.start([binary("prometheus"), f"--config.file={out}/prometheus/prometheus.yml",
                     f"--storage.tsdb.path={tmp_path}/tsdb", f"--web.listen-address={prom[7:]}"],
                    tmp_path / "prometheus.log")
    up = 'launchwatch_target_up{job="whatsapp-quiz",target="system-health"}'
    wait_for(lambda: _instant(prom, f"count_over_time({up}[1m]) >= 3") and _instant(prom, up) == [1.0],
             timeout=40, interval=0.5, what="three scrapes with the health check passing")

    before = tmp_path / "before"
    code, stdout, err = _run("--plan", "whatsapp-quiz", "--prometheus", prom, "--out", str(before), "--range", "5m")
    assert code == 0, err
    uids = [b["uid"] for b in plan_dashboards([plan])]
    assert len(uids) == 4 and "lw-overview" in uids
    assert stdout.splitlines() == [line for line in stdout.splitlines() if line.startswith("wrote ")]
    assert [line.split()[1] for line in stdout.splitlines()] == [str(before / f"{uid}.png") for uid in uids]
    assert sorted(p.name for p in before.iterdir()) == sorted(f"{uid}.png" for uid in uids)
    for uid in uids:
        assert (before / f"{uid}.png").read_bytes()[:8] == PNG_MAGIC
    assert "with a query error" not in stdout

    requests.post(f"{sim.url}/-/fault", params={"fault": "down", "endpoint": "/api/health"}, timeout=5)
    wait_for(lambda: _instant(prom, up) == [0.0], timeout=20, interval=0.3,
             what="Prometheus to see the health check fail")
    after = {p.path.stem: p for p in preview_plans([plan], prom, tmp_path / "after", range_text="5m")}
    assert sorted(after) == sorted(uids)
    server_up = next(p for p in after["lw-whatsapp-quiz-main"].panels if p.title == "Server up")
    assert [(v.text, v.colour) for v in server_up.values] == [("No", grafana_colour("red"))]
    green, red = grafana_colour("green"), grafana_colour("red")
    was = Image.open(before / "lw-whatsapp-quiz-main.png").convert("RGB")
    now = Image.open(tmp_path / "after/lw-whatsapp-quiz-main.png").convert("RGB")
    assert was.size == now.size
    assert _pixels(was, server_up.box, green) > 200 and _pixels(was, server_up.box, red) == 0
    assert _pixels(now, server_up.box, red) > 200 and _pixels(now, server_up.box, green) == 0



def test_titles_and_headers_are_cut_where_they_reach_the_edge():
    """Found by looking: bold titles ran past their panel and table headers into each other when the
    cut was estimated from a character count; it is measured with the font now."""
    from launchwatch.dashboards.preview import _text_width, _truncate

    title = "Customer complaints (7 days)"
    for bold in (False, True):
        cut = _truncate(title, 1.9, 9, bold=bold)
        assert cut.endswith("…") and _text_width(cut, 9, bold) <= 1.9 < _text_width(title, 9, bold)
    assert _text_width(title, 9, True) > _text_width(title, 9, False)
    assert _truncate("short", 5.0, 9) == "short"
