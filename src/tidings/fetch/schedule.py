"""When to fetch a feed next: often for feeds that change often, rarely for quiet ones, and further and
further apart for feeds that keep failing. Pure arithmetic; the orchestrator stores the result.
"""

from __future__ import annotations

import itertools
import random
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

DEFAULT_INTERVAL = 3600.0


@dataclass(frozen=True, slots=True)
class Bounds:
    low: float = 900.0  # seconds
    high: float = 86400.0

    def clamp(self, seconds: float) -> float:
        return min(self.high, max(self.low, seconds))


def next_interval(
    previous: float | None, changed: bool, entry_times: Sequence[datetime], bounds: Bounds
) -> float:
    """Seconds until the next fetch after a successful one.

    A feed with new entries is fetched about twice per typical gap between its recent entries (or twice as
    often as before when its entries carry no dates); one without is fetched half again as rarely, so a
    silent feed drifts towards `bounds.high` and a busy one towards `bounds.low`."""
    current = bounds.clamp(previous or DEFAULT_INTERVAL)
    if not changed:
        return bounds.clamp(current * 1.5)
    gap = typical_gap(entry_times)
    if gap is None:
        return bounds.clamp(current / 2)
    return bounds.clamp(gap / 2)


def typical_gap(times: Sequence[datetime], recent: int = 10) -> float | None:
    """The median gap in seconds between the newest `recent` distinct entry times, or None."""
    ordered = sorted(set(times), reverse=True)[:recent]
    if len(ordered) < 2:
        return None
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(ordered)]
    return float(statistics.median(gaps))


def backoff(failures: int, bounds: Bounds, retry_after: float | None = None) -> float:
    """Seconds to wait after the `failures`-th failure in a row: doubling from `bounds.low` up to
    `bounds.high`, never sooner than the server's Retry-After (itself capped at `bounds.high`)."""
    delay = bounds.low * 2.0 ** min(max(failures - 1, 0), 20)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(bounds.high, delay)


def jittered(seconds: float, spread: float = 0.1, rng: random.Random | None = None) -> float:
    """`seconds` give or take `spread` of it, so feeds added together do not stay in lockstep."""
    return seconds * (1 + (rng or random).uniform(-spread, spread))
