"""The poller's side of protection coverage against a real upsd and a real upsmon: LIST CLIENT
on the poll connection at its own cadence and right after a reconnect, stored only when the
list changed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import UpsLiveState
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutUnknownUps
from powerpulse.poller import clients as pc
from powerpulse.poller.config_cache import ServerConfig
from powerpulse.poller.loop import Poller
from powerpulse.shutdown.protected_hosts import Resolver
from tests.poller.conftest import add_nut
from tests.support.nut_server import NutServer
from tests.support.upsmon import Upsmon


class Counting(NutClient):
    reads = 0

    async def list_clients_many(self, ups_names):  # type: ignore[no-untyped-def,override]
        Counting.reads += 1
        return await super().list_clients_many(ups_names)


def counting(config: ServerConfig, timeout: float) -> NutClient:
    return Counting(config.host, config.port, config.username, config.password, timeout=timeout)


@pytest.fixture
async def poller(db: Settings) -> AsyncIterator[Poller]:
    Counting.reads = 0
    p = Poller(db, client_factory=counting)
    yield p
    await p.close()


async def row(ups_id: int) -> UpsLiveState:
    return await UpsLiveState.get(ups_id=ups_id)


async def test_read_at_its_cadence_and_stored_only_when_changed(
    nut_factory: Callable[..., NutServer],
    upsmon_factory: Callable[..., Upsmon],
    poller: Poller,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nut = nut_factory(["ups1", "ups2"])
    upsmon_factory(nut, "ups1")
    ids = await add_nut(nut)
    await poller.sweep_once()
    assert Counting.reads == 1  # the first good poll reads the clients of every UPS at once
    first = await row(ids["ups1"])
    assert first.clients == ["127.0.0.1"] and first.clients_at is not None
    assert (await row(ids["ups2"])).clients == []
    for _ in range(5):
        await poller.sweep_once()
    assert Counting.reads == 1  # not on every poll: every CLIENTS_INTERVAL
    watch = poller.servers[next(iter(poller.servers))].client_watch
    watch.due = 0.0
    await poller.sweep_once()
    assert Counting.reads == 2
    # The same list again: nothing written.
    assert (await row(ids["ups1"])).clients_at == first.clients_at
    # upsmon attaches to ups2: stored at the next read.
    upsmon_factory(nut, "ups2")
    watch.due = 0.0
    await poller.sweep_once()
    assert (await row(ids["ups2"])).clients == ["127.0.0.1"]
    # Unchanged, but older than CLIENTS_REFRESH: written again, so "read at" stays true.
    monkeypatch.setattr(pc, "CLIENTS_REFRESH", 0.0)
    watch.due = 0.0
    await poller.sweep_once()
    assert (await row(ids["ups1"])).clients_at > first.clients_at


async def test_read_again_right_after_a_reconnect(
    nut_factory: Callable[..., NutServer],
    upsmon_factory: Callable[..., Upsmon],
    poller: Poller,
) -> None:
    nut = nut_factory(["ups1"])
    ids = await add_nut(nut)
    await poller.sweep_once()
    assert (await row(ids["ups1"])).clients == []
    reads = Counting.reads
    nut.restart_upsd()
    upsmon_factory(nut, "ups1")
    for _ in range(50):
        await poller.sweep_once()
        if Counting.reads > reads:
            break
        await asyncio.sleep(0.1)
    assert Counting.reads == reads + 1  # the poll that reconnected, not CLIENTS_INTERVAL later
    assert (await row(ids["ups1"])).clients == ["127.0.0.1"]


async def test_the_client_reads_list_client(
    nut_factory: Callable[..., NutServer], upsmon_factory: Callable[..., Upsmon]
) -> None:
    nut = nut_factory(["ups1", "ups2"])
    upsmon_factory(nut, "ups1")
    async with NutClient(nut.host, nut.port) as client:
        assert await client.list_clients("ups1") == ["127.0.0.1"]
        assert await client.list_clients("ups2") == []
        many = await client.list_clients_many(["ups1", "ups2", "nope", "ups1"])
        assert many["ups1"] == ["127.0.0.1"] and many["ups2"] == []
        assert isinstance(many["nope"], NutUnknownUps)
        with pytest.raises(NutUnknownUps):
            await client.list_clients("nope")
        assert await client.list_clients_many([]) == {}


async def test_names_resolve_off_the_loop_with_a_cache() -> None:
    calls: list[str] = []
    resolver = Resolver(ttl=60, failed_ttl=60)
    real = resolver._lookup

    async def lookup(name: str) -> frozenset[str] | None:
        calls.append(name)
        return await real(name)

    resolver._lookup = lookup  # type: ignore[method-assign]
    assert resolver.known("10.0.0.5") == frozenset({"10.0.0.5"})  # an address: no lookup
    assert resolver.known("LOCALHOST") is None  # not known yet: the poll does not wait …
    for _ in range(100):
        await asyncio.sleep(0.01)
        if resolver.known("localhost"):
            break
    assert "127.0.0.1" in (resolver.known("localhost") or ())  # … a background lookup did it
    assert "127.0.0.1" in (await resolver.addresses("localhost.") or ())
    assert calls == ["localhost"]  # once, then from the cache
    assert await resolver.addresses("no-such-host.invalid") is None
    # A failed lookup keeps the last good answer (a DNS hiccup is not every host leaving).
    resolver._cache["localhost"] = (0.0, None)
    resolver._lookup = lambda name: asyncio.sleep(0, None)  # type: ignore[method-assign,assignment]
    assert "127.0.0.1" in (await resolver.addresses("localhost") or ())
