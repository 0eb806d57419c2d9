"""How NutClient fails and recovers: stale data, dead driver, upsd down/restarted, silence."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import (
    NutConnectionError,
    NutDataStale,
    NutDriverNotConnected,
    NutError,
    NutTimeoutError,
)
from tests.support.nut_server import NutServer, free_port


async def wait_for_error(
    call: Callable[[], object], cls: type[NutError], within: float
) -> tuple[NutError, float]:
    """Poll `call` until it raises `cls`; return the error and how long it took."""
    start = time.monotonic()
    while True:
        try:
            await call()  # type: ignore[misc]
        except cls as err:
            return err, time.monotonic() - start
        if time.monotonic() - start > within:
            raise AssertionError(f"{cls.__name__} not raised within {within} s")
        await asyncio.sleep(0.2)


async def test_data_stale_when_the_driver_hangs(nut_factory: Callable[..., NutServer]) -> None:
    nut = nut_factory(["ups1", "ups2"], maxage=3)
    async with NutClient(nut.host, nut.port, timeout=2) as c:
        assert (await c.list_var("ups1"))["ups.status"] == "OL"
        nut.pause_driver("ups1")
        try:
            err, _ = await wait_for_error(lambda: c.list_var("ups1"), NutDataStale, 10)
            assert err.code == "data-stale" and err.no_fresh_data
            assert isinstance(err, NutDataStale)
            # Other UPS on the same server and connection are unaffected.
            assert (await c.list_var("ups2"))["ups.status"] == "OL"
        finally:
            nut.resume_driver("ups1")
        deadline = time.monotonic() + 10
        while True:
            try:
                assert (await c.list_var("ups1"))["battery.charge"] == "100"
                break
            except NutDataStale:
                assert time.monotonic() < deadline, "data never became fresh again"
                await asyncio.sleep(0.2)


async def test_driver_killed(nut_factory: Callable[..., NutServer]) -> None:
    nut = nut_factory(["ups1", "ups2"])
    async with NutClient(nut.host, nut.port, timeout=2) as c:
        assert (await c.list_var("ups1"))["ups.status"] == "OL"
        nut.kill_driver("ups1")
        err, _ = await wait_for_error(lambda: c.list_var("ups1"), NutDriverNotConnected, 8)
        assert err.code == "driver-not-connected" and err.no_fresh_data
        assert not isinstance(err, NutConnectionError)
        assert (await c.get_var("ups2", "battery.charge")) == "100"
        nut.start_driver("ups1")
        nut.wait_ready()
        assert (await c.list_var("ups1"))["battery.charge"] == "100"


async def test_upsd_stopped_then_restarted(nut_factory: Callable[..., NutServer]) -> None:
    nut = nut_factory(["ups1"])
    async with NutClient(nut.host, nut.port, timeout=2) as c:
        assert await c.list_ups() == {"ups1": "Test UPS ups1"}
        nut.stop_upsd()
        start = time.monotonic()
        with pytest.raises(NutConnectionError) as info:
            await c.list_var("ups1")
        assert time.monotonic() - start < 1.0
        assert info.value.code == "unreachable"
        assert not isinstance(info.value, NutTimeoutError)
        nut.start_upsd()
        # The same client object works again on the next call.
        assert (await c.list_var("ups1"))["battery.charge"] == "100"


async def test_restart_under_a_kept_open_connection(nut_factory: Callable[..., NutServer]) -> None:
    nut = nut_factory(["ups1"])
    async with NutClient(nut.host, nut.port, timeout=3) as c:
        assert (await c.list_var("ups1"))["ups.status"] == "OL"
        nut.restart_upsd()
        # No error surfaces: the dead connection is noticed and replaced within this call.
        assert (await c.list_var("ups1"))["ups.status"] == "OL"
        assert (await c.list_ups()) == {"ups1": "Test UPS ups1"}


async def test_connection_refused_is_fast() -> None:
    client = NutClient("127.0.0.1", free_port(), timeout=5)
    start = time.monotonic()
    with pytest.raises(NutConnectionError) as info:
        await client.list_ups()
    assert time.monotonic() - start < 0.5
    assert "refused" in str(info.value)
    assert info.value.code == "unreachable"
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


class SilentServer:
    """Accepts, reads what the client sends, never answers; records open/closed connections."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.opened = 0
        self.closed = 0
        self.server: asyncio.Server | None = None
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened += 1
        while data := await reader.read(4096):
            self.received.append(data)
        self.closed += 1
        writer.close()

    async def __aenter__(self) -> SilentServer:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()


@pytest.fixture
async def silent() -> AsyncIterator[SilentServer]:
    async with SilentServer() as server:
        yield server


async def test_silent_server_times_out_and_drops_the_connection(silent: SilentServer) -> None:
    client = NutClient("127.0.0.1", silent.port, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(NutTimeoutError) as info:
        await client.list_var("ups1")
    elapsed = time.monotonic() - start
    assert 0.45 <= elapsed < 1.0
    assert info.value.code == "timeout"
    assert isinstance(info.value, NutConnectionError)
    assert b"LIST VAR ups1\n" in b"".join(silent.received)
    await asyncio.sleep(0.1)
    assert silent.closed == 1 and not client.connected  # half-read replies are not reused
    with pytest.raises(NutTimeoutError):
        await client.get_var("ups1", "ups.status")
    assert silent.opened == 2
    await client.close()


async def test_cancelled_call_does_not_poison_the_connection(silent: SilentServer) -> None:
    client = NutClient("127.0.0.1", silent.port, timeout=5)
    task = asyncio.create_task(client.list_ups())
    await asyncio.sleep(0.2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not client.connected
