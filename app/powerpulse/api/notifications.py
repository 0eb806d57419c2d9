"""`/api/notifications`: your notification settings, test sends, history and ad-hoc sends.

Every send goes through the notification outbox (`notify.dispatcher.send_immediately`): a
history row and one delivery per channel are written first, the outcome after, so a test button
shows up in the history with its result like any power event. A failed send answers 502 with
the channel's reason instead of pretending success (the original always answered 200).
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import is_admin, require_admin, require_self, require_user
from powerpulse.api.errors import (
    ApiError,
    bad_gateway,
    bad_request,
    not_found,
)
from powerpulse.api.ratelimit import Limit, enforce
from powerpulse.api.validation import (
    ID_MAX,
    optional_bool,
    optional_int,
    optional_str,
    read_json,
)
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.loaded import fetched
from powerpulse.db.models import (
    AlertRule,
    NotificationChannel,
    NotificationDelivery,
    NotificationLog,
    UpsLiveState,
    UpsSystem,
    User,
    UserSettings,
)
from powerpulse.notify import personal
from powerpulse.notify.dispatcher import Outcome, send_immediately
from powerpulse.notify.messages import (
    Notice,
    kind_for_status,
    notice_for_test,
    readings_from_details,
)
from powerpulse.notify.outbox import Destination
from powerpulse.notify.recipients import NOTIFICATION_FLAGS, RecipientError, parse_email_recipients
from powerpulse.notify.webhooks import WebhookUrlError, validate_webhook_url
from powerpulse.timeutil import iso, utcnow

bp = Blueprint("notifications", url_prefix="/api/notifications")

FLAGS = NOTIFICATION_FLAGS
WEBHOOK_FIELDS = {"discord": "discord_webhook_url", "slack": "slack_webhook_url"}
HISTORY_MAX = 500
SENDS_PER_MINUTE = 20  # every send a user starts through the API (debug ones included)
# Test and ad-hoc sends (`/test`, `/test-slack`, `/test-email`, `/ups-status`) per user: a few
# rounds of trying each channel. They also go only to the user's own saved email recipients
# (admins: any address): before, any user could mail ~400 messages a minute of their own text
# to any address (20 sends of 20 recipients each).
TEST_SENDS_LIMIT = 10
TEST_SENDS_WINDOW = 600.0


# --- shared with the debug blueprint -----------------------------------------------------------


async def user_settings_of(user: User) -> UserSettings:
    """The caller's settings row, or unsaved defaults."""
    return await UserSettings.get_or_none(user_id=user.id) or UserSettings(user_id=user.id)


def read_webhook(body: dict[str, Any], kind: str, settings: Settings) -> str | None:
    """A webhook URL from the body (validated; "" clears), or None when absent."""
    field = WEBHOOK_FIELDS[kind]
    url = optional_str(body, field, max_length=512)
    if not url:
        return url
    try:
        return validate_webhook_url(kind, url, settings)
    except WebhookUrlError as err:
        raise bad_request(field, str(err), "invalid_webhook_url") from None


def read_recipients(body: dict[str, Any]) -> str | None:
    """An email recipient list from the body, normalised ("a@x, b@y"), or None when absent."""
    text = optional_str(body, "email_recipients", max_length=4000)
    if text is None:
        return None
    try:
        return ", ".join(parse_email_recipients(text))
    except RecipientError as err:
        raise bad_request("email_recipients", str(err), "invalid_email_recipients") from None


def channel_results(outcomes: list[Outcome]) -> dict[str, Any]:
    """`{"discord": {"success": true}, "slack": {...}, "email": null}` (null: not sent)."""
    results: dict[str, Any] = {"discord": None, "slack": None, "email": None}
    for o in outcomes:
        results[o.channel] = {"success": True} if o.ok else {"success": False, "error": o.error}
    return results


