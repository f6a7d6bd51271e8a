"""`make bench` section 7's nginx upstream answers the same document as bench/upstream.py's, values aside.

Neither nginx nor wrk is needed: the body nginx would return is checked with its variables filled in
(in a subprocess, with bench/ on its path as when `make bench` runs it).
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

CHECK = r"""
import json, re, sys
sys.path.insert(0, sys.argv[1])
from versus import business_doc
from wrk_nginx import business_template, nginx_conf
from pathlib import Path

def filled(n):  # the n-th request of connection 3, at some millisecond
    values = {"connection_requests": str(n), "connection": "3", "msec": f"1764550000.{n:03d}"}
    return json.loads(re.sub(r"\$(\w+)", lambda m: values[m.group(1)], business_template()))

conf = nginx_conf(Path("/tmp/x"), 1234)
print(json.dumps({"ours": [filled(1), filled(2)], "theirs": json.loads(business_doc(0)),
                  "conf": conf}))
"""


def test_nginx_body_is_the_business_document_with_every_value_changing():
    out = subprocess.run([sys.executable, "-c", CHECK, str(ROOT / "bench")], capture_output=True, text=True,
                         timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    first, second = got["ours"]
    reference = got["theirs"]

    def shape(doc):
        return sorted(k for k in doc if k != "endpoints"), [(e["path"], sorted(e)) for e in doc["endpoints"]]

    assert shape(first) == shape(reference)

    def values(doc):
        return [doc[k] for k in sorted(doc) if k != "endpoints"] + [
            e[k] for e in doc["endpoints"] for k in ("requests", "errors")]

    assert len(values(first)) == 15
    assert all(isinstance(v, int | float) for v in values(first))
    assert all(a != b for a, b in zip(values(first), values(second), strict=True))  # every value changes
    conf = got["conf"]
    assert "daemon off;" in conf and "access_log off;" in conf and "stub_status;" in conf
    assert "listen 127.0.0.1:1234;" in conf
