"""The faults the documents' alerts are about, switchable per endpoint at start and at run time."""

from __future__ import annotations

import threading

__all__ = ["ALL_ENDPOINTS", "FAULTS", "Faults"]

FAULTS = ("error-spike", "slow", "down", "payment-failure", "zero-completions", "malformed-json",
          # each breaks one step of a built-in plan's journey (launchwatch.simulator.journeys)
          "otp-delay", "join-fails", "trial-fails", "card-declined")
ALL_ENDPOINTS = "*"


class Faults:
    """Which faults are on, each for every endpoint or for named endpoint paths.

    >>> f = Faults()
    >>> f.set("down", "/api/health")
    >>> f.active("down", "/api/health"), f.active("down", "/api/other")
    (True, False)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._on: dict[str, set[str]] = {}

    def set(self, name: str, endpoint: str | None = None) -> None:
        _check(name)
        with self._lock:
            self._on.setdefault(name, set()).add(endpoint or ALL_ENDPOINTS)

    def clear(self, name: str | None = None, endpoint: str | None = None) -> None:
        """Switch a fault off (for one endpoint, or everywhere); no name clears every fault."""
        with self._lock:
            if name is None:
                self._on.clear()
                return
            _check(name)
            if endpoint is None:
                self._on.pop(name, None)
            else:
                self._on.get(name, set()).discard(endpoint)

    def active(self, name: str, endpoint: str | None = None) -> bool:
        """Is ``name`` on for ``endpoint`` (or, with no endpoint, on anywhere)?"""
        with self._lock:
            where = self._on.get(name, set())
            if endpoint is None:
                return bool(where)
            return ALL_ENDPOINTS in where or endpoint in where

    def snapshot(self) -> dict[str, list[str]]:
        with self._lock:
            return {k: sorted(v) for k, v in sorted(self._on.items()) if v}

    @staticmethod
    def parse(spec: str) -> tuple[str, str | None]:
        """``"down"`` or ``"down@/api/health"`` → (fault, endpoint)."""
        name, _, endpoint = spec.partition("@")
        _check(name)
        return name, endpoint or None


def _check(name: str) -> None:
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; faults: {', '.join(FAULTS)}")
