"""Named monotonic counters that carry change notices between the two workers.

`CONFIG` is bumped by every configuration write of the api worker; the poller reloads when it
sees a new value. `LIVE` numbers live-state writes so the api worker's stream watcher can ask for
"rows newer than what I sent".

A bump is one upsert statement (`INSERT … ON CONFLICT DO UPDATE … RETURNING`): atomic on both
engines without a read-then-write, so concurrent bumps (two workers, or several api instances
on PostgreSQL) never lose an increment nor collide creating the row.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from powerpulse.db import dialect
from powerpulse.db.models import Counter

CONFIG = "config"
LIVE = "live"
# Bumped on every change of a shutdown run or step: the stream watcher publishes the run.
SHUTDOWN = "shutdown"

BUMP_SQL = dialect.upsert(
    "counters",
    ("name", "value"),
    ("name",),
    ("value = counters.value + excluded.value",),
    returning="value",
)


async def bump(name: str, by: int = 1, conn: BaseDBAsyncClient | None = None) -> int:
    """Add `by` to counter `name` (creating it) and return the new value, atomically; on
    `conn` (a transaction's connection) when given, else the current context's."""
    rows = await dialect.fetch(BUMP_SQL, [name, by], conn)
    return int(rows[0]["value"])


async def read(name: str) -> int:
    row = await Counter.get_or_none(name=name)
    return int(row.value) if row else 0
