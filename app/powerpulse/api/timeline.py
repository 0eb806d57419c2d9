"""`GET /api/events`: the fleet's event timeline, newest first, filtered by UPS, site, kind and
time; paged by id (`before`) as JSON, or streamed whole as CSV or JSON (`powerpulse.export`).

The valid kinds are the notification wordings' (`notify.messages`: every kind an event can
have) plus any kind already stored, so a kind a newer feature writes is never refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.queryset import QuerySet

from powerpulse.api import schemas
from powerpulse.api.auth import require_user
from powerpulse.api.errors import bad_request
from powerpulse.api.report_filters import UpsNames, by_ups, time_range
from powerpulse.api.validation import query_int
from powerpulse.db.models import Event
from powerpulse.export import pages as keyset
from powerpulse.export import stream as export
from powerpulse.notify.messages import TEMPLATES, THRESHOLD_TEMPLATES
from powerpulse.timeutil import iso

bp = Blueprint("timeline", url_prefix="/api/events")

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
EXPORT_PAGE = 2000
KEYS = tuple(schemas.TimelineEvent.__annotations__)
TABLE = export.Table(keys=KEYS, headers=KEYS)


def known_kinds() -> tuple[str, ...]:
    return tuple(dict.fromkeys((*TEMPLATES, *THRESHOLD_TEMPLATES)))


async def kinds_arg(request: Request) -> list[str] | None:
    raw = request.args.get("kind")
    if not raw:
        return None
    kinds = list(dict.fromkeys(k.strip() for k in raw.split(",")[:100] if k.strip()))
    known = known_kinds()
    unknown = [k for k in kinds if k not in known]
    if unknown:
        stored = set(
            await Event.filter(kind__in=[k[:32] for k in unknown])
            .distinct()
            .values_list("kind", flat=True)
        )
        if bad := [k for k in unknown if k not in stored]:
            raise bad_request(
                "kind", f"Unknown event kind {bad[0][:40]!r}; valid kinds: {', '.join(known)}"
            )
    return kinds


async def filtered(request: Request) -> QuerySet[Event]:
    start, end = time_range(request)
    query = by_ups(Event.all(), request)
    if (kinds := await kinds_arg(request)) is not None:
        query = query.filter(kind__in=kinds)
    if start is not None:
        query = query.filter(occurred_at__gte=start)
    if end is not None:
        query = query.filter(occurred_at__lte=end)
    return query


async def event_rows(events: Sequence[Event], names: UpsNames) -> list[dict[str, Any]]:
    await names.load([e.ups_id for e in events])  # type: ignore[attr-defined]
    rows = []
    for e in events:
        name, display, site = names[e.ups_id]  # type: ignore[attr-defined]
        rows.append(
            {
                "id": e.id,
                "upsId": e.ups_id,  # type: ignore[attr-defined]
                "upsName": name,
                "displayName": display,
                "site": site,
                "kind": e.kind,
                "previousStatus": e.previous_status,
                "newStatus": e.new_status,
                "occurredAt": iso(e.occurred_at),
                "details": e.details if isinstance(e.details, dict) else {},
            }
        )
    return rows


async def _export_pages(query: QuerySet[Event]) -> AsyncIterator[list[tuple[Any, ...]]]:
    names = UpsNames()
    async for page in keyset.by_id(query, descending=True, size=EXPORT_PAGE):
        yield [tuple(r[k] for k in KEYS) for r in await event_rows(page, names)]


@bp.get("/")
@openapi.summary("The fleet's event timeline, newest first")
@openapi.description(
    "Filters: `ups=1,2`, `site=a,b`, `kind=on_battery,online` (an unknown kind is a 400 "
    "listing the valid ones), `from`/`to`. Pages of `limit` (default 100, max 500) with "
    "`before=<nextBefore>`; `format=csv|json` (or `Accept: text/csv`) streams every match."
)
@schemas.returns(schemas.TimelinePage, text="text/csv")
@require_user
async def list_events(request: Request) -> HTTPResponse | None:
    query = await filtered(request)
    fmt = export.requested_format(request)
    limit = query_int(request, "limit", default=DEFAULT_LIMIT, lo=1, hi=MAX_LIMIT)
    before = query_int(request, "before", default=0, lo=1, hi=2**62)
    if fmt is not None:
        start, end = time_range(request)
        name = export.file_name("events", start, end, fmt)
        await export.respond(request, TABLE, fmt, name, _export_pages(query))
        return None
    page_query = query.filter(id__lt=before) if before else query
    found = await page_query.order_by("-id").limit(limit + 1)
    more = len(found) > limit
    rows = await event_rows(found[:limit], UpsNames())
    return json({"events": rows, "nextBefore": found[limit - 1].id if more else None})
