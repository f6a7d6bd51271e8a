"""Shared fixtures: free loopback ports, real servers started and always stopped."""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from launchwatch.exporter import Exporter
from launchwatch.exporter.server import serve
from launchwatch.plan import load_plan_text
from launchwatch.simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent


_HANDED_OUT: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A port nobody listens on, below the kernel's ephemeral range and never handed out twice in a run.

    A port the kernel picks for ``bind(("", 0))`` comes from the ephemeral range, the same one every
    simulator, server and client connection the tests start draw from: between this call and the test's
    own bind, one of them took it (a demo's exporter failed "Address already in use" once in CI).
    """
    low = _ephemeral_low()
    for _ in range(2000):
        port = random.randint(max(1024, low - 12000), low - 1)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket() as s:  # the range below is full: let the kernel pick
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], object], timeout: float = 15.0, interval: float = 0.1, what: str = "") -> object:
    """Poll ``check`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_exc: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as exc:
            last_exc = exc
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what or check}: {last_exc!r}")


def parse_metrics(text: str) -> dict[str, float]:
    """``{'name{labels}': value}`` from the text exposition format."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


def binary(name: str) -> str:
    """A Debian-packaged tool that ``make test`` installs; a clear failure if it is absent."""
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else None)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make test` (it installs the Debian packages)")
    return path


class Processes:
    """Subprocesses a test starts; every one is stopped at teardown, even on failure."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        out = log.open("wb")
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@pytest.fixture
def processes() -> Iterator[Processes]:
    procs = Processes()
    try:
        yield procs
    finally:
        procs.stop_all()


def launchwatch_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "launchwatch", *args]


@pytest.fixture
def simulator_factory() -> Iterator[Callable[..., Simulator]]:
    started: list[Simulator] = []

    def make(plan: str = "whatsapp-quiz", **kwargs: object) -> Simulator:
        sim = Simulator(plan, "127.0.0.1", 0, seed=7, **kwargs).start()
        started.append(sim)
        return sim

    yield make
    for sim in started:
        sim.stop()


class RunningExporter:
    """An exporter served in-process on a free port (stopped at teardown)."""

    def __init__(self, app: Exporter):
        self.app = app
        self.stop = threading.Event()
        self._ready = threading.Event()
        self.url = ""

        def ready(url: str) -> None:
            self.url = url
            self._ready.set()

        self.thread = threading.Thread(target=serve, args=(app, "127.0.0.1", 0),
                                       kwargs={"ready": ready, "stop": self.stop}, daemon=True)
        self.thread.start()
        assert self._ready.wait(10), "exporter did not start"

    def metrics(self, **headers: str) -> dict[str, float]:
        resp = requests.get(self.url + "/metrics", headers=headers, timeout=30)
        resp.raise_for_status()
        return parse_metrics(resp.text)

    def metrics_at_once(self, n: int) -> list[dict[str, float]]:
        """``n`` scrapes started together (so they overlap), each one's samples."""
        results: list[dict[str, float]] = []
        threads = [threading.Thread(target=lambda: results.append(self.metrics())) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        return results

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)


@pytest.fixture
def exporter_factory(tmp_path: Path) -> Iterator[Callable[..., RunningExporter]]:
    started: list[RunningExporter] = []

    def make(plan_text: str, base_url: str | None = None, name: str = "plan.yml",
             lifecycle: bool = True) -> RunningExporter:
        path = tmp_path / name
        path.write_text(plan_text)
        load_plan_text(plan_text, str(path), base_url=base_url)  # fail early with the plan's own message
        exp = RunningExporter(Exporter(path, base_url=base_url, lifecycle=lifecycle))
        started.append(exp)
        return exp

    yield make
    for exp in started:
        exp.close()
