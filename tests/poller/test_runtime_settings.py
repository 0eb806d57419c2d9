"""The running poller takes saved system settings without a restart (against a real upsd): the
poll interval, measured by when it actually asks upsd, and the others it hands on."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest

from powerpulse import runtime_settings
from powerpulse.config import Settings
from powerpulse.nut.client import NutClient
from powerpulse.poller.config_cache import ServerConfig
from powerpulse.poller.loop import Poller
from powerpulse.poller.sweep import default_client
from tests.conftest import make_settings
from tests.poller.conftest import add_nut
from tests.support.nut_server import NutServer as RealNut

JWT = "test-secret-that-is-long-enough-for-hs256"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """No POLL_INTERVAL in the environment (it would win): the default 5 s to start with."""
    return Settings.from_env(
        {"POWERPULSE_DATA_DIR": str(tmp_path / "data"), "JWT_SECRET": JWT, "LOG_LEVEL": "WARNING"}
    )


class Polls:
    """A real client that records when each poll (`list_var_many`) reached upsd."""

    def __init__(self) -> None:
        self.at: list[float] = []

    def factory(self, config: ServerConfig, timeout: float) -> NutClient:
        client = default_client(config, timeout)
        real = client.list_var_many
        at = self.at

        async def recorded(names: Iterable[str]) -> Any:
            at.append(time.monotonic())
            return await real(names)

        client.list_var_many = recorded  # type: ignore[method-assign]
        return client

    async def wait(self, count: int, timeout: float) -> list[float]:
        """The next `count` poll times after now."""
        start = len(self.at)
        deadline = time.monotonic() + timeout
        while len(self.at) < start + count:
            assert time.monotonic() < deadline, f"only {len(self.at) - start} polls in {timeout} s"
            await asyncio.sleep(0.02)
        return self.at[start : start + count]


@pytest.fixture
async def running(db: Settings) -> AsyncIterator[tuple[Poller, Polls]]:
    polls = Polls()
    poller = Poller(db, client_factory=polls.factory)
    stop = asyncio.Event()
    task = asyncio.create_task(poller.run(stop))
    yield poller, polls
    stop.set()
    await asyncio.wait_for(task, 10)


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


async def test_a_saved_poll_interval_applies_without_a_restart(
    nut: RealNut, running: tuple[Poller, Polls]
) -> None:
    poller, polls = running
    await add_nut(nut)
    await polls.wait(1, timeout=10)  # the first poll, then a 5 s sleep
    saved_at = time.monotonic()
    await runtime_settings.save({"poll_interval": 0.4})
    # The sleep in progress is cut short: polls every 0.4 s within about a lease tick (1 s).
    times = await polls.wait(6, timeout=4)
    assert times[0] - saved_at < 1.5
    assert all(0.25 < g < 0.8 for g in gaps(times)), gaps(times)
    await runtime_settings.save({"poll_interval": 1.2, "history_interval": 30})
    await asyncio.sleep(1.5)  # let the change land
    times = await polls.wait(3, timeout=6)
    assert all(1.0 < g < 1.6 for g in gaps(times)), gaps(times)
    assert poller.schedule.interval == 30
    assert all(p.settings.poll_interval == 1.2 for p in poller.servers.values())


async def test_the_environment_wins_over_a_saved_value(
    tmp_path: Path, nut: RealNut, db: Settings
) -> None:
    # The database is `db`'s (already open); only the environment differs.
    env = make_settings(tmp_path / "env", POLL_INTERVAL="0.3")
    await runtime_settings.save({"poll_interval": 10, "comm_grace_seconds": 7})
    poller = Poller(env)
    try:
        await add_nut(nut)
        await poller.sweep_once()
        assert poller.settings.poll_interval == 0.3  # POLL_INTERVAL is set
        assert poller.settings.comm_grace_seconds == 7  # COMM_GRACE_SECONDS is not
        assert all(p.rules.comm_grace == 7 for p in poller.servers.values())
    finally:
        await poller.close()
