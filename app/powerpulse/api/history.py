"""`/api/ups-systems/<id>/events` and `/history` (also under `/api/ups/systems`): any user;
`/api/history/metrics`: public.

Events come newest first, paged by id (`?limit=&before=`). History is at most `points` time
buckets with min / avg / max per reading, aggregated in SQL by `powerpulse.history`; this module
turns its dataclasses into the API's JSON, or with `?format=csv` into a CSV file of the same
buckets (one row per bucket, units in the header). The metrics endpoint describes the readings
(name, label, unit) from `powerpulse.history.metrics`, so the web UI has no table of its own.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, raw
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.api.auth import require_user
from powerpulse.api.errors import bad_request, not_found
from powerpulse.api.outages import outages
from powerpulse.api.validation import parse_id
from powerpulse.db.models import Event, UpsSystem
from powerpulse.export import samples as sample_export
from powerpulse.export import stream as export_stream
from powerpulse.history import METRICS, Bucket, first_sample, read_buckets
from powerpulse.history.metrics import describe
from powerpulse.timeutil import iso, parse_iso, utcnow

bp = Blueprint("ups_history", url_prefix="/api/ups-systems")
metrics_bp = Blueprint("history_metrics", url_prefix="/api/history")
FORMATS = ("json", "csv")
_METRICS_BODY = {"metrics": describe()}

EVENTS_DEFAULT_LIMIT = 50
EVENTS_MAX_LIMIT = 500
POINTS_DEFAULT = 500
POINTS_MAX = 5000
DEFAULT_SPAN = timedelta(hours=24)
MAX_SPAN = timedelta(days=3660)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


async def _ups_id(raw: str) -> int:
    ups_id = parse_id(raw, "UPS system")
    if not await UpsSystem.filter(id=ups_id).exists():
        raise not_found("UPS system")
    return ups_id


def _int_arg(request: Request, name: str, default: int | None, lo: int, hi: int) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or not lo <= int(raw) <= hi:
        raise bad_request(name, f"{name} must be a whole number from {lo} to {hi}")
    return int(raw)


def _time_arg(request: Request, name: str) -> datetime | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = parse_iso(raw)
    except (ValueError, OverflowError):
        value = None
    # Years 1 and 9999 parse but overflow once the default span is subtracted (a 500 before).
    if value is None or not EARLIEST <= value <= LATEST:
        raise bad_request(name, f"{name} must be an ISO 8601 time, e.g. 2025-01-31T12:00:00Z")
    return value


def _round(value: float | None) -> float | None:
    # Stored readings are range-checked, but an inf (SQLite's SUM past 1.8e308) is never a number.
    return None if value is None or not math.isfinite(value) else round(value, 2)


def bucket_to_dict(bucket: Bucket) -> dict[str, Any]:
    point: dict[str, Any] = {"time": iso(bucket.start), "samples": bucket.samples}
    for m in METRICS:
        stat = bucket.stats[m.column]
        point[m.api_name] = {
            "min": _round(stat.min),
            "avg": _round(stat.avg),
            "max": _round(stat.max),
        }
    return point


def event_to_dict(event: Event, outage: dict[str, Any] | None = None) -> dict[str, Any]:
    """An event; `outage` (from `outages.outages`) for an `online` event that ended one."""
    return {
        "id": event.id,
        "upsId": event.ups_id,  # type: ignore[attr-defined]
        "kind": event.kind,
        "previousStatus": event.previous_status,
        "newStatus": event.new_status,
        "occurredAt": iso(event.occurred_at),
        "details": event.details or {},
        "dispatched": event.dispatched,
        "outage": None if outage is None else {**outage, "startedAt": iso(outage["startedAt"])},
    }


@bp.get("/<ups_id:str>/events")
@schemas.returns(schemas.EventsPage)
@require_user
async def list_events(request: Request, ups_id: str) -> HTTPResponse:
    """Power events of one UPS, newest first. `before` is the `id` of the last event seen."""
    uid = await _ups_id(ups_id)
    limit = _int_arg(request, "limit", EVENTS_DEFAULT_LIMIT, 1, EVENTS_MAX_LIMIT)
    before = _int_arg(request, "before", None, 1, 2**62)
    query = Event.filter(ups_id=uid)
    if before is not None:
        query = query.filter(id__lt=before)
    events = await query.order_by("-id").limit(limit)  # type: ignore[arg-type]
    found = await outages(uid, events)
    page = [event_to_dict(e, found.get(e.id)) for e in events]
    more = len(page) == limit and await query.filter(id__lt=events[-1].id).exists()
    return json({"events": page, "nextBefore": events[-1].id if more else None})


def _csv_cell(value: float | None) -> str:
    return "" if value is None else repr(value)


def csv_header() -> list[str]:
    """`time`, `samples`, then avg, min and max of each metric with its unit."""
    header = ["time", "samples"]
    for m in METRICS:
        header += [f"{m.api_name}{part} [{m.unit}]" for part in ("", ".min", ".max")]
    return header


def history_csv(buckets: list[Bucket]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(csv_header())
    for bucket in buckets:
        row = [iso(bucket.start), str(bucket.samples)]
        for m in METRICS:
            stat = bucket.stats[m.column]
            row += [_csv_cell(_round(v)) for v in (stat.avg, stat.min, stat.max)]
        writer.writerow(row)
    return out.getvalue().encode()


def _file_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def csv_filename(ups: UpsSystem, start: datetime, end: datetime) -> str:
    # Only safe characters: the name is the UPS's, which any admin (or upsd) chose.
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", ups.ups_name).strip("-.")[:64] or f"ups-{ups.id}"
    return f"powerpulse-{name}-{_file_time(start)}-{_file_time(end)}.csv"


@metrics_bp.get("/metrics")
@openapi.summary("The readings history keeps: name, label, unit (public)")
@schemas.returns(schemas.HistoryMetrics)
async def history_metrics(request: Request) -> HTTPResponse:
    return json(_METRICS_BODY, headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/<ups_id:str>/history")
@schemas.returns(schemas.HistoryResponse, text="text/csv")
@require_user
async def history(request: Request, ups_id: str) -> HTTPResponse | None:
    """Buckets of every metric (`/api/history/metrics`) between `from` and `to`.

    As JSON, or with `format=csv` as a CSV file of the same buckets (units in its header).
    With `raw=true`: every stored sample in [from, to] streamed as CSV or one JSON array
    (`format=csv|json` or the Accept header; CSV by default), read page by page."""
    uid = await _ups_id(ups_id)
    if request.args.get("raw") in ("1", "true"):
        await _raw_export(request, uid)
        return None
    fmt = request.args.get("format") or "json"
    if fmt not in FORMATS:
        raise bad_request("format", "format must be json or csv")
    points = _int_arg(request, "points", POINTS_DEFAULT, 1, POINTS_MAX)
    assert points is not None
    end = _time_arg(request, "to") or utcnow()
    start = _time_arg(request, "from") or end - DEFAULT_SPAN
    if start >= end:
        raise bad_request("from", "from must be earlier than to")
    if end - start > MAX_SPAN:
        raise bad_request("from", "the range from..to may span at most 10 years")
    settings = request.app.ctx.settings
    found = await read_buckets(uid, start, end, points, settings.history_interval)
    if fmt == "csv":
        ups = await UpsSystem.get_or_none(id=uid)
        if ups is None:  # deleted since the check above
            raise not_found("UPS system")
        disposition = f'attachment; filename="{csv_filename(ups, start, end)}"'
        return raw(
            history_csv(found.buckets),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
        )
    return json(
        {
            "upsId": uid,
            "from": iso(start),
            "to": iso(end),
            "bucketSeconds": found.plan.width,
            "source": found.plan.source,
            "points": [bucket_to_dict(b) for b in found.buckets],
            "sampleSeconds": settings.history_interval,
            "firstSample": iso(await first_sample(uid)),
        }
    )


async def _raw_export(request: Request, uid: int) -> None:
    fmt = export_stream.requested_format(request) or export_stream.CSV
    end = _time_arg(request, "to") or utcnow()
    start = _time_arg(request, "from") or end - DEFAULT_SPAN
    if start > end:
        raise bad_request("from", "from must not be later than to")
    ups = await UpsSystem.get_or_none(id=uid)
    if ups is None:
        raise not_found("UPS system")
    name = export_stream.file_name(f"{ups.ups_name}-samples", start, end, fmt)
    pages = sample_export.sample_pages(uid, start, end)
    await export_stream.respond(request, sample_export.TABLE, fmt, name, pages)


blueprints = Blueprint.group(
    bp, bp.copy("ups_history_legacy", url_prefix="/api/ups/systems"), metrics_bp
)