async def send(
    request: Request,
    user: User,
    notice: Notice,
    channels: list[Destination],
    *,
    ups_id: int | None = None,
    test: bool = False,
) -> list[Outcome]:
    """Send at once and record it. Limited per user (`test`: also by the test-send limit) so
    that these endpoints cannot become a spam relay (the original's weakness)."""
    key = str(user.id)
    limits = [Limit("notify_sends", key, SENDS_PER_MINUTE, 60.0)]
    if test:
        limits.append(Limit("notify_test_sends", key, TEST_SENDS_LIMIT, TEST_SENDS_WINDOW))
    await enforce(request, "Too many notifications sent, try again later", *limits)
    return await send_immediately(
        request.app.ctx.settings,
        user.id,
        notice,
        channels,
        ups_id=ups_id,
        tls_context=getattr(request.app.ctx, "notify_tls_context", None),
    )


async def check_recipients(user: User, recipients: str) -> str:
    """`recipients` ("a@x, b@y") when `user` may mail them: an admin any address, anyone else
    only the addresses saved in their notification settings (403 naming the first other)."""
    if is_admin(user):
        return recipients
    try:
        saved = parse_email_recipients((await personal.seed_fields(user.id))["email_recipients"])
    except RecipientError:
        saved = []
    allowed = {a.casefold() for a in saved}
    for address in (a.strip() for a in recipients.split(",")):
        if address and address.casefold() not in allowed:
            raise ApiError(
                403,
                f"Emails can go only to your saved recipients: save {address[:100]} in your "
                "notification settings first",
                "recipient_not_allowed",
                field="email_recipients",
            )
    return recipients


async def settings_dict(row: UserSettings) -> dict[str, Any]:
    """The seed's notification settings: flags as booleans; the channel fields from the
    user's personal channels."""
    seed = await personal.seed_fields(row.user_id)  # type: ignore[attr-defined]
    return {
        "discord_webhook_url": seed["discord_webhook_url"],
        "slack_webhook_url": seed["slack_webhook_url"],
        **{flag: bool(getattr(row, flag)) for flag in FLAGS},
        "email_notifications": seed["email_notifications"],
        "email_recipients": seed["email_recipients"],
    }


