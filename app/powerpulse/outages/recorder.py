"""The outage recorder: a poller-worker loop that turns on_battery / online events into
Outage rows (`record_once` is the step; `run` the thin forever-loop).

Events are read in id order from a cursor (`key_values` "outage_recorder"); a first run
backfills from the oldest event, `BATCH` at a time. The pairing follows api/outages.py: an
`online` closes the latest open outage of its UPS; a second `on_battery` without an `online`
in between (the state was reset) replaces the open one (the later start is the outage); an
`online` before its start (a clock set back) drops the open one. Every write is idempotent
(`INSERT … ON CONFLICT (start_event_id) DO NOTHING`, conditional updates), and the cursor moves
in the same transaction, so a restart or a second poller neither duplicates nor skips a
record. The numbers (lowest charge and runtime, energy, shutdown runs) are computed when an
outage closes and refreshed on every pass while it is open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from powerpulse.db import dialect
from powerpulse.db.models import Event, KeyValue, Outage, Sample, ShutdownRun
from powerpulse.energy import integrate
from powerpulse.nut.variables import CHARGE, RUNTIME
from powerpulse.outages import stats
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

CURSOR_KEY = "outage_recorder"
BATCH = 500
EVERY = 5.0  # seconds between passes
ON_BATTERY, ONLINE = "on_battery", "online"
_INSERT = (
    "INSERT INTO outages (ups_id, start_event_id, started_at, shutdown_runs, updated_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (start_event_id) DO NOTHING"
)


def _db_time(value: datetime) -> Any:
    """A time as the ORM stores it (SQLite keeps text, and compares it as text)."""
    return Outage._meta.fields_map["started_at"].to_db_value(value, Outage)


async def _cursor(conn: Any) -> int:
    row = await KeyValue.filter(key=CURSOR_KEY).using_db(conn).get_or_none()
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    raw = value.get("eventId", 0)
    return raw if isinstance(raw, int) else 0


async def _apply(event: Event, conn: Any) -> int | None:
    """Apply one edge; the id of an outage it closed."""
    open_one = (
        await Outage.filter(ups_id=event.ups_id, ended_at__isnull=True, start_event_id__lt=event.id)
        .using_db(conn)
        .order_by("-start_event_id")
        .first()
    )
    if event.kind == ON_BATTERY:
        if open_one is not None:  # two starts in a row: the later one is the outage
            await Outage.filter(id=open_one.id, ended_at__isnull=True).using_db(conn).delete()
        await dialect.execute(
            _INSERT,
            [event.ups_id, event.id, _db_time(event.occurred_at), "[]", _db_time(utcnow())],
            conn,
        )
        return None
    if open_one is None:
        return None
    if event.occurred_at < open_one.started_at:  # a clock set back: no outage
        await Outage.filter(id=open_one.id, ended_at__isnull=True).using_db(conn).delete()
        return None
    seconds = (event.occurred_at - open_one.started_at).total_seconds()
    await (
        Outage.filter(id=open_one.id, ended_at__isnull=True)
        .using_db(conn)
        .update(ended_at=event.occurred_at, duration_seconds=seconds, end_event_id=event.id)
    )
    return open_one.id


async def refresh(outage: Outage, gap: float, now: datetime | None = None) -> None:
    """Recompute the outage's numbers from its samples, events and shutdown runs."""
    end = outage.ended_at or now or utcnow()
    samples = (
        await Sample.filter(
            ups_id=outage.ups_id, timestamp__gte=outage.started_at, timestamp__lte=end
        )
        .order_by("timestamp")
        .values_list("timestamp", "charge", "runtime", "realpower")
    )
    ids = [outage.start_event_id] + ([outage.end_event_id] if outage.end_event_id else [])
    found: list[Any] = list(await Event.filter(id__in=ids).values_list("details", flat=True))
    details: list[dict[str, Any]] = [d for d in found if isinstance(d, dict)]
    charges = [s[1] for s in samples] + [d.get("charge") for d in details]
    runtimes = [s[2] for s in samples] + [d.get("runtime") for d in details]
    points = [(s[0].timestamp(), s[3]) for s in samples]
    wh, coverage = stats.energy(points, outage.started_at.timestamp(), end.timestamp(), gap)
    runs = await ShutdownRun.filter(started_at__gte=outage.started_at, started_at__lte=end)
    await Outage.filter(id=outage.id).update(
        min_charge=stats.lowest(charges, CHARGE.low, CHARGE.high),
        min_runtime=stats.lowest(runtimes, RUNTIME.low, RUNTIME.high),
        energy_wh=wh,
        energy_coverage=coverage,
        shutdown_runs=stats.shutdown_runs(runs, outage.ups_id),
    )


async def record_once(gap: float = integrate.MIN_MAX_GAP, batch: int = BATCH) -> int:
    """One pass: apply up to `batch` new edges (repeating while more are waiting), then
    refresh the numbers of the open outages and of those just closed. Edges applied."""
    applied = 0
    closed: list[int] = []
    while True:
        async with in_transaction() as conn:
            cursor = await _cursor(conn)
            events = (
                await Event.filter(id__gt=cursor, kind__in=(ON_BATTERY, ONLINE))
                .using_db(conn)
                .order_by("id")
                .limit(batch)
            )
            for event in events:
                done = await _apply(event, conn)
                if done is not None:
                    closed.append(done)
            if events:
                await KeyValue.update_or_create(
                    defaults={"value": {"eventId": events[-1].id}}, key=CURSOR_KEY, using_db=conn
                )
        applied += len(events)
        if len(events) < batch:
            break
    for outage in await Outage.filter(id__in=closed) if closed else []:
        await refresh(outage, gap)
    for outage in await Outage.filter(ended_at__isnull=True):
        await refresh(outage, gap)
    return applied


class OutageRecorder:
    """The poller-worker task: `record_once` every few seconds until `stop`; never crashes."""

    def __init__(self, history_interval: float = 60.0, every: float = EVERY) -> None:
        self.history_interval = history_interval
        self.every = every

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await record_once(integrate.max_gap(self.history_interval))
            except Exception:  # a database hiccup: try again next pass
                log.warning("outage recorder: pass failed", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.every)
