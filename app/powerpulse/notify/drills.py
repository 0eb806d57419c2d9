"""Fire drills: a rehearsed outage of one UPS through the real rules, templates, outbox and
channels, every message marked as a drill.

"Power lost" is written to the outbox at once, "power restored" with `not_before` the chosen
number of seconds later, so the poller's dispatcher sends both like any notification. No
`Event` row is written and no UPS state changes: nothing that acts on power events (alerts,
shutdown plans) ever sees a drill. Mutes are ignored: a drill is a deliberate rehearsal.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from powerpulse.db.loaded import fetched
from powerpulse.db.models import (
    AlertRule,
    Drill,
    NotificationChannel,
    NotificationLog,
    UpsSystem,
    User,
)
from powerpulse.notify import outbox, routing
from powerpulse.notify.alerts import ups_display_name
from powerpulse.notify.messages import Notice

DEFAULT_RESTORE_AFTER = 30
MAX_RESTORE_AFTER = 3600
LOST, RESTORED = "power_lost", "power_restored"
PHASE_KINDS = {"on_battery": LOST, "online": RESTORED}


def drill_notices(ups: UpsSystem, at: datetime, restore_after: int) -> tuple[Notice, Notice]:
    name = ups_display_name(ups)
    lost = Notice("on_battery", name, "On Battery", "Online", at, drill=True, ups_id=ups.id)
    restored = Notice(
        "online",
        name,
        "Online",
        "On Battery",
        at + timedelta(seconds=restore_after),
        drill=True,
        ups_id=ups.id,
    )
    return lost, restored


async def start(ups: UpsSystem, user: User | None, restore_after: int, at: datetime) -> Drill:
    """Record the drill and queue both phases' messages (one transaction)."""
    lost, restored = drill_notices(ups, at, restore_after)
    async with in_transaction():
        drill = await Drill.create(
            ups_id=ups.id,
            started_by_id=user.id if user else None,
            restore_after=restore_after,
            started_at=at,
        )
        source = outbox.Source(ups_id=ups.id, drill_id=drill.id)
        routes = await routing.routes_for(ups, lost.kind, at, ignore_mutes=True)
        await routing.write(routes, lost, source)
        routes = await routing.routes_for(ups, restored.kind, at, ignore_mutes=True)
        await routing.write(routes, restored, source, not_before=restored.occurred_at)
    return drill


async def report(drill: Drill, now: datetime) -> dict[str, Any]:
    """Every delivery of the drill and its outcome; `done` once all are final."""
    logs = (
        await NotificationLog.filter(drill_id=drill.id)
        .order_by("id")
        .prefetch_related("deliveries__notification_channel", "rule")
    )
    ups = await UpsSystem.get_or_none(id=drill.ups_id)  # type: ignore[attr-defined]
    starter = await User.get_or_none(id=drill.started_by_id) if drill.started_by_id else None  # type: ignore[attr-defined]
    rows = []
    for log in logs:
        rule = fetched(log, "rule", AlertRule)
        for d in sorted(log.deliveries, key=lambda d: d.id):  # type: ignore[attr-defined]
            channel = fetched(d, "notification_channel", NotificationChannel)
            rows.append(
                {
                    "phase": PHASE_KINDS.get(log.kind, LOST),
                    "rule": {"id": rule.id, "name": rule.name} if rule else None,
                    "userId": log.user_id,  # type: ignore[attr-defined]
                    "channel": d.channel,
                    "channelId": d.notification_channel_id,  # type: ignore[attr-defined]
                    "channelName": channel.name if channel else None,
                    "state": d.state,
                    "attempts": d.attempts,
                    "lastError": d.last_error,
                    "deliveredAt": d.delivered_at,
                    "nextAttemptAt": d.next_attempt_at,
                }
            )
    restore_at = drill.started_at + timedelta(seconds=drill.restore_after)
    done = now >= restore_at and all(r["state"] in outbox.CLOSED_STATES for r in rows)
    return {
        "id": drill.id,
        "upsId": drill.ups_id,  # type: ignore[attr-defined]
        "upsName": ups_display_name(ups) if ups else "",
        "restoreAfter": drill.restore_after,
        "startedAt": drill.started_at,
        "startedBy": starter.username if starter else None,
        "done": done,
        "deliveries": rows,
    }
