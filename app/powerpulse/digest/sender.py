"""The digest sender (a poller task): each enabled schedule's report, once per period.

`send_due_once` is the step function: for a schedule whose period is due and not yet sent, the
report is gathered, then in one transaction the schedule is claimed (a conditional update of
`last_period` that must change exactly one row, so two pollers never both send) and the
report is written to the outbox, one delivery per shared channel. The notification
dispatcher delivers it like any other notification: retries, the delivery log and every
channel kind apply. Should the write fail, the claim rolls back with it and the next tick tries
again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tortoise.transactions import in_transaction

from powerpulse.db.models import DigestSchedule, NotificationLog
from powerpulse.digest import periods, report
from powerpulse.digest.periods import Period
from powerpulse.notify import outbox, routing
from powerpulse.notify.messages import DIGEST, Notice
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

TICK = 30.0


def zone_of(schedule: DigestSchedule) -> ZoneInfo:
    try:
        return ZoneInfo(schedule.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")  # validated at save time; a zone removed since falls back


async def compose(schedule: DigestSchedule, period: Period, now: datetime) -> Notice:
    """The report of `period` as a notice every channel kind renders."""
    found = await report.gather(period, zone_of(schedule).key)
    return Notice(
        kind=DIGEST,
        ups_name=schedule.name,
        status=period.key,
        previous_status="",
        occurred_at=now,
        extra={"title": report.title(found), "text": report.render(found, schedule.name)},
    )


async def enqueue(schedule: DigestSchedule, notice: Notice) -> NotificationLog | None:
    """One history row and a pending delivery per usable shared channel (caller's transaction)."""
    channels = await routing.shared_channels({int(c) for c in schedule.channels or ()})
    destinations = [
        outbox.Destination.of(channels[int(c)])
        for c in schedule.channels or ()
        if int(c) in channels
    ]
    if not destinations:
        return None
    row, _ = await outbox.enqueue(None, notice, destinations)
    return row


async def _claim(schedule: DigestSchedule, key: str, now: datetime) -> bool:
    query = DigestSchedule.filter(id=schedule.id, enabled=True)
    if schedule.last_period is None:
        query = query.filter(last_period__isnull=True)
    else:
        query = query.filter(last_period=schedule.last_period)
    return await query.update(last_period=key, last_sent_at=now) == 1


async def send_due_once(now: datetime | None = None) -> int:
    """Send every due, unsent period; returns how many reports this call sent."""
    now = now or utcnow()
    sent = 0
    for schedule in await DigestSchedule.filter(enabled=True).order_by("id"):
        if schedule.period not in periods.PERIODS:
            continue
        period = periods.due(schedule.period, schedule.hour, zone_of(schedule), now)
        if period is None or schedule.last_period == period.key:
            continue
        notice = await compose(schedule, period, now)
        async with in_transaction():
            if not await _claim(schedule, period.key, now):
                continue  # another poller sent it
            await enqueue(schedule, notice)
        sent += 1
        log.info("digest %s (%s) for %s queued", schedule.id, schedule.name, period.key)
    return sent


async def run(
    stop: asyncio.Event, *, tick: float = TICK, clock: Callable[[], datetime] = utcnow
) -> None:
    """`send_due_once` every `tick` seconds until `stop` is set."""
    while not stop.is_set():
        try:
            await send_due_once(clock())
        except Exception:
            log.exception("digest step failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), tick)
