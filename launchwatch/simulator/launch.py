"""A launch in progress: the numbers a product's endpoints would report, moving in real time.

Counters grow with Poisson arrivals whose rate peaks at launch and settles; funnel stages are
binomial thinnings of the stage before, so completions never outrun starts; gauges wander
around a mean (Ornstein-Uhlenbeck) and latencies have a log-normal tail. With ``daily=True`` (the
history mode) traffic also follows the day (busiest mid-afternoon UTC, a quarter of that before
dawn) and the launch week's interest fades over days, so a report comparing days is not flat.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable

from launchwatch.simulator.faults import Faults

__all__ = ["Launch", "daily_rhythm"]

PEAK_HOUR_UTC = 15.0  # the day's busiest hour; the quietest is twelve hours away
DAY_SWING = 0.6  # traffic is 1 + 0.6 at the peak and 1 - 0.6 at the trough (a 4:1 day/night ratio)
WEEK_FADE = 0.5  # launch day's traffic is about 1.5x a settled day's ...
WEEK_FADE_SECONDS = 2 * 86400.0  # ... and that interest fades over a couple of days


def daily_rhythm(unix_time: float) -> float:
    """Traffic multiplier for the hour of day (UTC): 1.6 at 15:00, 0.4 at 03:00, 1 on average.

    >>> round(daily_rhythm(15 * 3600), 2), round(daily_rhythm(3 * 3600), 2)
    (1.6, 0.4)
    """
    hour = (unix_time % 86400.0) / 3600.0
    return 1.0 + DAY_SWING * math.cos(2 * math.pi * (hour - PEAK_HOUR_UTC) / 24.0)


class Launch:
    """State of one simulated launch, shared by all endpoints of a scenario.

    >>> launch = Launch(Faults(), seed=1)
    >>> launch.arrivals("visits", 5.0) >= 0
    True
    """

    def __init__(self, faults: Faults, seed: int | None = None, clock: Callable[[], float] = time.monotonic,
                 speed: float = 1.0, *, wall_start: float | None = None, daily: bool = False):
        """``clock`` is read for elapsed time (a virtual clock replays a week in seconds); ``wall_start``
        is the Unix time of the launch (default now), which dates documents and places the day's rhythm."""
        self.faults = faults
        self.rng = random.Random(seed)
        self._clock = clock
        self._speed = speed
        self._started = clock()
        self._lock = threading.RLock()
        self._counts: dict[str, int] = {}
        self._last: dict[str, float] = {}
        self._taken: dict[str, int] = {}
        self._gauges: dict[str, float] = {}
        self.wall_start = time.time() if wall_start is None else wall_start
        self.daily = daily

    def elapsed(self) -> float:
        """Seconds since launch (scaled by ``speed`` so a demo can run a day in minutes)."""
        return (self._clock() - self._started) * self._speed

    def now(self) -> float:
        """Unix time in the launch's world (``wall_start`` plus the elapsed time)."""
        return self.wall_start + self.elapsed()

    def launch_curve(self) -> float:
        """Traffic multiplier: a launch-hour surge that settles to a steady level; with ``daily``,
        times the hour of day's rhythm and the launch week's fading interest."""
        t = self.elapsed()
        surge = 1.0 + 1.5 * math.exp(-t / 1800.0)
        if not self.daily:
            return surge
        return surge * daily_rhythm(self.wall_start + t) * (1.0 + WEEK_FADE * math.exp(-t / WEEK_FADE_SECONDS))

    def arrivals(self, name: str, rate_per_second: float) -> int:
        """Cumulative count of Poisson arrivals at ``rate_per_second`` (times the launch curve)."""
        with self._lock:
            now = self.elapsed()
            last = self._last.get(name, now)
            lam = max(rate_per_second, 0.0) * self.launch_curve() * (now - last)
            self._counts[name] = self._counts.get(name, 0) + self._poisson(lam)
            self._last[name] = now
            return self._counts[name]

    def stage(self, name: str, parent: str, probability: float) -> int:
        """Cumulative count of ``parent``'s arrivals that passed on to this stage with ``probability``.

        Call it after the parent's ``arrivals``/``stage`` in the same request.
        """
        with self._lock:
            parent_total = self._counts.get(parent, 0)
            new = parent_total - self._taken.get(name, 0)
            self._taken[name] = parent_total
            self._counts[name] = self._counts.get(name, 0) + self._binomial(new, min(max(probability, 0.0), 1.0))
            return self._counts[name]

    def count(self, name: str) -> int:
        """The current value of a counter made by ``arrivals`` or ``stage``."""
        with self._lock:
            return self._counts.get(name, 0)

    def add(self, name: str, amount: int) -> int:
        """Add to a counter directly (e.g. revenue = conversions × price)."""
        with self._lock:
            self._counts[name] = self._counts.get(name, 0) + max(amount, 0)
            return self._counts[name]

    def wander(self, name: str, mean: float, spread: float, lo: float | None = None,
               hi: float | None = None) -> float:
        """A gauge that drifts around ``mean`` with typical deviation ``spread``."""
        with self._lock:
            x = self._gauges.get(name, mean)
            x += 0.3 * (mean - x) + self.rng.gauss(0.0, spread * 0.5)
            if lo is not None:
                x = max(lo, x)
            if hi is not None:
                x = min(hi, x)
            self._gauges[name] = x
            return x

    def ratio(self, name: str, mean: float, spread: float = 0.01) -> float:
        """A ratio (0–1) wandering around ``mean``."""
        return self.wander(name, mean, spread, 0.0, 1.0)

    def latency(self, name: str, p50_seconds: float, sigma: float = 0.45) -> dict[str, float]:
        """Latency percentiles of a log-normal distribution whose median wanders near ``p50_seconds``."""
        median = self.wander(name, p50_seconds, p50_seconds * 0.08, p50_seconds * 0.3)
        return {
            "avg": median * math.exp(sigma * sigma / 2),
            "p50": median,
            "p95": median * math.exp(1.645 * sigma),
            "p99": median * math.exp(2.326 * sigma),
        }

    def _poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, round(self.rng.gauss(lam, math.sqrt(lam))))
        limit, k, p = math.exp(-lam), 0, 1.0
        while True:
            p *= self.rng.random()
            if p <= limit:
                return k
            k += 1

    def _binomial(self, n: int, p: float) -> int:
        if n <= 0 or p <= 0:
            return 0
        if p >= 1:
            return n
        if n > 50:
            mean, sd = n * p, math.sqrt(n * p * (1 - p))
            return min(n, max(0, round(self.rng.gauss(mean, sd))))
        return sum(1 for _ in range(n) if self.rng.random() < p)
