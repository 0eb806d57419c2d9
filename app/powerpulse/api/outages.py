"""How long a power failure lasted and how low the battery got: the `outage` of an `online` event.

An `online` event (OB → OL, confirmed) is paired with the latest `on_battery` event of the same
UPS before it that no other `online` event has claimed (event detection persists its state, so
a poller restart neither repeats nor drops one; if the live state was reset between them, the
nearest start is the right one). No such start, or a start after the end (a clock set back):
no outage. The duration runs to the confirmed restore, so it includes the restore hold.

The lowest charge is the minimum of the charge stored with both events and every sample
between them; samples may be missing (history interval longer than the outage, a poller that
was down, retention), then it is what the events carried, or null.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tortoise.functions import Min

from powerpulse.db.models import Event, Sample

ON_BATTERY, ONLINE = "on_battery", "online"


def _charge(details: Any) -> float | None:
    value = details.get("charge") if isinstance(details, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) and 0 <= value <= 100 else None


def _whole(value: float) -> float | int:
    return int(value) if value.is_integer() else round(value, 1)


async def outages(ups_id: int, events: Sequence[Event]) -> dict[int, dict[str, Any]]:
    """{id of each `online` event in `events` that has a start: its outage}."""
    ends = [e for e in events if e.kind == ONLINE]
    if not ends:
        return {}
    first, last = min(e.id for e in ends), max(e.id for e in ends)
    before = (
        await Event.filter(ups_id=ups_id, kind=ON_BATTERY, id__lt=first)
        .order_by("-id")
        .first()
        .only("id")
    )
    edges = (
        await Event.filter(
            ups_id=ups_id,
            kind__in=(ON_BATTERY, ONLINE),
            id__gte=before.id if before is not None else first,
            id__lte=last,
        )
        .order_by("id")
        .only("id", "kind", "occurred_at", "details")
    )
    wanted = {e.id for e in ends}
    pairs: list[tuple[Event, Event]] = []
    start: Event | None = None
    for edge in edges:
        if edge.kind == ON_BATTERY:
            start = edge  # two starts in a row (state reset): the later one is the outage
        elif start is not None:
            if edge.id in wanted and start.occurred_at <= edge.occurred_at:
                pairs.append((start, edge))
            start = None
    found: dict[int, dict[str, Any]] = {}
    for begin, end in pairs:
        lows = [c for c in (_charge(begin.details), _charge(end.details)) if c is not None]
        rows = (
            await Sample.filter(
                ups_id=ups_id,
                timestamp__gte=begin.occurred_at,
                timestamp__lte=end.occurred_at,
                charge__isnull=False,
            )
            .annotate(low=Min("charge"))
            .values("low")
        )
        low = rows[0].get("low") if rows else None
        if isinstance(low, int | float) and math.isfinite(low) and 0 <= low <= 100:
            lows.append(float(low))
        seconds = (end.occurred_at - begin.occurred_at).total_seconds()
        found[end.id] = {
            "durationSeconds": round(seconds),
            "lowestCharge": _whole(min(lows)) if lows else None,
            "startedAt": begin.occurred_at,
        }
    return found
