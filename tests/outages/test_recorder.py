"""A real OB → OL (upsd + dummy-ups, the real poller) becomes one Outage record with its numbers;
the recorder is idempotent across restarts and with two recorders at once."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import Event, KeyValue, Outage, Sample
from powerpulse.outages import recorder
from powerpulse.poller.loop import Poller
from tests.poller.conftest import add_nut, kinds, sweep_until
from tests.support.nut_server import NutServer as RealNut


async def outage_from_real_nut(nut: RealNut, db: Settings) -> int:
    poller = Poller(replace(db, history_interval=1.0))
    try:
        ids = await add_nut(nut)
        u = ids["ups1"]
        nut.set_status("ups1", "OL", battery_charge="100", ups_realpower="300")
        await sweep_until(poller, lambda: _true(), interval=0.3)
        nut.set_status("ups1", "OB DISCHRG", battery_charge="80", ups_realpower="300")

        async def on_battery() -> bool:
            return await kinds(u) == ["on_battery"]

        await sweep_until(poller, on_battery, interval=0.3)
        nut.set_status("ups1", "OB DISCHRG", battery_charge="55", ups_realpower="300")

        async def low() -> bool:
            return await Sample.filter(ups_id=u, charge=55).exists()

        await sweep_until(poller, low, timeout=15, interval=0.3)
        assert await recorder.record_once() >= 1
        open_one = await Outage.get(ups_id=u)
        assert open_one.ended_at is None and open_one.min_charge == 55  # refreshed while open
        nut.set_status("ups1", "OL CHRG", battery_charge="60", ups_realpower="300")

        async def restored() -> bool:
            return "online" in await kinds(u)

        await sweep_until(poller, restored, timeout=20, interval=0.3)
    finally:
        await poller.close()
    return u


async def _true() -> bool:
    return True


async def test_a_real_outage_is_recorded_with_its_numbers(nut: RealNut, db: Settings) -> None:
    u = await outage_from_real_nut(nut, db)
    await recorder.record_once()
    start = await Event.get(ups_id=u, kind="on_battery")
    end = await Event.get(ups_id=u, kind="online")
    outage = await Outage.get(ups_id=u)
    assert (outage.start_event_id, outage.end_event_id) == (start.id, end.id)
    expected = (end.occurred_at - start.occurred_at).total_seconds()
    assert outage.duration_seconds == pytest.approx(expected) and expected >= 2
    assert outage.min_charge == 55
    # 300 W measured throughout: energy = 300 W x covered time
    assert outage.energy_coverage is not None and 0.5 <= outage.energy_coverage <= 1
    covered = outage.energy_coverage * expected
    assert outage.energy_wh == pytest.approx(300 * covered / 3600, rel=0.02)
    assert outage.shutdown_runs == []

    # A restart that lost its cursor (backfill again) and two recorders at once: one record.
    await KeyValue.filter(key=recorder.CURSOR_KEY).delete()
    await asyncio.gather(recorder.record_once(batch=1), recorder.record_once(batch=1))
    await recorder.record_once()
    assert await Outage.filter(ups_id=u).count() == 1
    again = await Outage.get(ups_id=u)
    assert again.ended_at == outage.ended_at and again.min_charge == 55


async def test_pairing_rules_and_backfill(db: Settings, nut: RealNut) -> None:
    ids = await add_nut(nut)
    u = ids["ups1"]
    from datetime import UTC, datetime, timedelta

    t = datetime(2026, 12, 1, tzinfo=UTC)

    async def edge(kind: str, minutes: float, charge: float) -> Event:
        return await Event.create(
            ups_id=u,
            kind=kind,
            occurred_at=t + timedelta(minutes=minutes),
            details={"charge": charge},
        )

    await edge("on_battery", 0, 90)
    await edge("on_battery", 5, 85)  # a second start: the later one is the outage
    await edge("online", 10, 70)
    await edge("on_battery", 20, 100)
    await edge("online", 15, 99)  # a clock set back: no outage
    await edge("on_battery", 30, 100)  # still open
    assert await recorder.record_once(batch=2) == 6  # backfilled in batches
    rows = await Outage.filter(ups_id=u).order_by("started_at")
    assert [(r.duration_seconds, r.min_charge) for r in rows] == [(300, 70), (None, 100)]
    assert await recorder.record_once() == 0


async def test_the_task_stops_quickly(db: Settings) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(recorder.OutageRecorder(every=30).run(stop))
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, 2)
