"""Writers of the rows the reports read, fast enough for a year of one-minute samples."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from powerpulse.db import dialect
from powerpulse.db.models import Event, NutServer, Outage, UpsSystem

SAMPLE_COLUMNS = (
    "ups_id",
    "timestamp",
    "charge",
    "runtime",
    "load",
    "input_voltage",
    "realpower",
    "power_source",
    "status",
)
_INSERT = (
    f"INSERT INTO samples ({', '.join(SAMPLE_COLUMNS)}) VALUES "
    f"({', '.join('?' for _ in SAMPLE_COLUMNS)})"
)


def sample_values(ups_id: int, at: datetime, i: int) -> tuple[Any, ...]:
    """The row of sample `i`: readings that vary with `i` so first and last lines differ."""
    return (
        ups_id,
        at,
        100.0 - i % 50,
        1800.0 + i % 7,
        20.0 + i % 10,
        230.5,
        150.0 + i % 3,
        "measured",
        "OL",
    )


async def insert_samples(
    ups_id: int, start: datetime, count: int, step: timedelta = timedelta(minutes=1)
) -> None:
    """`count` samples from `start` every `step`, by executemany in batches (no rollups:
    the export reads samples only). SQLite stores times as Tortoise writes them."""
    batch = 20_000
    conn = dialect.connection()
    postgres = dialect.of(conn).postgres
    for first in range(0, count, batch):
        rows = []
        for i in range(first, min(count, first + batch)):
            at = start + step * i
            values = sample_values(ups_id, at if postgres else str(at), i)
            rows.append(values)
        async with in_transaction() as tx:
            await dialect.execute_many(_INSERT, rows, tx)


async def ups(name: str, site: str | None = None, nickname: str | None = None) -> UpsSystem:
    server = await NutServer.create(host=f"{name}.lan", port=3493, site=site)
    return await UpsSystem.create(name=name, ups_name=name, nut_server=server, nickname=nickname)


async def event(ups_id: int, kind: str, at: datetime, **details: Any) -> Event:
    return await Event.create(
        ups_id=ups_id,
        kind=kind,
        previous_status="Online" if kind == "on_battery" else "On Battery",
        new_status="On Battery" if kind == "on_battery" else "Online",
        occurred_at=at,
        details=details,
        dispatched=True,
    )


async def outage(
    ups_id: int, start: datetime, seconds: float | None, **values: Any
) -> tuple[Outage, Event, Event | None]:
    """An outage as the recorder writes it, with its start (and end) events."""
    begin = await event(ups_id, "on_battery", start, charge=100)
    end = None
    if seconds is not None:
        end = await event(ups_id, "online", start + timedelta(seconds=seconds), charge=80)
    row = await Outage.create(
        ups_id=ups_id,
        start_event_id=begin.id,
        end_event_id=end.id if end else None,
        started_at=start,
        ended_at=end.occurred_at if end else None,
        duration_seconds=seconds,
        **values,
    )
    return row, begin, end
