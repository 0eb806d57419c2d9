"""Live state rows: what changed in one server's poll, written in one transaction.

Content (variables, status tokens, error) is written only when it changed, numbered with
`counters.bump(LIVE)` so the stream watcher sends it, with fresh timestamps. Freshness alone
(`last_attempt_at`, `last_success_at` of unchanged rows) is written with one set-based UPDATE per
server, without a version bump, at most every `FRESHNESS_EVERY` seconds (every poll at the
default 5 s interval): each such UPDATE rewrites every row's page, JSON included, so a 0.5 s
interval would otherwise rewrite the whole table twice a second. "Last updated" is thus at most
2 s behind, far inside the API's stale threshold (at least 10 s).
Events and samples of the same poll go in the same transaction (events with `dispatched=False`).

The row writes are plain parameterised SQL through `db/dialect.py` (one `executemany` per kind
of change, one UPDATE for freshness, the LIVE counter in the same transaction) rather than one
ORM query per row: building a Tortoise query costs more than the database takes to run it, and
a poll of 200 changed UPS spent most of its time there. JSON is encoded with the ORM's encoder,
datetimes and NULLs are bound by the driver, so the models read the rows back unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.fields.data import JSON_DUMPS
from tortoise.transactions import in_transaction

from powerpulse.db import counters, dialect
from powerpulse.db.models import Event, Sample, UpsLiveState
from powerpulse.history import write_samples
from powerpulse.poller import lease_store

log = logging.getLogger(__name__)

FRESHNESS_EVERY = 2.0
# Ids per freshness UPDATE: far below SQLite's limit on bound parameters.
FRESHNESS_CHUNK = 500

_CONTENT_SQL = (
    "UPDATE ups_live_state SET variables = ?, status_tokens = ?, error_code = ?, "
    "error_message = ?, event_state = ?, version = ?, last_attempt_at = ?, "
    "last_success_at = COALESCE(?, last_success_at) WHERE ups_id = ?"
)
_CREATE_SQL = (
    "INSERT INTO ups_live_state (ups_id, variables, status_tokens, version) "
    "VALUES (?, ?, ?, 0) ON CONFLICT (ups_id) DO NOTHING"
)
_STATE_SQL = "UPDATE ups_live_state SET event_state = ? WHERE ups_id = ?"
STATUS_TOKENS_MAX = 255  # the column's length: PostgreSQL refuses more, SQLite stored it all


def fit_tokens(text: str) -> str:
    """The status tokens, whole ones only, that fit their column (ups.status keeps them all)."""
    if len(text) <= STATUS_TOKENS_MAX:
        return text
    return text[: STATUS_TOKENS_MAX + 1].rsplit(" ", 1)[0][:STATUS_TOKENS_MAX]


@dataclass
class LiveRow:
    """The poller's copy of one `UpsLiveState` row."""

    ups_id: int
    variables: dict[str, str] = field(default_factory=dict)
    status_tokens: str = ""
    error_code: str | None = None
    error_message: str | None = None
    event_state: dict[str, Any] | None = None
    # The status tokens while the last detection on exactly `variables` changed nothing and
    # fired nothing; None otherwise. Such a state stays put for as long as the variables do
    # (see `events.detect`), so the sweep skips detection for these rows.
    settled: tuple[str, ...] | None = None

    def content(self) -> tuple[object, ...]:
        return (self.variables, self.status_tokens, self.error_code, self.error_message)

    def snapshot(self) -> tuple[object, ...]:
        return (*self.content(), self.event_state)

    def restore(self, snap: tuple[object, ...]) -> None:
        (
            self.variables,
            self.status_tokens,
            self.error_code,
            self.error_message,
            self.event_state,
        ) = snap  # type: ignore[assignment]
        self.settled = None


@dataclass
class RowChange:
    row: LiveRow
    content_changed: bool
    state_changed: bool


@dataclass
class SweepWrite:
    """Everything one poll of one server wants stored."""

    at: datetime
    attempted: list[int] = field(default_factory=list)
    succeeded: list[int] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    # Set by a poller that holds leases: the write renews the lease and is refused (LeaseLost,
    # nothing stored) when the lease is no longer this poller's.
    lease: lease_store.Guard | None = None

    @property
    def empty(self) -> bool:
        return not (self.attempted or self.changes or self.events or self.samples)


