"""Ongoing alerts: opened by a condition's event, cleared when it no longer holds, repeated
by rules while it does, stopped by an acknowledgement that everyone told hears about.

Every write is a conditional update on `Alert.version`, so two dispatchers (two pollers) never
send the same reminder twice and an acknowledgement is recorded once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from powerpulse.db.models import (
    Alert,
    AlertRule,
    Event,
    NotificationDelivery,
    NotificationLog,
    UpsLiveState,
    UpsSystem,
    User,
)
from powerpulse.notify import outbox, routing
from powerpulse.notify.conditions import clears, condition_of, holds
from powerpulse.notify.messages import (
    Notice,
    extra_from_details,
    format_runtime,
    readings_from_details,
)
from powerpulse.notify.recipients import usable
from powerpulse.notify.rules import matches


def ups_display_name(ups: UpsSystem) -> str:
    return ups.nickname or ups.name


async def on_event(event: Event, at: datetime) -> Alert | None:
    """Close what `event` clears; open (or find) the alert it starts (caller's transaction)."""
    details = event.details if isinstance(event.details, dict) else {}
    ups_id = event.ups_id  # type: ignore[attr-defined]
    if (ended := clears(event.kind, details)) is not None:
        await Alert.filter(ups_id=ups_id, condition=ended, cleared_at__isnull=True).update(
            cleared_at=at
        )
    condition = condition_of(event.kind, details)
    if condition is None:
        return None
    found = await Alert.get_or_none(ups_id=ups_id, condition=condition, cleared_at__isnull=True)
    if found is not None:
        return found
    return await Alert.create(
        ups_id=ups_id,
        kind=event.kind,
        condition=condition,
        event_id=event.id,
        status=event.new_status,
        started_at=event.occurred_at,
    )


async def _bump(alert: Alert, **values: Any) -> bool:
    """Write `values` if nobody else changed the alert since it was read."""
    changed = await Alert.filter(id=alert.id, version=alert.version).update(
        version=alert.version + 1, **values
    )
    if changed == 1:
        alert.version += 1
        for key, value in values.items():
            setattr(alert, key, value)
    return changed == 1


def _since_text(alert: Alert, now: datetime) -> str:
    return format_runtime((now - alert.started_at).total_seconds())


async def live_notice(alert: Alert, ups: UpsSystem, note: str, **extra: Any) -> Notice:
    """A notice about an open alert with the UPS's current readings."""
    live = await UpsLiveState.get_or_none(ups_id=ups.id)
    r = readings_from_details(dict(live.variables or {}) if live else {})
    event_id = alert.event_id  # type: ignore[attr-defined]
    event = await Event.get_or_none(id=event_id) if event_id else None

    return Notice(
        kind=alert.kind,
        ups_name=ups_display_name(ups),
        status=alert.status,
        previous_status="",
        occurred_at=alert.started_at,
        charge=r["charge"],
        runtime_seconds=r["runtime_seconds"],
        load=r["load"],
        extra=extra_from_details(alert.kind, event.details if event else {}),
        note=note,
        ups_id=ups.id,
        **extra,
    )


async def sweep_once(now: datetime) -> int:
    """Clear alerts whose condition is gone; send reminders that are due. Returns reminders."""
    sent = 0
    open_alerts = await Alert.filter(cleared_at__isnull=True).order_by("id")
    if not open_alerts:
        return 0
    states = {
        row.ups_id: row.event_state  # type: ignore[attr-defined]
        for row in await UpsLiveState.filter(ups_id__in=[a.ups_id for a in open_alerts])  # type: ignore[attr-defined]
    }
    rules = [r for r in await AlertRule.filter(enabled=True) if r.repeat_every]
    for alert in open_alerts:
        ups_id = alert.ups_id  # type: ignore[attr-defined]
        if not holds(alert.condition, states.get(ups_id)):
            await _bump(alert, cleared_at=now)
            continue
        if alert.acknowledged_at is not None:
            continue
        for rule in rules:
            if matches(rule, ups_id, alert.kind) and await _remind(alert, rule, now):
                sent += 1
    return sent


async def _remind(alert: Alert, rule: AlertRule, now: datetime) -> bool:
    assert rule.repeat_every
    count, last = (alert.repeats or {}).get(str(rule.id), [0, alert.started_at.timestamp()])
    if now.timestamp() - float(last) < rule.repeat_every:
        return False
    ups = await UpsSystem.get_or_none(id=alert.ups_id)  # type: ignore[attr-defined]
    if ups is None:
        return False
    async with in_transaction():
        repeats = {**(alert.repeats or {}), str(rule.id): [int(count) + 1, now.timestamp()]}
        if not await _bump(alert, repeats=repeats):
            return False  # another dispatcher sent it
        note = f"Reminder {int(count) + 1}: still going on after {_since_text(alert, now)}."
        notice = await live_notice(alert, ups, note)
        routes = await routing.routes_for(ups, alert.kind, now)
        routes = [r for r in routes if r.rule is not None and r.rule.id == rule.id]
        await routing.write(routes, notice, outbox.Source(ups_id=ups.id, alert_id=alert.id))
    return True


async def acknowledge(alert: Alert, user: User, note: str, now: datetime) -> int:
    """Record who acknowledged `alert` (it stops repeating) and tell everyone who was told
    about it, on the same channels. Returns how many history rows went out; -1 when it was
    already acknowledged."""
    if alert.acknowledged_at is not None:
        return -1
    ups = await UpsSystem.get_or_none(id=alert.ups_id)  # type: ignore[attr-defined]
    async with in_transaction():
        acked = await _bump(
            alert,
            acknowledged_by_id=user.id,
            acknowledged_name=user.username,
            acknowledged_at=now,
            acknowledged_note=note or None,
        )
        if not acked or ups is None:
            return -1 if not acked else 0
        told = await told_about(alert)
        text = f"Acknowledged by {user.username}" + (f": {note}" if note else ".")
        notice = await live_notice(alert, ups, text, acknowledged_by=user.username)
        routes = [routing.Route(uid, rule, channels) for (uid, rule), channels in told.items()]
        await routing.write(routes, notice, outbox.Source(ups_id=ups.id, alert_id=alert.id))
    return len(told)


async def told_about(
    alert: Alert,
) -> dict[tuple[int | None, AlertRule | None], list[Any]]:
    """(user, rule) -> the channels that carried the alert's messages (sent, not muted)."""
    logs = await NotificationLog.filter(alert_id=alert.id, suppressed__isnull=True).order_by("id")
    rule_ids = [lg.rule_id for lg in logs if lg.rule_id]  # type: ignore[attr-defined]
    rules = {r.id: r for r in await AlertRule.filter(id__in=rule_ids)}
    out: dict[tuple[int | None, AlertRule | None], list[Any]] = {}
    seen: set[int] = set()
    deliveries = await NotificationDelivery.filter(
        log_id__in=[lg.id for lg in logs], notification_channel_id__not_isnull=True
    ).prefetch_related("notification_channel")
    by_log: dict[int, list[NotificationDelivery]] = {}
    for d in deliveries:
        by_log.setdefault(d.log_id, []).append(d)  # type: ignore[attr-defined]
    for lg in logs:
        key = (lg.user_id, rules.get(lg.rule_id))  # type: ignore[attr-defined]
        for d in by_log.get(lg.id, []):
            channel = d.notification_channel
            if channel is None or channel.id in seen or not usable(channel):
                continue
            seen.add(channel.id)
            out.setdefault(key, []).append(channel)
    return out
