"""SQLite engine for Tortoise that opens every transaction with `BEGIN IMMEDIATE`.

Two processes (api and poller) write the same SQLite file. A deferred `BEGIN` takes the write
lock only at the first write, so a transaction that reads first and then writes fails at once
with `database is locked` when the other process wrote in between — the busy timeout cannot
help, because SQLite refuses to upgrade a stale read snapshot. `BEGIN IMMEDIATE` takes the write
lock up front, where the busy timeout does apply, so concurrent writers queue instead of failing.

Tortoise resolves an engine by module path and reads `client_class` from it; the config points
at this module instead of `tortoise.backends.sqlite`. The module name must contain "sqlite":
Tortoise's migration executor picks its SQLite schema editor by that substring.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
    translate_exceptions,
)
from tortoise.exceptions import TransactionManagementError


class ImmediateTransactionWrapper(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    """`SqliteClient` whose transactions (and bulk writes) start with `BEGIN IMMEDIATE`."""

    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(ImmediateTransactionWrapper(self), self._lock)

    @translate_exceptions
    async def execute_many(self, query: str, values: list[list]) -> None:
        async with self.acquire_connection() as connection:
            self.log.debug("%s: %s", query, values)
            await connection.execute("BEGIN IMMEDIATE")
            try:
                await connection.executemany(query, values)
            except Exception:
                await connection.rollback()
                raise
            else:
                await connection.commit()


client_class = ImmediateSqliteClient


def get_client_class(db_info: dict) -> type[SqliteClient]:
    return ImmediateSqliteClient
