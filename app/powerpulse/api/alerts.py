"""Ongoing alerts and their acknowledgement, mutes, and fire drills.

`GET /api/alerts` and acknowledging are for every signed-in user (whoever is woken at 3 am
acknowledges); muting and drills act on everyone's notifications, so they are admin-only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import require_operator, require_user
from powerpulse.api.errors import ApiError, bad_request, not_found
from powerpulse.api.validation import optional_int, optional_str, parse_id, read_json
from powerpulse.db import counters
from powerpulse.db.models import Alert, Drill, UpsSystem
from powerpulse.notify import alerts as alert_store
from powerpulse.notify import drills
from powerpulse.notify.messages import Notice
from powerpulse.notify.mutes import MAX_MUTE_MINUTES
from powerpulse.timeutil import iso, utcnow

alerts_bp = Blueprint("alerts", url_prefix="/api/alerts")
ups_bp = Blueprint("ups_alerting", url_prefix="/api/ups-systems")
drills_bp = Blueprint("drills", url_prefix="/api/drills")
blueprints = Blueprint.group(alerts_bp, ups_bp, drills_bp)


def alert_dict(alert: Alert, ups: UpsSystem | None) -> dict[str, Any]:
    template = Notice(alert.kind, "", alert.status, "", alert.started_at).template
    return {
        "id": alert.id,
        "upsId": alert.ups_id,  # type: ignore[attr-defined]
        "upsName": alert_store.ups_display_name(ups) if ups else "",
        "kind": alert.kind,
        "title": template.title,
        "severity": template.severity,
        "status": alert.status,
        "startedAt": iso(alert.started_at),
        "clearedAt": iso(alert.cleared_at),
        "acknowledged": None
        if alert.acknowledged_at is None
        else {
            "by": alert.acknowledged_name,
            "at": iso(alert.acknowledged_at),
            "note": alert.acknowledged_note,
        },
    }


async def _ups(raw_id: str) -> UpsSystem:
    ups = await UpsSystem.get_or_none(id=parse_id(raw_id, "UPS system"))
    if ups is None:
        raise not_found("UPS system")
    return ups


# --- alerts ------------------------------------------------------------------------------------


@alerts_bp.get("/")
@openapi.summary("Ongoing alerts (?state=all: also the last 200 cleared; ?ups_id=)")
@schemas.returns(list[schemas.AlertItem])
@require_user
async def list_alerts(request: Request) -> HTTPResponse:
    state = request.args.get("state") or "open"
    if state not in ("open", "all"):
        raise bad_request("state", "state must be open or all")
    query = Alert.all() if state == "all" else Alert.filter(cleared_at__isnull=True)
    if (raw := request.args.get("ups_id")) is not None:
        query = query.filter(ups_id=parse_id(raw, "UPS system"))
    rows = await query.order_by("-id").limit(200)
    ups = {u.id: u for u in await UpsSystem.filter(id__in={a.ups_id for a in rows})}  # type: ignore[attr-defined]
    return json([alert_dict(a, ups.get(a.ups_id)) for a in rows])  # type: ignore[attr-defined]


@alerts_bp.post("/<alert_id>/acknowledge")
@openapi.summary("Acknowledge an ongoing alert: it stops repeating, and everyone told hears who")
@schemas.returns(schemas.AckResult)
@schemas.accepts(schemas.AckBody)
@require_user
async def acknowledge(request: Request, alert_id: str) -> HTTPResponse:
    note = optional_str(read_json(request), "note", max_length=200) or ""
    alert = await Alert.get_or_none(id=parse_id(alert_id, "Alert"))
    if alert is None:
        raise not_found("Alert")
    if alert.cleared_at is not None:
        raise ApiError(409, "This alert is over: there is nothing to acknowledge", "alert_cleared")
    if alert.acknowledged_at is not None:
        raise ApiError(
            409, f"Already acknowledged by {alert.acknowledged_name}", "already_acknowledged"
        )
    told = await alert_store.acknowledge(alert, request.ctx.user, note, utcnow())
    if told < 0:
        await alert.refresh_from_db()
        raise ApiError(
            409, f"Already acknowledged by {alert.acknowledged_name}", "already_acknowledged"
        )
    ups = await UpsSystem.get_or_none(id=alert.ups_id)  # type: ignore[attr-defined]
    return json({"message": "Alert acknowledged", "alert": alert_dict(alert, ups), "told": told})


# --- mutes -------------------------------------------------------------------------------------


def read_mute(body: dict[str, Any]) -> tuple[int, str]:
    minutes = optional_int(body, "minutes", lo=1, hi=MAX_MUTE_MINUTES)
    if minutes is None:
        raise bad_request("minutes", f"minutes is required (1 to {MAX_MUTE_MINUTES})")
    return minutes, optional_str(body, "reason", max_length=200) or ""


def mute_state(message: str, ups: UpsSystem | None, count: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "message": message,
        "mutedUntil": iso(ups.muted_until) if ups else None,
        "muteReason": (ups.mute_reason or None) if ups else None,
    }
    if count is not None:
        out["count"] = count
    return out


async def _set_mute(filters: dict[str, Any], until: Any, reason: str | None) -> int:
    # The query is built inside the transaction: `UpsSystem.all()` built before it keeps the
    # outer connection, which on SQLite waits for the write lock the transaction holds.
    async with in_transaction():
        count = int(await UpsSystem.filter(**filters).update(muted_until=until, mute_reason=reason))
        await counters.bump(counters.CONFIG)  # the UPS objects show it
    return count


@ups_bp.post("/mute")
@openapi.summary("Mute every UPS for some minutes (low battery and FSD still go out)")
@schemas.returns(schemas.MuteState)
@schemas.accepts(schemas.MuteBody)
@require_operator
async def mute_all(request: Request) -> HTTPResponse:
    minutes, reason = read_mute(read_json(request))
    until = utcnow() + timedelta(minutes=minutes)
    count = await _set_mute({}, until, reason or None)
    out = mute_state(f"{count} UPS muted", None, count)
    out["mutedUntil"], out["muteReason"] = iso(until), reason or None
    return json(out)


@ups_bp.delete("/mute")
@openapi.summary("Unmute every UPS")
@schemas.returns(schemas.MuteState)
@require_operator
async def unmute_all(request: Request) -> HTTPResponse:
    count = await _set_mute({"muted_until__not_isnull": True}, None, None)
    return json(mute_state(f"{count} UPS unmuted", None, count))


@ups_bp.post("/<ups_id>/mute")
@openapi.summary("Mute a UPS for some minutes, with a reason: its events are recorded, not sent")
@schemas.returns(schemas.MuteState)
@schemas.accepts(schemas.MuteBody)
@require_operator
async def mute(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    minutes, reason = read_mute(read_json(request))
    await _set_mute({"id": ups.id}, utcnow() + timedelta(minutes=minutes), reason or None)
    await ups.refresh_from_db()
    return json(mute_state("UPS muted", ups))


@ups_bp.delete("/<ups_id>/mute")
@openapi.summary("Unmute a UPS")
@schemas.returns(schemas.MuteState)
@require_operator
async def unmute(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    await _set_mute({"id": ups.id}, None, None)
    await ups.refresh_from_db()
    return json(mute_state("UPS unmuted", ups))


# --- drills ------------------------------------------------------------------------------------


@ups_bp.post("/<ups_id>/drill")
@openapi.summary("Run a fire drill: a simulated outage through the real rules and channels")
@schemas.returns(schemas.DrillReport, 201, "Started: the report so far")
@schemas.accepts(schemas.DrillBody)
@require_operator
async def start_drill(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    body = read_json(request)
    restore_after = optional_int(body, "restore_after", lo=0, hi=drills.MAX_RESTORE_AFTER)
    if restore_after is None:
        restore_after = drills.DEFAULT_RESTORE_AFTER
    drill = await drills.start(ups, request.ctx.user, restore_after, utcnow())
    return json(report_json(await drills.report(drill, utcnow())), status=201)


def report_json(report: dict[str, Any]) -> dict[str, Any]:
    for key in ("startedAt",):
        report[key] = iso(report[key])
    for row in report["deliveries"]:
        row["deliveredAt"], row["nextAttemptAt"] = (
            iso(row["deliveredAt"]),
            iso(row["nextAttemptAt"]),
        )
    return report


@drills_bp.get("/<drill_id>")
@openapi.summary("A drill's report: every delivery and its outcome (`done` when all are final)")
@schemas.returns(schemas.DrillReport)
@require_operator
async def drill_report(request: Request, drill_id: str) -> HTTPResponse:
    drill = await Drill.get_or_none(id=parse_id(drill_id, "Drill"))
    if drill is None:
        raise not_found("Drill")
    return json(report_json(await drills.report(drill, utcnow())))
