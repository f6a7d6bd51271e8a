"""Start a real Prometheus and Alertmanager on loopback with generated configuration.

Used by ``launchwatch demo`` and by the end-to-end tests, so both run the same commands.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

__all__ = ["find_binary", "free_port", "start_alertmanager", "start_prometheus", "stop_process", "wait_ready"]


def free_port(host: str = "127.0.0.1", port: int = 0) -> int:
    """``port`` if it can be bound on ``host`` now, else one the kernel picks (another user's server
    may hold the usual port on a shared machine)."""
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            s.bind((host, 0))
        return s.getsockname()[1]


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Terminate a process this module started and wait for it (kill it if it will not stop)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def find_binary(name: str) -> str | None:
    """The Debian-packaged binary, if installed."""
    found = shutil.which(name)
    if found:
        return found
    candidate = Path("/usr/bin") / name
    return str(candidate) if candidate.exists() else None


def _spawn(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    out = log.open("wb")
    return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def start_prometheus(config: Path, listen: str, data_dir: Path, log: Path,
                     extra: list[str] | None = None) -> subprocess.Popen[bytes]:
    """Prometheus with ``config``; its rule_files resolve relative to the config's folder."""
    binary = find_binary("prometheus")
    if binary is None:
        raise FileNotFoundError("prometheus is not installed (Debian package 'prometheus')")
    return _spawn([binary, f"--config.file={config}", f"--storage.tsdb.path={data_dir}",
                   f"--web.listen-address={listen}", "--web.enable-lifecycle", *(extra or [])], log)


def start_alertmanager(config: Path, listen: str, data_dir: Path, log: Path, cluster_listen: str = "",
                       peers: list[str] | None = None, extra: list[str] | None = None) -> subprocess.Popen[bytes]:
    """Alertmanager with ``config``; clustering off unless ``cluster_listen`` is given.

    ``peers`` are the other members' cluster addresses; ``extra`` flags go last (e.g. ``--cluster.peer-timeout``).
    """
    binary = find_binary("alertmanager") or find_binary("prometheus-alertmanager")
    if binary is None:
        raise FileNotFoundError("alertmanager is not installed (Debian package 'prometheus-alertmanager')")
    args = [binary, f"--config.file={config}", f"--storage.path={data_dir}", f"--web.listen-address={listen}",
            f"--cluster.listen-address={cluster_listen}"]
    args += [f"--cluster.peer={p}" for p in peers or []]
    return _spawn([*args, *(extra or [])], log)


def wait_ready(url: str, timeout: float = 30.0, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """Poll ``url`` until it answers 200; False if it never does or ``proc`` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False
