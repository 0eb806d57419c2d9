"""The api worker's app served in-process on a free port, with its live watcher running."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import bcrypt
import pytest
from sanic import Sanic

from powerpulse.api.app import create_app
from powerpulse.api.auth import issue_token
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsLiveState, UpsSystem, User
from powerpulse.timeutil import utcnow
from tests.support.nut_server import free_port

# Cost 4: users made by fixtures need not cost a quarter second each.
FAST_HASH = bcrypt.hashpw(b"correct horse battery", bcrypt.gensalt(4)).decode()


@dataclass
class Api:
    app: Sanic
    url: str
    session: aiohttp.ClientSession

    @property
    def watcher(self) -> Any:
        return self.app.ctx.live_watcher

    async def caught_up(self, timeout: float = 3.0) -> None:
        """Wait until the watcher has read every write made so far (it looks every 0.25 s)."""
        live, config = await counters.read(counters.LIVE), await counters.read(counters.CONFIG)
        async with asyncio.timeout(timeout):
            while self.watcher.live_version < live or self.watcher.config_version < config:
                await asyncio.sleep(0.02)

    async def ticket(self, token: str) -> str:
        async with self.session.post(
            f"{self.url}/api/stream/ticket", headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            assert resp.status == 200, await resp.text()
            body = await resp.json()
        assert body["expiresIn"] == 60
        return str(body["ticket"])


@pytest.fixture
async def api(db: Settings) -> AsyncIterator[Api]:
    app = create_app(db, name=f"pp_stream_{uuid.uuid4().hex[:8]}")
    # Touch-up rewrites Sanic's HTTP class once per process; a second app in the same process
    # (the next test) would fail on it.
    app.config.TOUCHUP = False
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    # Until its first load the watcher's cursors are not "now": an event written then would be
    # counted as already seen, and a client connecting then gets an empty snapshot.
    async with asyncio.timeout(10):
        while not app.ctx.live_watcher.loaded:
            await asyncio.sleep(0.02)
    session = aiohttp.ClientSession()
    try:
        yield Api(app, f"http://127.0.0.1:{port}", session)
    finally:
        await session.close()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
        Sanic._app_registry.pop(app.name, None)


async def make_user(username: str = "alice", role: str = "admin") -> tuple[User, str]:
    """A user and a login token for them."""
    user = await User.create(username=username, password_hash=FAST_HASH, role=role)
    return user, issue_token(user)


async def make_ups(name: str = "ups1", port: int = 3493) -> UpsSystem:
    server, _ = await NutServer.get_or_create(host="127.0.0.1", port=port)
    ups = await UpsSystem.create(name=name, ups_name=name, nut_server=server)
    await counters.bump(counters.CONFIG)
    return ups


async def write_live(ups: UpsSystem, status: str, **variables: str) -> int:
    """What the poller does after a poll: the live row with a fresh LIVE version."""
    version = await counters.bump(counters.LIVE)
    now = utcnow()
    values = {"ups.status": status, "battery.charge": "100", **variables}
    await UpsLiveState.update_or_create(
        defaults={
            "variables": values,
            "status_tokens": status,
            "last_success_at": now,
            "last_attempt_at": now,
            "version": version,
        },
        ups=ups,
    )
    return version
