"""Scripted incidents for a simulated history: which fault is on, where, and from when to when.

A week of history is only worth reporting on if something went wrong in it. Each built-in plan's
scenario gets a table of incidents below (data, not code): an error spike, a slow health check, a
payment outage, the health endpoint down, a funnel that stops completing, a source answering
broken JSON, each at a time of day when the plan's volume guards let its alerts fire. A table
entry's ``start`` is either ``+DURATION`` after the launch (the history's first sample) or
``dN HH:MM``, day N at that UTC time, day 1 being the launch's date. Entries that would not fit
in the history's span are left out, so a 7-day history has them all and a shorter one the first.

The result is a list of ``Incident`` (fault, endpoint, start, end in Unix seconds) that the
history writer switches on and off and that tests read to compute the alerts they expect.

>>> [i.fault for i in script("whatsapp-quiz", 0.0, 7 * 86400.0)][:2]
['error-spike', 'slow']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from launchwatch.plan.units import format_duration, parse_duration
from launchwatch.prometheus_api import format_time, parse_time
from launchwatch.simulator.faults import FAULTS

__all__ = ["INCIDENTS", "Incident", "parse_incident", "script"]

DAY = 86400.0


@dataclass(frozen=True)
class Incident:
    """One fault switched on from ``start`` (inclusive) to ``end`` (exclusive), Unix seconds.

    ``endpoint`` None means every endpoint (the business faults act on the whole scenario)."""

    fault: str
    start: float
    end: float
    endpoint: str | None = None
    note: str = ""

    def active(self, t: float) -> bool:
        return self.start <= t < self.end

    def to_json(self) -> dict[str, object]:
        return {"fault": self.fault, "endpoint": self.endpoint, "start": self.start, "end": self.end,
                "start_iso": format_time(self.start), "end_iso": format_time(self.end),
                "duration": format_duration(self.end - self.start), "note": self.note}

    @classmethod
    def from_json(cls, doc: dict[str, object]) -> Incident:
        return cls(str(doc["fault"]), float(doc["start"]), float(doc["end"]),  # type: ignore[arg-type]
                   doc.get("endpoint") or None, str(doc.get("note") or ""))  # type: ignore[arg-type]

    def describe(self) -> str:
        where = f"@{self.endpoint}" if self.endpoint else ""
        return (f"{self.fault}{where} {format_time(self.start)} → {format_time(self.end)} "
                f"({format_duration(self.end - self.start)}){': ' + self.note if self.note else ''}")


# (fault, endpoint or None, start, duration, note). Times are UTC and chosen in the day's busy
# hours (see launch.daily_rhythm), where every plan's minimum-volume guards are met.
INCIDENTS: dict[str, tuple[tuple[str, str | None, str, str, str], ...]] = {
    "whatsapp-quiz": (
        ("error-spike", None, "d2 14:00", "40m", "error spike: 9 % of requests and 20 % of webhooks fail"),
        ("slow", "/api/health", "d3 11:00", "20m", "slow server: the health check takes 4 s"),
        ("payment-failure", None, "d4 10:00", "1h", "Mercado Pago outage: payments rejected"),
        ("down", "/api/health", "d5 16:00", "15m", "server down: the health check answers 503"),
        ("zero-completions", None, "d6 13:00", "45m", "quiz broken: nobody completes a quiz"),
        ("malformed-json", "/api/webhooks/stats", "d7 09:00", "10m", "webhook stats answer broken JSON"),
    ),
    "whatsapp-rollout": (
        ("error-spike", None, "d2 14:00", "40m", "delivery and AI responder failures"),
        ("slow", "/api/health", "d3 11:00", "20m", "slow platform: the health check takes 4 s"),
        ("payment-failure", None, "d4 10:00", "1h", "billing outage: payments fail"),
        ("down", "/api/health", "d5 16:00", "15m", "platform down: the health check answers 503"),
        ("zero-completions", None, "d6 13:00", "45m", "webhooks received but none processed"),
        ("malformed-json", "/api/whatsapp/bsp/stats", "d7 09:00", "10m", "BSP stats answer broken JSON"),
    ),
    "video-sessions": (
        ("error-spike", None, "d2 14:00", "40m", "error spike: 13 % of requests fail"),
        ("slow", "/api/health", "d3 11:00", "20m", "slow platform: P95 latency and the health check over target"),
        ("payment-failure", None, "d4 10:00", "1h", "100ms billing lapsed: sessions cannot be created"),
        ("down", "/api/health", "d5 16:00", "15m", "platform down: the health check answers 503"),
        ("zero-completions", None, "d6 13:00", "45m", "session creation broken"),
        ("malformed-json", "/api/admin/metrics/infrastructure", "d7 09:00", "10m",
         "infrastructure metrics answer broken JSON"),
    ),
    "ecommerce-support": (
        ("error-spike", None, "d2 14:00", "40m", "error spike: checkout and sign-in failures"),
        ("slow", "/api/health", "d3 11:00", "20m", "slow store: the health check takes 4 s"),
        ("payment-failure", None, "d4 10:00", "1h", "payment gateway outage"),
        ("down", "/api/health", "d5 16:00", "15m", "store down: the health check answers 503"),
        ("zero-completions", None, "d6 13:00", "45m", "orders stuck: none processed"),
        ("malformed-json", "/api/monitoring/infrastructure", "d7 09:00", "10m",
         "infrastructure metrics answer broken JSON"),
    ),
    "post-launch": (
        ("error-spike", None, "d2 14:00", "40m", "error spike: checkout and e-mail failures"),
        ("slow", "/api/health", "d3 11:00", "20m", "slow site: the health check takes 4 s, queues back up"),
        ("payment-failure", None, "d4 10:00", "1h", "payment gateway outage"),
        ("down", "/api/health", "d5 16:00", "15m", "site down: the health check answers 503"),
        ("zero-completions", None, "d6 13:00", "45m", "checkout broken: no order reaches payment"),
        ("malformed-json", "/api/infra/stats", "d7 09:00", "10m", "infrastructure stats answer broken JSON"),
    ),
}

_DAY_TIME = re.compile(r"d(\d+)\s+(\d{1,2}):(\d{2})")
_SPEC = re.compile(r"\s*(?P<fault>[a-z-]+)(?:@(?P<endpoint>/\S*))?\s+at\s+(?P<start>.+?)\s+for\s+(?P<dur>\S+)\s*")


def script(plan: str, start: float, end: float,
           table: tuple[tuple[str, str | None, str, str, str], ...] | None = None) -> list[Incident]:
    """The plan's incidents (or ``table``'s) that fit in the history from ``start`` to ``end``."""
    entries = INCIDENTS.get(plan, ()) if table is None else table
    out = []
    for fault, endpoint, when, duration, note in entries:
        begin = _start(when, start)
        incident = Incident(fault, begin, begin + parse_duration(duration), endpoint, note)
        if start < incident.start and incident.end <= end:
            out.append(incident)
    return sorted(out, key=lambda i: i.start)


def parse_incident(text: str, start: float) -> Incident:
    """``FAULT[@PATH] at START for DURATION`` → an Incident; START is ``+2h`` after the launch at
    ``start``, ``d2 14:00`` (UTC) or an ISO 8601 time.

    >>> parse_incident("down@/api/health at +1h for 15m", 0.0).end
    4500.0
    """
    m = _SPEC.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r}: write an incident as FAULT[@PATH] at START for DURATION, "
                         "e.g. 'down@/api/health at +2h for 15m' or 'error-spike at d2 14:00 for 40m'")
    if m["fault"] not in FAULTS:
        raise ValueError(f"{text!r}: unknown fault {m['fault']!r}; faults: {', '.join(FAULTS)}")
    begin = _start(m["start"], start)
    return Incident(m["fault"], begin, begin + parse_duration(m["dur"]), m["endpoint"] or None)


def _start(when: str, launch: float) -> float:
    """Unix time of ``when``: ``+DURATION`` after ``launch``, ``dN HH:MM`` UTC on launch day N, or ISO 8601."""
    when = when.strip()
    if when.startswith("+"):
        return launch + parse_duration(when[1:])
    m = _DAY_TIME.fullmatch(when)
    if m:
        day, hour, minute = int(m[1]), int(m[2]), int(m[3])
        if day < 1 or hour > 23 or minute > 59:
            raise ValueError(f"{when!r}: day from 1, time HH:MM in 00:00-23:59")
        midnight = launch - launch % DAY
        return midnight + (day - 1) * DAY + hour * 3600 + minute * 60
    try:
        return parse_time(when)
    except ValueError:
        raise ValueError(f"{when!r}: a start is +DURATION (after the launch), dN HH:MM (UTC) or an ISO time") from None

