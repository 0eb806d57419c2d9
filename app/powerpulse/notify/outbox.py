"""The notification outbox: history rows and per-channel deliveries in the database.

Every notification, whether from an event, a test button or the API, is written here first
(`enqueue`), claimed by exactly one sender (`claim_due`, a conditional update that counts one
changed row), and closed with its outcome (`record`). A sender that dies while holding a claim
leaves it to lapse at `claimed_until`; the delivery is then claimed and sent again.

`attempts` doubles as the claim's version number: each claim increments it, and `record` only
writes when the row still carries the number it claimed, so a stale sender cannot overwrite a
newer attempt's outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from tortoise.expressions import Q

from powerpulse.db.models import NotificationChannel, NotificationDelivery, NotificationLog
from powerpulse.notify.channels import KINDS
from powerpulse.notify.channels.base import DeliveryResult
from powerpulse.notify.messages import Notice, Override

PENDING = "pending"
RETRY = "retry"
DELIVERED = "delivered"
FAILED = "failed"
OPEN_STATES = (PENDING, RETRY)
CLOSED_STATES = (DELIVERED, FAILED)

# Wait after attempt n (1-based) before attempt n + 1; six attempts span about 21 minutes.
BACKOFF_SECONDS = (5.0, 15.0, 60.0, 300.0, 900.0)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
MAX_RETRY_AFTER = 3600.0


def retry_delay(attempts: int, retry_after: float | None) -> float:
    """Seconds to wait before the next attempt. A service's own `retry_after` wins (bounded),
    since asking earlier only earns another 429."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_RETRY_AFTER)
    return BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1]


def next_state(attempts: int, result: DeliveryResult, *, final: bool = False) -> str:
    """The state a delivery moves to after its `attempts`-th attempt ended with `result`."""
    if result.ok:
        return DELIVERED
    if result.permanent or final or attempts >= MAX_ATTEMPTS:
        return FAILED
    return RETRY


@dataclass(frozen=True)
class Destination:
    """Where one delivery goes: a saved channel (its config is read at send time), or an
    ad-hoc config (a test of a URL that is not saved)."""

    kind: str
    channel_id: int | None = None
    config: Mapping[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def of(cls, channel: NotificationChannel) -> Destination:
        return cls(channel.kind, channel_id=channel.id)


@dataclass(frozen=True)
class Source:
    """Why a notification was written: its event, rule, alert or drill (all optional)."""

    ups_id: int | None = None
    event_id: int | None = None
    rule_id: int | None = None
    alert_id: int | None = None
    drill_id: int | None = None


async def enqueue(
    user_id: int | None,
    notice: Notice,
    destinations: Sequence[Destination],
    source: Source = Source(),
    *,
    override: Override | None = None,
    suppressed: str | None = None,
    claim_until: datetime | None = None,
    not_before: datetime | None = None,
) -> tuple[NotificationLog, list[NotificationDelivery]]:
    """Write one history row and one pending delivery per destination (the caller's
    transaction). A `suppressed` row ("muted") records the notice and sends nothing.

    With `claim_until`, the deliveries are born claimed by the caller (attempt 1 in progress),
    so a sender that wants to deliver at once never races the dispatcher; with `not_before`
    they wait until then (a drill's "power restored").
    """
    log = await NotificationLog.create(
        user_id=user_id,
        ups_id=source.ups_id,
        event_id=source.event_id,
        rule_id=source.rule_id,
        alert_id=source.alert_id,
        drill_id=source.drill_id,
        ups_name=notice.ups_name,
        status=notice.status,
        previous_status=notice.previous_status,
        kind=notice.kind,
        suppressed=suppressed,
    )
    if suppressed:
        return log, []
    deliveries = [
        await NotificationDelivery.create(
            log_id=log.id,
            channel=d.kind,
            notification_channel_id=d.channel_id,
            target="" if d.config is None else orjson.dumps(dict(d.config)).decode(),
            payload=KINDS[d.kind].payload(notice, override),
            state=PENDING,
            attempts=1 if claim_until else 0,
            claimed_until=claim_until,
            next_attempt_at=not_before,
        )
        for d in destinations
    ]
    return log, deliveries


async def claim_due(now: datetime, lease: float, limit: int) -> list[NotificationDelivery]:
    """Claim up to `limit` deliveries that are due and not held by a live claim."""
    due = (
        await NotificationDelivery.filter(state__in=OPEN_STATES)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .order_by("id")
        .limit(limit)
    )
    until = now + timedelta(seconds=lease)
    claimed: list[NotificationDelivery] = []
    for row in due:
        changed = await NotificationDelivery.filter(
            id=row.id, attempts=row.attempts, state__in=OPEN_STATES
        ).update(attempts=row.attempts + 1, claimed_until=until)
        if changed == 1:
            row.attempts += 1
            row.claimed_until = until
            claimed.append(row)
    return claimed


async def record(
    delivery: NotificationDelivery,
    result: DeliveryResult,
    *,
    now: datetime,
    duration_ms: int,
    final: bool = False,
) -> str:
    """Store the outcome of the attempt `delivery.attempts` and release the claim.

    Returns the new state, or "" when the claim was lost (someone else owns the row now).
    """
    state = next_state(delivery.attempts, result, final=final)
    values: dict[str, object] = {
        "state": state,
        "claimed_until": None,
        "duration_ms": duration_ms,
        "last_error": None if result.ok else result.error,
        "updated_at": now,
    }
    if state == DELIVERED:
        values["delivered_at"] = now
        values["next_attempt_at"] = None
    elif state == RETRY:
        delay = retry_delay(delivery.attempts, result.retry_after)
        values["next_attempt_at"] = now + timedelta(seconds=delay)
    else:
        values["next_attempt_at"] = None
    changed = await NotificationDelivery.filter(id=delivery.id, attempts=delivery.attempts).update(
        **values
    )
    if changed != 1:
        return ""
    for key, value in values.items():
        setattr(delivery, key, value)
    return state
