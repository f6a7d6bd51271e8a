"""Real-world JSON shapes, as their vendors document them, read into the metrics an operator wants.

The samples are written for these tests after the vendors' documented shapes: Atlassian Statuspage's
``/api/v2/summary.json``, Spring Boot Actuator's ``/actuator/health`` (nested composites) and
``/actuator/metrics/{name}``, and a Stripe-style balance object (amounts in the currency's minor unit).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from launchwatch.exporter.engine import Engine
from launchwatch.exporter.exposition import TEXT, page
from launchwatch.exporter.selfmetrics import self_families
from launchwatch.plan import load_plan_text
from tests.conftest import binary, parse_metrics
from tests.upstream import Reply, Upstream

STATUSPAGE = {
    "page": {"id": "y2j98763l56x", "name": "Shop", "url": "https://status.shop.example", "time_zone": "Etc/UTC",
             "updated_at": "2024-05-01T10:00:00.000Z"},
    "components": [
        {"id": "b13yz5g2cw10", "name": "API", "status": "operational", "created_at": "2023-01-10T09:00:00.000Z",
         "updated_at": "2024-05-01T09:58:00.000Z", "position": 1, "description": None, "showcase": False,
         "start_date": None, "group_id": None, "page_id": "y2j98763l56x", "group": False,
         "only_show_if_degraded": False},
        {"id": "v6z6tpldcw85", "name": "Checkout", "status": "partial_outage", "position": 2, "description": None,
         "group_id": "k9q3r8t1v2w4", "page_id": "y2j98763l56x", "group": False},
        {"id": "k2f8a0e1c3d4", "name": "Search", "status": "under_maintenance", "position": 3,
         "group_id": "k9q3r8t1v2w4", "page_id": "y2j98763l56x", "group": False},
    ],
    "incidents": [
        {"id": "p31zjtct2jer", "name": "Checkout errors", "status": "identified", "impact": "major",
         "created_at": "2024-05-01T09:40:00.000Z", "updated_at": "2024-05-01T09:58:00.000Z", "monitoring_at": None,
         "resolved_at": None, "shortlink": "http://stspg.io/abc", "page_id": "y2j98763l56x",
         "incident_updates": [], "components": []},
    ],
    "scheduled_maintenances": [
        {"id": "w1zdr745wmfy", "name": "Search reindex", "status": "in_progress", "impact": "maintenance",
         "scheduled_for": "2024-05-01T09:00:00.000Z", "scheduled_until": "2024-05-01T12:00:00.000Z"},
    ],
    "status": {"indicator": "major", "description": "Partial System Outage"},
}

ACTUATOR_HEALTH = {
    "status": "DOWN",
    "components": {
        "db": {"status": "DOWN", "components": {
            "primary": {"status": "UP", "details": {"database": "PostgreSQL", "validationQuery": "isValid()"}},
            "replica": {"status": "DOWN", "details": {"error": "org.postgresql.util.PSQLException: refused"}}}},
        "diskSpace": {"status": "UP", "details": {"total": 499963174912, "free": 91300442112, "threshold": 10485760,
                                                  "exists": True}},
        "ping": {"status": "UP"},
        "mail": {"status": "OUT_OF_SERVICE"},
    },
}


def actuator_metric(name: str, base_unit: str | None, measurements: dict[str, float]) -> dict:
    return {"name": name, "description": None, "baseUnit": base_unit,
            "measurements": [{"statistic": k, "value": v} for k, v in measurements.items()],
            "availableTags": [{"tag": "area", "values": ["heap", "nonheap"]}]}


STRIPE_BALANCE = {
    "object": "balance",
    "available": [{"amount": 2217713, "currency": "usd", "source_types": {"bank_account": 0, "card": 2217713}},
                  {"amount": 50000, "currency": "eur", "source_types": {"bank_account": 0, "card": 50000}}],
    "connect_reserved": [{"amount": 0, "currency": "usd"}],
    "livemode": False,
    "pending": [{"amount": -76, "currency": "usd", "source_types": {"bank_account": 0, "card": -76}}],
}

PLAN = """plan: vendors
title: Vendor APIs
base_url: {base}
modules:
  - name: actuator-metric                # one shape, many /actuator/metrics/{{name}} endpoints
    metrics:
      - {{name: actuator_metric_value, help: "A Spring Boot metric's VALUE statistic, in its base unit.",
         type: gauge, path: '$.measurements[?@.statistic == "VALUE"]', value: "@.value",
         labels: {{target: "@target", metric: $.name, unit: $.baseUnit}}, label_defaults: {{unit: none}}}}
