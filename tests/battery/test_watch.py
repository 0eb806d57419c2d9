"""Device dates become install records, admins' records stay, the age alert fires once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from powerpulse.battery import store
from powerpulse.battery.watch import BatteryWatch
from powerpulse.config import Settings
from powerpulse.db.models import BatteryInstall, Event
from powerpulse.notify.messages import EVENT_KINDS, PLAIN, Notice, compose, extra_from_details
from powerpulse.notify.rules import RULE_KINDS
from tests.api.conftest import add_server, add_ups, write_live

NOW = datetime(2026, 12, 5, 10, tzinfo=UTC)


async def _ups(variables: dict[str, str]) -> int:
    ups = await add_ups(await add_server(), "ups1")
    await write_live(ups, {"ups.status": "OL", "battery.type": "PbAc", **variables})
    return ups.id


async def test_device_date_creates_then_follows_a_newer_date(db: Settings) -> None:
    ups_id = await _ups({"battery.date": "2001/00/00", "battery.mfr.date": "2024/03/01"})
    watch = BatteryWatch()
    assert (await watch.run_once(NOW)).created == 1
    assert (await watch.run_once(NOW)).created == 0  # idempotent
    current = await store.current_install(ups_id)
    assert current is not None and current.source == "device"
    assert current.installed_on == date(2024, 3, 1) and current.created_by is None
    # The battery was changed: the UPS now reports a newer date.
    ups = await _ups_row(ups_id)
    await write_live(ups, {"ups.status": "OL", "battery.date": "2026/06/01"})
    assert (await watch.run_once(NOW)).replaced == 1
    rows = await BatteryInstall.filter(ups_id=ups_id).order_by("id")
    assert [(r.installed_on, r.current_ups_id) for r in rows] == [
        (date(2024, 3, 1), None),
        (date(2026, 6, 1), ups_id),
    ]
    assert rows[0].replaced_at is not None
    # An older date (a manufacture date again) changes nothing.
    await write_live(ups, {"ups.status": "OL", "battery.mfr.date": "2020/01/01"})
    assert (await watch.run_once(NOW)).replaced == 0


async def _ups_row(ups_id: int):  # type: ignore[no-untyped-def]
    from powerpulse.db.models import UpsSystem

    return await UpsSystem.get(id=ups_id)


async def test_an_admin_record_is_never_overwritten(db: Settings) -> None:
    ups_id = await _ups({"battery.date": "2026/06/01"})
    await store.create_current(ups_id, date(2025, 1, 1), store.ADMIN, created_by="admin")
    await BatteryWatch().run_once(NOW)
    rows = await BatteryInstall.filter(ups_id=ups_id)
    assert [(r.installed_on, r.source) for r in rows] == [(date(2025, 1, 1), "admin")]


async def test_two_writers_make_one_current_battery(db: Settings) -> None:
    ups_id = await _ups({"battery.date": "2024/03/01"})
    results = await asyncio.gather(*(BatteryWatch().run_once(NOW) for _ in range(4)))
    assert sum(r.created for r in results) == 1
    assert await BatteryInstall.filter(ups_id=ups_id).count() == 1


async def test_age_alert_once_on_its_date_and_again_after_a_replacement(db: Settings) -> None:
    ups_id = await _ups({"battery.date": "2023/12/06"})  # PbAc: due 2026-12-06
    watch = BatteryWatch()
    assert (await watch.run_once(NOW)).alerted == 0
    assert await Event.filter(kind="battery_age").count() == 0
    due = NOW + timedelta(days=1)
    results = await asyncio.gather(*(watch.run_once(due) for _ in range(3)))
    assert sum(r.alerted for r in results) == 1
    assert (await watch.run_once(due + timedelta(days=30))).alerted == 0
    events = await Event.filter(kind="battery_age")
    assert len(events) == 1
    event = events[0]
    assert event.ups_id == ups_id and event.new_status == "Online" and not event.dispatched
    assert event.details == {
        "installedOn": "2023-12-06",
        "expectedLifeMonths": 36,
        "ageMonths": 36.0,
    }
    # What the notification says.
    notice = Notice(
        "battery_age",
        "Rack UPS",
        "Online",
        "",
        due,
        extra=extra_from_details("battery_age", event.details),
    )
    text = compose(notice, PLAIN)
    assert text.title == "🔋 Battery Due For Replacement"
    assert "Rack UPS" in text.body and "2023-12-06" in text.body and "36.0 months" in text.body
    assert "battery_age" in EVENT_KINDS and "battery_age" in RULE_KINDS
    # A new battery (12 months of expected life) gets its own alert when it ages.
    await store.replace_current(ups_id, due, date(2026, 12, 6), store.ADMIN, expected=12)
    assert (await watch.run_once(due + timedelta(days=300))).alerted == 0
    assert (await watch.run_once(due + timedelta(days=366))).alerted == 1
    assert await Event.filter(kind="battery_age").count() == 2


async def test_watch_loop_survives_errors_and_stops_quickly(db: Settings) -> None:
    class Broken(BatteryWatch):
        rounds = 0

        async def run_once(self, now: datetime | None = None):  # type: ignore[no-untyped-def]
            Broken.rounds += 1
            raise RuntimeError("boom")

    stop = asyncio.Event()
    task = asyncio.create_task(Broken(interval=0.01).run(stop))
    await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(task, 1)
    assert Broken.rounds >= 2
