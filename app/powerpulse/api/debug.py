"""`/api/debug`: the seed's troubleshooting endpoints, for administrators only (reading a UPS's
battery history excepted: every signed-in user may, recording stays admin only).

Unlike the original (any user, table names pasted into SQL, a legacy settings table that made
most of these answer 404 or lie), table endpoints accept only the app's own tables, taken from
the ORM models and never from input; settings come from `user_settings`; sends are real and go
through the notification outbox like every other notification.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise import Tortoise

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin, require_user
from powerpulse.api.errors import bad_gateway, bad_request, not_found
from powerpulse.api.notifications import (
    WEBHOOK_FIELDS,
    channel_results,
    read_webhook,
    send,
    ups_notice,
    user_settings_of,
)
from powerpulse.api.serializers import ups_to_dict
from powerpulse.api.validation import (
    ID_MAX,
    optional_int,
    optional_str,
    parse_id,
    query_int,
    read_json,
)
from powerpulse.db import dialect
from powerpulse.db.models import Sample, UpsLiveState, UpsSystem, User, UserSettings
from powerpulse.history import record_manual_charge
from powerpulse.notify import personal
from powerpulse.notify.dispatcher import send_immediately
from powerpulse.notify.messages import Notice, kind_for_status
from powerpulse.notify.outbox import Destination
from powerpulse.notify.recipients import wants
from powerpulse.notify.webhooks import mask
from powerpulse.nut.status import display_status, parse_status
from powerpulse.timeutil import iso, utcnow

bp = Blueprint("debug", url_prefix="/api/debug")


def app_tables() -> dict[str, str]:
    """The allow-list: every table of the app's own models (name → name)."""
    return {m._meta.db_table: m._meta.db_table for m in Tortoise.apps["models"].values()}


def allowed_table(raw: str) -> str:
    """The allow-listed table called `raw`; anything else (injection included) is a 404."""
    table = app_tables().get(raw)
    if table is None:
        raise not_found("Table")
    return table


async def _ups(ups_id: int) -> UpsSystem:
    ups = await UpsSystem.get_or_none(id=ups_id)
    if ups is None:
        raise not_found("UPS system")
    return ups


async def masked_settings(user_id: int, row: UserSettings) -> dict[str, Any]:
    seed = await personal.seed_fields(user_id)
    return {
        "notifications_enabled": bool(row.notifications_enabled),
        "battery_notifications": bool(row.battery_notifications),
        "low_battery_notifications": bool(row.low_battery_notifications),
        "discord_webhook_url": mask(seed["discord_webhook_url"]),
        "slack_webhook_url": mask(seed["slack_webhook_url"]),
        "email_notifications": seed["email_notifications"],
        "email_recipients": seed["email_recipients"] or "None",
    }


async def seed_destinations(user_id: int) -> list[Destination]:
    return [Destination.of(c) for c in await personal.slot_channels(user_id)]


# --- battery history ---------------------------------------------------------------------------


