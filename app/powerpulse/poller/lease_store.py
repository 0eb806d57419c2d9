"""The SQL of poller leases and heartbeats (the rules are in `powerpulse.poller.leases`).

Every claim and renewal is one conditional statement, atomic on both engines: SQLite's
`BEGIN IMMEDIATE` / single writer serialises them, and on PostgreSQL an `INSERT … ON CONFLICT
DO UPDATE … WHERE` locks the conflicting row and re-checks the condition against the committed
row, so two claimers at once give one owner. `guard` runs inside a poll's write transaction:
it renews the lease and fails the transaction when the lease is no longer ours, so a poller that
lost a server cannot write its live state or events after the takeover.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.fields.data import JSON_DUMPS

from powerpulse.db import dialect
from powerpulse.poller import leases

CLAIM_SQL = dialect.upsert(
    "poller_leases",
    ("nut_server_id", "poller_id", "acquired_at", "expires_at"),
    ("nut_server_id",),
    (
        "acquired_at = CASE WHEN poller_leases.poller_id = excluded.poller_id "
        "THEN poller_leases.acquired_at ELSE excluded.acquired_at END",
        "poller_id = excluded.poller_id",
        "expires_at = excluded.expires_at",
    ),
    returning="poller_id",
).replace(
    " RETURNING ",
    " WHERE poller_leases.expires_at <= ? OR poller_leases.poller_id = excluded.poller_id "
    "RETURNING ",
)
RENEW_SQL = (
    "UPDATE poller_leases SET expires_at = ? WHERE poller_id = ? AND expires_at > ? "
    "RETURNING nut_server_id"
)
GUARD_SQL = (
    "UPDATE poller_leases SET expires_at = ? "
    "WHERE nut_server_id = ? AND poller_id = ? AND expires_at > ?"
)
RELEASE_SQL = "DELETE FROM poller_leases WHERE poller_id = ?"
RELEASE_ONE_SQL = "DELETE FROM poller_leases WHERE nut_server_id = ? AND poller_id = ?"
HEARTBEAT_SQL = dialect.upsert(
    "pollers",
    ("id", "host", "pid", "sites", "started_at", "heartbeat_at"),
    ("id",),
    ("heartbeat_at = excluded.heartbeat_at", "sites = excluded.sites"),
)
GONE_SQL = "DELETE FROM pollers WHERE id = ?"
# A poller killed without stopping stays listed (not alive) for an hour, like api instances.
FORGET_SQL = "DELETE FROM pollers WHERE heartbeat_at < ?"
FORGET_AFTER = timedelta(hours=1)


class LeaseLost(RuntimeError):
    """The lease of the server being written is no longer this poller's."""


@dataclass(frozen=True)
class Guard:
    """What a poll's write transaction checks first: this poller still holds `server_id`."""

    server_id: int
    poller_id: str
    lease: float


async def claim(server_id: int, poller_id: str, now: datetime, lease: float) -> bool:
    """Take (or renew) the lease of one server when it is free, expired or ours."""
    until = leases.expires_at(now, lease)
    try:
        rows = await dialect.fetch(CLAIM_SQL, [server_id, poller_id, now, until, now])
    except IntegrityError:  # the server was deleted meanwhile
        return False
    return bool(rows) and rows[0]["poller_id"] == poller_id


async def renew(poller_id: str, now: datetime, lease: float) -> set[int]:
    """Renew every unexpired lease of this poller at once; the server ids it still holds."""
    rows = await dialect.fetch(RENEW_SQL, [leases.expires_at(now, lease), poller_id, now])
    return {int(r["nut_server_id"]) for r in rows}


async def guard(g: Guard, now: datetime, conn: BaseDBAsyncClient) -> None:
    """Inside the write transaction on `conn`: renew, or raise LeaseLost (rolls it back)."""
    changed = await dialect.execute(
        GUARD_SQL, [leases.expires_at(now, g.lease), g.server_id, g.poller_id, now], conn
    )
    if changed != 1:
        raise LeaseLost(f"lease of NUT server {g.server_id} lost")


async def release(poller_id: str, server_ids: Iterable[int] | None = None) -> None:
    """Give leases back (a clean stop, a server no longer ours): others take them at once."""
    if server_ids is None:
        await dialect.execute(RELEASE_SQL, [poller_id])
        return
    for server_id in server_ids:
        await dialect.execute(RELEASE_ONE_SQL, [server_id, poller_id])


async def holders() -> dict[int, tuple[str, datetime]]:
    """Every lease: server id → (poller id, expires_at)."""
    rows = await dialect.fetch("SELECT nut_server_id, poller_id, expires_at FROM poller_leases")
    return {int(r["nut_server_id"]): (r["poller_id"], _dt(r["expires_at"])) for r in rows}


async def heartbeat(
    poller_id: str, host: str, pid: int, sites: Sequence[str], started: datetime, now: datetime
) -> None:
    await dialect.execute(
        HEARTBEAT_SQL, [poller_id, host, pid, JSON_DUMPS(list(sites)), started, now]
    )
    await dialect.execute(FORGET_SQL, [now - FORGET_AFTER])


async def gone(poller_id: str) -> None:
    await dialect.execute(GONE_SQL, [poller_id])


def _dt(value: Any) -> datetime:
    """A timestamp as the driver returns it (asyncpg: datetime; sqlite3: ISO text)."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


TAKE_OVER_SQL = (
    "UPDATE poller_leases SET poller_id = ?, acquired_at = ?, expires_at = ? "
    "WHERE nut_server_id = ? AND poller_id = ?"
)


async def take_over(server_id: int, dead: str, poller_id: str, now: datetime, lease: float) -> bool:
    """Take the lease of `server_id` from `dead` (a crashed poller of this process space) before
    it expires; False when it is no longer `dead`'s (another poller was quicker)."""
    changed = await dialect.execute(
        TAKE_OVER_SQL, [poller_id, now, leases.expires_at(now, lease), server_id, dead]
    )
    return changed == 1


def process_space() -> str:
    """This machine's boot and this process's pid namespace, as a short digest: two pollers
    with the same value see the same pids."""
    parts = []
    for read, path in (
        (lambda p: Path(p).read_text(), "/proc/sys/kernel/random/boot_id"),
        (os.readlink, "/proc/self/ns/pid"),
    ):
        try:
            parts.append(read(path))
        except OSError:
            parts.append(secrets.token_hex(8))  # unknown: never matches anyone else
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
