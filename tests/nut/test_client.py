"""NutClient against a real upsd + dummy-ups: every command, escapes, auth, one connection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import (
    NutAccessDenied,
    NutAuthError,
    NutCmdNotSupported,
    NutDriverNotConnected,
    NutInvalidValue,
    NutUnknownUps,
    NutVarNotSupported,
)
from tests.nut.conftest import ESCAPED
from tests.support.nut_server import NUT_PASSWORD, NUT_USER, NutServer


@pytest.fixture(scope="module")
def rw_nut() -> Iterator[NutServer]:
    """One upsd for the tests that write (SET VAR, INSTCMD): they touch different values."""
    server = NutServer(["ups1"])
    server.start()
    yield server
    server.stop()


def local_port(client: NutClient) -> int:
    assert client._writer is not None
    return int(client._writer.get_extra_info("sockname")[1])


async def test_read_commands(shared: NutServer) -> None:
    async with NutClient(shared.host, shared.port, timeout=3) as c:
        assert await c.list_ups() == {"ups1": "Test UPS ups1", "ups2": "Test UPS ups2"}
        port = local_port(c)
        variables = await c.list_var("ups1")
        assert variables["battery.charge"] == "100"
        assert variables["device.model"] == "Smart-UPS 1500"
        assert variables["battery.type"] == ESCAPED
        assert variables["driver.name"] == "dummy-ups"
        assert (await c.list_var("ups2"))["ups.status"] == "OB LB"
        assert await c.list_cmd("ups1") == ["load.off"]
        rw = await c.list_rw("ups1")
        assert rw["battery.charge"] == "100" and "driver.name" not in rw
        assert await c.list_enum("ups1", "ups.status") == []
        assert await c.list_range("ups1", "battery.charge") == []
        assert await c.get_var("ups1", "battery.type") == ESCAPED
        assert await c.get_var("ups1", "ups.temperature") == "25.5"
        assert await c.get_type("ups1", "battery.charge") == ["RW", "NUMBER"]
        assert (await c.get_type("ups1", "device.model"))[0] == "RW"
        assert await c.get_desc("ups1", "battery.charge") == "Battery charge (percent of full)"
        assert await c.get_upsdesc("ups2") == "Test UPS ups2"
        assert await c.get_cmddesc("ups1", "load.off") == "Turn off the load immediately"
        # Every command above went over the one connection opened by the first call.
        assert local_port(c) == port


async def test_errors_keep_the_connection(shared: NutServer) -> None:
    async with NutClient(shared.host, shared.port, timeout=3) as c:
        await c.connect()
        port = local_port(c)
        with pytest.raises(NutUnknownUps) as unknown:
            await c.list_var("nosuchups")
        assert unknown.value.code == "unknown-ups" and not unknown.value.no_fresh_data
        with pytest.raises(NutVarNotSupported):
            await c.get_var("ups1", "no.such.var")
        with pytest.raises(NutVarNotSupported):
            await c.list_enum("ups1", "no.such.var")
        with pytest.raises(NutUnknownUps):
            await c.get_upsdesc("nosuchups")
        assert (await c.get_var("ups1", "battery.charge")) == "100"
        assert local_port(c) == port


async def test_bad_names_are_refused_before_sending(shared: NutServer) -> None:
    async with NutClient(shared.host, shared.port, timeout=3) as c:
        for bad in ("ups1 extra", "ups1\nINSTCMD ups1 load.off", ""):
            with pytest.raises(NutInvalidValue):
                await c.list_var(bad)
        with pytest.raises(NutInvalidValue):
            await c.set_var("ups1", "battery.type", "two\nlines")
        assert not c.connected  # nothing was sent


async def test_concurrent_calls_are_serialised(shared: NutServer) -> None:
    async with NutClient(shared.host, shared.port, timeout=5) as c:
        names = ["ups1", "ups2"] * 25
        results = await asyncio.gather(*(c.list_var(n) for n in names))
        statuses = [r["ups.status"] for r in results]
        assert statuses == ["OL", "OB LB"] * 25
        assert all(len(r) > 20 for r in results)


async def test_quickack_keeps_list_var_fast(shared: NutServer) -> None:
    """Without re-armed TCP_QUICKACK each LIST VAR stalls ~40 ms on a kept-open connection."""
    async with NutClient(shared.host, shared.port, timeout=5) as c:
        await c.list_var("ups1")
        start = time.perf_counter()
        for _ in range(20):
            await c.list_var("ups1")
        per_call = (time.perf_counter() - start) / 20
    assert per_call < 0.015, f"{per_call * 1000:.1f} ms per LIST VAR"


async def test_instcmd_needs_credentials(rw_nut: NutServer) -> None:
    nut = rw_nut
    async with NutClient(nut.host, nut.port, timeout=3) as anonymous:
        with pytest.raises(NutAuthError) as info:
            await anonymous.instcmd("ups1", "load.off")
        assert info.value.nut_code == "USERNAME-REQUIRED"
        assert info.value.code == "auth-failed"
        with pytest.raises(NutAuthError):
            await anonymous.set_var("ups1", "battery.charge", "50")
    # USERNAME/PASSWORD are really sent: the same command now succeeds.
    async with NutClient(nut.host, nut.port, NUT_USER, NUT_PASSWORD, timeout=3) as admin:
        await admin.instcmd("ups1", "load.off")
        await admin.instcmd("ups1", "load.off", "5")  # 1.3 optional parameter
        with pytest.raises(NutCmdNotSupported):  # dummy-ups offers only load.off
            await admin.instcmd("ups1", "beeper.toggle")
        assert (await admin.list_var("ups1"))["ups.status"] == "OL"  # reads still work


async def test_wrong_password_is_denied_when_an_action_needs_it(rw_nut: NutServer) -> None:
    nut = rw_nut
    wrong = "not-the-password"
    async with NutClient(nut.host, nut.port, NUT_USER, wrong, timeout=3) as c:
        # upsd accepts any PASSWORD at login time, so reading works...
        assert (await c.list_ups()) == {"ups1": "Test UPS ups1"}
        # ...and the action is refused.
        with pytest.raises(NutAccessDenied) as info:
            await c.instcmd("ups1", "load.off")
        assert info.value.code == "access-denied"
        assert wrong not in str(info.value) and wrong not in repr(c)
        with pytest.raises(NutAccessDenied):
            await c.set_var("ups1", "battery.charge", "42")


async def test_set_var_then_read_back(rw_nut: NutServer) -> None:
    nut = rw_nut
    async with NutClient(nut.host, nut.port, NUT_USER, NUT_PASSWORD, timeout=3) as c:
        await c.set_var("ups1", "battery.charge", "55")
        await c.set_var("ups1", "battery.type", "Lithium Ion")
        with pytest.raises(NutVarNotSupported):
            await c.set_var("ups1", "no.such.var", "1")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the driver applies SET asynchronously
            values = await c.list_var("ups1")
            if values["battery.charge"] == "55" and values["battery.type"] == "Lithium Ion":
                break
            await asyncio.sleep(0.2)
        assert await c.get_var("ups1", "battery.charge") == "55"
        assert await c.get_var("ups1", "battery.type") == "Lithium Ion"


async def test_list_var_many_pipelines_and_keeps_per_ups_errors(
    nut_factory: Callable[..., NutServer],
) -> None:
    nut = nut_factory(["ups1", "ups2", "ups3"])
    nut.kill_driver("ups3")
    async with NutClient(nut.host, nut.port, timeout=3) as c:
        await c.connect()
        port = local_port(c)
        deadline = time.monotonic() + 8
        while True:
            result = await c.list_var_many(["ups1", "nosuchups", "ups2", "ups3", "ups1"])
            if isinstance(result["ups3"], NutDriverNotConnected) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert list(result) == ["ups1", "nosuchups", "ups2", "ups3"]  # duplicates asked once
        ups1, ups2 = result["ups1"], result["ups2"]
        assert isinstance(ups1, dict) and ups1["battery.charge"] == "100"
        assert isinstance(ups2, dict) and ups2["ups.status"] == "OL"
        assert isinstance(result["nosuchups"], NutUnknownUps)
        assert isinstance(result["ups3"], NutDriverNotConnected)
        assert result["ups3"].no_fresh_data
        # The replies stayed in step: the next single command gets its own answer.
        assert await c.get_var("ups2", "ups.temperature") == "25.5"
        assert await c.list_var_many([]) == {}
        assert local_port(c) == port


async def test_list_var_many_over_several_windows(shared: NutServer) -> None:
    """300 commands in one batch (more than one write window), lists and ERRs interleaved."""
    names = [n for i in range(150) for n in (f"ghost{i:03d}", "ups1" if i % 2 else "ups2")]
    names = list(dict.fromkeys(names)) + [f"late{i}" for i in range(148)]
    async with NutClient(shared.host, shared.port, timeout=5) as c:
        many = await c.list_var_many(names)
        assert list(many) == names and len(names) == 300
        assert many["ups1"] == await c.list_var("ups1")
        assert many["ups2"] == await c.list_var("ups2")
        errors = [v for k, v in many.items() if k not in ("ups1", "ups2")]
        assert len(errors) == 298 and all(isinstance(e, NutUnknownUps) for e in errors)