@bp.get("/battery-history/<ups_id>")
@openapi.summary("Raw battery charge samples of a UPS (?days=7); any signed-in user")
@schemas.returns(list[schemas.BatterySample])
@require_user  # reading history is harmless (the original client charts it for everyone)
async def battery_history(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(parse_id(ups_id, "UPS system"))
    days = query_int(request, "days", default=7, lo=1, hi=3650)
    rows = (
        await Sample.filter(
            ups_id=ups.id, timestamp__gte=utcnow() - timedelta(days=days), charge__isnull=False
        )
        .order_by("timestamp")
        .limit(100_000)
    )
    return json(
        [
            {
                "id": r.id,
                "ups_id": ups.id,
                "charge_percent": r.charge,
                "timestamp": iso(r.timestamp),
            }
            for r in rows
        ]
    )


@bp.post("/record-battery/<ups_id>/<charge>")
@openapi.summary("Record a battery charge sample for a UPS")
@schemas.returns(schemas.BatteryRecorded, 201)
@require_admin
async def record_battery(request: Request, ups_id: str, charge: str) -> HTTPResponse:
    ups = await _ups(parse_id(ups_id, "UPS system"))
    try:
        value = float(charge)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 100:  # also refuses NaN
        raise bad_request("charge", "Invalid charge percentage")
    row = await record_manual_charge(ups.id, value, utcnow())
    return json(
        {
            "message": "Battery charge recorded",
            "id": row.id,
            "upsId": ups.id,
            "chargePercent": value,
            "timestamp": iso(row.timestamp),
        },
        status=201,
    )


# --- tables ------------------------------------------------------------------------------------


@bp.get("/tables")
@openapi.summary("The app's database tables")
@schemas.returns(list[schemas.TableName])
@require_admin
async def tables(request: Request) -> HTTPResponse:
    return json([{"name": name} for name in sorted(app_tables())])


@bp.get("/schema/<table>")
@openapi.summary("Columns of one of the app's tables")
@schemas.returns(list[schemas.TableColumn])
@require_admin
async def schema(request: Request, table: str) -> HTTPResponse:
    return json(await dialect.table_columns(allowed_table(table)))


@bp.get("/count/<table>")
@openapi.summary("Number of rows in one of the app's tables")
@schemas.returns(schemas.RowCount)
@require_admin
async def count(request: Request, table: str) -> HTTPResponse:
    name = allowed_table(table)
    rows = await dialect.fetch(f"SELECT COUNT(*) AS n FROM {dialect.quote(name)}")
    return json({"count": int(rows[0]["n"])})


# --- live state --------------------------------------------------------------------------------


@bp.get("/ups-status-raw")
@openapi.summary("Every UPS as the poller last saw it, with its raw NUT status")
@schemas.returns(list[schemas.DebugUps])
@require_admin
async def ups_status_raw(request: Request) -> HTTPResponse:
    now = utcnow()
    poll = request.app.ctx.settings.poll_interval
    lives = {live.ups_id: live for live in await UpsLiveState.all()}  # type: ignore[attr-defined]
    out = []
    for ups in await UpsSystem.all().order_by("id").prefetch_related("nut_server"):
        live = lives.get(ups.id)
        item = ups_to_dict(ups, live, now=now, poll_interval=poll)
        item["raw_status"] = live.status_tokens if live is not None else ""
        server = ups.nut_server
        item["server"] = {"id": server.id, "host": server.host, "port": server.port}
        out.append(item)
    return json(out)


# --- settings and sends ------------------------------------------------------------------------


@bp.get("/notification-settings")
@openapi.summary("Your notification settings with webhook URLs masked")
@schemas.returns(schemas.MaskedSettings)
@require_admin
async def notification_settings(request: Request) -> HTTPResponse:
    user = request.ctx.user
    return json(await masked_settings(user.id, await user_settings_of(user)))


def _status_body(body: dict[str, Any], new: str, old: str) -> tuple[str, str]:
    return (
        optional_str(body, new, max_length=64) or "On Battery",
        optional_str(body, old, max_length=64) or "Online",
    )


async def _optional_ups(body: dict[str, Any]) -> UpsSystem | None:
    """The body's `ups_id` UPS: 404 when given and unknown, None when absent."""
    ups_id = optional_int(body, "ups_id", lo=1, hi=ID_MAX)
    return None if ups_id is None else await _ups(ups_id)


@bp.post("/test-ups-monitoring")
@openapi.summary("Simulate a status change for yourself, as monitoring would send it")
@schemas.returns(schemas.MonitoringTest)
@schemas.accepts(schemas.MonitoringTestBody)
@require_admin
async def test_ups_monitoring(request: Request) -> HTTPResponse:
    body = read_json(request)
    new, old = _status_body(body, "new_status", "old_status")
    ups = await _optional_ups(body)
    name = optional_str(body, "ups_name", max_length=255) or (
        (ups.nickname or ups.name) if ups else "Test UPS"
    )
    user: User = request.ctx.user
    row = await user_settings_of(user)
    kind = kind_for_status(new)
    channels = await seed_destinations(user.id) if wants(row, kind) else []
    outcomes = []
    if channels:
        notice = await ups_notice(ups, name, new, old)
        outcomes = await send(request, user, notice, channels, ups_id=ups.id if ups else None)
    sent = {o.channel: o.ok for o in outcomes}
    result: dict[str, Any] = {
        "success": bool(outcomes) and all(o.ok for o in outcomes),
        "notifications": {c: sent.get(c, False) for c in ("discord", "slack", "email")},
    }
    if not channels:
        result["reason"] = "Your notification settings do not send this event anywhere"
    errors = {o.channel: o.error for o in outcomes if not o.ok}
    if errors:
        result["errors"] = errors
    return json({"message": "UPS monitoring test completed", "result": result})


@bp.post("/force-status-change")
@openapi.summary("Send a status change to every user whose settings ask for it")
@schemas.returns(schemas.ForcedStatusChange)
@schemas.accepts(schemas.ForceStatusBody)
@require_admin
async def force_status_change(request: Request) -> HTTPResponse:
    body = read_json(request)
    new, old = _status_body(body, "new_status", "old_status")
    ups = await _optional_ups(body)
    name = (ups.nickname or ups.name) if ups else "Test UPS"
    kind = kind_for_status(new)
    notice = await ups_notice(ups, name, new, old)
    rows = await UserSettings.filter(notifications_enabled=True).order_by("user_id")
    targets = [
        (r.user_id, await seed_destinations(r.user_id))  # type: ignore[attr-defined]
        for r in rows
        if wants(r, kind)
    ]
    targets = [(uid, ch) for uid, ch in targets if ch]
    settings = request.app.ctx.settings
    tls = getattr(request.app.ctx, "notify_tls_context", None)
    outcomes = await asyncio.gather(
        *(
            send_immediately(
                settings, uid, notice, ch, ups_id=ups.id if ups else None, tls_context=tls
            )
            for uid, ch in targets
        )
    )
    results = [
        {
            "user_id": uid,
            "success": all(o.ok for o in out),
            "results": channel_results(out),
        }
        for (uid, _), out in zip(targets, outcomes, strict=True)
    ]
    return json(
        {
            "message": "Forced status change notifications processed",
            "ups_id": ups.id if ups else None,
            "old_status": old,
            "new_status": new,
            "results": results,
        }
    )


@bp.post("/raw-notification-test")
@openapi.summary("Send a notification for a raw NUT status (e.g. OB) to one webhook")
@schemas.returns(schemas.RawNotificationTest)
@schemas.accepts(schemas.RawNotificationBody)
@require_admin
async def raw_notification_test(request: Request) -> HTTPResponse:
    body = read_json(request)
    raw = optional_str(body, "status", max_length=64) or "OB"
    kind = optional_str(body, "webhook_type", max_length=16) or "discord"
    if kind not in WEBHOOK_FIELDS:
        raise bad_request("webhook_type", "Invalid webhook type or missing webhook URL")
    url = read_webhook(
        {WEBHOOK_FIELDS[kind]: body.get("webhook_url")}, kind, request.app.ctx.settings
    )
    if not url:
        url = (await personal.seed_fields(request.ctx.user.id))[WEBHOOK_FIELDS[kind]]
    if not url:
        raise bad_request("webhook_url", "Invalid webhook type or missing webhook URL")
    translated = display_status(parse_status(raw))
    notice = Notice(kind_for_status(translated), "Debug UPS", translated, "Online", utcnow())
    [outcome] = await send(
        request, request.ctx.user, notice, [Destination(kind, config={"url": url})]
    )
    if not outcome.ok:
        raise bad_gateway(
            f"Raw notification test failed: {outcome.error}",
            "delivery_failed",
            reason=outcome.error,
        )
    return json(
        {
            "message": "Raw notification test sent successfully",
            "status": raw,
            "translated_status": translated,
            "webhook_type": kind,
            "result": "Success",
        }
    )


@bp.post("/test-notification")
@openapi.summary("Send a status notification to all of your configured channels")
@schemas.returns(schemas.DebugNotification)
@schemas.accepts(schemas.DebugNotificationBody)
@require_admin
async def test_notification(request: Request) -> HTTPResponse:
    body = read_json(request)
    new, old = _status_body(body, "status", "previous_status")
    name = optional_str(body, "ups_name", max_length=255) or "Debug UPS"
    row = await user_settings_of(request.ctx.user)
    channels = await seed_destinations(request.ctx.user.id)
    masked = await masked_settings(request.ctx.user.id, row)
    if not channels:
        raise bad_request(None, "No notification channels configured", "no_channels")
    notice = await ups_notice(None, name, new, old)
    outcomes = await send(request, request.ctx.user, notice, channels)
    if not all(o.ok for o in outcomes):
        raise bad_gateway(
            "Debug notification failed",
            "delivery_failed",
            settings=masked,
            results=channel_results(outcomes),
        )
    return json(
        {
            "message": "Debug notification sent successfully",
            "settings": {
                k: v
                for k, v in masked.items()
                if k
                in (
                    "discord_webhook_url",
                    "slack_webhook_url",
                    "email_notifications",
                    "email_recipients",
                )
            },
            "response": {"message": "Notifications sent successfully"},
        }
    )
