"""`powerpulse db copy --to postgres://…`: an existing SQLite installation into PostgreSQL.

Every table of `powerpulse.db.models` is copied in foreign-key order (a row's parents first),
in batches of `BATCH` rows read in primary-key order, ids kept as they are, all inside one
PostgreSQL transaction: a copy that fails leaves the target as empty as it was. Then each
table's id sequence is moved past the copied ids, and the row counts of both sides are
compared table by table.

The target is migrated first (a no-op when it already is) and must be empty; the source must
have every migration the target has (`powerpulse migrate` on it first). Stop the api and poller
before copying: the source is read in one transaction, which holds SQLite's write lock.

SQLite does not enforce column lengths and stores NUL characters; PostgreSQL refuses both. A
text longer than its column is cut to fit and a NUL becomes U+FFFD; each such change is
counted in the report instead of failing the whole copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.fields import CharField, JSONField
from tortoise.fields.data import JSON_DUMPS
from tortoise.models import Model
from tortoise.transactions import in_transaction

from powerpulse.config import POSTGRES_SCHEMES, ConfigError, Settings, check_database_url
from powerpulse.db import dialect
from powerpulse.db.setup import APP_LABEL, MODELS_MODULE, connection_config, run_migrations

BATCH = 2000
SOURCE, TARGET = "default", "target"
MIGRATIONS_TABLE = "tortoise_migrations"
_NUL, _REPLACEMENT = "\x00", "\ufffd"


class CopyError(Exception):
    """A reason not to copy (or a failed verification), worded for the operator."""


@dataclass
class TableCopy:
    table: str
    source: int = 0
    target: int = 0
    adjusted: int = 0  # values cut to their column's length or with NUL replaced

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass
class CopyReport:
    tables: list[TableCopy] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(t.ok for t in self.tables)

    def lines(self) -> list[str]:
        width = max((len(t.table) for t in self.tables), default=5)
        out = [f"{'table':<{width}}  {'sqlite':>10}  {'postgres':>10}"]
        for t in self.tables:
            note = "" if t.ok else "  MISMATCH"
            if t.adjusted:
                note += f"  ({t.adjusted} values cut to fit or NUL replaced)"
            out.append(f"{t.table:<{width}}  {t.source:>10}  {t.target:>10}{note}")
        return out


# -- pure logic -----------------------------------------------------------------------------
def copy_order(models: Iterable[type[Model]]) -> list[type[Model]]:
    """`models` with every model after the models its foreign keys point to (stable)."""
    pending = list(models)
    done: list[type[Model]] = []
    while pending:
        for model in pending:
            parents = {model._meta.fields_map[f].related_model for f in _relations(model)}  # type: ignore[attr-defined]
            if all(p is model or p in done for p in parents):
                done.append(model)
                pending.remove(model)
                break
        else:
            names = ", ".join(m._meta.db_table for m in pending)
            raise CopyError(f"foreign keys form a cycle between {names}")
    return done


def _relations(model: type[Model]) -> set[str]:
    return set(model._meta.fk_fields) | set(model._meta.o2o_fields)


def _clean_text(value: str) -> str:
    return value.replace(_NUL, _REPLACEMENT) if _NUL in value else value


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    if isinstance(value, dict):
        return {_clean_text(str(k)): _clean_json(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Column:
    name: str  # the model's field name (as `values()` returns it)
    db: str  # the column
    json: bool
    max_length: int | None


def columns_of(model: type[Model]) -> list[Column]:
    out = []
    for name, column in model._meta.fields_db_projection.items():
        f = model._meta.fields_map[name]
        max_length = f.max_length if isinstance(f, CharField) else None
        out.append(Column(name, column, isinstance(f, JSONField), max_length))
    return out


def to_target(row: dict[str, Any], columns: Sequence[Column]) -> tuple[list[Any], int]:
    """One row's parameters for PostgreSQL, and how many values had to be adjusted."""
    values: list[Any] = []
    adjusted = 0
    for c in columns:
        value = row[c.name]
        if c.json:
            cleaned = _clean_json(value)
            adjusted += cleaned != value
            value = None if cleaned is None else JSON_DUMPS(cleaned)
        elif isinstance(value, str):
            cleaned = _clean_text(value)
            if c.max_length is not None and len(cleaned) > c.max_length:
                cleaned = cleaned[: c.max_length]
            adjusted += cleaned != value
            value = cleaned
        values.append(value)
    return values, adjusted


