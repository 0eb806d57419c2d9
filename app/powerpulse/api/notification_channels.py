"""`/api/notification-channels`: saved channels, the kinds' descriptors, test sends.

Users manage their own (personal) channels; admins also the shared ones that alert rules use.
A channel that is not yours is "not found" (its existence is nobody else's business). Secret
config values are write-only: they come back as `{"set": true}`, and an update that leaves a
secret out (or sends `{"set": true}`) keeps the stored value.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import is_admin, require_admin, require_self, require_user
from powerpulse.api.errors import ApiError, bad_gateway, bad_request, forbidden, not_found
from powerpulse.api.notifications import delivery_dict, send
from powerpulse.api.validation import (
    optional_bool,
    optional_int,
    optional_str,
    parse_id,
    read_json,
)
from powerpulse.config import SMTP_SECURITY_MODES
from powerpulse.db.models import NotificationChannel, NotificationDelivery, User
from powerpulse.notify import smtp
from powerpulse.notify.channels import KINDS, ConfigError, Context
from powerpulse.notify.messages import notice_for_test
from powerpulse.notify.outbox import Destination
from powerpulse.notify.recipients import RecipientError, parse_email_recipients
from powerpulse.timeutil import iso, utcnow

bp = Blueprint("notification_channels", url_prefix="/api/notification-channels")

MAX_CHANNELS_PER_OWNER = 50
SET = {"set": True}


def public_config(channel: NotificationChannel) -> dict[str, Any]:
    """The config with every secret replaced by `{"set": true}` (absent when empty)."""
    kind = KINDS.get(channel.kind)
    secrets = kind.secret_keys() if kind else frozenset((channel.config or {}).keys())
    out: dict[str, Any] = {}
    for key, value in (channel.config or {}).items():
        if value in (None, "", {}):
            continue
        out[key] = dict(SET) if key in secrets else value
    return out


def channel_dict(
    channel: NotificationChannel, last: NotificationDelivery | None = None
) -> dict[str, Any]:
    kind = KINDS.get(channel.kind)
    summary = kind.summary(channel.config or {}) if kind else channel.kind
    return {
        "id": channel.id,
        "kind": channel.kind,
        "name": channel.name,
        "enabled": bool(channel.enabled),
        "shared": channel.owner_id is None,  # type: ignore[attr-defined]
        "ownerId": channel.owner_id,  # type: ignore[attr-defined]
        "slot": channel.slot,
        "config": public_config(channel),
        "summary": summary,
        "createdAt": iso(channel.created_at),
        "lastDelivery": None
        if last is None
        else {
            "state": last.state,
            "at": iso(last.delivered_at or last.updated_at),
            "error": last.last_error,
        },
    }


async def last_deliveries(ids: list[int]) -> dict[int, NotificationDelivery]:
    """Each channel's newest delivery (one query)."""
    if not ids:
        return {}
    out: dict[int, NotificationDelivery] = {}
    rows = await NotificationDelivery.filter(notification_channel_id__in=ids).order_by("-id")
    for row in rows:
        out.setdefault(row.notification_channel_id, row)  # type: ignore[attr-defined]
        if len(out) == len(ids):
            break
    return out


async def visible_channel(request: Request, raw_id: str) -> NotificationChannel:
    """The channel if the caller may manage it: their own, or a shared one for an admin."""
    user: User = request.ctx.user
    channel = await NotificationChannel.get_or_none(id=parse_id(raw_id, "Notification channel"))
    if channel is None:
        raise not_found("Notification channel")
    owner = channel.owner_id  # type: ignore[attr-defined]
    if owner != user.id and not (owner is None and is_admin(user)):
        raise not_found("Notification channel")
    return channel


def validated_config(request: Request, kind_name: str, config: Any) -> dict[str, Any]:
    """The kind's normalised config; 400 naming `config.<key>` otherwise. An admin's config
    may point a self-hosted kind at any host."""
    ctx = Context(request.app.ctx.settings, admin=is_admin(request.ctx.user))
    try:
        return KINDS[kind_name].validate(config, ctx)
    except ConfigError as err:
        field = f"config.{err.field}" if err.field else "config"
        raise bad_request(field, err.message, "invalid_channel_config") from None


def _read_kind(body: dict[str, Any], user: User) -> str:
    name = optional_str(body, "kind", max_length=32)
    if not name:
        raise bad_request("kind", "kind is required")
    kind = KINDS.get(name)
    if kind is None:
        raise bad_request("kind", f"Unknown channel kind: {name[:32]}", "unknown_kind")
    if kind.admin_only and not is_admin(user):
        raise forbidden(f"Only admins may create {kind.label} channels", "admin_only_kind")
    return name


def _read_name(body: dict[str, Any], default: str | None) -> str:
    name = optional_str(body, "name", max_length=100)
    if name is None and default is not None:
        return default
    if not name:
        raise bad_request("name", "name is required")
    return name


