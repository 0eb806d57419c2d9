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

from powerpulse.api import schemas
from powerpulse.api.auth import require_self, require_user
from powerpulse.api.errors import ApiError, bad_request
from powerpulse.api.notifications import read_seed_channel_fields, save_settings
from powerpulse.api.serializers import settings_to_dict
from powerpulse.api.validation import optional_bool, optional_int, read_json
from powerpulse.db.models import User, UserSettings
from powerpulse.notify import personal
from powerpulse.notify.recipients import NOTIFICATION_FLAGS

bp = Blueprint("user_settings", url_prefix="/api/user-settings")

FLAGS = NOTIFICATION_FLAGS
INACTIVITY_MESSAGE = "Invalid inactivity timeout. Must be between 1 and 1440 minutes."


def _read_changes(body: dict[str, Any]) -> dict[str, Any]:
    """The validated `user_settings` columns present in `body` (400 naming the first bad
    field); the seed's channel fields are read by `read_seed_channel_fields`."""
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
    return changes


@bp.get("/")
@openapi.summary("Your settings (defaults when never saved)")
@schemas.returns(schemas.UserSettings)
@require_user
async def get_settings(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    row = await UserSettings.get_or_none(user_id=user.id)
    return json(settings_to_dict(row or UserSettings(), await personal.seed_fields(user.id)))


@bp.post("/")
@openapi.summary("Update your settings; every field optional")
@schemas.returns(schemas.UserSettingsUpdated)
@schemas.accepts(schemas.UserSettingsBody)
@require_self
async def update_settings(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    body = read_json(request)
    changes = _read_changes(body)
    seed = read_seed_channel_fields(body, request.app.ctx.settings)
    if not changes and not seed:
        raise bad_request(None, "No settings provided to update", "no_fields")
    row = await save_settings(user, changes, seed)
    seed_now = await personal.seed_fields(user.id)
    return json({"message": "User settings updated", **settings_to_dict(row, seed_now)})
