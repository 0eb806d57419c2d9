"""API test fixtures: an app on a migrated temp database, users and tokens, NUT helpers.

Users made by fixtures get a bcrypt hash of cost 4 so a test does not spend a quarter second
per user; everything the API itself hashes (setup, register, password changes) uses cost 12.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bcrypt
import httpx
import orjson
import pytest
from sanic import Sanic

from powerpulse.api import list_cache
from powerpulse.api.app import create_app
from powerpulse.api.auth import forget_all_users, issue_token
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsLiveState, UpsSystem, User, UserSettings
from powerpulse.db.setup import close_db, init_db, run_migrations
from powerpulse.timeutil import utcnow
from tests.conftest import make_settings
from tests.support.engines import with_database

PASSWORD = "correct-horse-1"
FAST_HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
_names = itertools.count()


class _Anything:
    def __eq__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


ANY = _Anything()

Sanic.test_mode = True


class Client:
    """httpx over ASGI against the app, with Sanic's lifespan run once (not per request, as
    sanic-testing's client does: that costs ~0.25 s a request). Returns (status, json, resp)."""

    def __init__(self, app: Sanic, client_addr: str = "127.0.0.1") -> None:
        self.app = app
        transport = httpx.ASGITransport(app=app, client=(client_addr, 50000))  # type: ignore[arg-type]
        self.http = httpx.AsyncClient(transport=transport, base_url="http://testserver")

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        content: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[int, Any, httpx.Response]:
        hdrs = dict(headers or {})
        if token:
            hdrs["Authorization"] = f"Bearer {token}"
        if json is not None:
            content = orjson.dumps(json)
            hdrs.setdefault("Content-Type", "application/json")
        resp = await self.http.request(method, path, headers=hdrs, content=content, **kwargs)
        try:
            body = orjson.loads(resp.content) if resp.content else None
        except orjson.JSONDecodeError:
            body = resp.text
        return resp.status_code, body, resp

    async def get(self, path: str, **kw: Any) -> tuple[int, Any, httpx.Response]:
        return await self.request("GET", path, **kw)

    async def post(self, path: str, **kw: Any) -> tuple[int, Any, httpx.Response]:
        return await self.request("POST", path, **kw)

    async def put(self, path: str, **kw: Any) -> tuple[int, Any, httpx.Response]:
        return await self.request("PUT", path, **kw)

    async def delete(self, path: str, **kw: Any) -> tuple[int, Any, httpx.Response]:
        return await self.request("DELETE", path, **kw)


class Lifespan:
    """Drive the ASGI lifespan protocol: Sanic's server-start listeners run once."""

    def __init__(self, app: Sanic) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def _send(self, message: dict[str, Any]) -> None:
        await self.outbox.put(message)

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self._send))  # type: ignore[arg-type]
        await self.inbox.put({"type": "lifespan.startup"})
        message = await asyncio.wait_for(self.outbox.get(), 10)
        assert message["type"] == "lifespan.startup.complete", message

    async def stop(self) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self.outbox.get(), 10)
        if self.task is not None:
            await asyncio.wait_for(self.task, 10)


@pytest.fixture(autouse=True)
def read_list_key_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests write live rows directly and read at once; production re-reads the list's change
    key every 50 ms and answers from the previous list while rebuilding (test_list_cache and
    test_ups_systems check those on their own)."""
    monkeypatch.setattr(list_cache, "KEY_CHECK_SECONDS", 0.0)
    monkeypatch.setattr(list_cache, "STALE_WHILE_REBUILDING", False)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database per session; each test gets a copy (migrating costs ~0.2 s)."""
    settings = make_settings(tmp_path_factory.mktemp("template") / "data")
    asyncio.run(run_migrations(settings))
    return settings.data_dir


@pytest.fixture
async def db(
    settings: Settings, migrated_template: Path, database_url: str
) -> AsyncIterator[Settings]:
    """Overrides the shared fixture: a copy of the migrated template instead of a migration
    (on SQLite a file copy; on PostgreSQL `database_url` is a copy of a migrated database)."""
    settings = with_database(settings, database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if not database_url:
        for path in migrated_template.glob("powerpulse.db*"):
            shutil.copy(path, settings.data_dir / path.name)
    await init_db(settings)
    try:
        yield settings
    finally:
        await close_db()


@pytest.fixture
async def app(db: Settings) -> AsyncIterator[Sanic]:
    forget_all_users()
    app = create_app(db, name=f"powerpulse_test_{next(_names)}")
    lifespan = Lifespan(app)
    await lifespan.start()
    yield app
    await lifespan.stop()
    Sanic._app_registry.pop(app.name, None)
    forget_all_users()


@pytest.fixture
async def client(app: Sanic) -> AsyncIterator[Client]:
    client = Client(app)
    yield client
    await client.http.aclose()


async def make_user(username: str, role: str = "user", email: str | None = None) -> User:
    user = await User.create(username=username, email=email, password_hash=FAST_HASH, role=role)
    await UserSettings.create(user=user)
    return user


@dataclass
class Account:
    user: User
    token: str

    @property
    def id(self) -> int:
        return self.user.id


@pytest.fixture
async def admin(app: Sanic) -> Account:
    user = await make_user("admin", "admin", "admin@example.com")
    return Account(user, issue_token(user, app.ctx.jwt_secret))


@pytest.fixture
async def member(app: Sanic) -> Account:
    user = await make_user("alice", "user", "alice@example.com")
    return Account(user, issue_token(user, app.ctx.jwt_secret))


async def add_server(host: str = "127.0.0.1", port: int = 3493, **kw: Any) -> NutServer:
    return await NutServer.create(host=host, port=port, **kw)


async def add_ups(server: NutServer, name: str, nickname: str | None = None) -> UpsSystem:
    return await UpsSystem.create(name=name, ups_name=name, nut_server=server, nickname=nickname)


async def write_live(ups: UpsSystem, variables: dict[str, str], **kw: Any) -> UpsLiveState:
    """A live row as the poller writes it (the poller is not running in API tests)."""
    now = utcnow()
    values: dict[str, Any] = {
        "variables": variables,
        "status_tokens": variables.get("ups.status", ""),
        "last_success_at": now,
        "last_attempt_at": now,
        "error_code": None,
        "error_message": None,
        "version": await counters.bump(counters.LIVE),
        **kw,
    }
    row, _ = await UpsLiveState.update_or_create(defaults=values, ups_id=ups.id)
    return row
