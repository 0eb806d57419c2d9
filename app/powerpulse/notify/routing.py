"""Where one notice goes: each user's personal channels (their default rule: the seed's
switches) and every matching alert rule's shared channels, mutes applied; then written to the
outbox as one history row per user or rule, so the history shows which rule sent what where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from powerpulse.db.models import AlertRule, NotificationChannel, NotificationLog, UpsSystem
from powerpulse.notify import outbox
from powerpulse.notify.messages import Notice, Override
from powerpulse.notify.mutes import mute_applies, muted_until_now
from powerpulse.notify.recipients import recipients_for, usable
from powerpulse.notify.rules import global_templates, matches, rule_override

MUTED = "muted"


@dataclass(frozen=True)
class Route:
    """One history row to write: to a user's personal channels, or a rule's shared ones."""

    user_id: int | None
    rule: AlertRule | None
    channels: list[NotificationChannel] = field(default_factory=list)
    suppressed: str | None = None


async def matching_rules(ups_id: int | None, kind: str) -> list[AlertRule]:
    rules = await AlertRule.filter(enabled=True).order_by("id")
    if ups_id is None:  # not a UPS's event (a site without a poller): rules for every UPS
        return [r for r in rules if r.ups is None and kind in (r.events or ())]
    return [r for r in rules if matches(r, ups_id, kind)]


async def shared_channels(ids: set[int]) -> dict[int, NotificationChannel]:
    if not ids:
        return {}
    rows = await NotificationChannel.filter(id__in=list(ids), owner_id__isnull=True)
    return {c.id: c for c in rows if usable(c)}


async def routes_for(
    ups: UpsSystem | None, kind: str, at: datetime, *, ignore_mutes: bool = False
) -> list[Route]:
    """Every route of a `kind` notice about `ups` at `at` (mutes applied unless told not to:
    a drill is a deliberate rehearsal and goes out even in a maintenance window)."""
    muted = None if ups is None or ignore_mutes else await muted_until_now(ups, at)
    routes = [
        Route(r.user_id, None, r.channels, MUTED if muted and mute_applies(kind) else None)
        for r in await recipients_for(kind)
    ]
    rules = await matching_rules(ups.id if ups else None, kind)
    shared = await shared_channels({int(i) for r in rules for i in (r.channels or ())})
    for rule in rules:
        channels = [shared[int(i)] for i in rule.channels or () if int(i) in shared]
        if not channels:
            continue
        silenced = muted and mute_applies(kind, mute_critical=rule.mute_critical)
        routes.append(Route(None, rule, channels, MUTED if silenced else None))
    return routes


async def write(
    routes: list[Route],
    notice: Notice,
    source: outbox.Source,
    *,
    not_before: datetime | None = None,
    overrides: dict[str, Override] | None = None,
) -> list[NotificationLog]:
    """One history row per route (the caller's transaction); the global templates apply to
    every route, a rule's own over them."""
    if overrides is None:
        overrides = await global_templates()
    logs = []
    for route in routes:
        log, _ = await outbox.enqueue(
            route.user_id,
            notice,
            [outbox.Destination.of(c) for c in route.channels],
            outbox.Source(
                ups_id=source.ups_id,
                event_id=source.event_id,
                rule_id=route.rule.id if route.rule else None,
                alert_id=source.alert_id,
                drill_id=source.drill_id,
            ),
            override=rule_override(route.rule, notice.kind, overrides),
            suppressed=route.suppressed,
            not_before=not_before,
        )
        logs.append(log)
    return logs
