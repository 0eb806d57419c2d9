"""Live state rows: what changed in one server's poll, written in one transaction.

Content (variables, status tokens, error) is written only when it changed, numbered with
`counters.bump(LIVE)` so the stream watcher sends it, with fresh timestamps. Freshness alone
(`last_attempt_at`, `last_success_at` of unchanged rows) is written with one set-based UPDATE per
server, without a version bump, at most every `FRESHNESS_EVERY` seconds (every poll at the
default 5 s interval): each such UPDATE rewrites every row's page, JSON included, so a 0.5 s
interval would otherwise rewrite the whole table twice a second. "Last updated" is thus at most
2 s behind, far inside the API's stale threshold (at least 10 s).
Events and samples of the same poll go in the same transaction (events with `dispatched=False`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from powerpulse.db import counters
from powerpulse.db.models import Event, Sample, UpsLiveState
from powerpulse.poller.history import write_samples

log = logging.getLogger(__name__)

FRESHNESS_EVERY = 2.0


@dataclass
class LiveRow:
    """The poller's copy of one `UpsLiveState` row."""

    ups_id: int
    variables: dict[str, str] = field(default_factory=dict)
    status_tokens: str = ""
    error_code: str | None = None
    error_message: str | None = None
    event_state: dict[str, Any] | None = None

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

    @property
    def empty(self) -> bool:
        return not (self.attempted or self.changes or self.events or self.samples)


async def load_rows(ups_ids: Iterable[int]) -> dict[int, LiveRow]:
    """The rows of these UPS, created empty when missing (a UPS added since the last load)."""
    wanted = list(ups_ids)
    if not wanted:
        return {}
    found = {r.ups_id: r for r in await UpsLiveState.filter(ups_id__in=wanted)}  # type: ignore[attr-defined]
    missing = [UpsLiveState(ups_id=i) for i in wanted if i not in found]
    if missing:
        # A UPS deleted meanwhile would fail the foreign key: create one by one, skip failures.
        for row in missing:
            try:
                await row.save()
            except Exception:  # deleted meanwhile: the next reload drops it
                log.debug("UPS %s vanished before its live state row was created", row.pk)
            else:
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
    async with in_transaction() as conn:
        changed = [c for c in write.changes if c.content_changed]
        version = await counters.bump(counters.LIVE, len(changed)) if changed else 0
        first = version - len(changed) + 1
        for offset, change in enumerate(changed):
            row = change.row
            # A changed row always gets fresh timestamps, whatever the freshness throttle says.
            fresh: dict[str, Any] = {"last_attempt_at": write.at}
            if row.error_code is None:
                fresh["last_success_at"] = write.at
            await (
                UpsLiveState.filter(ups_id=row.ups_id)
                .using_db(conn)
                .update(
                    variables=row.variables,
                    status_tokens=row.status_tokens,
                    error_code=row.error_code,
                    error_message=row.error_message,
                    event_state=row.event_state,
                    version=first + offset,
                    **fresh,
                )
            )
        for change in write.changes:
            if change.state_changed and not change.content_changed:
                await (
                    UpsLiveState.filter(ups_id=change.row.ups_id)
                    .using_db(conn)
                    .update(event_state=change.row.event_state)
                )
        await _freshness(conn, write.attempted, write.succeeded, write.at)
        if write.events:
            await Event.bulk_create(write.events, using_db=conn)
        await write_samples(write.samples, conn)


async def _freshness(conn: Any, attempted: Sequence[int], ok: Sequence[int], at: datetime) -> None:
    if attempted and list(attempted) == list(ok):  # the usual case: one statement, not two
        await (
            UpsLiveState.filter(ups_id__in=list(ok))
            .using_db(conn)
            .update(last_attempt_at=at, last_success_at=at)
        )
        return
    if attempted:
        await (
            UpsLiveState.filter(ups_id__in=list(attempted))
            .using_db(conn)
            .update(last_attempt_at=at)
        )
    if ok:
        await UpsLiveState.filter(ups_id__in=list(ok)).using_db(conn).update(last_success_at=at)
