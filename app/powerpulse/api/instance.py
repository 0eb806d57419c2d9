"""This api process in `api_instances`, so that `/api/system/status` can list every instance.

Registered when the server starts, its heartbeat renewed every `HEARTBEAT_SECONDS`, removed
when it stops cleanly; an instance killed without stopping stays listed with an old heartbeat
(`alive` false once it is older than `STALE_AFTER`) until `FORGET_AFTER`, when any live
instance deletes it. Each Sanic worker of `WEB_CONCURRENCY` is one instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sanic import Sanic

from powerpulse.db import dialect
from powerpulse.db.models import ApiInstance
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 10.0
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_SECONDS)
FORGET_AFTER = timedelta(hours=1)

_BEAT_SQL = dialect.upsert(
    "api_instances",
    ("id", "host", "pid", "started_at", "heartbeat_at"),
    ("id",),
    ("heartbeat_at = excluded.heartbeat_at",),
)

_FORGET_SQL = "DELETE FROM api_instances WHERE heartbeat_at < ?"


def new_instance_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def alive(heartbeat_at: datetime, now: datetime) -> bool:
    return now - heartbeat_at <= STALE_AFTER


@dataclass
class Instance:
    id: str = field(default_factory=new_instance_id)
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    started_at: datetime = field(default_factory=utcnow)

    async def beat(self) -> None:
        now = utcnow()
        await dialect.execute(_BEAT_SQL, [self.id, self.host, self.pid, self.started_at, now])
        await dialect.execute(_FORGET_SQL, [now - FORGET_AFTER])

    async def beat_safely(self) -> None:
        try:
            await self.beat()
        except Exception as err:  # a database hiccup must not stop the api nor the heartbeat
            log.warning("api instance heartbeat failed: %s", err)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            await self.beat_safely()

    async def remove(self) -> None:
        await ApiInstance.filter(id=self.id).delete()


def register(app: Sanic) -> None:
    """Heartbeat listeners for a served app. An app driven in-process (`Sanic.test_mode`: the
    tests' ASGI client, `scripts/openapi_dump.py`) is not an instance anyone reaches, and a
    heartbeat there left its SQLite connection open at exit (the dump hung)."""
    if Sanic.test_mode:
        return

    @app.after_server_start
    async def start_heartbeat(app: Sanic) -> None:
        instance = Instance()
        app.ctx.instance = instance
        # The first beat here, in the listener: the database connection is this context's
        # (a task cancelled while opening one left it unclosed at exit).
        await instance.beat_safely()
        app.ctx.instance_task = asyncio.create_task(instance.run())

    @app.before_server_stop
    async def stop_heartbeat(app: Sanic) -> None:
        task: asyncio.Task[None] | None = getattr(app.ctx, "instance_task", None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        instance: Instance | None = getattr(app.ctx, "instance", None)
        if instance is not None:
            with contextlib.suppress(Exception):
                await instance.remove()