sources:
  - name: statuspage
    url: /api/v2/summary.json
    metrics:
      - {{name: statuspage_component_operational, help: 1 if the component is operational.,
         type: gauge, path: '$.components[?@.group == false]', value: "@.status",
         value_map: {{operational: 1}}, value_map_default: 0,
         labels: {{component: "@.name", group_id: "@.group_id"}}, label_defaults: {{group_id: none}}}}
      - {{name: statuspage_component_status_info, help: The component's status as a label.,
         type: info, path: '$.components[*]', labels: {{component: "@.name", status: "@.status"}}}}
      - {{name: statuspage_status_indicator, help: "Page status: 0 none, 1 minor, 2 major, 3 critical.",
         type: gauge, path: $.status.indicator, value_map: {{none: 0, minor: 1, major: 2, critical: 3}},
         timestamp: $.page.updated_at}}
      - {{name: statuspage_incident_info, help: Unresolved incidents., type: info,
         path: '$.incidents[?@.resolved_at == null]', labels: {{incident: "@.name", impact: "@.impact",
         status: "@.status", link: "{{@.shortlink}}#{{@.id}}"}}}}
      - {{name: statuspage_maintenance_info, help: Maintenances in progress., type: info,
         path: '$.scheduled_maintenances[?@.status == "in_progress"]', labels: {{maintenance: "@.name"}}}}
  - name: actuator-health
    url: /actuator/health
    metrics:
      - {{name: actuator_health_up, help: 1 if the application reports UP., type: gauge, path: $.status,
         value_map: {{UP: 1}}, value_map_default: 0}}
      - {{name: actuator_component_up, help: 1 if a health component reports UP., type: gauge,
         path: '$.components.*.status', value_map: {{UP: 1}}, value_map_default: 0,
         labels: {{component: "@parentkey"}}}}
      - {{name: actuator_composite_member_up, help: 1 if a member of a composite reports UP., type: gauge,
         path: '$.components.*.components.*.status', value_map: {{UP: 1}}, value_map_default: 0,
         labels: {{composite: "@key(3)", member: "@parentkey", path: "{{@key(3)}}/{{@parentkey}}"}}}}
      - {{name: actuator_disk_free_bytes, help: Free disk space., type: gauge,
         path: $.components.diskSpace.details.free}}
  - {{name: jvm-memory-used, url: /actuator/metrics/jvm.memory.used, module: actuator-metric}}
  - {{name: jvm-threads-live, url: /actuator/metrics/jvm.threads.live, module: actuator-metric}}
  - name: actuator-http
    url: /actuator/metrics/http.server.requests
    metrics:
      - {{name: http_server_requests_total, help: Requests served., type: counter,
         path: '$.measurements[?@.statistic == "COUNT"].value'}}
      - {{name: http_server_requests_seconds_total, help: Time spent serving requests., type: counter,
         path: '$.measurements[?@.statistic == "TOTAL_TIME"].value'}}
      - {{name: http_server_requests_max_seconds, help: Slowest recent request., type: gauge,
         path: '$.measurements[?@.statistic == "MAX"].value'}}
  - name: stripe-balance
    url: /v1/balance
    auth: {{bearer: {{env: LW15_STRIPE_KEY}}}}
    metrics:
      - {{name: stripe_balance_available, help: "Available balance, in major units (minor units x 0.01).",
         type: gauge, path: '$.available[*]', value: "@.amount", scale: 0.01, labels: {{currency: "@.currency"}}}}
      - {{name: stripe_balance_pending, help: "Pending balance, in major units.", type: gauge,
         path: '$.pending[*]', value: "@.amount", scale: 0.01, labels: {{currency: "@.currency"}}}}
      - {{name: stripe_balance_available_by_source, help: "Available balance by source type, in major units.",
         type: gauge, path: '$.available[*].source_types.*', scale: 0.01,
         labels: {{source_type: "@key", entry: "@key(2)"}}}}
      - {{name: stripe_livemode, help: "1 in live mode, 0 in test mode.", type: gauge, path: $.livemode}}
