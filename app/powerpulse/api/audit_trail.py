"""Every changing request goes into the audit log (`powerpulse.audit`), from the route table.

A POST, PUT, PATCH or DELETE under /api/ is recorded when it has a known user (a login, a token)
or is a sign-in, set-up or registration (their failures included): who and with which token,
from which address, the action (`<area>.<handler>`, the route's own name), the HTTP status, the
body sent and the subject row before and after, secrets masked (`powerpulse.audit.masking`).

The subject is found from the route's last id parameter (`SUBJECTS`); a create's is the `id` its
answer names (`CREATED`); settings held in `key_values` are snapshotted by key (`SETTINGS`).
Nothing here can fail a request: a snapshot or write that fails is logged and skipped.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from sanic import Request
from sanic.response import HTTPResponse
from tortoise.models import Model

from powerpulse.api.ratelimit import client_address
from powerpulse.api.usernames import find_user
from powerpulse.api.validation import ID_MAX
from powerpulse.audit import masking
from powerpulse.audit.store import Entry, write
from powerpulse.db import models as m
from powerpulse.notify.channels import kind_of
from powerpulse.notify.smtp import KEY as SMTP_KEY
from powerpulse.oidc.settings import KEY as OIDC_KEY
from powerpulse.runtime_settings import ENERGY_KEY
from powerpulse.runtime_settings import KEY as SYSTEM_SETTINGS_KEY

log = logging.getLogger(__name__)

CHANGING = frozenset(("POST", "PUT", "PATCH", "DELETE"))
# Recorded even without a user: who tried to sign in or set up, and how it ended (registering
# needs an admin: an anonymous one is refused noise).
ANONYMOUS_ACTIONS = frozenset(("auth.login", "auth.setup"))
# POSTs that change nothing and happen on every page: not worth a record.
NOT_RECORDED = frozenset(("stream.create_ticket", "notification_templates.preview_template"))
# Blueprints that are copies of another under an older path: recorded under the original's name.
ALIAS_SUFFIXES = ("_legacy", "_short")

# The row a route parameter names: "<blueprint>.<param>" first, then the parameter alone.
SUBJECTS: dict[str, type[Model]] = {
    "server_id": m.NutServer,
    "ups_id": m.UpsSystem,
    "user_id": m.User,
    "channel_id": m.NotificationChannel,
    "rule_id": m.AlertRule,
    "threshold_id": m.Threshold,
    "window_id": m.MaintenanceWindow,
    "plan_id": m.ShutdownPlan,
    "run_id": m.ShutdownRun,
    "host_id": m.ProtectedHost,
    "token_id": m.ApiToken,
    "alert_id": m.Alert,
    "self_test_schedules.schedule_id": m.SelfTestSchedule,
    "digest_schedules.schedule_id": m.DigestSchedule,
}
# What a POST to a collection creates, by action or blueprint (its answer carries the new `id`).
CREATED: dict[str, type[Model]] = {
    "nut_servers": m.NutServer,
    "users": m.User,
    "notification_channels": m.NotificationChannel,
    "alert_rules": m.AlertRule,
    "thresholds": m.Threshold,
    "maintenance_windows": m.MaintenanceWindow,
    "shutdown_plans": m.ShutdownPlan,
    "protection": m.ProtectedHost,
    "access": m.ApiToken,
    "self_test_schedules": m.SelfTestSchedule,
    "digest_schedules": m.DigestSchedule,
    "auth.register": m.User,
    "auth.setup": m.User,
}
# Settings stored as one `key_values` row, by action.
SETTINGS: dict[str, str] = {
    "system_settings.put_settings": SYSTEM_SETTINGS_KEY,
    "notification_channels.put_smtp": SMTP_KEY,
    "notification_channels.delete_smtp": SMTP_KEY,
    "energy.put_energy_settings": ENERGY_KEY,
    "oidc_settings.put_settings": OIDC_KEY,
}
NAME_FIELDS = ("name", "username", "display_name", "nickname", "hostname", "kind")


def action_of(request: Request) -> str | None:
    """`<blueprint>.<handler>` of the route, aliases folded; None for what is not recorded."""
    route = request.route
    if route is None or request.method not in CHANGING or not request.path.startswith("/api/"):
        return None
    parts = route.name.split(".")
    if len(parts) < 3:
        return None
    area, handler = parts[-2], parts[-1]
    for suffix in ALIAS_SUFFIXES:
        area = area.removesuffix(suffix)
    action = f"{area}.{handler}"
    return None if action in NOT_RECORDED else action


def _subject(request: Request, action: str) -> tuple[type[Model], int] | None:
    area = action.split(".", 1)[0]
    for param, raw in reversed(list(request.match_info.items())):
        model = SUBJECTS.get(f"{area}.{param}") or SUBJECTS.get(param)
        if model is not None:
            text = str(raw)
            if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= ID_MAX:
                return model, int(text)
            return None
    return None


def snapshot(row: Model) -> dict[str, Any]:
    """A row's stored fields as JSON (masked later; a channel's config by its service here)."""
    values = {name: getattr(row, name, None) for name in row._meta.fields_db_projection}
    if isinstance(row, m.NotificationChannel):
        try:
            secret_keys: frozenset[str] | None = kind_of(row.kind).secret_keys()
        except (KeyError, ValueError):
            secret_keys = None
        values["config"] = masking.mask_channel_config(row.config, secret_keys)
    return masking.jsonable(values)


def _label(row: Model) -> str | None:
    for name in NAME_FIELDS:
        value = getattr(row, name, None)
        if isinstance(value, str) and value:
            return value
    return None


async def _load(model: type[Model], row_id: int) -> Model | None:
    return await model.get_or_none(id=row_id)


async def _settings_value(key: str) -> Any:
    row = await m.KeyValue.get_or_none(key=key)
    return masking.jsonable(row.value) if row else None


async def take_before(request: Request) -> None:
    """Request middleware: remember the subject as it is before the handler runs."""
    action = action_of(request)
    request.ctx.audit_action = action
    if action is None:
        return
    try:
        if action in SETTINGS:
            request.ctx.audit_before = await _settings_value(SETTINGS[action])
            return
        subject = _subject(request, action)
        request.ctx.audit_subject = subject
        if subject is not None:
            row = await _load(*subject)
            request.ctx.audit_before = snapshot(row) if row else None
            request.ctx.audit_name = _label(row) if row else None
    except Exception:
        log.exception("audit: could not read the subject of %s", action)


def _body(request: Request) -> Any:
    if not request.body:
        return None
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError:
        return {"(not JSON)": f"{len(request.body)} bytes"}


def _masked_body(request: Request, action: str, before: Any) -> Any:
    body = masking.jsonable(_body(request))
    if isinstance(body, dict) and "config" in body and action.startswith("notification"):
        kind = body.get("kind") or (before or {}).get("kind")
        try:
            keys: frozenset[str] | None = kind_of(str(kind)).secret_keys()
        except (KeyError, ValueError):
            keys = None
        body = {**body, "config": masking.mask_channel_config(body["config"], keys)}
    return body


def _created_id(response: HTTPResponse) -> int | None:
    try:
        answer = orjson.loads(response.body or b"")
    except orjson.JSONDecodeError:
        return None
    if not isinstance(answer, dict):
        return None
    # `{"id": …}`, or the seed's `{"message": …, "user": {"id": …}}` of a registration.
    for candidate in (answer, *(v for v in answer.values() if isinstance(v, dict))):
        value = candidate.get("id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


async def record(request: Request, response: HTTPResponse) -> None:
    """Response middleware: write the entry for a changing request."""
    action = getattr(request.ctx, "audit_action", None)
    if action is None:
        return
    user = getattr(request.ctx, "user", None)
    if user is None and (action not in ANONYMOUS_ACTIONS or response.status == 429):
        return  # refused before anyone was known (or rate-limited): noise, not a change
    try:
        entry = await _entry(request, response, action, user)
    except Exception:
        log.exception("audit: could not describe %s", action)
        return
    await write(entry)


async def _entry(request: Request, response: HTTPResponse, action: str, user: Any) -> Entry:
    token = getattr(request.ctx, "api_token", None)
    before = getattr(request.ctx, "audit_before", None)
    body = _masked_body(request, action, before)
    username, user_id = (user.username, user.id) if user else (_claimed_username(body), None)
    if user is None:
        # Anyone may send these: keep who they claimed to be, not a body of their choosing.
        body = {"username": username} if username else None
        if username and response.status < 400:  # signed in or set up: the account, by name
            found = await find_user(username)
            username, user_id = (found.username, found.id) if found else (username, None)
    entry = Entry(
        action=action,
        user_id=user_id,
        username=username,
        token_id=token.id if token else None,
        token_name=token.name if token else None,
        address=client_address(request),
        method=request.method,
        path=request.path,
        status=response.status,
        request=body,
    )
    try:
        await _describe_subject(request, response, action, entry, before)
    except Exception:
        log.exception("audit: could not read the subject of %s after it ran", action)
    return entry


def _claimed_username(body: Any) -> str | None:
    """Who a sign-in claimed to be (a failed one has no user)."""
    name = body.get("username") if isinstance(body, dict) else None
    return name[:64] if isinstance(name, str) else None


async def _describe_subject(
    request: Request, response: HTTPResponse, action: str, entry: Entry, before: Any
) -> None:
    if action in SETTINGS:
        entry.target_type, entry.target_id = "settings", SETTINGS[action]
        after = await _settings_value(SETTINGS[action])
        entry.before, entry.after = _changes(before, after)
        return
    subject = getattr(request.ctx, "audit_subject", None)
    area = action.split(".", 1)[0]
    if subject is None and response.status < 300 and request.method == "POST":
        created = _created_id(response)
        made = CREATED.get(action) or CREATED.get(area)
        if created is not None and made is not None:
            subject, before = (made, created), None
    if subject is None:
        return
    model, row_id = subject
    entry.target_type, entry.target_id = model._meta.db_table, str(row_id)
    row = await _load(model, row_id)
    entry.target_name = (_label(row) if row else None) or getattr(request.ctx, "audit_name", None)
    entry.before, entry.after = _changes(before, snapshot(row) if row else None)


def _changes(before: Any, after: Any) -> tuple[Any, Any]:
    if isinstance(before, dict) and isinstance(after, dict):
        return masking.changes(before, after)
    return (None, None) if before == after else (before, after)
