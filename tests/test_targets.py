"""/probe's allow-list: URL prefixes and hosts, and the spellings that must not slip through."""

from __future__ import annotations

import pytest

from launchwatch.plan import PlanError, load_plan_text
from launchwatch.plan.targets import target_problem

ALLOWED = ["https://api.example.com/v1/", "10.0.0.5:8080", "status.example.com"]


@pytest.mark.parametrize("url", [
    "https://api.example.com/v1/balance", "https://API.example.com:443/v1/x", "https://api.example.com/v1",
    "http://10.0.0.5:8080/anything", "https://10.0.0.5:8080/", "http://status.example.com/api/v2/summary.json",
    "https://status.example.com/",
])
def test_admitted(url):
    assert target_problem(url, ALLOWED) is None


@pytest.mark.parametrize(("url", "why"), [
    ("http://api.example.com/v1/balance", "not in the module"),  # the prefix names https
    ("https://api.example.com/v2/balance", "not in the module"),
    ("https://api.example.com/v10/x", "not in the module"),
    ("https://api.example.com/v1/../admin", "dot segments"),
    ("https://api.example.com/v1/%2e%2e/admin", "dot segments"),
    ("https://api.example.com.evil.net/v1/", "not in the module"),
    ("https://api.example.com@evil.net/v1/", "user name or password"),
    ("http://10.0.0.5/anything", "not in the module"),
    ("http://10.0.0.5:8081/anything", "not in the module"),
    ("http://status.example.com:8080/", "not in the module"),
    ("gopher://status.example.com/", "not an http(s) URL"),
    ("http://[::1/", "not a URL"),
])
def test_refused(url, why):
    assert why in target_problem(url, ALLOWED)


def test_bad_entries_are_refused_by_check():
    text = ("plan: t\ntitle: T\nmodules:\n  - name: m\n    allowed_targets: [{entry}]\n"
            "    metrics: [{{name: n, help: N., type: gauge, path: $.n}}]\n")
    load_plan_text(text.format(entry="'https://ok.example/'"))
    for entry in ("'ftp://x/'", "'https://u:p@x/'", "'host/path'", "'https://x/?q=1'"):
        with pytest.raises(PlanError, match="allowed target"):
            load_plan_text(text.format(entry=entry))
