"""Named write locks for check-then-write rules, held until the transaction ends.

Some rules are a read followed by a write in one transaction: first-time setup ("no user yet,
so create the admin"), the last-administrator rule ("another admin remains, so this one may be
demoted or deleted"), case-insensitive usernames ("no `Alice` yet, so `alice` may be created").

- SQLite: the project's engine opens every transaction with `BEGIN IMMEDIATE`, which takes the
  database's single write lock first; the transactions are serialised already and `hold` does
  nothing.
- PostgreSQL: under its default READ COMMITTED two such transactions both see "no admin yet"
  and both write. `hold` takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`) on
  the rule's name as the transaction's first statement, so the second transaction waits for the
  first to commit and then reads what it wrote. The lock is released by COMMIT or ROLLBACK; a
  crashed client's session ends and releases it too.

Every transaction that writes the rows a rule reads must hold the rule's lock (a writer that
skipped it could slip between another's check and write).
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from powerpulse.db import dialect

# One lock for the whole user table: setup, registration, renames, role changes and deletions
# are rare and quick, so serialising all of them costs nothing and leaves no gap between rules.
USERS = "powerpulse.users"


def shutdown_plan(plan_id: int) -> str:
    """The lock of one shutdown plan's runs: starting a run and deleting the plan (a delete
    checks that no run is active; a run starting in between would be orphaned)."""
    return f"powerpulse.shutdown_plan.{plan_id}"


def discovery(server_id: int) -> str:
    """The lock of one NUT server's list of UPS (adding what upsd lists)."""
    return f"powerpulse.discovery.{server_id}"


# `hashtext` maps the name to the int4 key the advisory-lock functions take; the names are
# ours, so a collision with another application's lock would only make it wait a moment.
PG_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext(?))"


async def hold(name: str, conn: BaseDBAsyncClient | None = None) -> None:
    """Hold lock `name` until the current transaction (on `conn`, or the context's) ends."""
    db = dialect.connection(conn)
    if dialect.of(db).postgres:
        await dialect.fetch(PG_LOCK_SQL, [name], db)
