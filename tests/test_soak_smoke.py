"""`make soak` in miniature: bench/soak.py runs end to end, passes, prints its table, so it cannot rot.

The real soak (~10 minutes, ~200 sources) is `make soak`, never part of `make test`.
"""

from __future__ import annotations

import signal
import subprocess
import sys

from tests.conftest import ROOT

ROWS = ("scrapes served", "failed scrapes", "faults switched on / off", "targets down per scrape",
        "exporter RSS start / end / max", "exporter open fds start / end / max",
        "exporter threads start / end / max")


def test_short_soak_passes_and_prints_its_table():
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "soak.py"), "--seconds", "8", "--sources", "20",
                             "--warmup", "3", "--fault-every", "0.5", "--seed", "7"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)  # the soak stops its simulators and exporter on SIGTERM
        out, _ = proc.communicate(timeout=20)
        raise AssertionError(f"the soak did not finish in 60 s:\n{out}") from None
    assert proc.returncode == 0, out
    for row in ROWS:
        assert row in out, f"no {row!r} row in:\n{out}"
    failed = next(line for line in out.splitlines() if "failed scrapes" in line)
    assert failed.split()[-1] == "0", out
    served = next(line for line in out.splitlines() if "scrapes served" in line)
    assert int(served.split(")")[1].split()[0]) >= 3, out
    assert "FAIL" not in out, out
