"""Rediscovery against real upsd: LIST UPS on (re)connect and every DISCOVERY_INTERVAL.

UPS added to a running upsd appear without anyone asking; UPS taken out of it stay, with their
history, flagged and with one `ups_removed`; a server whose upsd was down when it was added
(first-time setup or "add server", through the real api and poller processes) gets its UPS
within one discovery interval of upsd coming up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from powerpulse import discovery
from powerpulse.config import ConfigError, Settings
from powerpulse.db import counters
from powerpulse.db.models import (
    Event,
    NotificationDelivery,
    NotificationLog,
    NutServer,
    Sample,
    UpsSystem,
)
from powerpulse.notify.dispatcher import Dispatcher
from powerpulse.poller.loop import Poller
from powerpulse.poller.sweep import backoff_delay
from tests.notify.conftest import make_user
from tests.poller.conftest import add_nut, kinds, live, sweep_until
from tests.support.nut_server import NutServer as RealNut
from tests.support.stack import running_stack

DISCOVERY = 2.0


@pytest.fixture
async def running(db: Settings) -> AsyncIterator[Poller]:
    poller = Poller(replace(db, discovery_interval=DISCOVERY))
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    yield poller
    stop.set()
    await asyncio.wait_for(task, 10)


async def wait_for(check: Callable[[], object], timeout: float = 15.0) -> float:
    start = time.monotonic()
    while not await check():  # type: ignore[misc]
        assert time.monotonic() - start < timeout, "condition not met in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def ups_names(port: int) -> list[str]:
    server = await NutServer.get(port=port)
    return sorted(await UpsSystem.filter(nut_server=server).values_list("ups_name", flat=True))  # type: ignore[arg-type]


def test_discovery_interval_setting() -> None:
    assert Settings.from_env({}).discovery_interval == 60.0
    assert Settings.from_env({"DISCOVERY_INTERVAL": "5"}).discovery_interval == 5.0
    for bad in ("0", "soon", "-3", "100000"):
        with pytest.raises(ConfigError, match="DISCOVERY_INTERVAL"):
            Settings.from_env({"DISCOVERY_INTERVAL": bad})


def test_back_off_never_outlasts_the_discovery_interval() -> None:
    assert backoff_delay(10, 5.0, cap=min(30.0, 12.0)) == 12.0
    assert backoff_delay(10, 5.0, cap=min(30.0, 60.0)) == 30.0


async def test_a_ups_added_to_and_removed_from_a_running_upsd(
    nut_factory: Callable[..., RealNut], running: Poller
) -> None:
    nut = nut_factory(["a1"])
    ids = await add_nut(nut)
    await wait_for(lambda: _has_data(ids["a1"]))
    connection = next(iter(running.servers.values())).client

    # Added to ups.conf, upsd reloaded (the connection stays open): found at the next interval.
    nut.add_ups("a2", {"battery.charge": "77"})
    added_at = time.monotonic()
    await wait_for(lambda: _listed(nut.port, "a2"), timeout=DISCOVERY + 3)
    assert time.monotonic() - added_at < DISCOVERY + 1.0
    a2 = await UpsSystem.get(ups_name="a2")
    assert a2.name == "a2"
    await wait_for(lambda: _has_data(a2.id))
    assert (await live(a2.id)).variables["battery.charge"] == "77"
    event = await Event.get(ups_id=a2.id)
    assert event.kind == "ups_added" and event.details["source"] == "poller"
    assert event.details["server"] == f"127.0.0.1:{nut.port}"
    assert next(iter(running.servers.values())).client is connection  # no reconnect needed

    # Taken out of upsd: kept with its history, flagged, ups_removed once, then comm_lost.
    assert await Sample.filter(ups_id=ids["a1"]).exists()
    nut.remove_ups("a1")

    async def flagged() -> bool:
        return (await live(ids["a1"])).error_code == "unknown-ups"

    await wait_for(flagged, timeout=5)
    row = await live(ids["a1"])
    assert row.error_message == f"UPS a1 is no longer on NUT server 127.0.0.1:{nut.port}"
    assert row.variables["battery.charge"] == "100"  # the last known values stay

    async def comm_lost() -> bool:
        return "comm_lost" in await kinds(ids["a1"])

    await wait_for(comm_lost, timeout=5)  # the fixture's 1.5 s grace
    await asyncio.sleep(2 * DISCOVERY)  # more polls and discoveries: nothing fires twice
    assert await kinds(ids["a1"]) == ["ups_removed", "comm_lost"]
    assert await UpsSystem.filter(id=ids["a1"]).exists()
    assert await Sample.filter(ups_id=ids["a1"]).exists()
    assert await kinds(a2.id) == ["ups_added"]  # its neighbour saw nothing

    # Recorded, never sent: a user with every switch on and a channel gets no notification.
    await make_user("watcher", discord_webhook_url="https://discord.com/api/webhooks/1/x")
    async with Dispatcher(running.settings) as dispatcher:
        await dispatcher.fan_out_once()
    assert not await Event.filter(dispatched=False, kind__in=["ups_added", "ups_removed"]).exists()
    assert await NotificationLog.filter(kind__in=["ups_added", "ups_removed"]).count() == 0
    assert await NotificationDelivery.all().count() == await NotificationLog.all().count() == 1


async def test_deleted_ups_is_not_added_back_while_upsd_still_serves_it(
    nut: RealNut, running: Poller
) -> None:
    ids = await add_nut(nut)
    await wait_for(lambda: _has_data(ids["ups2"]))
    ups2 = await UpsSystem.get(id=ids["ups2"])
    # What DELETE /api/ups-systems/:id does.
    await discovery.dismiss(ups2.nut_server_id, ups2.ups_name)  # type: ignore[attr-defined]
    await ups2.delete()
    await counters.bump(counters.CONFIG)
    server = next(iter(running.servers.values()))
    await wait_for(lambda: _not_polled(running, ids["ups2"]))
    found = await server.rediscover()
    assert found is not None and found.not_added == ["ups2"] and found.added == []
    await asyncio.sleep(DISCOVERY + 0.5)
    assert await ups_names(nut.port) == ["ups1"]


async def test_auto_add_off_lists_but_does_not_add(
    nut_factory: Callable[..., RealNut], poller: Poller
) -> None:
    nut = nut_factory(["b1", "b2"])
    await NutServer.create(host=nut.host, port=nut.port, auto_add=False)
    await counters.bump(counters.CONFIG)
    await poller.sweep_once()  # connects (no UPS yet) and runs LIST UPS
    server = next(iter(poller.servers.values()))
    assert server.last_discovery is not None
    assert (server.last_discovery.found, server.last_discovery.not_added) == (
        ["b1", "b2"],
        ["b1", "b2"],
    )
    assert await ups_names(nut.port) == []
    # Turned on: the next poll looks at once and adds both.
    await NutServer.filter(port=nut.port).update(auto_add=True)
    await counters.bump(counters.CONFIG)
    await poller.sweep_once()
    assert await ups_names(nut.port) == ["b1", "b2"]

    async def polled() -> bool:
        rows = [await live(u.id) for u in await UpsSystem.all()]
        return all(r.last_success_at is not None for r in rows)

    await sweep_until(poller, polled)


async def test_a_restarted_upsd_is_listed_again_on_reconnect(nut: RealNut, db: Settings) -> None:
    """No waiting for the interval: the poll that reconnects runs LIST UPS."""
    poller = Poller(replace(db, discovery_interval=3600.0))
    try:
        await add_nut(nut)
        await poller.sweep_once()
        server = next(iter(poller.servers.values()))
        first = server.last_discovery
        assert first is not None and first.found == ["ups1", "ups2"]
        nut.stop_upsd()
        nut.ups_names.append("ups3")  # comes back with one more UPS
        nut.initial["ups3"] = dict(nut.initial["ups1"])
        nut.set_vars("ups3", nut.initial["ups3"], replace=True)
        nut._write_ups_conf()
        nut.start_drivers(["ups3"])
        nut.start_upsd()

        async def ups3() -> bool:
            return await _listed(nut.port, "ups3")

        await sweep_until(poller, ups3, timeout=10, interval=0.3)
        assert server.last_discovery is not first
    finally:
        await poller.close()


def test_setup_and_add_server_while_upsd_is_down_then_it_starts(tmp_path: Path) -> None:
    """Real api + poller processes: both succeed, say upsd is not reachable yet, and the UPS
    appear within one discovery interval of upsd coming up."""
    interval = 3.0
    first, second = RealNut(["rack-a", "rack-b"]), RealNut(["garage"])
    env = {"DISCOVERY_INTERVAL": str(interval), "POLL_INTERVAL": "0.5"}
    try:
        with running_stack(tmp_path / "data", env=env) as stack:
            status, body = stack.request(
                "POST",
                "/api/auth/setup",
                {
                    "username": "admin",
                    "password": "admin-pass-1",
                    "nutServer": first.host,
                    "nutPort": first.port,
                },
            )
            assert status == 201, body
            assert "not reachable yet" in body["message"], body
            assert body["discoveryError"]["code"] == "unreachable"
            assert (body["upsSystemsDiscovered"], body["upsSystemsAdded"]) == (0, [])
            token = body["token"]
            status, body = stack.request(
                "POST", "/api/nut-servers", {"host": second.host, "port": second.port}, token
            )
            assert status == 201, body
            assert "not reachable yet" in body["message"] and body["autoAdd"] is True
            status, listed = stack.request("GET", "/api/ups-systems", token=token)
            assert (status, listed) == (200, [])
            time.sleep(interval + 2)  # down for a while: the poller's back-off has grown
            for nut in (first, second):
                nut.start()
            up = time.monotonic()
            names: list[str] = []
            while sorted(names) != ["garage", "rack-a", "rack-b"]:
                assert time.monotonic() - up < interval + 1.0, names
                time.sleep(0.1)
                _, listed = stack.request("GET", "/api/ups-systems", token=token)
                names = [u["upsName"] for u in listed]
            deadline = time.monotonic() + 15
            while not all(u["status"] == "Online" for u in listed):
                assert time.monotonic() < deadline, listed
                time.sleep(0.2)
                _, listed = stack.request("GET", "/api/ups-systems", token=token)
    finally:
        first.stop()
        second.stop()


async def _has_data(ups_id: int) -> bool:
    row = await live(ups_id)
    return row.last_success_at is not None and row.error_code is None


async def _listed(port: int, name: str) -> bool:
    return name in await ups_names(port)


async def _not_polled(poller: Poller, ups_id: int) -> bool:
    return all(ups_id not in s.rows for s in poller.servers.values())


async def test_racing_reconciles_add_each_ups_once(db: Settings) -> None:
    """The api's rescan and two pollers comparing the same LIST UPS at the same moment: each
    new UPS is added once, with one `ups_added`, and every caller gets an answer (on
    PostgreSQL the server's discovery lock does what BEGIN IMMEDIATE does on SQLite)."""
    server = await NutServer.create(host="127.0.0.1", port=1, auto_add=True)
    await UpsSystem.create(name="old", ups_name="old", nut_server=server)  # no longer listed
    names = [f"ups{i}" for i in range(8)]
    results = await asyncio.gather(
        *(discovery.reconcile(server.id, names, add=True, source="test") for _ in range(4))
    )
    assert sorted(n for r in results for n in (u.ups_name for u in r.added)) == names
    # Every caller's answer is whole: what upsd lists, and what it no longer does.
    assert all(r.found == names and r.missing == ["old"] for r in results)
    assert sorted(
        await UpsSystem.filter(nut_server_id=server.id).values_list("ups_name", flat=True)
    ) == ["old", *names]
    assert await Event.filter(kind="ups_added").count() == len(names)
