"""Retention: samples and rollups older than `HISTORY_RETENTION_DAYS`, events older than a year.

Deleted in small batches, each its own short transaction, so that polling (and on SQLite the
other process) is never held up for long.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from powerpulse.db import dialect
from powerpulse.history.writes import hour_of

EVENT_RETENTION_DAYS = 365
RETENTION_BATCH = 2000

_SAMPLES = dialect.delete_batch("samples", "timestamp < ?")
_ROLLUPS = dialect.delete_batch("sample_rollups", "hour < ?")
_EVENTS = dialect.delete_batch("events", "occurred_at < ?")


async def delete_in_batches(
    sql: str, params: Sequence[Any], batch: int = RETENTION_BATCH, pause: float = 0.05
) -> int:
    """Run a `dialect.delete_batch` statement until it deletes less than a batch."""
    total = 0
    while True:
        async with in_transaction() as conn:
            count = await dialect.execute(sql, [*params, batch], conn)
        total += count
        if count < batch:
            return total
        await asyncio.sleep(pause)  # let poll writes (and the other process) take the lock


async def prune_once(
    now: datetime, retention_days: int, *, batch: int = RETENTION_BATCH, pause: float = 0.05
) -> dict[str, int]:
    """Delete what is past its retention; how many rows of each kind went."""
    cutoff = now - timedelta(days=retention_days)
    event_cutoff = now - timedelta(days=EVENT_RETENTION_DAYS)
    return {
        "samples": await delete_in_batches(_SAMPLES, [cutoff], batch, pause),
        "rollups": await delete_in_batches(_ROLLUPS, [hour_of(cutoff)], batch, pause),
        "events": await delete_in_batches(_EVENTS, [event_cutoff], batch, pause),
    }
