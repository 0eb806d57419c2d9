"""The simulator server (in-process) read and written by PowerPulse's own NUT client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutAccessDenied, NutUnknownUps, NutVarNotSupported
from powerpulse.simulator.protocol import Site
from powerpulse.simulator.scenario import build_specs
from powerpulse.simulator.server import SimulatorServer


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def sim() -> AsyncIterator[tuple[SimulatorServer, Clock]]:
    clock = Clock()
    server = SimulatorServer(Site(build_specs(3), cycle=100.0), port=0, clock=clock)
    await server.start()
    yield server, clock
    await server.stop()


async def test_nut_client_lists_reads_and_follows_the_outage(
    sim: tuple[SimulatorServer, Clock],
) -> None:
    server, clock = sim
    async with NutClient("127.0.0.1", server.port, timeout=2) as client:
        ups = await client.list_ups()
        assert list(ups) == ["rack-a", "rack-b", "closet"]
        assert ups["closet"] == 'Network closet \\ 2nd floor ("small" one)'
        assert (await client.list_var("rack-a"))["ups.status"] == "OL"
        clock.t = 30.0
        assert await client.get_var("rack-a", "ups.status") == "OB DISCHRG"
        assert float(await client.get_var("rack-a", "battery.charge")) < 100
        assert await client.get_type("rack-a", "ups.delay.shutdown") == ["RW", "RANGE"]
        assert await client.list_enum("rack-a", "input.sensitivity") == ["low", "medium", "high"]
        assert "beeper.mute" in await client.list_cmd("rack-a")
        with pytest.raises(NutUnknownUps):
            await client.list_var("nope")
        with pytest.raises(NutVarNotSupported):
            await client.get_var("rack-a", "no.such.var")


async def test_nut_client_writes_with_credentials(sim: tuple[SimulatorServer, Clock]) -> None:
    server, _ = sim
    async with NutClient("127.0.0.1", server.port, "admin", "wrong", timeout=2) as client:
        with pytest.raises(NutAccessDenied):
            await client.instcmd("rack-b", "beeper.mute")
    async with NutClient("127.0.0.1", server.port, "admin", "simulator", timeout=2) as client:
        await client.instcmd("rack-b", "beeper.mute")
        await client.set_var("rack-b", "input.sensitivity", "high")
        assert await client.get_var("rack-b", "ups.beeper.status") == "muted"
        assert (await client.list_rw("rack-b"))["input.sensitivity"] == "high"
