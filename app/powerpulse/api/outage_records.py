"""`GET /api/outages`: the outage records (written by `outages.recorder`), newest first, with the
notifications that went out about their events; paged as JSON, or streamed whole as CSV or
JSON (`?format=` or `Accept: text/csv`, `powerpulse.export`).

Filters: `from`/`to` keep the outages that overlap that range (an open one runs to now),
`ups=1,2` and `site=a,b` (the UPS's NUT server's site).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from powerpulse.api import schemas
from powerpulse.api.auth import require_user
from powerpulse.api.report_filters import UpsNames, by_ups, newest_first, time_range
from powerpulse.db.models import NotificationLog, Outage
from powerpulse.export import pages as keyset
from powerpulse.export import stream as export
from powerpulse.timeutil import iso

bp = Blueprint("outage_records", url_prefix="/api/outages")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
EXPORT_PAGE = 500


# --- rows ---------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _runs(value: Any) -> list[dict[str, Any]]:
    """The recorder's `shutdown_runs`, whatever the column holds, in the API's shape."""
    out = []
    for run in value if isinstance(value, list) else ():
        if isinstance(run, dict):
            ident = run.get("id")
            plan, state = run.get("plan"), run.get("state")
            out.append(
                {
                    "id": ident if isinstance(ident, int) and not isinstance(ident, bool) else None,
                    "plan": None if plan is None else str(plan),
                    "state": None if state is None else str(state),
                }
            )
    return out


async def notifications_of(outages: Sequence[Outage]) -> dict[int, list[dict[str, Any]]]:
    """{outage id: what was sent about the events of its UPS from its start to its end}."""
    found: dict[int, list[dict[str, Any]]] = {o.id: [] for o in outages}
    if not outages:
        return found
    lowest = min(o.start_event_id for o in outages)
    ends = [o.end_event_id for o in outages]
    logs_query = NotificationLog.filter(
        ups_id__in=list({o.ups_id for o in outages}),  # type: ignore[attr-defined]
        event_id__gte=lowest,
    )
    if None not in ends:
        logs_query = logs_query.filter(event_id__lte=max(e for e in ends if e is not None))
    logs = await logs_query.order_by("id").prefetch_related("deliveries")
    for outage in outages:
        for log in logs:
            event_id = log.event_id  # type: ignore[attr-defined]
            if log.ups_id != outage.ups_id or event_id < outage.start_event_id:  # type: ignore[attr-defined]
                continue
            if outage.end_event_id is not None and event_id > outage.end_event_id:
                continue
            if log.suppressed:
                entry = {"kind": log.kind, "channel": None, "state": log.suppressed}
                found[outage.id].append({**entry, "at": iso(log.created_at)})
            for d in sorted(log.deliveries, key=lambda d: d.id):  # type: ignore[attr-defined]
                at = d.delivered_at or d.updated_at or log.created_at
                found[outage.id].append(
                    {"kind": log.kind, "channel": d.channel, "state": d.state, "at": iso(at)}
                )
    return found


async def outage_rows(outages: Sequence[Outage], names: UpsNames) -> list[dict[str, Any]]:
    await names.load([o.ups_id for o in outages])  # type: ignore[attr-defined]
    sent = await notifications_of(outages)
    rows = []
    for o in outages:
        name, display, site = names[o.ups_id]  # type: ignore[attr-defined]
        rows.append(
            {
                "id": o.id,
                "upsId": o.ups_id,  # type: ignore[attr-defined]
                "upsName": name,
                "displayName": display,
                "site": site,
                "startedAt": iso(o.started_at),
                "endedAt": iso(o.ended_at),
                "durationSeconds": _number(o.duration_seconds),
                "minCharge": _number(o.min_charge),
                "minRuntimeSeconds": _number(o.min_runtime),
                "energyWh": _number(o.energy_wh),
                "energyCoverage": _number(o.energy_coverage),
                "shutdownRuns": _runs(o.shutdown_runs),
                "notifications": sent[o.id],
            }
        )
    return rows


KEYS = tuple(schemas.OutageRecord.__annotations__)


def _flatten(row: Sequence[Any]) -> list[Any]:
    """CSV cells: the lists as short readable text rather than JSON."""
    values = dict(zip(KEYS, row, strict=True))
    runs = "; ".join(f"{r['plan']} ({r['state']})" for r in values["shutdownRuns"])
    sent = "; ".join(
        f"{n['kind']} {n['channel'] or '-'} {n['state']}" for n in values["notifications"]
    )
    values = {**values, "shutdownRuns": runs, "notifications": sent}
    return [export.cell(values[k]) for k in KEYS]


TABLE = export.Table(keys=KEYS, headers=KEYS, flatten=_flatten)


def filtered(request: Request) -> QuerySet[Outage]:
    start, end = time_range(request)
    query = by_ups(Outage.all(), request)
    if end is not None:
        query = query.filter(started_at__lte=end)
    if start is not None:
        query = query.filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start))
    return query


async def _export_pages(query: QuerySet[Outage]) -> AsyncIterator[list[tuple[Any, ...]]]:
    names = UpsNames()
    async for page in keyset.by_id(query, descending=True, size=EXPORT_PAGE):
        yield [tuple(r[k] for k in KEYS) for r in await outage_rows(page, names)]


@bp.get("/")
@openapi.summary("Outage records: start, end, lowest charge, energy, shutdown runs, notifications")
@openapi.description(
    "Newest first. `from`/`to` keep outages overlapping the range; `ups=1,2`, `site=a,b`. "
    "JSON pages of `limit` (default 100, max 1000) with `cursor`; `format=csv|json` (or "
    "`Accept: text/csv`) streams every matching outage as a file."
)
@schemas.returns(schemas.OutagePage, text="text/csv")
@require_user
async def list_outages(request: Request) -> HTTPResponse | None:
    query = filtered(request)
    fmt = export.requested_format(request)
    if fmt is not None:
        start, end = time_range(request)
        name = export.file_name("outages", start, end, fmt)
        await export.respond(request, TABLE, fmt, name, _export_pages(query))
        return None
    page, next_cursor = await newest_first(
        request, query, default_limit=DEFAULT_LIMIT, max_limit=MAX_LIMIT
    )
    return json({"outages": await outage_rows(page, UpsNames()), "nextCursor": next_cursor})
