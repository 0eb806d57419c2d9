"""`/api/user-settings`: the caller's own notification and UI settings.

Flags are stored as booleans and answered as 0/1 integers (the seed's shape); input accepts
both `true/false` and `1/0` — the original stored 0 only for a literal `false`, so its UI, which
sends 0/1, could never switch notifications off.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import require_user
from powerpulse.api.errors import ApiError, bad_request
from powerpulse.api.serializers import settings_to_dict
from powerpulse.api.validation import optional_bool, optional_int, optional_str, read_json
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import User, UserSettings
from powerpulse.notify.recipients import NOTIFICATION_FLAGS, RecipientError, parse_email_recipients
from powerpulse.notify.webhooks import WebhookUrlError, validate_webhook_url

bp = Blueprint("user_settings", url_prefix="/api/user-settings")

FLAGS = NOTIFICATION_FLAGS
WEBHOOKS = {"discord_webhook_url": "discord", "slack_webhook_url": "slack"}
INACTIVITY_MESSAGE = "Invalid inactivity timeout. Must be between 1 and 1440 minutes."


def _read_changes(body: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The validated subset of settings present in `body` (400 naming the first bad field)."""
    changes: dict[str, Any] = {}
    if "inactivity_timeout" in body and body["inactivity_timeout"] is not None:
        try:
            changes["inactivity_timeout"] = optional_int(body, "inactivity_timeout", lo=1, hi=1440)
        except ApiError:
            raise bad_request("inactivity_timeout", INACTIVITY_MESSAGE) from None
    poll = optional_int(body, "poll_interval", lo=1, hi=3600)
    if poll is not None:
        changes["poll_interval"] = poll
    for flag in FLAGS:
        value = optional_bool(body, flag)
        if value is not None:
            changes[flag] = value
    for field, kind in WEBHOOKS.items():
        url = optional_str(body, field, max_length=512)
        if url is None:
            continue
        if url:
            try:
                url = validate_webhook_url(kind, url, settings)
            except WebhookUrlError as err:
                raise bad_request(field, str(err), "invalid_webhook_url") from None
        changes[field] = url
    recipients = optional_str(body, "email_recipients", max_length=4000)
    if recipients is not None:
        try:
            changes["email_recipients"] = ", ".join(parse_email_recipients(recipients))
        except RecipientError as err:
            raise bad_request("email_recipients", str(err)) from None
    return changes


@bp.get("/")
@openapi.summary("Your settings (defaults when never saved)")
@schemas.returns(schemas.UserSettings)
@require_user
async def get_settings(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    row = await UserSettings.get_or_none(user_id=user.id)
    return json(settings_to_dict(row or UserSettings()))


@bp.post("/")
@openapi.summary("Update your settings; every field optional")
@schemas.returns(schemas.UserSettingsUpdated)
@schemas.accepts(schemas.UserSettingsBody)
@require_user
async def update_settings(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    changes = _read_changes(read_json(request), request.app.ctx.settings)
    if not changes:
        raise bad_request(None, "No settings provided to update", "no_fields")
    async with in_transaction():
        row = await UserSettings.get_or_none(user_id=user.id)
        if row is None:
            row = await UserSettings.create(user_id=user.id, **changes)
        else:
            row.update_from_dict(changes)
            await row.save()
        await counters.bump(counters.CONFIG)
    return json({"message": "User settings updated", **settings_to_dict(row)})
