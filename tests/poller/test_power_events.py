"""Power events from real upsd + dummy-ups transitions (edited .dev files), step by step."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from tortoise.exceptions import IntegrityError

from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import Event, UpsSystem
from powerpulse.poller.loop import Poller
from tests.poller.conftest import add_nut, kinds, live, sweep_until
from tests.support.nut_server import NutServer as RealNut


async def status_is(ups_id: int, tokens: str) -> bool:
    return (await live(ups_id)).status_tokens == tokens


async def test_outage_low_battery_and_restore_each_exactly_once(
    nut: RealNut, poller: Poller
) -> None:
    ids = await add_nut(nut)
    u = ids["ups1"]
    await poller.sweep_once()
    assert await kinds(u) == []  # the first poll sets the state silently

    nut.set_status("ups1", "OB DISCHRG", battery_charge="80")
    await sweep_until(poller, lambda: status_is(u, "OB DISCHRG"), interval=0.3)
    assert await kinds(u) == ["on_battery"]

    nut.set_status("ups1", "OB DISCHRG LB", battery_charge="9")
    await sweep_until(poller, lambda: status_is(u, "OB DISCHRG LB"), interval=0.3)
    assert await kinds(u) == ["on_battery", "low_battery"]

    nut.set_status("ups1", "OL CHRG", battery_charge="12")

    async def restored() -> bool:
        return "online" in await kinds(u)

    await sweep_until(poller, restored, interval=0.3)
    for _ in range(8):  # keep polling: nothing fires twice
        await poller.sweep_once()
    assert await kinds(u) == ["on_battery", "low_battery", "online"]
    events = await Event.filter(ups_id=u).order_by("id")
    assert [(e.previous_status, e.new_status) for e in events] == [
        ("Online", "On Battery"),
        ("On Battery", "Low Battery"),
        ("Low Battery", "Online"),
    ]
    assert events[1].details["charge"] == 9.0
    assert all(e.dispatched is False for e in events)
    assert await kinds(ids["ups2"]) == []  # the other UPS saw nothing


async def test_replace_battery(nut: RealNut, poller: Poller) -> None:
    ids = await add_nut(nut)
    await poller.sweep_once()
    nut.set_status("ups2", "OL RB")
    await sweep_until(poller, lambda: status_is(ids["ups2"], "OL RB"), interval=0.3)
    for _ in range(3):
        await poller.sweep_once()
    assert await kinds(ids["ups2"]) == ["replace_battery"]


async def test_driver_killed_comm_lost_after_grace_then_restored(
    nut: RealNut, poller: Poller
) -> None:
    ids = await add_nut(nut)
    u = ids["ups1"]
    await poller.sweep_once()
    nut.kill_driver("ups1")

    async def errored() -> bool:
        return (await live(u)).error_code == "driver-not-connected"

    await sweep_until(poller, errored, interval=0.3)
    row = await live(u)
    assert row.variables["battery.charge"] == "100"  # last good values kept, marked by the error
    assert await kinds(u) == []  # within the 1.5 s grace: nothing yet

    async def lost() -> bool:
        return await kinds(u) == ["comm_lost"]

    took = await sweep_until(poller, lost, interval=0.3)
    assert 0.8 < took < 4, took
    assert (await live(ids["ups2"])).error_code is None  # the other UPS is fine

    nut.start_driver("ups1")

    async def restored() -> bool:
        return await kinds(u) == ["comm_lost", "comm_restored"]

    await sweep_until(poller, restored, timeout=15, interval=0.3)
    assert (await live(u)).error_code is None
    for _ in range(5):
        await poller.sweep_once()
    assert await kinds(u) == ["comm_lost", "comm_restored"]  # and no "online"


async def test_upsd_restart_gives_no_false_online(nut: RealNut, db: Settings) -> None:
    # The default 30 s grace: a restart (refused, then WAIT for a second or two) is silent.
    poller = Poller(replace(db, comm_grace_seconds=30.0))
    ids = await add_nut(nut)
    await poller.sweep_once()
    nut.stop_upsd()
    results = await poller.sweep_once()
    assert [r.failed for r in results.values()] == [2]
    assert (await live(ids["ups1"])).error_code == "unreachable"
    nut.start_upsd(wait=False)  # WAIT, then real data

    async def healthy() -> bool:
        rows = [await live(i) for i in ids.values()]
        return all(r.error_code is None and r.status_tokens == "OL" for r in rows)

    await sweep_until(poller, healthy, timeout=20, interval=0.3)
    for _ in range(5):
        await poller.sweep_once()
    await poller.close()
    assert [await kinds(i) for i in ids.values()] == [[], []]


async def test_failed_write_loses_no_event(nut: RealNut, poller: Poller) -> None:
    # ups1 is deleted behind the poller's back (no config bump yet), so the poll that sees both
    # UPS go on battery cannot be stored (foreign key). The event of ups2 must not be lost.
    ids = await add_nut(nut)
    await poller.sweep_once()
    await UpsSystem.filter(id=ids["ups1"]).delete()
    nut.set_status("ups1", "OB")
    nut.set_status("ups2", "OB")
    nut.wait_var("ups2", "ups.status", "OB")
    nut.wait_var("ups1", "ups.status", "OB")
    with pytest.raises(IntegrityError):
        await poller.sweep_once()
    assert await kinds(ids["ups2"]) == []
    await counters.bump(counters.CONFIG)
    await poller.sweep_once()
    await poller.sweep_once()
    assert await kinds(ids["ups2"]) == ["on_battery"]
    assert (await live(ids["ups2"])).status_tokens == "OB"


async def test_comm_lost_fires_on_time_while_backing_off(nut: RealNut, poller: Poller) -> None:
    ids = await add_nut(nut)
    await poller.sweep_once()
    nut.stop_upsd()
    start = time.monotonic()
    attempts = ticks = 0
    while await kinds(ids["ups1"]) != ["comm_lost"]:
        assert time.monotonic() - start < 5, "comm_lost never fired"
        for result in (await poller.sweep_once()).values():
            ticks += 1
            attempts += result.polled
        await asyncio.sleep(0.3)
    took = time.monotonic() - start
    assert 1.5 <= took < 1.5 + 0.9, took  # the grace, plus at most about one tick
    assert attempts < ticks  # back-off skipped some connection attempts, not the detection
    assert await kinds(ids["ups2"]) == ["comm_lost"]
