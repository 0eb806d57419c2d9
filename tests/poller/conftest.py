"""Poller fixtures: configure real NUT servers in the database, drive the poller step by step."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import Event, NutServer, UpsLiveState, UpsSystem
from powerpulse.poller.loop import Poller
from tests.conftest import make_settings
from tests.support.nut_server import NutServer as RealNut


async def add_server(
    host: str,
    port: int,
    ups_names: list[str],
    username: str | None = None,
    password: str | None = None,
) -> dict[str, int]:
    """Configure a NUT server and its UPS as the API would (bumping the config counter)."""
    server = await NutServer.create(host=host, port=port, username=username, password=password)
    ids = {}
    for name in ups_names:
        ups = await UpsSystem.create(name=f"UPS {name}", nut_server=server, ups_name=name)
        ids[name] = ups.id
    await counters.bump(counters.CONFIG)
    return ids


async def add_nut(nut: RealNut, **kw: str) -> dict[str, int]:
    return await add_server(nut.host, nut.port, nut.ups_names, **kw)


async def live(ups_id: int) -> UpsLiveState:
    """The UPS's live row; an empty one while the poller has not created it yet."""
    return await UpsLiveState.get_or_none(ups_id=ups_id) or UpsLiveState(ups_id=ups_id)


async def kinds(ups_id: int) -> list[str]:
    return [e.kind for e in await Event.filter(ups_id=ups_id).order_by("id")]


async def sweep_until(
    poller: Poller,
    check: Callable[[], Awaitable[bool]],
    timeout: float = 10.0,
    interval: float = 0.2,
) -> float:
    """Sweep every `interval` until `check()` holds; return the seconds it took."""
    start = time.monotonic()
    while True:
        await poller.sweep_once()
        if await check():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(interval)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast polls and a short communication grace, so fault tests take seconds."""
    return make_settings(tmp_path / "data", POLL_INTERVAL="0.3", COMM_GRACE_SECONDS="1.5")


@pytest.fixture
async def poller(db: Settings) -> AsyncIterator[Poller]:
    p = Poller(db)
    yield p
    await p.close()
