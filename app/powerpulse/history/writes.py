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
from powerpulse.energy import integrate
from powerpulse.energy.power import ESTIMATED
from powerpulse.history.metrics import METRICS

HOUR = 3600


class EnergyMemory:
    """The previous sample (epoch s, watts) of each UPS this process writes: the poller
    integrates each new sample's interval into its hour's rollup. In memory only: after a
    restart (or a lease moving here) the first interval is not counted (unknown, not zero)."""

    def __init__(self) -> None:
        self.gap = integrate.max_gap(60.0)
        self._previous: dict[int, tuple[float, float | None]] = {}

    def forget(self, ups_id: int) -> None:
        self._previous.pop(ups_id, None)

    def step(self, ups_id: int, at: float, watts: float | None) -> integrate.Interval | None:
        """The interval ending at this sample (None: unknown), and remember the sample."""
        prev = self._previous.get(ups_id)
        self._previous[ups_id] = (at, watts)
        if prev is None:
            return None
        return integrate.interval(prev[0], prev[1], at, watts, self.gap)


ENERGY = EnergyMemory()


def _rollup_sql() -> str:
    columns = ["ups_id", "hour", "samples", "energy_wh", "energy_seconds", "power_estimated_n"]
    updates = [
        "samples = sample_rollups.samples + 1",
        "energy_wh = sample_rollups.energy_wh + excluded.energy_wh",
        "energy_seconds = sample_rollups.energy_seconds + excluded.energy_seconds",
        "power_estimated_n = sample_rollups.power_estimated_n + excluded.power_estimated_n",
    ]
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


def rollup_row(sample: Sample, energy: integrate.Interval | None = None) -> list[Any]:
    """The upsert's values; `energy` the interval ending at this sample (its hour's)."""
    estimated = 1 if getattr(sample, "power_source", None) in ESTIMATED else 0
    row: list[Any] = [
        sample.ups_id,  # type: ignore[attr-defined]
        hour_of(sample.timestamp),
        1,
        energy.wh if energy else 0.0,
        energy.seconds if energy else 0.0,
        estimated,
    ]
    for m in METRICS:
        value = getattr(sample, m.column)
        row += [value, value, value or 0.0, 0 if value is None else 1]
    return row


async def write_samples(samples: Sequence[Sample], conn: BaseDBAsyncClient) -> None:
    """Insert samples and fold them into their hourly rollups (inside the caller's transaction)."""
    if not samples:
        return
    await Sample.bulk_create(list(samples), using_db=conn)
    rows = [
        rollup_row(s, ENERGY.step(s.ups_id, s.timestamp.timestamp(), s.realpower))  # type: ignore[attr-defined]
        for s in samples
    ]
    await dialect.execute_many(ROLLUP_UPSERT, rows, conn)


async def record_manual_charge(ups_id: int, charge: float, timestamp: datetime) -> Sample:
    """Store a hand-recorded charge (API) as a sample and in its hourly rollup, in one
    transaction, so long-range history (served from rollups) sees it too."""
    async with in_transaction() as conn:
        sample = await Sample.create(
            ups_id=ups_id, timestamp=timestamp, charge=charge, using_db=conn
        )
        await dialect.execute_many(ROLLUP_UPSERT, [rollup_row(sample)], conn)
    return sample