async def load_rows(ups_ids: Iterable[int]) -> dict[int, LiveRow]:
    """The rows of these UPS, created empty when missing (a UPS added since the last load)."""
    wanted = list(ups_ids)
    if not wanted:
        return {}
    found = {r.ups_id: r for r in await UpsLiveState.filter(ups_id__in=wanted)}  # type: ignore[attr-defined]
    missing = [i for i in wanted if i not in found]
    if missing:
        # An upsert that keeps a row another poller (or a handover) created meanwhile; one by
        # one, because a UPS deleted meanwhile fails the foreign key and only its row is skipped.
        for ups_id in missing:
            try:
                await dialect.execute(_CREATE_SQL, [ups_id, JSON_DUMPS({}), ""])
            except IntegrityError:  # deleted meanwhile: the next reload drops it
                log.debug("UPS %s vanished before its live state row was created", ups_id)
        for row in await UpsLiveState.filter(ups_id__in=missing):
            found[row.ups_id] = row  # type: ignore[attr-defined]
    return {
        i: LiveRow(
            ups_id=i,
            variables=dict(r.variables or {}),
            status_tokens=r.status_tokens or "",
            error_code=r.error_code,
            error_message=r.error_message,
            event_state=r.event_state,
        )
        for i, r in found.items()
    }


async def write_sweep(write: SweepWrite) -> None:
    """Store one server's poll atomically."""
    if write.empty:
        return
    alone = not (write.changes or write.events or write.samples)
    if alone and write.lease is None and len(write.attempted) <= FRESHNESS_CHUNK:
        # Freshness alone (the steady state): one statement is atomic on its own, and without
        # BEGIN and COMMIT it is one round trip to the database thread instead of four.
        await _freshness(None, write.attempted, write.succeeded, write.at)
        return
    async with in_transaction() as conn:
        if write.lease is not None:  # first, so nothing is written once the lease is gone
            await lease_store.guard(write.lease, write.at, conn)
        changed = [c.row for c in write.changes if c.content_changed]
        if changed:
            # A changed row always gets fresh timestamps, whatever the freshness throttle says.
            first = await counters.bump(counters.LIVE, len(changed), conn) - len(changed) + 1
            at = write.at
            await dialect.execute_many(
                _CONTENT_SQL,
                [
                    [
                        JSON_DUMPS(row.variables),
                        fit_tokens(row.status_tokens),
                        row.error_code,
                        row.error_message,
                        None if row.event_state is None else JSON_DUMPS(row.event_state),
                        first + offset,
                        at,
                        at if row.error_code is None else None,
                        row.ups_id,
                    ]
                    for offset, row in enumerate(changed)
                ],
                conn,
            )
        state_only = [
            [None if c.row.event_state is None else JSON_DUMPS(c.row.event_state), c.row.ups_id]
            for c in write.changes
            if c.state_changed and not c.content_changed
        ]
        await dialect.execute_many(_STATE_SQL, state_only, conn)
        await _freshness(conn, write.attempted, write.succeeded, write.at)
        if write.events:
            await Event.bulk_create(write.events, using_db=conn)
        await write_samples(write.samples, conn)


async def _freshness(
    conn: BaseDBAsyncClient | None, attempted: Sequence[int], ok: Sequence[int], at: datetime
) -> None:
    """`last_attempt_at` of every attempted row and `last_success_at` of the good ones, in one
    statement per FRESHNESS_CHUNK rows (`ok` is a subset of `attempted`)."""
    good = set(ok)
    for start in range(0, len(attempted), FRESHNESS_CHUNK):
        chunk = list(attempted[start : start + FRESHNESS_CHUNK])
        marks = ", ".join("?" * len(chunk))
        passed = [i for i in chunk if i in good]
        values: list[Any]
        if len(passed) == len(chunk):  # the usual case
            sets, values = "last_attempt_at = ?, last_success_at = ?", [at, at]
        elif passed:
            sets = (
                "last_attempt_at = ?, last_success_at = CASE WHEN ups_id IN "
                f"({', '.join('?' * len(passed))}) THEN ? ELSE last_success_at END"
            )
            values = [at, *passed, at]
        else:
            sets, values = "last_attempt_at = ?", [at]
        await dialect.execute(
            f"UPDATE ups_live_state SET {sets} WHERE ups_id IN ({marks})",
            [*values, *chunk],
            conn,
        )


class Detected(Protocol):
    """An edge a detector found (`events.DetectedEvent`, `coverage.CoverageEvent`)."""

    @property
    def kind(self) -> str: ...
    @property
    def previous_status(self) -> str: ...
    @property
    def new_status(self) -> str: ...
    @property
    def details(self) -> dict[str, Any]: ...


def event_row(ups_id: int, found: Detected, at: datetime) -> Event:
    """The outbox row of an edge: written with the state change, sent by the dispatcher."""
    return Event(
        ups_id=ups_id,
        kind=found.kind,
        previous_status=found.previous_status,
        new_status=found.new_status,
        occurred_at=at,
        details=found.details,
        dispatched=False,
    )
