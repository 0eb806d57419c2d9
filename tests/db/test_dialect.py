"""The dialect layer: the same statements on SQLite and PostgreSQL, and no raw SQL outside it."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import Tortoise

from powerpulse.config import Settings
from powerpulse.db import counters, dialect
from powerpulse.db.dialect import POSTGRES_DIALECT, SQLITE_DIALECT, numbered_placeholders
from powerpulse.db.models import Counter, Event, NutServer, UpsSystem

APP = Path(__file__).resolve().parents[2] / "app" / "powerpulse"
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def test_placeholders_are_numbered_outside_quotes() -> None:
    sql = "SELECT '?', \"a?\" FROM t WHERE x = ? AND y IN (?, ?) AND z = 'it''s ?'"
    assert numbered_placeholders(sql) == (
        "SELECT '?', \"a?\" FROM t WHERE x = $1 AND y IN ($2, $3) AND z = 'it''s ?'"
    )
    assert SQLITE_DIALECT.sql(sql) == sql
    assert POSTGRES_DIALECT.sql("a = ? AND b = ?") == "a = $1 AND b = $2"


def test_every_raw_statement_goes_through_the_dialect_layer() -> None:
    """`execute_query`, `execute_many`, … are called in db/dialect.py only (the SQLite engine
    module overrides one): a new raw statement elsewhere would be SQLite-only by accident."""
    raw = re.compile(
        r"(?<!dialect)\.(execute_query|execute_query_dict|execute_many|execute_script|execute_insert)\("
    )
    allowed = {APP / "db" / "dialect.py", APP / "db" / "sqlite_immediate.py"}
    found = [
        f"{path.relative_to(APP)}:{n}"
        for path in APP.rglob("*.py")
        if path not in allowed and "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if raw.search(line)
    ]
    assert found == []


async def test_epoch_seconds_and_batched_deletes(db: Settings) -> None:
    server = await NutServer.create(host="h", port=1)
    ups = await UpsSystem.create(name="u", ups_name="u", nut_server=server)
    times = [T0 + timedelta(seconds=s) for s in (0, 59.9, 3600.5, 86399)]
    for at in times:
        await Event.create(ups=ups, kind="x", occurred_at=at)
    sql = dialect.of()
    rows = await dialect.fetch(
        f"SELECT ({sql.epoch('occurred_at')} - ?) / ? AS bucket FROM events ORDER BY id",
        [int(T0.timestamp()), 60],
    )
    assert [r["bucket"] for r in rows] == [0, 0, 60, 1439]  # whole seconds, whole minutes
    delete = dialect.delete_batch("events", "occurred_at < ?")
    assert await dialect.execute(delete, [T0 + timedelta(days=1), 3]) == 3
    assert await dialect.execute(delete, [T0 + timedelta(days=1), 3]) == 1
    assert await Event.all().count() == 0


async def test_upsert_and_returning(db: Settings) -> None:
    sql = dialect.upsert(
        "counters", ("name", "value"), ("name",), ("value = excluded.value * 10",), "value"
    )
    assert (await dialect.fetch(sql, ["n", 4]))[0]["value"] == 4
    assert (await dialect.fetch(sql, ["n", 5]))[0]["value"] == 50
    assert (await Counter.get(name="n")).value == 50


async def test_concurrent_bumps_lose_nothing(db: Settings) -> None:
    """One upsert statement per bump: on PostgreSQL the bumps below run on several pooled
    connections at once, and none is lost nor fails creating the row."""
    values = await asyncio.gather(*(counters.bump("race") for _ in range(60)))
    assert sorted(values) == list(range(1, 61))
    assert await counters.bump("race", 2**40) == 2**40 + 60  # a BIGINT counter
    assert await counters.read("race") == 2**40 + 60


async def test_table_columns_list_every_model_field(db: Settings) -> None:
    for model in Tortoise.apps["models"].values():
        columns = await dialect.table_columns(model._meta.db_table)
        names = [c["name"] for c in columns]
        assert sorted(names) == sorted(model._meta.fields_db_projection.values())
        assert [c["cid"] for c in columns] == list(range(len(columns)))
        pk = [c["name"] for c in columns if c["pk"]]
        assert pk == [model._meta.pk.source_field or model._meta.pk_attr]
        by_name = {c["name"]: c for c in columns}
        for field_name, column in model._meta.fields_db_projection.items():
            nullable = model._meta.fields_map[field_name].null
            assert by_name[column]["notnull"] == (0 if nullable else 1), (model, column)
