"""Reading history: at most `points` time buckets with min / avg / max of every metric.

Up to `RAW_ROW_LIMIT` samples in the range, buckets are aggregated from the samples; above it
from the hourly rollups (8,760 rows a year instead of 525,600), bucket widths then being whole
hours. Both are one GROUP BY that range-scans an index starting with `ups_id`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from powerpulse.db import dialect
from powerpulse.db.dialect import Dialect
from powerpulse.db.models import Sample
from powerpulse.history.metrics import METRICS
from powerpulse.history.writes import HOUR

# Up to this many raw samples per query we aggregate samples; above it, hourly rollups.
RAW_ROW_LIMIT = 50_000
SAMPLES = "samples"
HOURLY = "hourly"


@dataclass(frozen=True)
class BucketPlan:
    """How a range is cut: `source` "samples" or "hourly", bucket width and origin (epoch s)."""

    source: str
    origin: int
    width: int


@dataclass(frozen=True)
class Stat:
    min: float | None
    avg: float | None
    max: float | None


@dataclass(frozen=True)
class Bucket:
    """One bucket: its start, how many samples fell in it, and a `Stat` per metric column."""

    start: datetime
    samples: int
    stats: Mapping[str, Stat]


@dataclass(frozen=True)
class History:
    plan: BucketPlan
    buckets: list[Bucket]


def plan_buckets(
    start: datetime, end: datetime, points: int, history_interval: float
) -> BucketPlan:
    span = max(1.0, (end - start).total_seconds())
    if span / max(history_interval, 1.0) <= RAW_ROW_LIMIT:
        return BucketPlan(SAMPLES, math.floor(start.timestamp()), max(1, math.ceil(span / points)))
    origin = math.floor(start.timestamp()) // HOUR * HOUR
    hours = max(1, math.ceil((end.timestamp() - origin) / points / HOUR))
    return BucketPlan(HOURLY, origin, hours * HOUR)


def _aggregates(source: str) -> str:
    parts = []
    for m in METRICS:
        c = m.column
        if source == SAMPLES:
            parts.append(f"MIN({c}) AS {c}_lo, AVG({c}) AS {c}_avg, MAX({c}) AS {c}_hi")
        else:
            parts.append(
                f"MIN({c}_min) AS {c}_lo, SUM({c}_sum) / NULLIF(SUM({c}_n), 0) AS {c}_avg, "
                f"MAX({c}_max) AS {c}_hi"
            )
    return ", ".join(parts)


def bucket_sql(source: str, sql: Dialect) -> str:
    """The one GROUP BY query for `source`. Parameters: origin, width, ups_id, from, to (times
    for samples, epoch hours for rollups)."""
    if source == SAMPLES:
        return (
            f"SELECT ({sql.epoch('timestamp')} - ?) / ? AS bucket, COUNT(*) AS n, "
            f"{_aggregates(source)} FROM samples "
            "WHERE ups_id = ? AND timestamp >= ? AND timestamp < ? GROUP BY bucket ORDER BY bucket"
        )
    return (
        f"SELECT (hour - ?) / ? AS bucket, SUM(samples) AS n, {_aggregates(source)} "
        "FROM sample_rollups WHERE ups_id = ? AND hour >= ? AND hour < ? "
        "GROUP BY bucket ORDER BY bucket"
    )


def bucket_params(plan: BucketPlan, ups_id: int, start: datetime, end: datetime) -> list[Any]:
    if plan.source == SAMPLES:
        bounds: list[Any] = [start, end]
    else:
        bounds = [plan.origin, math.ceil(end.timestamp())]
    return [plan.origin, plan.width, ups_id, *bounds]


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _bucket(row: Mapping[str, Any], plan: BucketPlan) -> Bucket:
    stats = {
        m.column: Stat(
            _number(row[f"{m.column}_lo"]),
            _number(row[f"{m.column}_avg"]),
            _number(row[f"{m.column}_hi"]),
        )
        for m in METRICS
    }
    start = datetime.fromtimestamp(plan.origin + int(row["bucket"]) * plan.width, tz=UTC)
    return Bucket(start, int(row["n"]), stats)


async def read_buckets(
    ups_id: int, start: datetime, end: datetime, points: int, history_interval: float
) -> History:
    """At most `points` buckets between `start` (inclusive) and `end` (exclusive)."""
    plan = plan_buckets(start, end, points, history_interval)
    rows = await dialect.fetch(
        bucket_sql(plan.source, dialect.of()), bucket_params(plan, ups_id, start, end)
    )
    return History(plan, [_bucket(row, plan) for row in rows])


async def first_sample(ups_id: int) -> datetime | None:
    """When the UPS's oldest stored sample was taken (the `(ups_id, timestamp)` index's first
    entry); None before any. The UI sizes its default range to it."""
    found = (
        await Sample.filter(ups_id=ups_id)
        .order_by("timestamp")
        .limit(1)
        .values_list("timestamp", flat=True)
    )
    return found[0] if found else None  # type: ignore[return-value]
