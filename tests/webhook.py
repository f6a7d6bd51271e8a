"""A loopback webhook that collects Alertmanager's notifications, for the end-to-end alerting tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from launchwatch.plan import builtin_plan_path, load_plan
from tests.conftest import Processes, free_port, launchwatch_cmd


class Webhook:
    """Collects Alertmanager's webhook notifications, each with the monotonic time it arrived."""

    def __init__(self) -> None:
        self.received: list[tuple[float, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append((time.monotonic(), json.loads(body)))
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    @property
    def notifications(self) -> list[dict]:
        return [body for _, body in list(self.received)]

    def seen(self, alertname: str, status: str) -> bool:
        return any(a["labels"].get("alertname") == alertname and a["status"] == status
                   for n in self.notifications for a in n["alerts"])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def quiz_stack_config(tmp_path: Path, processes: Processes, sim_url: str, hook: Webhook,
                      alertmanagers: list[str]) -> Path:
    """The whatsapp-quiz plan paging ``hook``, its exporter running over the simulator, and the configuration
    ``launchwatch generate`` writes for it at the test time scale (0.02); returns the output directory."""
    plan_text = builtin_plan_path("whatsapp-quiz").read_text()
    assert "http://127.0.0.1:9097/whatsapp" in plan_text
    plan = tmp_path / "whatsapp-quiz.yml"
    plan.write_text(plan_text.replace("http://127.0.0.1:9097/whatsapp", hook.url))
    exporter_port = free_port()
    processes.start(launchwatch_cmd("run", "--config", str(plan), "--listen", f"127.0.0.1:{exporter_port}",
                                    "--base-url", sim_url), tmp_path / "exporter.log")
    out = tmp_path / "generated"
    secrets = tmp_path / "secrets"
    (secrets / "whatsapp-quiz").mkdir(parents=True)
    for channel in load_plan(plan).channels:
        (secrets / "whatsapp-quiz" / channel.name).write_text("test-credential\n")
    res = processes.start(launchwatch_cmd(
        "generate", "--config", str(plan), "--out", str(out), "--time-scale", "0.02", "--secrets-dir", str(secrets),
        "--exporter", f"127.0.0.1:{exporter_port}", *(f"--alertmanager={am}" for am in alertmanagers),
        "--scrape-interval", "1s", "--scrape-timeout", "1s"), tmp_path / "generate.log")
    assert res.wait(60) == 0, (tmp_path / "generate.log").read_text()
    return out