def insert_sql(model: type[Model], columns: Sequence[Column]) -> str:
    names = ", ".join(dialect.quote(c.db) for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {dialect.quote(model._meta.db_table)} ({names}) VALUES ({marks})"


def sequence_reset_sql(model: type[Model]) -> str | None:
    """Move a generated id's sequence past the copied ids (None: the key is not generated)."""
    pk = model._meta.pk
    if not pk.generated:
        return None
    table, column = dialect.quote(model._meta.db_table), pk.source_field or pk.model_field_name
    return (
        f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
        f"COALESCE((SELECT MAX({dialect.quote(column)}) FROM {table}), 0) + 1, false)"
    )


# -- I/O ------------------------------------------------------------------------------------
def app_models() -> list[type[Model]]:
    return list(Tortoise.apps[APP_LABEL].values())


async def _count(model: type[Model], conn: BaseDBAsyncClient) -> int:
    rows = await dialect.fetch(
        f"SELECT COUNT(*) AS n FROM {dialect.quote(model._meta.db_table)}", (), conn
    )
    return int(rows[0]["n"])


async def _migrations(conn: BaseDBAsyncClient) -> set[str]:
    rows = await dialect.fetch(f"SELECT app, name FROM {MIGRATIONS_TABLE}", (), conn)
    return {f"{r['app']}.{r['name']}" for r in rows}


async def _check(
    models: Sequence[type[Model]], src: BaseDBAsyncClient, dst: BaseDBAsyncClient
) -> None:
    missing = await _migrations(dst) - await _migrations(src)
    if missing:
        raise CopyError(
            "the SQLite database lacks migrations the target has "
            f"({', '.join(sorted(missing))}): run `powerpulse migrate` on it first"
        )
    busy = [(m._meta.db_table, n) for m in models if (n := await _count(m, dst))]
    if busy:
        listed = ", ".join(f"{t}: {n} rows" for t, n in busy)
        raise CopyError(f"the target database is not empty ({listed}); copy needs an empty one")


async def _copy_table(
    model: type[Model], src: BaseDBAsyncClient, dst: BaseDBAsyncClient, batch: int
) -> TableCopy:
    result = TableCopy(model._meta.db_table, source=await _count(model, src))
    columns = columns_of(model)
    sql = insert_sql(model, columns)
    pk = model._meta.pk_attr
    last: Any = None
    while True:
        query = model.all().using_db(src).order_by(pk).limit(batch)
        if last is not None:
            query = query.filter(**{f"{pk}__gt": last})
        rows = await query.values(*(c.name for c in columns))
        if not rows:
            return result
        params = []
        for row in rows:
            values, adjusted = to_target(row, columns)
            params.append(values)
            result.adjusted += adjusted
        await dialect.execute_many(sql, params, dst)
        last = rows[-1][pk]


def target_settings(settings: Settings, url: str) -> Settings:
    try:
        url = check_database_url(url)
    except ConfigError as err:
        raise CopyError(str(err).replace("DATABASE_URL", "--to", 1)) from None
    if url.split("://", 1)[0].lower() not in POSTGRES_SCHEMES:
        raise CopyError("--to must be a postgres:// URL (the copy goes from SQLite to PostgreSQL)")
    return replace(settings, database_url=url)


async def copy_database(settings: Settings, to_url: str, *, batch: int = BATCH) -> CopyReport:
    """Copy the SQLite database of `settings` into the PostgreSQL database at `to_url`."""
    if not settings.db_url.startswith("sqlite://"):
        raise CopyError("the source must be SQLite: unset DATABASE_URL or give a sqlite:// one")
    target = target_settings(settings, to_url)
    await run_migrations(target)
    await Tortoise.init(
        config={
            "connections": {
                SOURCE: connection_config(settings.db_url),
                TARGET: connection_config(target.db_url),
            },
            "apps": {APP_LABEL: {"models": [MODELS_MODULE], "default_connection": SOURCE}},
            "use_tz": True,
            "timezone": "UTC",
        }
    )
    try:
        return await _copy_all(connections.get(SOURCE), connections.get(TARGET), batch)
    finally:
        await connections.close_all()


async def _copy_all(src: BaseDBAsyncClient, dst: BaseDBAsyncClient, batch: int) -> CopyReport:
    models = copy_order(app_models())
    await _check(models, src, dst)
    report = CopyReport()
    # One read transaction on the source: a consistent snapshot. One write transaction on the
    # target: all or nothing.
    async with in_transaction(SOURCE) as read, in_transaction(TARGET) as write:
        for model in models:
            report.tables.append(await _copy_table(model, read, write, batch))
        for model in models:
            if (sql := sequence_reset_sql(model)) is not None:
                await dialect.fetch(sql, (), write)
    for entry, model in zip(report.tables, models, strict=True):
        entry.target = await _count(model, dst)
    return report
