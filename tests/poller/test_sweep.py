"""The poller against real upsd + dummy-ups: live state, samples, errors, configuration."""

from __future__ import annotations

from pathlib import Path

from powerpulse.db.models import Sample
from powerpulse.poller.loop import Poller
from tests.poller.conftest import add_nut, live, sweep_until
from tests.support.nut_server import NutServer as RealNut


async def test_first_sweep_writes_live_state_and_a_sample(nut: RealNut, poller: Poller) -> None:
    ids = await add_nut(nut)
    results = await poller.sweep_once()
    assert [r.ok for r in results.values()] == [2]
    row = await live(ids["ups1"])
    assert row.status_tokens == "OL"
    assert row.variables["battery.charge"] == "100"
    assert row.error_code is None
    assert row.last_success_at is not None and row.version > 0
    sample = await Sample.get(ups_id=ids["ups1"])
    assert (sample.charge, sample.runtime, sample.load, sample.status) == (
        100.0,
        1800.0,
        30.0,
        "OL",
    )


async def test_dev_edit_shows_up_within_a_poll_plus_driver_delay(
    nut: RealNut, poller: Poller
) -> None:
    ids = await add_nut(nut)
    await poller.sweep_once()
    before = (await live(ids["ups1"])).version
    nut.set_vars("ups1", {"battery.charge": "77", "ups.load": "55"})

    async def seen() -> bool:
        return (await live(ids["ups1"])).variables.get("battery.charge") == "77"

    took = await sweep_until(poller, seen, timeout=5, interval=0.5)
    row = await live(ids["ups1"])
    assert took < 0.5 + 1.5, took  # one poll interval + the driver's ~1 s re-read
    assert row.variables["ups.load"] == "55" and row.version > before
    # ups2 was untouched: its content (and version) did not change.
    assert (await live(ids["ups2"])).variables["battery.charge"] == "100"


def client_connections(port: int) -> int:
    """Established TCP connections (any process here) whose remote end is 127.0.0.1:`port`."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port == port and fields[3] == "01":
            count += 1
    return count


async def test_one_persistent_connection_per_server(nut: RealNut, poller: Poller) -> None:
    await add_nut(nut)
    await poller.sweep_once()
    client = next(iter(poller.servers.values())).client
    for _ in range(10):
        await poller.sweep_once()
    assert next(iter(poller.servers.values())).client is client and client.connected
    assert client_connections(nut.port) == 1  # the original opened one per call, never closed
