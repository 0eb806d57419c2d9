"""`/api/digest-schedules`: scheduled reports (any user reads them, admins change them) and
"send now", which words the last full period's report and delivers it at once through the
same outbox, answering each channel's outcome (like a test button: one attempt, reported)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.api.alert_rules import read_shared_channels
from powerpulse.api.auth import require_admin, require_user
from powerpulse.api.errors import bad_request, not_found
from powerpulse.api.validation import (
    optional_bool,
    optional_int,
    optional_str,
    parse_id,
    read_json,
)
from powerpulse.db.models import DigestSchedule
from powerpulse.digest import periods, sender
from powerpulse.notify import outbox, routing
from powerpulse.notify.dispatcher import Dispatcher
from powerpulse.timeutil import iso, utcnow

bp = Blueprint("digest_schedules", url_prefix="/api/digest-schedules")


def schedule_dict(row: DigestSchedule) -> dict[str, Any]:
    zone = sender.zone_of(row)
    next_at = None
    if row.enabled and row.period in periods.PERIODS:
        next_at = periods.next_send(row.period, row.hour, zone, utcnow(), row.last_period)
    return {
        "id": row.id,
        "name": row.name,
        "enabled": row.enabled,
        "period": row.period,
        "hour": row.hour,
        "timezone": row.timezone,
        "channels": [int(c) for c in row.channels or ()],
        "lastPeriod": row.last_period,
        "lastSentAt": iso(row.last_sent_at),
        "nextSendAt": iso(next_at),
    }


async def read_body(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    name = optional_str(body, "name", max_length=100)
    if name is not None or creating:
        if not name:
            raise bad_request("name", "name is required")
        out["name"] = name
    if (enabled := optional_bool(body, "enabled")) is not None:
        out["enabled"] = enabled
    if "period" in body or creating:
        period = body.get("period", "weekly" if creating else None)
        if period not in periods.PERIODS:
            raise bad_request("period", f"period must be one of {', '.join(periods.PERIODS)}")
        out["period"] = period
    if (hour := optional_int(body, "hour", lo=0, hi=23)) is not None:
        out["hour"] = hour
    zone = optional_str(body, "timezone", max_length=64)
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise bad_request("timezone", f"Unknown time zone: {zone[:64]}") from None
        out["timezone"] = zone
    if "channels" in body or creating:
        out["channels"] = await read_shared_channels(body.get("channels"), "digests")
    return out


async def _schedule(raw_id: str) -> DigestSchedule:
    row = await DigestSchedule.get_or_none(id=parse_id(raw_id, "Digest schedule"))
    if row is None:
        raise not_found("Digest schedule")
    return row


@bp.get("/")
@openapi.summary("Scheduled digest reports")
@schemas.returns(list[schemas.DigestSchedule])
@require_user
async def list_schedules(request: Request) -> HTTPResponse:
    return json([schedule_dict(r) for r in await DigestSchedule.all().order_by("id")])


@bp.post("/")
@openapi.summary("Create a digest schedule: daily, weekly or monthly, to shared channels")
@schemas.accepts(schemas.DigestScheduleBody)
@schemas.returns(schemas.DigestSchedule, 201)
@require_admin
async def create_schedule(request: Request) -> HTTPResponse:
    values = await read_body(read_json(request), creating=True)
    row = DigestSchedule(**values)
    # The period already due when it is made is not sent behind the admin's back (a weekly
    # schedule made on Sunday would send a six-day-old week): "send now" does that.
    if (due := periods.due(row.period, row.hour, sender.zone_of(row), utcnow())) is not None:
        row.last_period = due.key
    await row.save()
    return json(schedule_dict(row), status=201)


@bp.put("/<schedule_id>")
@openapi.summary("Change a digest schedule")
@schemas.accepts(schemas.DigestScheduleBody)
@schemas.returns(schemas.DigestSchedule)
@require_admin
async def update_schedule(request: Request, schedule_id: str) -> HTTPResponse:
    row = await _schedule(schedule_id)
    values = await read_body(read_json(request), creating=False)
    if values:
        await DigestSchedule.filter(id=row.id).update(**values)
        row = await _schedule(schedule_id)
    return json(schedule_dict(row))


@bp.delete("/<schedule_id>")
@openapi.summary("Delete a digest schedule (the reports sent stay in the history)")
@schemas.returns(schemas.Message)
@require_admin
async def delete_schedule(request: Request, schedule_id: str) -> HTTPResponse:
    await (await _schedule(schedule_id)).delete()
    return json({"message": "Digest schedule deleted"})


@bp.post("/<schedule_id>/send")
@openapi.summary("Send the report of the last full period now (one attempt per channel)")
@schemas.returns(schemas.DigestSent)
@require_admin
async def send_now(request: Request, schedule_id: str) -> HTTPResponse:
    row = await _schedule(schedule_id)
    now = utcnow()
    period = periods.just_ended(
        row.period if row.period in periods.PERIODS else "daily", now, sender.zone_of(row)
    )
    channels = await routing.shared_channels({int(c) for c in row.channels or ()})
    usable = [channels[int(c)] for c in row.channels or () if int(c) in channels]
    if not usable:
        raise bad_request("channels", "None of the schedule's channels is usable (enabled, shared)")
    notice = await sender.compose(row, period, now)
    async with Dispatcher(request.app.ctx.settings) as dispatcher:
        outcomes = await dispatcher.send_now(
            None, notice, [outbox.Destination.of(c) for c in usable]
        )
    ids = [c.id for c in usable]
    return json(
        {
            "period": period.key,
            "title": notice.extra["title"],
            "text": notice.extra["text"],
            "deliveries": [
                {"channel": o.channel, "channelId": i, "state": o.state, "error": o.error}
                for o, i in zip(outcomes, ids, strict=True)
            ],
        }
    )
