"""History: which polls become samples, writing them (with hourly rollups), retention, reading.

Samples are written one per UPS every `HISTORY_INTERVAL` and at once when the status tokens
change. Each sample also updates its hour's `SampleRollup` row in the same transaction, so long
ranges are aggregated from 8,760 rows a year instead of 525,600 (see `read_buckets`).
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from powerpulse.db.models import Sample
from powerpulse.nut.variables import as_dec1
from powerpulse.timeutil import iso

log = logging.getLogger(__name__)

# (column, NUT variable, API field)
METRICS: tuple[tuple[str, str, str], ...] = (
    ("charge", "battery.charge", "charge"),
    ("runtime", "battery.runtime", "runtimeSeconds"),
    ("load", "ups.load", "load"),
    ("input_voltage", "input.voltage", "inputVoltage"),
    ("output_voltage", "output.voltage", "outputVoltage"),
    ("battery_voltage", "battery.voltage", "batteryVoltage"),
)
EVENT_RETENTION_DAYS = 365
RETENTION_BATCH = 2000
# Up to this many raw samples per query we aggregate samples; above it, hourly rollups.
RAW_ROW_LIMIT = 50_000


def _num(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# -- deciding and building samples ------------------------------------------------------------
class SampleSchedule:
    """Remembers, per UPS, when its last sample was written and with which status."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[int, tuple[float, tuple[str, ...]]] = {}

    def seed(self, ups_id: int, at: float, tokens: tuple[str, ...] | None) -> None:
        self._last[ups_id] = (at, tokens or ())

    def known(self, ups_id: int) -> bool:
        return ups_id in self._last

    def due(self, ups_id: int, tokens: tuple[str, ...], now: float) -> bool:
        last = self._last.get(ups_id)
        return last is None or now - last[0] >= self.interval or tokens != last[1]

    def mark(self, ups_id: int, tokens: tuple[str, ...], now: float) -> None:
        self._last[ups_id] = (now, tokens)

    def forget(self, ups_id: int) -> None:
        self._last.pop(ups_id, None)


def build_sample(
    ups_id: int, variables: Mapping[str, str], tokens: Sequence[str], at: datetime
) -> Sample:
    values = {column: _num(variables.get(var)) for column, var, _ in METRICS}
    return Sample(
        ups_id=ups_id,
        timestamp=at,
        temperature=as_dec1(variables.get("ups.temperature")),
        status=" ".join(tokens)[:255] or None,
        **values,
    )


def _rollup_sql() -> str:
    cols = ", ".join(f"{c}_min, {c}_max, {c}_sum, {c}_n" for c, _, _ in METRICS)
    marks = ", ".join("?" for _ in range(3 + 4 * len(METRICS)))
    updates = ["samples = sample_rollups.samples + 1"]
    for c, _, _ in METRICS:
        t, x = f"sample_rollups.{c}", f"excluded.{c}"
        updates += [
            f"{c}_min = CASE WHEN {x}_min IS NULL THEN {t}_min WHEN {t}_min IS NULL "
            f"OR {x}_min < {t}_min THEN {x}_min ELSE {t}_min END",
            f"{c}_max = CASE WHEN {x}_max IS NULL THEN {t}_max WHEN {t}_max IS NULL "
            f"OR {x}_max > {t}_max THEN {x}_max ELSE {t}_max END",
            f"{c}_sum = {t}_sum + {x}_sum",
            f"{c}_n = {t}_n + {x}_n",
        ]
    return (
        f"INSERT INTO sample_rollups (ups_id, hour, samples, {cols}) VALUES ({marks}) "
        f"ON CONFLICT (ups_id, hour) DO UPDATE SET {', '.join(updates)}"
    )


ROLLUP_UPSERT = _rollup_sql()


def _rollup_row(sample: Sample) -> list[Any]:
    hour = int(sample.timestamp.timestamp()) // 3600 * 3600
    row: list[Any] = [sample.ups_id, hour, 1]  # type: ignore[attr-defined]
    for column, _, _ in METRICS:
        value = getattr(sample, column)
        row += [value, value, value or 0.0, 0 if value is None else 1]
    return row


async def write_samples(samples: Sequence[Sample], conn: BaseDBAsyncClient) -> None:
    """Insert samples and fold them into their hourly rollups (inside the caller's transaction)."""
    if not samples:
        return
    await Sample.bulk_create(list(samples), using_db=conn)
    await conn.execute_many(ROLLUP_UPSERT, [_rollup_row(s) for s in samples])


async def record_manual_charge(ups_id: int, charge: float, timestamp: datetime) -> Sample:
    """Store a hand-recorded charge (API) as a sample and in its hourly rollup, in one
    transaction, so long-range history (served from rollups) sees it too."""
    async with in_transaction() as conn:
        sample = await Sample.create(
            ups_id=ups_id, timestamp=timestamp, charge=charge, using_db=conn
        )
        await conn.execute_many(ROLLUP_UPSERT, [_rollup_row(sample)])
    return sample