@bp.get("/kinds")
@openapi.summary("The channel kinds: their labels and config fields (the UI draws its forms)")
@schemas.returns(list[schemas.ChannelKindInfo])
@require_user
async def kinds(request: Request) -> HTTPResponse:
    return json([kind.describe() for kind in KINDS.values()])


@bp.get("/")
@openapi.summary("Your channels; admins also the shared ones (?scope=personal|shared)")
@schemas.returns(list[schemas.NotificationChannel])
@require_user
async def list_channels(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    scope = request.args.get("scope") or "all"
    if scope not in ("all", "personal", "shared"):
        raise bad_request("scope", "scope must be all, personal or shared")
    rows: list[NotificationChannel] = []
    if scope in ("all", "personal"):
        rows += await NotificationChannel.filter(owner_id=user.id).order_by("id")
    if scope in ("all", "shared") and is_admin(user):
        rows += await NotificationChannel.filter(owner_id__isnull=True).order_by("id")
    last = await last_deliveries([c.id for c in rows])
    return json([channel_dict(c, last.get(c.id)) for c in rows])


@bp.post("/")
@openapi.summary("Create a channel (personal; admins: `shared: true` for a rule's channel)")
@schemas.returns(schemas.NotificationChannel, 201, "Created")
@schemas.accepts(schemas.NotificationChannelBody)
@require_self
async def create_channel(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    body = read_json(request)
    kind = _read_kind(body, user)
    shared = bool(optional_bool(body, "shared"))
    if shared and not is_admin(user):
        raise forbidden("Only admins may create shared channels", "admin_only")
    name = _read_name(body, KINDS[kind].label)
    config = validated_config(request, kind, body.get("config") or {})
    enabled = optional_bool(body, "enabled")
    owner_id = None if shared else user.id
    async with in_transaction():
        count = await NotificationChannel.filter(
            **({"owner_id__isnull": True} if shared else {"owner_id": owner_id})
        ).count()
        if count >= MAX_CHANNELS_PER_OWNER:
            raise ApiError(409, f"At most {MAX_CHANNELS_PER_OWNER} channels", "too_many_channels")
        channel = await NotificationChannel.create(
            kind=kind,
            name=name,
            config=config,
            owner_id=owner_id,
            enabled=True if enabled is None else enabled,
        )
    return json(channel_dict(channel), status=201)


@bp.get("/<channel_id>")
@openapi.summary('One channel (secrets as {"set": true})')
@schemas.returns(schemas.NotificationChannel)
@require_user
async def get_channel(request: Request, channel_id: str) -> HTTPResponse:
    channel = await visible_channel(request, channel_id)
    last = await last_deliveries([channel.id])
    return json(channel_dict(channel, last.get(channel.id)))


def merged_config(channel: NotificationChannel, sent: Any) -> dict[str, Any]:
    """The sent config over the stored one: a secret left out or sent as `{"set": true}`
    keeps its stored value; any other key not sent is removed (it is optional, then)."""
    if not isinstance(sent, dict):
        raise bad_request("config", "config must be an object")
    kind = KINDS[channel.kind]
    stored = channel.config or {}
    out = {k: v for k, v in sent.items() if v != SET}
    for key in kind.secret_keys():
        if (key not in sent or sent[key] == SET) and key in stored:
            out[key] = stored[key]
    return out


@bp.put("/<channel_id>")
@openapi.summary("Change a channel's name, switch or config (secrets left out are kept)")
@schemas.returns(schemas.NotificationChannel)
@schemas.accepts(schemas.NotificationChannelBody)
@require_self
async def update_channel(request: Request, channel_id: str) -> HTTPResponse:
    user: User = request.ctx.user
    body = read_json(request)
    channel = await visible_channel(request, channel_id)
    if channel.kind not in KINDS:
        raise bad_request("kind", "This channel's kind is no longer available")
    if "kind" in body and body["kind"] != channel.kind:
        raise bad_request("kind", "A channel's kind cannot change: create a new channel")
    if KINDS[channel.kind].admin_only and not is_admin(user):
        raise forbidden(f"Only admins may change {KINDS[channel.kind].label} channels")
    changes: dict[str, Any] = {}
    if "name" in body:
        changes["name"] = _read_name(body, None)
    if (enabled := optional_bool(body, "enabled")) is not None:
        changes["enabled"] = enabled
    if "config" in body:
        changes["config"] = validated_config(
            request, channel.kind, merged_config(channel, body["config"])
        )
    if not changes:
        raise bad_request(None, "Nothing to update", "no_fields")
    channel.update_from_dict(changes)
    await channel.save()
    return json(channel_dict(channel))


@bp.delete("/<channel_id>")
@openapi.summary("Delete a channel (rules stop using it; its history stays)")
@schemas.returns(schemas.Message)
@require_self
async def delete_channel(request: Request, channel_id: str) -> HTTPResponse:
    channel = await visible_channel(request, channel_id)
    await channel.delete()
    return json({"message": "Notification channel deleted"})


@bp.post("/<channel_id>/test")
@openapi.summary("Send a test notification through this channel; 502 with the service's error")
@schemas.returns(schemas.ChannelTestResult)
@require_self
async def test_channel(request: Request, channel_id: str) -> HTTPResponse:
    channel = await visible_channel(request, channel_id)
    if channel.kind not in KINDS:  # a row left by a service since removed
        raise bad_request("kind", f"{channel.kind!r} is no longer a channel kind", "unknown_kind")
    [outcome] = await send(
        request, request.ctx.user, notice_for_test(utcnow()), [Destination.of(channel)], test=True
    )
    delivery = await NotificationDelivery.get(id=outcome.delivery_id).prefetch_related(
        "notification_channel"
    )
    if not outcome.ok:
        raise bad_gateway(
            f"Error sending test notification: {outcome.error}",
            "delivery_failed",
            channel=channel.kind,
            reason=outcome.error,
        )
    return json({"message": f"Test sent to {channel.name}", "delivery": delivery_dict(delivery)})


# --- the email server ----------------------------------------------------------------------


def read_smtp(body: dict[str, Any], current: smtp.SmtpConfig) -> dict[str, Any]:
    """The SMTP fields to save; the password left out keeps the saved one. Fields an SMTP_*
    variable sets (`current.locked`) are neither read, checked nor stored: the environment wins,
    and a value the form would refuse (`SMTP_FROM="PowerPulse <a@b.c>"`) must not block a save."""
    locked = set(current.locked)
    values: dict[str, Any] = {}
    if "host" not in locked:
        host = optional_str(body, "host", max_length=255)
        if not host or any(c.isspace() for c in host):
            raise bad_request("host", "host is required (the SMTP server's name or address)")
        values["host"] = host
    if "security" in locked:
        security = current.security
    else:
        security = optional_str(body, "security", max_length=16) or "starttls"
        if security not in SMTP_SECURITY_MODES:
            modes = ", ".join(SMTP_SECURITY_MODES)
            raise bad_request("security", f"security must be one of {modes}")
        values["security"] = security
    if "port" not in locked:
        port = optional_int(body, "port", lo=1, hi=65535)
        values["port"] = port or (465 if security == "tls" else 587)
    if "from" not in locked:
        sender = optional_str(body, "from", max_length=254)
        if sender:
            try:
                [sender] = parse_email_recipients(sender)
            except (RecipientError, ValueError):
                raise bad_request("from", "from must be one email address") from None
        values["from"] = sender or "powerpulse@localhost"  # the parser wants a dotted domain
    if "user" not in locked:
        values["user"] = optional_str(body, "user", max_length=255) or ""
    if "password" not in locked:
        password = body.get("password")
        if password is None or password == SET:
            password = current.password  # left out or `{set: true}`: the saved one stays
        elif not isinstance(password, str) or len(password) > 500 or "\n" in password:
            raise bad_request("password", "password must be a string of one line")
        values["password"] = password
    return values


@bp.get("/smtp")
@openapi.summary("The email server (admin): saved in the UI, else the SMTP_* environment")
@schemas.returns(schemas.SmtpSettings)
@require_admin
async def get_smtp(request: Request) -> HTTPResponse:
    return json((await smtp.load(request.app.ctx.settings)).public())


@bp.put("/smtp")
@openapi.summary("Save the email server every email channel uses (the password is write-only)")
@schemas.returns(schemas.SmtpSettings)
@schemas.accepts(schemas.SmtpSettingsBody)
@require_admin
async def put_smtp(request: Request) -> HTTPResponse:
    current = await smtp.load(request.app.ctx.settings)
    await smtp.save(read_smtp(read_json(request), current))
    return json((await smtp.load(request.app.ctx.settings)).public())


@bp.post("/smtp/test")
@openapi.summary("Send a test mail through the email server to one address (admin); 502 says why")
@schemas.returns(schemas.SmtpTestResult)
@schemas.accepts(schemas.SmtpTestBody)
@require_admin
async def test_smtp(request: Request) -> HTTPResponse:
    body = read_json(request)
    to = optional_str(body, "to", max_length=254) or ""
    try:
        [to] = parse_email_recipients(to)
    except (RecipientError, ValueError):
        raise bad_request("to", "to must be one email address") from None
    # Through `send`: the same SMTP path as every email, recorded, and rate-limited with the
    # other test sends of this user.
    destination = Destination("email", config={"recipients": to})
    [outcome] = await send(
        request, request.ctx.user, notice_for_test(utcnow()), [destination], test=True
    )
    if not outcome.ok:
        raise bad_gateway(
            f"The test mail was not delivered: {outcome.error}",
            "delivery_failed",
            channel="email",
            reason=outcome.error,
        )
    return json({"message": f"Test mail sent to {to}"})


@bp.delete("/smtp")
@openapi.summary("Forget the saved email server: back to the SMTP_* environment")
@schemas.returns(schemas.SmtpSettings)
@require_admin
async def delete_smtp(request: Request) -> HTTPResponse:
    await smtp.forget()
    return json((await smtp.load(request.app.ctx.settings)).public())