"""


@pytest.fixture
def vendors():
    up = Upstream()
    docs = {
        "/api/v2/summary.json": STATUSPAGE,
        "/actuator/health": ACTUATOR_HEALTH,
        "/actuator/metrics/jvm.memory.used": actuator_metric("jvm.memory.used", "bytes", {"VALUE": 1.2345e8}),
        "/actuator/metrics/jvm.threads.live": actuator_metric("jvm.threads.live", None, {"VALUE": 42}),
        "/actuator/metrics/http.server.requests": actuator_metric("http.server.requests", "seconds",
                                                                  {"COUNT": 4231, "TOTAL_TIME": 125.33, "MAX": 0.84}),
        "/v1/balance": STRIPE_BALANCE,
    }
    for path, doc in docs.items():
        up.set(path, Reply(body=json.dumps(doc).encode()))
    yield up
    up.stop()


def test_vendor_documents_give_the_metrics_an_operator_wants(vendors, monkeypatch):
    monkeypatch.setenv("LW15_STRIPE_KEY", "sk_test_123")
    plan = load_plan_text(PLAN.format(base=vendors.url))
    engine = Engine(plan)
    try:
        results = engine.scrape(10)
    finally:
        engine.close()
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    own = self_families(plan.plan, results, engine.recorder, reload_ok=True, reload_timestamp=1.0)
    body = page([r.block for r in results if r.block], own, TEXT, compress=False).decode()
    m = parse_metrics(body)
    # Statuspage: an unlisted status (under_maintenance) is a value, not a dark source; a null group_id is labelled
    assert m['statuspage_component_operational{component="API",group_id="none"}'] == 1
    assert m['statuspage_component_operational{component="Checkout",group_id="k9q3r8t1v2w4"}'] == 0
    assert m['statuspage_component_operational{component="Search",group_id="k9q3r8t1v2w4"}'] == 0
    assert m['statuspage_component_status_info{component="Search",status="under_maintenance"}'] == 1
    assert 'statuspage_status_indicator 2.0 1714557600000\n' in body  # the page's updated_at as the sample's time
    assert m['statuspage_incident_info{impact="major",incident="Checkout errors",link="http://stspg.io/abc#'
             'p31zjtct2jer",status="identified"}'] == 1
    assert m['statuspage_maintenance_info{maintenance="Search reindex"}'] == 1
    # Actuator: nested composites named by their ancestors' keys; one shape shared by two sources
    assert m["actuator_health_up"] == 0 and m['actuator_component_up{component="mail"}'] == 0
    assert m['actuator_component_up{component="diskSpace"}'] == 1
    assert m['actuator_composite_member_up{composite="db",member="replica",path="db/replica"}'] == 0
    assert m['actuator_composite_member_up{composite="db",member="primary",path="db/primary"}'] == 1
    assert m["actuator_disk_free_bytes"] == 91300442112
    assert m['actuator_metric_value{metric="jvm.memory.used",target="jvm-memory-used",unit="bytes"}'] == 1.2345e8
    assert m['actuator_metric_value{metric="jvm.threads.live",target="jvm-threads-live",unit="none"}'] == 42
    assert body.count("# TYPE actuator_metric_value gauge") == 1
    assert m["http_server_requests_total"] == 4231 and m["http_server_requests_max_seconds"] == 0.84
    # Stripe: minor units to major units, by currency and by source type
    assert m['stripe_balance_available{currency="usd"}'] == pytest.approx(22177.13)
    assert m['stripe_balance_pending{currency="usd"}'] == pytest.approx(-0.76)
    assert m['stripe_balance_available_by_source{entry="1",source_type="card"}'] == 500
    assert m["stripe_livemode"] == 0
    assert vendors.seen_headers["/v1/balance"]["Authorization"] == "Bearer sk_test_123"
    done = subprocess.run([binary("promtool"), "check", "metrics"], input=body, capture_output=True, text=True,
                          timeout=60)
    assert (done.stdout + done.stderr).strip() == ""
