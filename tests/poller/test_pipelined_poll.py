"""One pipelined `LIST VAR` exchange per server and poll, with per-UPS error isolation kept.

Real upsd + dummy-ups: a stale driver, a dead driver, a UPS upsd does not know, a name that is
not a NUT name and a WAIT-only status each mark only their own UPS; a dead upsd marks them all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsSystem
from powerpulse.nut.client import NutClient
from powerpulse.poller.config_cache import ServerConfig
from powerpulse.poller.loop import Poller
from powerpulse.poller.sweep import default_client
from tests.poller.conftest import add_nut, live, sweep_until
from tests.support.nut_server import NutServer as RealNut


class CountingClient(NutClient):
    """A real client that counts how the poller talks to upsd."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.many_calls: list[list[str]] = []
        self.single_calls = 0

    async def list_var_many(self, ups_names):  # type: ignore[no-untyped-def,override]
        names = list(ups_names)
        self.many_calls.append(names)
        return await super().list_var_many(names)

    async def list_var(self, ups: str) -> dict[str, str]:
        self.single_calls += 1
        return await super().list_var(ups)


def counting_factory(made: list[CountingClient]) -> Callable[[ServerConfig, float], NutClient]:
    def make(config: ServerConfig, timeout: float) -> NutClient:
        template = default_client(config, timeout)
        client = CountingClient(
            template.host,
            template.port,
            username=template.username,
            password=config.password,
            starttls=template.starttls,
            timeout=timeout,
        )
        made.append(client)
        return client

    return make


async def _error(ups_id: int) -> tuple[str | None, str | None]:
    row = await live(ups_id)
    return row.error_code, row.error_message


async def test_per_ups_errors_stay_isolated_in_one_pipelined_exchange(
    nut_factory: Callable[..., RealNut], db: Settings
) -> None:
    nut = nut_factory(["good1", "stale", "dead", "waiting", "good2"], maxage=2)
    ids = await add_nut(nut)
    server = await NutServer.get(port=nut.port)
    ghost = await UpsSystem.create(name="Ghost", nut_server=server, ups_name="ghost")
    bad = await UpsSystem.create(name="Bad", nut_server=server, ups_name="bad name")
    await counters.bump(counters.CONFIG)
    made: list[CountingClient] = []
    poller = Poller(db, client_factory=counting_factory(made))
    try:
        await poller.sweep_once()
        assert (await live(ids["stale"])).error_code is None
        nut.pause_driver("stale")  # upsd answers DATA-STALE after MAXAGE (2 s)
        nut.kill_driver("dead")  # DRIVER-NOT-CONNECTED
        nut.set_status("waiting", "WAIT")
        nut.set_vars("good1", {"battery.charge": "64"})

        async def all_marked() -> bool:
            return (
                (await live(ids["stale"])).error_code == "data-stale"
                and (await live(ids["dead"])).error_code == "driver-not-connected"
                and (await live(ids["waiting"])).error_code == "driver-waiting"
                and (await live(ids["good1"])).variables.get("battery.charge") == "64"
            )

        await sweep_until(poller, all_marked, timeout=15, interval=0.3)
        label = f"127.0.0.1:{nut.port}"
        assert await _error(ghost.id) == (
            "unknown-ups",
            f"UPS ghost is no longer on NUT server {label}",
        )
        code, message = await _error(bad.id)
        assert code == "invalid-value" and "bad name" in (message or "")
        for name in ("good1", "good2"):
            row = await live(ids[name])
            assert row.error_code is None and row.status_tokens == "OL", name
        # The stale and the dead UPS keep their last good values next to the error.
        assert (await live(ids["stale"])).variables["battery.charge"] == "100"

        client = made[0]
        assert client.single_calls == 0  # never one LIST VAR at a time
        assert len(made) == 1 and client.many_calls
        # One exchange per poll, every valid name in it (the invalid one is never sent).
        assert all(
            sorted(c) == ["dead", "ghost", "good1", "good2", "stale", "waiting"]
            for c in client.many_calls
        )
    finally:
        nut.resume_driver("stale")
        await poller.close()


async def test_a_dead_upsd_marks_every_ups_and_they_all_come_back(
    nut_factory: Callable[..., RealNut], poller: Poller
) -> None:
    nut = nut_factory(["a", "b", "c"])
    ids = await add_nut(nut)
    await poller.sweep_once()
    nut.stop_upsd()
    results = await poller.sweep_once()
    assert [(r.ok, r.failed) for r in results.values()] == [(0, 3)]
    for ups_id in ids.values():
        code, message = await _error(ups_id)
        assert code == "unreachable" and "refused" in (message or "")
    nut.start_upsd()

    async def back() -> bool:
        rows = [await live(i) for i in ids.values()]
        return all(r.error_code is None for r in rows)

    await sweep_until(poller, back, timeout=40, interval=0.3)


async def test_unchanged_readings_still_refresh_last_success(nut: RealNut, poller: Poller) -> None:
    """Detection is skipped for UPS whose readings did not change; freshness is not."""
    ids = await add_nut(nut)
    await poller.sweep_once()
    await poller.sweep_once()
    first = (await live(ids["ups1"])).last_success_at
    version = (await live(ids["ups1"])).version
    await asyncio.sleep(2.1)  # FRESHNESS_EVERY
    await poller.sweep_once()
    row = await live(ids["ups1"])
    assert row.last_success_at is not None and first is not None
    assert row.last_success_at > first
    assert row.version == version  # freshness alone does not renumber the row