# -- retention --------------------------------------------------------------------------------
async def _delete_in_batches(sql: str, params: list[Any], batch: int, pause: float) -> int:
    total = 0
    while True:
        async with in_transaction() as conn:
            count, _ = await conn.execute_query(sql, [*params, batch])
        total += count
        if count < batch:
            return total
        await asyncio.sleep(pause)  # let poll writes (and the other process) take the lock


async def prune_once(
    now: datetime, retention_days: int, *, batch: int = RETENTION_BATCH, pause: float = 0.05
) -> dict[str, int]:
    """Delete samples and rollups older than the retention, events older than a year.

    Small batches, each its own short transaction, so polling is never held up for long."""
    cutoff = now - timedelta(days=retention_days)
    event_cutoff = now - timedelta(days=EVENT_RETENTION_DAYS)
    samples = await _delete_in_batches(
        "DELETE FROM samples WHERE id IN (SELECT id FROM samples WHERE timestamp < ? LIMIT ?)",
        [cutoff],
        batch,
        pause,
    )
    rollups = await _delete_in_batches(
        "DELETE FROM sample_rollups WHERE id IN "
        "(SELECT id FROM sample_rollups WHERE hour < ? LIMIT ?)",
        [int(cutoff.timestamp()) // 3600 * 3600],
        batch,
        pause,
    )
    events = await _delete_in_batches(
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE occurred_at < ? LIMIT ?)",
        [event_cutoff],
        batch,
        pause,
    )
    return {"samples": samples, "rollups": rollups, "events": events}


# -- reading ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BucketPlan:
    """How a range is cut: `source` "samples" or "hourly", bucket width and origin (epoch s)."""

    source: str
    origin: int
    width: int


def plan_buckets(
    start: datetime, end: datetime, points: int, history_interval: float
) -> BucketPlan:
    span = max(1.0, (end - start).total_seconds())
    if span / max(history_interval, 1.0) <= RAW_ROW_LIMIT:
        return BucketPlan(
            "samples", math.floor(start.timestamp()), max(1, math.ceil(span / points))
        )
    origin = math.floor(start.timestamp()) // 3600 * 3600
    hours = max(1, math.ceil((end.timestamp() - origin) / points / 3600))
    return BucketPlan("hourly", origin, hours * 3600)


def _aggregates(source: str) -> str:
    parts = []
    for c, _, _ in METRICS:
        if source == "samples":
            parts.append(f"MIN({c}), AVG({c}), MAX({c})")
        else:
            parts.append(f"MIN({c}_min), SUM({c}_sum) / NULLIF(SUM({c}_n), 0), MAX({c}_max)")
    return ", ".join(parts)


def bucket_sql(source: str) -> str:
    """The one GROUP BY query for `source`; both range-scan the (ups_id, time) index."""
    if source == "samples":
        return (
            "SELECT (unixepoch(timestamp) - ?) / ? AS bucket, COUNT(*), "
            f"{_aggregates(source)} FROM samples "
            "WHERE ups_id = ? AND timestamp >= ? AND timestamp < ? GROUP BY bucket ORDER BY bucket"
        )
    return (
        f"SELECT (hour - ?) / ? AS bucket, SUM(samples), {_aggregates(source)} "
        "FROM sample_rollups WHERE ups_id = ? AND hour >= ? AND hour < ? "
        "GROUP BY bucket ORDER BY bucket"
    )


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _point(row: Sequence[Any], plan: BucketPlan) -> dict[str, Any]:
    start = plan.origin + int(row[0]) * plan.width
    point: dict[str, Any] = {
        "time": iso(datetime.fromtimestamp(start, tz=UTC)),
        "samples": int(row[1]),
    }
    for i, (_, _, name) in enumerate(METRICS):
        lo, avg, hi = row[2 + 3 * i : 5 + 3 * i]
        point[name] = {"min": _round(lo), "avg": _round(avg), "max": _round(hi)}
    return point


async def read_buckets(
    ups_id: int, start: datetime, end: datetime, points: int, history_interval: float
) -> tuple[BucketPlan, list[dict[str, Any]]]:
    """At most `points` buckets between `start` (inclusive) and `end` (exclusive)."""
    plan = plan_buckets(start, end, points, history_interval)
    if plan.source == "samples":
        bounds: list[Any] = [start, end]
    else:
        bounds = [plan.origin, math.ceil(end.timestamp())]
    conn = connections.get("default")
    rows = await conn.execute_query_dict(
        bucket_sql(plan.source), [plan.origin, plan.width, ups_id, *bounds]
    )
    return plan, [_point(list(r.values()), plan) for r in rows]