def read_seed_channel_fields(body: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The seed's channel fields present in `body`, validated as the seed does."""
    changes: dict[str, Any] = {}
    for kind, field in WEBHOOK_FIELDS.items():
        if (url := read_webhook(body, kind, settings)) is not None:
            changes[field] = url
    if (recipients := read_recipients(body)) is not None:
        changes["email_recipients"] = recipients
    if (email := optional_bool(body, "email_notifications")) is not None:
        changes["email_notifications"] = email
    return changes


async def save_settings(user: User, flags: dict[str, Any], seed: dict[str, Any]) -> UserSettings:
    """Write the switches and the seed's channel fields in one transaction."""
    async with in_transaction():
        row = await UserSettings.get_or_none(user_id=user.id)
        if row is None:
            row = await UserSettings.create(user_id=user.id, **flags)
        elif flags:
            row.update_from_dict(flags)
            await row.save()
        await personal.write_seed_fields(user.id, seed)
        await counters.bump(counters.CONFIG)
    return row


# --- settings ----------------------------------------------------------------------------------


@bp.get("/settings")
@openapi.summary("Your notification settings")
@schemas.returns(schemas.NotificationSettings)
@require_user
async def get_settings(request: Request) -> HTTPResponse:
    return json(await settings_dict(await user_settings_of(request.ctx.user)))


@bp.post("/settings")
@openapi.summary("Update your notification settings; fields not sent are kept")
@schemas.returns(schemas.NotificationSettingsUpdated)
@schemas.accepts(schemas.NotificationSettingsBody)
@require_self
async def update_settings(request: Request) -> HTTPResponse:
    body = read_json(request)
    flags: dict[str, Any] = {}
    for flag in FLAGS:
        if (value := optional_bool(body, flag)) is not None:
            flags[flag] = value
    seed = read_seed_channel_fields(body, request.app.ctx.settings)
    if not flags and not seed:
        raise bad_request(None, "No settings provided to update", "no_fields")
    row = await save_settings(request.ctx.user, flags, seed)
    return json({"message": "Notification settings updated", **await settings_dict(row)})


# --- test sends --------------------------------------------------------------------------------


async def _test_send(request: Request, destination: Destination, success: str) -> HTTPResponse:
    channel = destination.kind
    [outcome] = await send(
        request, request.ctx.user, notice_for_test(utcnow()), [destination], test=True
    )
    if not outcome.ok:
        raise bad_gateway(
            f"Error sending test notification: {outcome.error}",
            "delivery_failed",
            channel=channel,
            reason=outcome.error,
        )
    return json({"message": success})


async def slot_channel(user: User, slot: str) -> NotificationChannel | None:
    return await NotificationChannel.get_or_none(owner_id=user.id, slot=slot)


async def _webhook_target(request: Request, kind: str, label: str) -> Destination:
    """The body's URL (an ad-hoc send), else the saved channel behind the seed field."""
    body = read_json(request)
    url = read_webhook(body, kind, request.app.ctx.settings)
    if url:
        return Destination(kind, config={"url": url})
    saved = await slot_channel(request.ctx.user, kind)
    if saved is None or not (saved.config or {}).get("url"):
        raise bad_request(WEBHOOK_FIELDS[kind], f"{label} webhook URL is required")
    return Destination(kind, config={"url": saved.config["url"]})


@bp.post("/test")
@openapi.summary("Send a test notification to Discord (the body's URL, else your saved one)")
@schemas.returns(schemas.Message)
@schemas.accepts(schemas.DiscordTestBody)
@require_self
async def test_discord(request: Request) -> HTTPResponse:
    target = await _webhook_target(request, "discord", "Discord")
    return await _test_send(request, target, "Test notification sent successfully")


@bp.post("/test-slack")
@openapi.summary("Send a test notification to Slack (the body's URL, else your saved one)")
@schemas.returns(schemas.Message)
@schemas.accepts(schemas.SlackTestBody)
@require_self
async def test_slack(request: Request) -> HTTPResponse:
    target = await _webhook_target(request, "slack", "Slack")
    return await _test_send(request, target, "Test notification sent successfully to Slack")


@bp.post("/test-email")
@openapi.summary("Send a test email (the body's recipients, else your saved ones)")
@schemas.returns(schemas.Message)
@schemas.accepts(schemas.EmailTestBody)
@require_self
async def test_email(request: Request) -> HTTPResponse:
    recipients = read_recipients(read_json(request))
    if recipients:
        recipients = await check_recipients(request.ctx.user, recipients)
    else:
        recipients = (await personal.seed_fields(request.ctx.user.id))["email_recipients"]
    if not recipients:
        raise bad_request("email_recipients", "Email recipients are required")
    return await _test_send(
        request,
        Destination("email", config={"recipients": recipients}),
        "Test notification sent successfully to email recipients",
    )


# --- history -----------------------------------------------------------------------------------


def delivery_dict(d: NotificationDelivery) -> dict[str, Any]:
    """One delivery's outcome (never its URL, address or payload)."""
    channel_id = d.notification_channel_id  # type: ignore[attr-defined]
    channel = fetched(d, "notification_channel", NotificationChannel) if channel_id else None
    return {
        "channel": d.channel,
        "channelId": channel_id,
        "channelName": channel.name if channel is not None else None,
        "state": d.state,
        "attempts": d.attempts,
        "lastError": d.last_error,
        "deliveredAt": iso(d.delivered_at),
        "nextAttemptAt": iso(d.next_attempt_at),
    }


def history_dict(log: NotificationLog) -> dict[str, Any]:
    """The seed's history row plus the event kind, the rule that sent it, and each channel's
    outcome (never a URL)."""
    rule = fetched(log, "rule", AlertRule) if log.rule_id is not None else None  # type: ignore[attr-defined]
    return {
        "id": log.id,
        "user_id": log.user_id,  # type: ignore[attr-defined]
        "ups_id": log.ups_id,  # type: ignore[attr-defined]
        "ups_name": log.ups_name,
        "status": log.status,
        "previous_status": log.previous_status,
        "kind": log.kind,
        "event_id": log.event_id,  # type: ignore[attr-defined]
        "created_at": iso(log.created_at),
        "deliveries": [
            delivery_dict(d)
            for d in sorted(log.deliveries, key=lambda d: d.id)  # type: ignore[attr-defined]
        ],
        "rule": {"id": rule.id, "name": rule.name} if rule is not None else None,
        "alert_id": log.alert_id,  # type: ignore[attr-defined]
        "drill_id": log.drill_id,  # type: ignore[attr-defined]
        "suppressed": log.suppressed,
    }


@bp.get("/history")
@openapi.summary("Your notifications, newest first (?limit=100&offset=0), with delivery outcomes")
@schemas.returns(list[schemas.NotificationHistoryItem])
@require_user
async def history(request: Request) -> HTTPResponse:
    return await history_page(request, NotificationLog.filter(user_id=request.ctx.user.id))


async def history_page(request: Request, query: Any) -> HTTPResponse:
    args = {k: request.args.get(k) for k in ("limit", "offset") if request.args.get(k) is not None}
    limit = optional_int(args, "limit", lo=1, hi=HISTORY_MAX) or 100
    offset = optional_int(args, "offset", lo=0, hi=10**9) or 0
    total = await query.count()
    logs = (
        await query.order_by("-created_at", "-id")
        .offset(offset)
        .limit(limit)
        .prefetch_related("deliveries__notification_channel", "rule")
    )
    return json([history_dict(log) for log in logs], headers={"X-Total-Count": str(total)})


@bp.get("/log")
@openapi.summary("Every notification (admin), newest first, with the rule and channels")
@schemas.returns(list[schemas.NotificationHistoryItem])
@require_admin
async def all_history(request: Request) -> HTTPResponse:
    return await history_page(request, NotificationLog.all())


# --- ad-hoc status notification ----------------------------------------------------------------


async def ups_notice(ups: UpsSystem | None, name: str, status: str, previous: str) -> Notice:
    """A notice for a status change, with the UPS's last known readings when there is one."""
    details: dict[str, Any] = {}
    if ups is not None:
        live = await UpsLiveState.get_or_none(ups_id=ups.id)
        details = dict(live.variables or {}) if live is not None else {}
    r = readings_from_details(details)
    return Notice(
        kind_for_status(status),
        name,
        status,
        previous,
        utcnow(),
        r["charge"],
        r["runtime_seconds"],
        r["load"],
    )


def _required(body: dict[str, Any], field: str, max_length: int = 64) -> str:
    value = optional_str(body, field, max_length=max_length)
    if not value:
        raise bad_request(field, "Missing required fields", "missing_fields")
    return value


@bp.post("/ups-status")
@openapi.summary("Send a UPS status notification to the channels in the body")
@schemas.returns(schemas.NotificationsSent)
@schemas.accepts(schemas.UpsStatusBody)
@require_user
async def ups_status(request: Request) -> HTTPResponse:
    body = read_json(request)
    ups_id = optional_int(body, "ups_id", lo=1, hi=ID_MAX)
    if ups_id is None:
        raise bad_request("ups_id", "Missing required fields", "missing_fields")
    status = _required(body, "status")
    previous = optional_str(body, "previous_status", max_length=64) or ""
    ups = await UpsSystem.get_or_none(id=ups_id)
    if ups is None:
        raise not_found("UPS system")
    name = optional_str(body, "ups_name", max_length=255) or ups.nickname or ups.name
    settings = request.app.ctx.settings
    channels: list[Destination] = []
    for kind in ("discord", "slack"):
        if url := read_webhook(body, kind, settings):
            channels.append(Destination(kind, config={"url": url}))
    recipients = read_recipients(body)
    if optional_bool(body, "email_notifications") and recipients:
        recipients = await check_recipients(request.ctx.user, recipients)
        channels.append(Destination("email", config={"recipients": recipients}))
    if not channels:
        raise bad_request(None, "No notification channel given", "no_channels")
    notice = await ups_notice(ups, name, status, previous)
    outcomes = await send(request, request.ctx.user, notice, channels, ups_id=ups.id, test=True)
    results = channel_results(outcomes)
    if not any(o.ok for o in outcomes):
        raise ApiError(502, "Notifications could not be sent", "delivery_failed", results=results)
    if not all(o.ok for o in outcomes):
        return json({"message": "Some notifications could not be sent", "results": results})
    return json({"message": "Notifications sent successfully", "results": results})
