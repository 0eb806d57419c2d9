"""The real `powerpulse poller` process (through tests.support.stack)."""

from __future__ import annotations

import asyncio
import time

from powerpulse.config import Settings
from tests.poller.conftest import add_nut, kinds, live
from tests.support.engines import stack_env
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
    with Stack(db.data_dir, env={"POLL_INTERVAL": "0.3", **stack_env(db)}) as stack:
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


async def test_dev_edit_reaches_the_api_within_a_poll_plus_driver_delay(
    db: Settings, nut: RealNut
) -> None:
    with Stack(db.data_dir, env={"POLL_INTERVAL": "0.5", **stack_env(db)}) as stack:
        await asyncio.to_thread(stack.start_api)
        token = await asyncio.to_thread(stack.setup_admin, nut.host, nut.port)
        await asyncio.to_thread(stack.start_poller)

        async def charges() -> list[object]:
            status, body = await asyncio.to_thread(
                stack.request, "GET", "/api/ups-systems", None, token
            )
            assert status == 200, body
            return sorted(str(s.get("batteryCharge")) for s in body)

        async def ready() -> bool:
            return await charges() == ["100", "100"]

        await wait_for(ready)
        nut.set_vars("ups1", {"battery.charge": "64"})
        started = time.monotonic()

        async def shown() -> bool:
            return "64" in await charges()

        await wait_for(shown, timeout=5)
        took = time.monotonic() - started
        assert took < 0.5 + 1.0 + 0.7, took  # poll interval + driver re-read + slack


async def test_kill_9_and_restart_neither_repeats_nor_misses_events(
    db: Settings, nut: RealNut
) -> None:
    ids = await add_nut(nut)
    u = ids["ups1"]
    # kill -9 leaves the leases behind for 15 s: the restarted poller (same host, the old pid
    # gone) takes them back at once, which the time limits below rely on.
    with Stack(db.data_dir, env={"POLL_INTERVAL": "0.3", **stack_env(db)}) as stack:
        stack.start_poller()
        await wait_for(lambda: _status(u, "OL"))
        nut.set_status("ups1", "OB")
        await wait_for(lambda: _kinds_are(u, ["on_battery"]))
        await asyncio.to_thread(stack.kill, "poller")  # no cleanup at all
        nut.set_status("ups1", "OL")  # mains returns while the poller is down
        nut.wait_var("ups1", "ups.status", "OL")
        stack.start_poller()
        await wait_for(lambda: _kinds_are(u, ["on_battery", "online"]))
        await asyncio.sleep(1.5)  # several more polls: nothing else fires
        assert await kinds(u) == ["on_battery", "online"]
        assert await kinds(ids["ups2"]) == []


async def _status(ups_id: int, tokens: str) -> bool:
    return (await live(ups_id)).status_tokens == tokens


async def _kinds_are(ups_id: int, expected: list[str]) -> bool:
    return await kinds(ups_id) == expected
