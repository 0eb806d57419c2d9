"""Energy between consecutive samples (pure).

Each interval between two samples of one UPS is a trapezoid: (p0 + p1) / 2 x dt. An interval
longer than the max gap, or with a missing power at either end, is not covered: its energy is
unknown, never zero, and the coverage (covered seconds / span) says so. An interval counts
in the hour of its end (the hour of the sample that closes it, whose rollup row the poller
writes in the same statement); it is not split at hour boundaries, so an hour's energy may
include up to one interval from the hour before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HOUR = 3600
MIN_MAX_GAP = 180.0


def max_gap(history_interval: float) -> float:
    """The longest interval still integrated: 3 samples' worth, at least 3 minutes."""
    return max(MIN_MAX_GAP, 3 * history_interval)


@dataclass(frozen=True)
class Interval:
    wh: float
    seconds: float  # covered seconds; 0 when the interval is unknown


def interval(
    t0: float, p0: float | None, t1: float, p1: float | None, gap: float
) -> Interval | None:
    """The energy from (t0, p0) to (t1, p1) (epoch seconds, watts); None when unknown (a gap,
    a missing power, or time not moving forward)."""
    dt = t1 - t0
    if p0 is None or p1 is None or not 0 < dt <= gap:
        return None
    return Interval((p0 + p1) / 2 * dt / HOUR, dt)


@dataclass
class Bucket:
    wh: float = 0.0
    seconds: float = 0.0


def by_hour(points: Iterable[tuple[float, float | None]], gap: float) -> dict[int, Bucket]:
    """{epoch hour start: Wh and covered seconds} of time-ordered (epoch s, watts) points."""
    out: dict[int, Bucket] = {}
    prev: tuple[float, float | None] | None = None
    for t, p in points:
        if prev is not None:
            got = interval(prev[0], prev[1], t, p, gap)
            if got is not None:
                bucket = out.setdefault(int(t) // HOUR * HOUR, Bucket())
                bucket.wh += got.wh
                bucket.seconds += got.seconds
        prev = (t, p)
    return out


def total(points: Iterable[tuple[float, float | None]], gap: float) -> Bucket:
    """Wh and covered seconds of the whole series."""
    buckets = by_hour(points, gap).values()
    return Bucket(sum(b.wh for b in buckets), sum(b.seconds for b in buckets))
