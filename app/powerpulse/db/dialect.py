"""The raw SQL that differs between SQLite and PostgreSQL, in one place.

PowerPulse's hand-written statements (history rollups, buckets and retention, live-state
writes, counters, the list cache key, the debug API's table listing) are written once, in
SQLite's spelling with `?` placeholders, and run through this module, which adapts them to the
engine of the connection they run on:

- placeholders: `?` stays for SQLite, becomes `$1, $2, …` for asyncpg;
- epoch seconds of a timestamp column: `unixepoch(ts)` vs `floor(extract(epoch FROM ts))`
  (as BIGINT, so that `/` divides whole numbers on both);
- upserts: `INSERT … ON CONFLICT (…) DO UPDATE SET … excluded.…` is the same text on both;
- batched deletes: neither engine takes `DELETE … LIMIT` (SQLite only when compiled so), both
  take a `LIMIT` in an `id IN (SELECT …)` subquery;
- `RETURNING`: asyncpg's `execute_query` drops the rows of INSERT/UPDATE/DELETE, so statements
  that return rows go through `fetch`;
- table columns for the debug API: `PRAGMA table_info` vs `information_schema`.

Everything else (datetimes, JSON text for JSON columns, booleans, NULL) is bound the same way
on both: Tortoise's drivers adapt Python values.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

SQLITE = "sqlite"
POSTGRES = "postgres"


@dataclass(frozen=True)
class Dialect:
    name: str

    @property
    def postgres(self) -> bool:
        return self.name == POSTGRES

    def sql(self, text: str) -> str:
        """`text` with its `?` placeholders in this engine's spelling."""
        return numbered_placeholders(text) if self.postgres else text

    def epoch(self, column: str) -> str:
        """Whole seconds since 1970 of a timestamp column, as an integer."""
        if self.postgres:
            return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT)"
        return f"unixepoch({column})"


SQLITE_DIALECT = Dialect(SQLITE)
POSTGRES_DIALECT = Dialect(POSTGRES)


@functools.lru_cache(maxsize=512)
def numbered_placeholders(text: str) -> str:
    """`?` → `$1`, `$2`, … outside quoted literals and identifiers."""
    out: list[str] = []
    number = 0
    quote: str | None = None
    for char in text:
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            number += 1
            out.append(f"${number}")
            continue
        out.append(char)
    return "".join(out)


def connection(conn: BaseDBAsyncClient | None = None) -> BaseDBAsyncClient:
    return conn if conn is not None else connections.get("default")


def of(conn: BaseDBAsyncClient | None = None) -> Dialect:
    """The dialect of `conn` (a transaction's connection or, by default, the app's)."""
    name = connection(conn).capabilities.dialect
    return POSTGRES_DIALECT if name == POSTGRES else SQLITE_DIALECT


# -- running statements ------------------------------------------------------------------------
async def execute(
    sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None
) -> int:
    """Run one statement that returns no rows; the number of rows it changed."""
    db = connection(conn)
    count, _ = await db.execute_query(of(db).sql(sql), list(params))
    return int(count)


async def execute_many(
    sql: str, rows: Sequence[Sequence[Any]], conn: BaseDBAsyncClient | None = None
) -> None:
    """Run one statement once per parameter row (in the caller's transaction, if any)."""
    if rows:
        db = connection(conn)
        await db.execute_many(of(db).sql(sql), [list(r) for r in rows])


async def fetch(
    sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None
) -> list[dict[str, Any]]:
    """The rows of a SELECT, or of a write with RETURNING, as dicts."""
    db = connection(conn)
    return await db.execute_query_dict(of(db).sql(sql), list(params))


# -- statement shapes --------------------------------------------------------------------------
def quote(name: str) -> str:
    """A quoted identifier (the same on both engines)."""
    return '"' + name.replace('"', '""') + '"'


def upsert(
    table: str,
    columns: Sequence[str],
    conflict: Sequence[str],
    updates: Sequence[str],
    returning: str = "",
) -> str:
    """INSERT of one row that updates the row already holding its `conflict` key instead.
    `updates` are `column = expression` items; `excluded.column` is the row offered."""
    marks = ", ".join("?" for _ in columns)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {', '.join(updates)}"
    )
    return f"{sql} RETURNING {returning}" if returning else sql


def delete_batch(table: str, where: str, key: str = "id") -> str:
    """DELETE of at most `?` (the last parameter) rows matching `where`."""
    return f"DELETE FROM {table} WHERE {key} IN (SELECT {key} FROM {table} WHERE {where} LIMIT ?)"


# -- introspection -----------------------------------------------------------------------------
_PG_COLUMNS = """
SELECT CAST(row_number() OVER (ORDER BY c.ordinal_position) - 1 AS INTEGER) AS cid,
       c.column_name AS name,
       CASE WHEN c.character_maximum_length IS NOT NULL
            THEN upper(c.data_type) || '(' || c.character_maximum_length || ')'
            ELSE upper(c.data_type) END AS type,
       CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END AS notnull,
       c.column_default AS dflt_value,
       COALESCE((
           SELECT k.ordinal_position
           FROM information_schema.table_constraints t
           JOIN information_schema.key_column_usage k
             ON k.constraint_name = t.constraint_name
            AND k.constraint_schema = t.constraint_schema
            AND k.table_name = t.table_name
           WHERE t.constraint_type = 'PRIMARY KEY'
             AND t.table_schema = c.table_schema
             AND t.table_name = c.table_name
             AND k.column_name = c.column_name
       ), 0) AS pk
FROM information_schema.columns c
WHERE c.table_schema = current_schema() AND c.table_name = ?
ORDER BY c.ordinal_position
"""
COLUMN_KEYS = ("cid", "name", "type", "notnull", "dflt_value", "pk")


async def table_columns(table: str, conn: BaseDBAsyncClient | None = None) -> list[dict[str, Any]]:
    """The columns of `table` as SQLite's `PRAGMA table_info` lists them, on either engine.
    `table` must be a known table name (it is quoted, not bound, for SQLite's PRAGMA)."""
    db = connection(conn)
    if of(db).postgres:
        rows = await fetch(_PG_COLUMNS, [table], db)
    else:
        rows = await fetch(f"PRAGMA table_info({quote(table)})", (), db)
    return [
        {k: int(row[k]) if k in ("cid", "notnull", "pk") else row[k] for k in COLUMN_KEYS}
        for row in rows
    ]
