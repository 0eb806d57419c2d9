"""`GET DESC` against the real upsd (its cmdvartab), and the description cache of the API."""

from __future__ import annotations

import asyncio
import time

import pytest

from powerpulse.nut.client import NutClient
from powerpulse.nut.descriptions import DescriptionCache
from powerpulse.nut.errors import NutConnectionError, NutUnknownUps, NutVarNotSupported
from tests.nut.test_client_wire import Starter, scripted  # noqa: F401 (a fixture)
from tests.support.nut_server import NutServer, free_port

RUNTIME = "Battery runtime (seconds)"


async def test_desc_from_upsd(shared: NutServer) -> None:
    async with NutClient(shared.host, shared.port, timeout=5) as c:
        assert await c.get_desc("ups1", "battery.runtime") == RUNTIME
        many = await c.get_desc_many(
            "ups1", ["battery.runtime", "input.voltage", "no.such.variable", "battery.runtime"]
        )
        assert many == {
            "battery.runtime": RUNTIME,
            "input.voltage": "Input voltage (V)",
            "no.such.variable": "Description unavailable",  # upsd's word for "none"
        }
        gone = await c.get_desc_many("nosuch", ["battery.runtime"])
        assert isinstance(gone["battery.runtime"], NutUnknownUps)
        # The connection stays usable after ERR answers in a pipeline.
        assert await c.get_desc("ups1", "ups.delay.shutdown") == (
            "Interval to wait after shutdown with delay command (seconds)"
        )
        assert await c.get_desc_many("ups1", []) == {}


async def test_cache_fetches_once_and_remembers_none(shared: NutServer) -> None:
    connects = 0

    def connect() -> NutClient:
        nonlocal connects
        connects += 1
        return NutClient(shared.host, shared.port, timeout=5)

    cache = DescriptionCache()
    names = ["battery.runtime", "battery.charge", "no.such.variable", "bad name\n"]
    # Two pages at once share one fetch.
    first, second = await asyncio.gather(
        cache.lookup("s", 1, "ups1", names, connect, wait=5),
        cache.lookup("s", 1, "ups1", names, connect, wait=5),
    )
    assert (
        first
        == second
        == {
            "battery.runtime": RUNTIME,
            "battery.charge": "Battery charge (percent of full)",
            "no.such.variable": None,  # "Description unavailable" means none
        }
    )  # a name upsd could not be asked about is left out
    assert connects == 1
    again = await cache.lookup("s", 1, "ups1", names[:3], connect, wait=5)
    assert again == first and connects == 1
    # An unknown UPS says nothing about the variables: not remembered.
    assert await cache.lookup("s", 1, "nosuch", ["ups.load"], connect, wait=5) == {}
    assert connects == 2 and cache.cached("s", ["ups.load"]) == {}


async def test_cache_is_bounded(shared: NutServer) -> None:
    cache = DescriptionCache(max_entries=3)

    def connect() -> NutClient:
        return NutClient(shared.host, shared.port, timeout=5)

    names = ["battery.charge", "battery.runtime", "input.voltage", "ups.load", "ups.status"]
    await cache.lookup("s", 1, "ups1", names, connect, wait=5)
    assert len(cache) == 3
    assert set(cache.cached("s", names)) == {"input.voltage", "ups.load", "ups.status"}


async def test_an_older_upsd_answering_err_means_no_description(scripted: Starter) -> None:  # noqa: F811
    def reply(conn: int, line: str) -> bytes:
        if line.startswith("GET DESC ups1 battery.charge"):
            return b'DESC ups1 battery.charge "Charge"\n'
        if line.startswith("GET DESC"):
            return b"ERR VAR-NOT-SUPPORTED\n"
        return b"OK Goodbye\n"

    server = await scripted(reply)
    async with NutClient("127.0.0.1", server.port, timeout=2) as c:
        many = await c.get_desc_many("ups1", ["ups.load", "battery.charge"])
    assert many["battery.charge"] == "Charge"
    assert isinstance(many["ups.load"], NutVarNotSupported)
    cache = DescriptionCache()
    got = await cache.lookup(
        "s", 1, "ups1", ["ups.load", "battery.charge"],
        lambda: NutClient("127.0.0.1", server.port, timeout=2), wait=5,
    )  # fmt: skip
    assert got == {"ups.load": None, "battery.charge": "Charge"}


async def test_a_down_server_is_left_alone_for_a_while() -> None:
    port = free_port()  # nothing listens there
    connects = 0

    def connect() -> NutClient:
        nonlocal connects
        connects += 1
        return NutClient("127.0.0.1", port, timeout=1)

    cache = DescriptionCache(retry_after=60)
    assert await cache.lookup("s", 7, "ups1", ["ups.load"], connect, wait=5) == {}
    started = time.monotonic()
    assert await cache.lookup("s", 7, "ups1", ["ups.load"], connect, wait=5) == {}
    assert connects == 1 and time.monotonic() - started < 0.1
    with pytest.raises(NutConnectionError):
        await NutClient("127.0.0.1", port, timeout=1).get_desc_many("ups1", ["ups.load"])


async def test_a_slow_server_does_not_hold_the_page() -> None:
    release = asyncio.Event()

    # A server that accepts and never answers DESC: the lookup gives up after `wait`.
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()
        writer.close()

    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    cache = DescriptionCache()
    started = time.monotonic()
    got = await cache.lookup(
        "s", 9, "ups1", ["ups.load"], lambda: NutClient("127.0.0.1", port, timeout=1), wait=0.2
    )
    assert got == {} and time.monotonic() - started < 0.6
    await asyncio.sleep(1.2)  # the fetch times out on its own and backs off
    assert cache._backing_off(9)
    release.set()
    srv.close()
    await srv.wait_closed()
