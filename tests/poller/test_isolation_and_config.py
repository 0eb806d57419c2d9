"""The running poller (`Poller.run`): dead servers stay isolated, configuration is live."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace

import pytest

from powerpulse import discovery
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsLiveState, UpsSystem
from powerpulse.nut.client import NutClient
from powerpulse.poller.loop import Poller
from tests.poller.conftest import add_nut, add_server, live
from tests.support.nut_server import NUT_PASSWORD, NUT_USER
from tests.support.nut_server import NutServer as RealNut


@pytest.fixture
def silent_server() -> Iterator[tuple[str, int]]:
    """A TCP server that accepts connections (kernel backlog) and never answers a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield "127.0.0.1", sock.getsockname()[1]
    sock.close()


@pytest.fixture
async def running(db: Settings) -> AsyncIterator[Poller]:
    poller = Poller(db)
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    yield poller
    stop.set()
    await asyncio.wait_for(task, 10)


async def wait_for(check: Callable[[], object], timeout: float = 10.0) -> float:
    start = time.monotonic()
    while not await check():  # type: ignore[misc]
        assert time.monotonic() - start < timeout, "condition not met in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


async def edit_latency(nut: RealNut, name: str, ups_id: int, value: str) -> float:
    """Edit the UPS's .dev file; return the seconds until the live state shows the new value."""
    nut.set_vars(name, {"battery.charge": value})
    start = time.monotonic()

    async def shown() -> bool:
        return (await live(ups_id)).variables.get("battery.charge") == value

    await wait_for(shown, timeout=15)
    return time.monotonic() - start


# One poll interval (0.3 s) + the driver's re-read (up to ~1 s) + slack for a loaded machine.
EDIT_BUDGET = 0.3 + 1.0 + 0.7


async def test_silent_server_does_not_slow_the_others(
    nut: RealNut, silent_server: tuple[str, int], db: Settings
) -> None:
    good = await add_nut(nut)
    dead = await add_server(*silent_server, ["ghost"])
    # A 4 s NUT timeout: a sweep that waited for the silent server would take 4 s per edit.
    poller = Poller(replace(db, nut_timeout=4.0))
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    try:
        await wait_for(lambda: _polled(good["ups1"]))
        took = [await edit_latency(nut, "ups1", good["ups1"], v) for v in ("91", "82", "73")]
        assert max(took) < EDIT_BUDGET, took

        async def timed_out() -> bool:
            return (await live(dead["ghost"])).error_code == "timeout"

        await wait_for(timed_out)
        row = await live(dead["ghost"])
        assert "did not answer" in (row.error_message or "") and row.last_success_at is None
    finally:
        stop.set()
        started = time.monotonic()
        await asyncio.wait_for(task, 10)
        assert time.monotonic() - started < 3  # the poll stuck on the silent server is cut short


async def _polled(ups_id: int) -> bool:
    return (await live(ups_id)).last_success_at is not None


async def test_stopped_upsd_backs_off_logs_once_and_recovers(
    nut_factory: Callable[..., RealNut],
    running: Poller,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="powerpulse.poller")
    a, b = nut_factory(["a1"]), nut_factory(["b1"])
    ids_a, ids_b = await add_nut(a), await add_nut(b)

    async def both_fresh() -> bool:
        rows = [await live(ids_a["a1"]), await live(ids_b["b1"])]
        return all(r.last_success_at is not None for r in rows)

    await wait_for(both_fresh)
    a.stop_upsd()

    async def a_down() -> bool:
        return (await live(ids_a["a1"])).error_code == "unreachable"

    await wait_for(a_down, timeout=3)
    took = [await edit_latency(b, "b1", ids_b["b1"], v) for v in ("64", "55")]
    assert max(took) < EDIT_BUDGET, took  # b keeps its pace
    server_a = next(s for s in running.servers.values() if s.config.port == a.port)
    assert server_a.failures >= 2 and server_a.retry_at > time.monotonic() - 1
    a.start_upsd()

    async def a_back() -> bool:
        return (await live(ids_a["a1"])).error_code is None

    await wait_for(a_back, timeout=15)
    outage_logs = [r.getMessage() for r in caplog.records if "is unreachable" in r.getMessage()]
    back_logs = [r.getMessage() for r in caplog.records if "answering again" in r.getMessage()]
    assert len(outage_logs) == 1 and len(back_logs) == 1, (outage_logs, back_logs)


async def test_configuration_changes_apply_without_restart(
    nut_factory: Callable[..., RealNut], running: Poller
) -> None:
    a = nut_factory(["a1", "a2"])
    ids = await add_nut(a)

    async def polled(ups_id: int) -> bool:
        row = await UpsLiveState.get_or_none(ups_id=ups_id)
        return row is not None and row.last_success_at is not None

    await wait_for(lambda: polled(ids["a1"]))
    # A new server added while running is polled within about one interval.
    b = nut_factory(["b1"])
    new = await add_nut(b)
    took = await wait_for(lambda: polled(new["b1"]))
    assert took < 0.3 + 1.0 + 0.5, took

    # Edited credentials: the connection is reopened with them (upsd accepts this login).
    server = await NutServer.get(port=a.port)
    old_client = running.servers[server.id].client
    server.username, server.password = NUT_USER, NUT_PASSWORD
    await server.save()
    await counters.bump(counters.CONFIG)
    await wait_for(lambda: _client_replaced(running, server.id, old_client))
    assert running.servers[server.id].client.username == NUT_USER
    before = (await live(ids["a2"])).last_success_at
    await wait_for(lambda: _fresher(ids["a2"], before))
    assert not old_client.connected
    assert server_loops() == len(running.servers) == 2  # exactly one polling task per server

    # A UPS deleted as the API does it stops being polled and is not re-created by the
    # poller's rediscovery, although upsd still serves it.
    await discovery.dismiss(server.id, "a2")
    await UpsSystem.filter(id=ids["a2"]).delete()
    await counters.bump(counters.CONFIG)
    await wait_for(lambda: _not_polled(running, server.id, ids["a2"]))
    found = await running.servers[server.id].rediscover()
    assert found is not None and found.not_added == ["a2"]
    await asyncio.sleep(0.8)
    assert not await UpsSystem.filter(id=ids["a2"]).exists()
    assert await UpsSystem.filter(nut_server_id=server.id).count() == 1

    # A deleted server: its task ends and its connection closes.
    client_b = next(s.client for s in running.servers.values() if s.config.port == b.port)
    await NutServer.filter(port=b.port).delete()
    await counters.bump(counters.CONFIG)
    await wait_for(lambda: _gone(running, b.port, client_b))
    assert server_loops() == 1


def server_loops() -> int:
    return sum(
        1
        for t in asyncio.all_tasks()
        if t.get_coro().__qualname__ == "Poller._server_loop"  # type: ignore[union-attr]
    )


async def _client_replaced(poller: Poller, server_id: int, old: object) -> bool:
    return poller.servers[server_id].client is not old


async def _fresher(ups_id: int, before: object) -> bool:
    row = await live(ups_id)
    return row.last_success_at is not None and row.last_success_at != before


async def _not_polled(poller: Poller, server_id: int, ups_id: int) -> bool:
    return ups_id not in poller.servers[server_id].rows


async def _gone(poller: Poller, port: int, client: NutClient) -> bool:
    return all(s.config.port != port for s in poller.servers.values()) and not client.connected
