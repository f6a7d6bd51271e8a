"""Issue 18's way of measuring, for `make bench` section 7: an nginx upstream and `wrk` scrapers.

- ``NginxUpstream``: nginx (one worker process, run as the current user, ``daemon off``, every path in
  a temporary directory, no access log) on a free 127.0.0.1 port. Every path but ``/-/status`` answers
  the 15-sample business document of bench/versus.py (``business_doc``'s shape) with values made of
  nginx variables that change on every request (``$connection_requests``, ``$connection``, ``$msec``),
  so no two answers are the same bytes and every fetch is extracted and rendered anew. ``/-/status`` is
  ``stub_status``: its request counter, read before and after a load, is the exact count of upstream
  fetches (``hits()``, the status reads themselves taken out).
- ``wrk_run``: ``wrk`` with Prometheus' scrape headers and bench/wrk_scrape.lua, which gives each wrk
  thread its own path (``-t8 -c8`` with 8 paths: 8 scrapers of 8 distinct targets) and prints exact
  counts and latency percentiles; also the CPU wrk itself used.

Both are found on PATH (nginx also in /usr/sbin); `make bench` installs Debian's ``wrk`` and
``nginx-light`` when they are missing.
"""

from __future__ import annotations

import grp
import http.client
import os
import pwd
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import PROMETHEUS_HEADERS, free_port, start, stop, wait_ready

HERE = Path(__file__).resolve().parent
WRK = shutil.which("wrk")
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
SCALARS = ("orders_total", "revenue_total", "signups_total", "active_users", "queue_depth", "error_ratio",
           "checkout_seconds")
ENDPOINTS = ("/api/orders", "/api/cart", "/api/login", "/api/search")


def version(binary: str) -> str:
    """``nginx/1.22.1`` or ``wrk 4.1.0``: the first line that names a version."""
    out = subprocess.run([binary, "-v"], capture_output=True, text=True)
    text = out.stdout + out.stderr
    found = re.search(r"(nginx/[\w.]+|wrk (?:debian/)?[\w.+-]+)", text)
    return found.group(1) if found else binary


def business_template() -> str:
    """The body nginx returns: bench/versus.py's 15 samples (7 numbers; 4 endpoints' requests and errors).

    Each value changes on every request of a connection (``$connection_requests``); ``orders_total`` also
    holds the connection's serial number and ``checkout_seconds`` the time, so two answers never match.
    """
    values = {"orders_total": "$connection$connection_requests", "error_ratio": "0.0$connection_requests",
              "checkout_seconds": "$msec"}
    parts = [f'"{name}": {values.get(name, f"{1000 + 17 * i}$connection_requests")}'
             for i, name in enumerate(SCALARS)]
    endpoints = ", ".join(f'{{"path": "{p}", "requests": {500 * (i + 1)}$connection_requests, '
                          f'"errors": {i + 1}$connection_requests}}' for i, p in enumerate(ENDPOINTS))
    return "{" + ", ".join(parts) + f', "endpoints": [{endpoints}]' + "}"


def nginx_conf(tmp: Path, port: int) -> str:
    user = ""
    if os.geteuid() == 0:  # as root nginx would switch its worker to "nobody": keep the current user
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
    temps = "\n".join(f"    {kind}_temp_path {tmp}/{kind}-temp;" for kind in
                      ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temps}
    keepalive_requests 1000000;  # as many as a bench sends on one connection: no reconnects measured
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{port};
        location = /-/status {{ stub_status; }}
        location / {{
            default_type application/json;
            return 200 '{business_template()}';
        }}
    }}
}}
"""


class NginxUpstream:
    """nginx serving the business document at every path; ``hits()`` counts the requests it served."""

    kind = "nginx"

    def __init__(self, tmp: Path):
        if NGINX is None:
            raise SystemExit("nginx not found (Debian: apt-get install nginx-light)")
        self.dir = tmp / f"nginx-{id(self)}"
        self.dir.mkdir()
        self.port = free_port()
        conf = self.dir / "nginx.conf"
        conf.write_text(nginx_conf(self.dir, self.port))
        self.proc = start([NGINX, "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log")])
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_ready(self.url + "/-/status", timeout=10)
        except SystemExit:
            log = (self.dir / "error.log").read_text() if (self.dir / "error.log").exists() else ""
            stop(self.proc)
            raise SystemExit(f"nginx did not start: {log[-2000:]}") from None
        self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self._reads = 0

    def hits(self) -> int:
        """A running count of the requests served, less the status reads of ``hits()`` (the difference of two
        calls is the exact number of fetches between them, like bench/upstream.py's ``/-/hits``)."""
        self._conn.request("GET", "/-/status")
        self._reads += 1  # stub_status counts the request that reads it
        text = self._conn.getresponse().read().decode()
        return int(text.splitlines()[2].split()[2]) - self._reads  # "server accepts handled requests" / " a h r"


@dataclass
class WrkResult:
    requests: int
    seconds: float  # wrk's own run time
    p50_ms: float
    p99_ms: float
    cpu: float  # CPU seconds wrk used (user + system)


def wrk_run(port: int, paths: list[str], *, threads: int, connections: int, seconds: float) -> WrkResult:
    """``wrk`` for ``seconds`` with Prometheus' headers; thread i requests ``paths[i % len(paths)]``."""
    if WRK is None:
        raise SystemExit("wrk not found (Debian: apt-get install wrk)")
    headers = [arg for name, value in PROMETHEUS_HEADERS.items() for arg in ("-H", f"{name}: {value}")]
    args = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "30s",
            "-s", str(HERE / "wrk_scrape.lua"), *headers, f"http://127.0.0.1:{port}{paths[0]}"]
    env = {**os.environ, "LW_PATHS": " ".join(paths)}
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        out = proc.stdout.read().decode() if proc.stdout else ""
        _, status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    proc.returncode = os.waitstatus_to_exitcode(status)
    found = re.search(r"LW-RESULT (.*)", out)
    if proc.returncode != 0 or found is None:
        raise SystemExit(f"wrk failed ({proc.returncode}):\n{out}")
    r = {k: float(v) for k, v in (kv.split("=") for kv in found.group(1).split())}
    errors = {k: int(r[k]) for k in ("connect", "read", "write", "status", "timeout") if r[k]}
    if errors:
        raise SystemExit(f"wrk on {paths[0]}: errors {errors}\n{out}")
    return WrkResult(int(r["requests"]), r["duration_us"] / 1e6, r["p50_us"] / 1000, r["p99_us"] / 1000,
                     usage.ru_utime + usage.ru_stime)


if __name__ == "__main__":  # a look at the upstream: python bench/wrk_nginx.py
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        up = NginxUpstream(Path(d))
        try:
            c = http.client.HTTPConnection("127.0.0.1", up.port)
            for _ in range(2):
                c.request("GET", "/business/0")
                print(json.loads(c.getresponse().read()))
            print("fetches counted:", up.hits(), "—", version(NGINX or "nginx"))
        finally:
            stop(up.proc)
