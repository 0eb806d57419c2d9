"""The runner against real upsd: blazer_ser on a simulated Megatec UPS (the command really
reaches the device) and dummy-ups (every safety rule blocks, on the real poller's readings)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import (
    AuditEntry,
    Event,
    Outage,
    SelfTest,
    SelfTestSchedule,
    ShutdownPlan,
    UpsSystem,
)
from powerpulse.poller.loop import Poller
from powerpulse.selftest import progress
from powerpulse.selftest.runner import SelfTestRunner, request_test
from powerpulse.timeutil import utcnow
from tests.poller.conftest import add_nut, add_server
from tests.selftest.megatec import MegatecUps, blazer_available
from tests.support.nut_server import NUT_PASSWORD, NUT_USER
from tests.support.nut_server import NutServer as RealNut

LIMITS = progress.Limits(start=30, quick=60, result_grace=2)


@pytest.fixture
def megatec() -> Iterator[MegatecUps]:
    if not blazer_available():
        pytest.fail("blazer_ser is not installed (apt-get install nut-server)")
    ups = MegatecUps(test_seconds=3).start()
    yield ups
    ups.stop()


async def due_schedule(**kw: object) -> SelfTestSchedule:
    """A weekly schedule whose occurrence was a minute ago, saved an hour before it."""
    now = utcnow()
    at = now - timedelta(minutes=1)
    row = await SelfTestSchedule.create(
        name="nightly",
        frequency="weekly",
        weekday=at.weekday(),
        day_of_month=None,
        time_of_day=at.strftime("%H:%M"),
        timezone="UTC",
        **kw,
    )
    earlier = now - timedelta(hours=1)
    await SelfTestSchedule.filter(id=row.id).update(created_at=earlier, updated_at=earlier)
    return await SelfTestSchedule.get(id=row.id)


async def test_scheduled_test_reaches_the_ups_once_and_a_failure_alerts(
    db: Settings, megatec: MegatecUps
) -> None:
    ids = await add_server(megatec.host, megatec.port, ["q1"], NUT_USER, NUT_PASSWORD)
    ups_id = ids["q1"]
    poller = Poller(db)
    try:
        await poller.sweep_once()
        schedule = await due_schedule()
        megatec.fail_next = True
        one, two = SelfTestRunner(db, limits=LIMITS), SelfTestRunner(db, limits=LIMITS)
        results = await asyncio.gather(one.run_due_once(), two.run_due_once())
        assert sum(len(r) for r in results) == 1  # two runners, one occurrence, one test
        # upsd answers OK once the driver has the command; the driver writes it to the UPS
        # just after: wait for it to arrive (it fails here if it never was sent).
        for _ in range(50):
            if "T" in megatec.received:
                break
            await asyncio.sleep(0.1)
        assert megatec.received.count("T") == 1  # the driver sent the quick test to the UPS
        test = await SelfTest.get(ups_id=ups_id)
        assert (test.state, test.command, test.schedule_id) == (  # type: ignore[attr-defined]
            "requested",
            "test.battery.start.quick",
            schedule.id,
        )
        assert (await SelfTestSchedule.get(id=schedule.id)).last_due_at is not None
        assert await one.run_due_once() == []  # handled: never again
        (recorded,) = await AuditEntry.filter(action="system.self_test_started")
        assert (recorded.username, recorded.target_id) == (None, str(ups_id))
        assert recorded.after["schedule"] == schedule.id
        states = set()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            await poller.sweep_once()
            await one.follow_once()
            test = await SelfTest.get(id=test.id)
            states.add(test.state)
            if test.state not in ("requested", "running"):
                break
            await asyncio.sleep(0.3)
    finally:
        await poller.close()
    assert "running" in states  # blazer showed OL CAL
    assert test.state == "failed" and test.raw_result == "UPS selftest failed!"
    assert test.active_ups_id is None and test.finished_at is not None
    assert test.readings["start"]["charge"] is not None and test.readings["end"] is not None
    alert = await Event.get(ups_id=ups_id, kind="self_test_failed")
    assert alert.details["testId"] == test.id and alert.dispatched is False


async def test_manual_test_on_a_ups_without_the_command_is_unsupported_and_not_sent(
    db: Settings, nut: RealNut
) -> None:
    ids = await add_nut(nut, username=NUT_USER, password=NUT_PASSWORD)
    poller = Poller(db)
    try:
        await poller.sweep_once()
    finally:
        await poller.close()
    ups = await UpsSystem.get(id=ids["ups1"])
    assert (await request_test(ups, "quick", db)).reason == "unsupported"  # only load.off
    assert await SelfTest.all().count() == 0


async def test_each_safety_rule_blocks_a_scheduled_test(db: Settings, nut: RealNut) -> None:
    ids = await add_nut(nut, username=NUT_USER, password=NUT_PASSWORD)
    ups1, ups2 = ids["ups1"], ids["ups2"]
    poller = Poller(db)

    async def attempt(**changes: str) -> str | None:
        if changes:
            nut.set_vars("ups1", changes)
            nut.wait_var("ups1", *next(iter(changes.items())))
        await poller.sweep_once()
        ups = await UpsSystem.get(id=ups1)
        done = await request_test(ups, "quick", db, record_blocked=True, schedule_id=None)
        return done.reason

    try:
        await poller.sweep_once()
        assert await attempt() == "unsupported"  # every rule passes; dummy-ups has no test
        assert await attempt(**{"ups.status": "OB DISCHRG"}) == "not_online"
        assert await attempt(**{"ups.status": "OL", "battery.charge": "50"}) == "low_charge"
        assert await attempt(**{"battery.charge": "nan"}) == "low_charge"
        # The real OB above was an outage: it blocks until the quiet hours have passed.
        assert await attempt(**{"battery.charge": "100"}) == "recent_outage"
        await Event.all().delete()
        await Outage.all().delete()
        assert await attempt() == "unsupported"
        await Event.create(
            ups_id=ups1, kind="on_battery", occurred_at=utcnow() - timedelta(hours=2)
        )
        assert await attempt() == "recent_outage"
        await Event.all().delete()
        await UpsSystem.filter(id=ups1).update(muted_until=utcnow() + timedelta(hours=1))
        assert await attempt() == "muted"
        await UpsSystem.filter(id=ups1).update(muted_until=None)
        await ShutdownPlan.create(name="pair", definition={"ups": [ups1, ups2], "min_healthy": 1})
        nut.set_status("ups2", "OL TEST")
        nut.wait_var("ups2", "ups.status", "OL TEST")
        assert await attempt() == "group_testing"
        nut.set_status("ups2", "OL")
        nut.wait_var("ups2", "ups.status", "OL")
        assert await attempt() == "unsupported"
        nut.kill_driver("ups1")
        for _ in range(20):
            await poller.sweep_once()
            await asyncio.sleep(0.2)
        assert await attempt() == "no_contact"
    finally:
        await poller.close()
    rows = await SelfTest.filter(ups_id=ups1).order_by("id").values_list("state", "reason")
    assert {s for s, _ in rows} == {"blocked"}
    assert [r for _, r in rows][1:3] == ["not_online", "low_charge"]
