"""Migration 0006 (temperature, input frequency and real power in the history) on an
installation with history: on both engines the old samples and rollups stay, read as having no
new readings, and the same hour's rollup then takes samples with them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from powerpulse.db import dialect
from powerpulse.db.models import Sample, SampleRollup
from powerpulse.db.setup import close_db, init_db, run_migrations
from powerpulse.history import build_sample, read_buckets, write_samples
from tests.db.conftest import database_before

BEFORE = "models.0005_notification_channels_rules_alerts"
HOUR = datetime(2026, 3, 1, 10, tzinfo=UTC)


async def test_old_history_survives_and_takes_the_new_metrics(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = await database_before(engine, tmp_path, request, "history_metrics", BEFORE)
    try:  # rows written before 0006, whose tables have none of the new columns
        await dialect.execute(
            "INSERT INTO nut_servers (host, port, starttls, auto_add, created_at, updated_at)"
            " VALUES ('nut.lan', 3493, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [False, True],
        )
        await dialect.execute(
            "INSERT INTO ups_systems (name, nut_server_id, ups_name, created_at)"
            " VALUES ('Rack A', 1, 'ups1', CURRENT_TIMESTAMP)"
        )
        await dialect.execute(
            "INSERT INTO samples (ups_id, timestamp, charge, temperature, status)"
            " VALUES (1, ?, 80, 25.5, 'OL')",
            [HOUR],
        )
        await dialect.execute(
            "INSERT INTO sample_rollups (ups_id, hour, samples, charge_min, charge_max,"
            " charge_sum, charge_n, runtime_sum, runtime_n, load_sum, load_n,"
            " input_voltage_sum, input_voltage_n, output_voltage_sum, output_voltage_n,"
            " battery_voltage_sum, battery_voltage_n)"
            " VALUES (1, ?, 1, 80, 80, 80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
            [int(HOUR.timestamp())],
        )
        # An hour before, readings stored before they were range-checked (an old APC driver's
        # load, a Kelvin temperature) and the rollup they made.
        earlier = HOUR - timedelta(hours=1)
        await dialect.execute(
            "INSERT INTO samples (ups_id, timestamp, charge, load, temperature, status)"
            " VALUES (1, ?, 70, 4.6e251, 302.0, 'OL')",
            [earlier],
        )
        await dialect.execute(
            "INSERT INTO sample_rollups (ups_id, hour, samples, charge_min, charge_max,"
            " charge_sum, charge_n, runtime_sum, runtime_n, load_min, load_max, load_sum, load_n,"
            " input_voltage_sum, input_voltage_n, output_voltage_sum, output_voltage_n,"
            " battery_voltage_sum, battery_voltage_n)"
            " VALUES (1, ?, 1, 70, 70, 70, 1, 0, 0, 4.6e251, 4.6e251, 1.7e308, 2,"
            " 0, 0, 0, 0, 0, 0)",
            [int(earlier.timestamp())],
        )
    finally:
        await close_db()
    await run_migrations(settings)
    await init_db(settings)
    try:
        absurd = await Sample.get(ups_id=1, timestamp=HOUR - timedelta(hours=1))
        assert (absurd.charge, absurd.load, absurd.temperature) == (70, None, None)
        hour_before = await SampleRollup.get(ups_id=1, hour=int(absurd.timestamp.timestamp()))
        assert (hour_before.charge_n, hour_before.load_n, hour_before.load_max) == (1, 0, None)
        # The hour's history is answered from both sources, with no absurd load in it.
        for interval in (60.0, 1e-3):
            found = await read_buckets(1, HOUR - timedelta(hours=1), HOUR, 1, interval)
            assert found.buckets[0].stats["load"].max is None
            assert found.buckets[0].stats["charge"].avg == 70
        old = await Sample.get(ups_id=1, timestamp=HOUR)
        assert (old.charge, old.input_frequency, old.realpower) == (80, None, None)
        rollup = await SampleRollup.get(ups_id=1, hour=int(HOUR.timestamp()))
        assert (rollup.temperature_n, rollup.realpower_sum, rollup.input_frequency_min) == (
            0,
            0,
            None,
        )
        new = build_sample(
            1,
            {"battery.charge": "60", "ups.temperature": "30", "input.frequency": "50",
             "ups.realpower": "500"},
            ("OL",),
            HOUR.replace(minute=30),
        )  # fmt: skip
        async with in_transaction() as conn:
            await write_samples([new], conn)
        rollup = await SampleRollup.get(ups_id=1, hour=int(HOUR.timestamp()))
        assert (rollup.samples, rollup.charge_n, rollup.charge_min) == (2, 2, 60)
        assert (rollup.temperature_n, rollup.temperature_max, rollup.realpower_sum) == (1, 30, 500)
        # Both sources of the history read the new columns.
        for interval in (60.0, 1e-3):  # 1e-3: too many samples would be read, so rollups
            found = await read_buckets(1, HOUR, HOUR.replace(hour=11), 1, history_interval=interval)
            stats = found.buckets[0].stats
            assert found.buckets[0].samples == 2, found.plan
            assert stats["charge"].avg == 70
            assert (stats["input_frequency"].max, stats["realpower"].min) == (50, 500)
    finally:
        await close_db()
