"""Writing samples: each sample row and, in the same transaction, its hour's rollup row.

The rollup is one upsert per sample (`INSERT … ON CONFLICT (ups_id, hour) DO UPDATE`), the same
statement on SQLite and PostgreSQL, so two writers of one hour (the poller and a hand-recorded
charge) never lose a sample.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from powerpulse.db import dialect
from powerpulse.db.models import Sample
from powerpulse.history.metrics import METRICS

HOUR = 3600


def _rollup_sql() -> str:
    columns = ["ups_id", "hour", "samples"]
    updates = ["samples = sample_rollups.samples + 1"]
    for m in METRICS:
        c = m.column
        columns += [f"{c}_min", f"{c}_max", f"{c}_sum", f"{c}_n"]
        t, x = f"sample_rollups.{c}", f"excluded.{c}"
        updates += [
            f"{c}_min = CASE WHEN {x}_min IS NULL THEN {t}_min WHEN {t}_min IS NULL "
            f"OR {x}_min < {t}_min THEN {x}_min ELSE {t}_min END",
            f"{c}_max = CASE WHEN {x}_max IS NULL THEN {t}_max WHEN {t}_max IS NULL "
            f"OR {x}_max > {t}_max THEN {x}_max ELSE {t}_max END",
            f"{c}_sum = {t}_sum + {x}_sum",
            f"{c}_n = {t}_n + {x}_n",
        ]
    return dialect.upsert("sample_rollups", columns, ("ups_id", "hour"), updates)


ROLLUP_UPSERT = _rollup_sql()


def hour_of(at: datetime) -> int:
    """Epoch seconds of the start of `at`'s hour (UTC): a rollup row's `hour`."""
    return int(at.timestamp()) // HOUR * HOUR


def rollup_row(sample: Sample) -> list[Any]:
    row: list[Any] = [sample.ups_id, hour_of(sample.timestamp), 1]  # type: ignore[attr-defined]
    for m in METRICS:
        value = getattr(sample, m.column)
        row += [value, value, value or 0.0, 0 if value is None else 1]
    return row


async def write_samples(samples: Sequence[Sample], conn: BaseDBAsyncClient) -> None:
    """Insert samples and fold them into their hourly rollups (inside the caller's transaction)."""
    if not samples:
        return
    await Sample.bulk_create(list(samples), using_db=conn)
    await dialect.execute_many(ROLLUP_UPSERT, [rollup_row(s) for s in samples], conn)


async def record_manual_charge(ups_id: int, charge: float, timestamp: datetime) -> Sample:
    """Store a hand-recorded charge (API) as a sample and in its hourly rollup, in one
    transaction, so long-range history (served from rollups) sees it too."""
    async with in_transaction() as conn:
        sample = await Sample.create(
            ups_id=ups_id, timestamp=timestamp, charge=charge, using_db=conn
        )
        await dialect.execute_many(ROLLUP_UPSERT, [rollup_row(sample)], conn)
    return sample
