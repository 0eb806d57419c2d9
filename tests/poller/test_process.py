"""The real `powerpulse poller` process (through tests.support.stack)."""

from __future__ import annotations

import asyncio
import time

from powerpulse.config import Settings
from tests.poller.conftest import add_nut, live
from tests.support.nut_server import NutServer as RealNut
from tests.support.stack import Stack


async def wait_for(check, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def test_poller_process_polls_and_stops_on_sigterm(db: Settings, nut: RealNut) -> None:
    # The test configures the database directly; the real poller process does the rest.
    ids = await add_nut(nut)
    with Stack(db.data_dir, env={"POLL_INTERVAL": "0.3"}) as stack:
        stack.start_poller()

        async def polled() -> bool:
            row = await live(ids["ups1"])
            return row.variables.get("battery.charge") == "100"

        await wait_for(polled)
        nut.set_vars("ups2", {"battery.charge": "42"})

        async def changed() -> bool:
            return (await live(ids["ups2"])).variables.get("battery.charge") == "42"

        await wait_for(changed, timeout=5)
        took = await asyncio.to_thread(stack.stop, "poller")
        assert took < 5, took
        assert stack.returncode("poller") == 0
        assert "poller stopped" in stack.log("poller")
