"""Admin: alert rules, message templates (with preview), thresholds, maintenance windows.

Each is a small CRUD over its table; the validation of every body lives here, the behaviour
in `notify.rules`, `notify.templating`, `poller.thresholds` and `notify.mutes`. Threshold and
window writes bump `counters.CONFIG`, so the poller reloads its thresholds within a tick.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin
from powerpulse.api.errors import bad_request, not_found
from powerpulse.api.validation import (
    ID_MAX,
    optional_bool,
    optional_int,
    optional_number,
    optional_str,
    parse_id,
    read_json,
    to_int,
)
from powerpulse.db import counters
from powerpulse.db.models import (
    AlertRule,
    MaintenanceWindow,
    MessageTemplate,
    NotificationChannel,
    Threshold,
    UpsSystem,
)
from powerpulse.notify.channels import KINDS
from powerpulse.notify.messages import (
    PLAIN,
    POLLER_MISSING,
    POLLER_MISSING_TEMPLATE,
    Notice,
    Override,
    compose,
    describe,
)
from powerpulse.notify.mutes import NEVER_MUTED, Window, window_of
from powerpulse.notify.rules import MAX_REPEAT, MIN_REPEAT, RULE_KINDS
from powerpulse.notify.templating import TemplateInvalid, check_template, render_template
from powerpulse.poller.thresholds import METRICS
from powerpulse.timeutil import iso, utcnow

rules_bp = Blueprint("alert_rules", url_prefix="/api/alert-rules")
templates_bp = Blueprint("notification_templates", url_prefix="/api/notification-templates")
thresholds_bp = Blueprint("thresholds", url_prefix="/api/thresholds")
windows_bp = Blueprint("maintenance_windows", url_prefix="/api/maintenance-windows")
blueprints = Blueprint.group(rules_bp, templates_bp, thresholds_bp, windows_bp)

MAX_ROWS = 200
MAX_RULE_CHANNELS = 50  # channels one rule or digest may go to
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def sample_notice(kind: str) -> Notice:
    """What previews render: a made-up UPS with markup in its name, so escaping shows."""
    extra = {"phase": "started", "limit": "above 80 %", "value": "86", "metric": "load"}
    return Notice(
        kind,
        "Rack <A> *UPS*",
        "On Battery" if kind == "on_battery" else "Online",
        "Online",
        utcnow(),
        charge=87.0,
        runtime_seconds=1260.0,
        load=42.0,
        extra=extra if kind in {m.kind for m in METRICS.values()} else {},
    )


def kind_info(kind: str) -> dict[str, Any]:
    notice = sample_notice(kind)
    template = POLLER_MISSING_TEMPLATE if kind == POLLER_MISSING else notice.template
    return {
        "kind": kind,
        "title": template.title,
        "severity": template.severity,
        "neverMuted": kind in NEVER_MUTED,
    }


# --- shared readers ----------------------------------------------------------------------------


async def read_ups_scope(body: dict[str, Any], field: str = "ups") -> list[int] | None:
    """ "all" (None) or a list of existing UPS ids."""
    value = body.get(field, "all")
    if value in ("all", None):
        return None
    if not isinstance(value, list) or len(value) > 1000:
        raise bad_request(field, f'{field} must be "all" or a list of UPS ids')
    ids = sorted({to_int(v, field, lo=1, hi=ID_MAX) for v in value})
    if not ids:
        raise bad_request(field, f'{field} must name at least one UPS (or be "all")')
    found = set(await UpsSystem.filter(id__in=ids).values_list("id", flat=True))
    if missing := [i for i in ids if i not in found]:
        raise bad_request(field, f"Unknown UPS id {missing[0]}")
    return ids


def read_templates(body: dict[str, Any]) -> dict[str, dict[str, str]]:
    value = body.get("templates") or {}
    if not isinstance(value, dict):
        raise bad_request("templates", "templates must be an object of event kind → {title, body}")
    out: dict[str, dict[str, str]] = {}
    for kind, parts in value.items():
        if kind not in RULE_KINDS:
            raise bad_request("templates", f"Unknown event kind: {str(kind)[:32]}")
        if not isinstance(parts, dict):
            raise bad_request(f"templates.{kind}", "must be an object with title and body")
        out[kind] = read_template_parts(parts, f"templates.{kind}")
    return out


def read_template_parts(parts: dict[str, Any], field: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in ("title", "body"):
        text = parts.get(part, "")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise bad_request(f"{field}.{part}", f"{part} must be a string")
        try:
            out[part] = check_template(text)
        except TemplateInvalid as err:
            raise bad_request(f"{field}.{part}", str(err), "invalid_template") from None
    return out


# --- rules -------------------------------------------------------------------------------------


def rule_dict(rule: AlertRule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "enabled": bool(rule.enabled),
        "ups": "all" if rule.ups is None else list(rule.ups),
        "events": list(rule.events or ()),
        "channels": list(rule.channels or ()),
        "repeat_every": rule.repeat_every,
        "templates": dict(rule.templates or {}),
        "mute_critical": bool(rule.mute_critical),
        "createdAt": iso(rule.created_at),
    }


async def read_rule(body: dict[str, Any], rule: AlertRule | None) -> dict[str, Any]:
    """The validated fields of a rule body (all required on create, any subset on update)."""
    creating = rule is None
    out: dict[str, Any] = {}
    if creating or "name" in body:
        name = optional_str(body, "name", max_length=100)
        if not name:
            raise bad_request("name", "name is required")
        out["name"] = name
    if (enabled := optional_bool(body, "enabled")) is not None:
        out["enabled"] = enabled
    if creating or "ups" in body:
        out["ups"] = await read_ups_scope(body)
    if creating or "events" in body:
        events = body.get("events")
        if not isinstance(events, list) or not events:
            raise bad_request("events", "events must be a non-empty list of event kinds")
        for kind in events:
            if kind not in RULE_KINDS:
                raise bad_request("events", f"Unknown event kind: {str(kind)[:32]}")
        out["events"] = list(dict.fromkeys(events))
    if creating or "channels" in body:
        out["channels"] = await read_rule_channels(body)
    if "repeat_every" in body:
        out["repeat_every"] = optional_int(body, "repeat_every", lo=MIN_REPEAT, hi=MAX_REPEAT)
    if "templates" in body:
        out["templates"] = read_templates(body)
    if (mute_critical := optional_bool(body, "mute_critical")) is not None:
        out["mute_critical"] = mute_critical
    return out


async def read_shared_channels(value: Any, used_by: str) -> list[int]:
    """`channels` of a body: ids of shared channels (alert rules and digests go to those)."""
    if not isinstance(value, list) or not value or len(value) > MAX_RULE_CHANNELS:
        raise bad_request("channels", "channels must be a non-empty list of shared channel ids")
    ids = list(dict.fromkeys(to_int(v, "channels", lo=1, hi=ID_MAX) for v in value))
    shared = set(
        await NotificationChannel.filter(id__in=ids, owner_id__isnull=True).values_list(
            "id", flat=True
        )
    )
    if missing := [i for i in ids if i not in shared]:
        raise bad_request(
            "channels", f"Channel {missing[0]} is not a shared channel ({used_by} use shared ones)"
        )
    return ids


async def read_rule_channels(body: dict[str, Any]) -> list[int]:
    return await read_shared_channels(body.get("channels"), "rules")


async def _rule(raw_id: str) -> AlertRule:
    rule = await AlertRule.get_or_none(id=parse_id(raw_id, "Alert rule"))
    if rule is None:
        raise not_found("Alert rule")
    return rule


@rules_bp.get("/event-kinds")
@openapi.summary("Every event kind a rule can name, with its title and severity")
@schemas.returns(list[schemas.EventKindInfo])
@require_admin
async def event_kinds(request: Request) -> HTTPResponse:
    return json([kind_info(k) for k in RULE_KINDS])


@rules_bp.get("/")
@openapi.summary("Every alert rule")
@schemas.returns(list[schemas.AlertRule])
@require_admin
async def list_rules(request: Request) -> HTTPResponse:
    return json([rule_dict(r) for r in await AlertRule.all().order_by("id")])


@rules_bp.post("/")
@openapi.summary("Create an alert rule: which events of which UPS go to which shared channels")
@schemas.returns(schemas.AlertRule, 201, "Created")
@schemas.accepts(schemas.AlertRuleBody)
@require_admin
async def create_rule(request: Request) -> HTTPResponse:
    values = await read_rule(read_json(request), None)
    if await AlertRule.all().count() >= MAX_ROWS:
        raise bad_request(None, f"At most {MAX_ROWS} rules", "too_many_rules")
    rule = await AlertRule.create(**values)
    return json(rule_dict(rule), status=201)


@rules_bp.get("/<rule_id>")
@openapi.summary("One alert rule")
@schemas.returns(schemas.AlertRule)
@require_admin
async def get_rule(request: Request, rule_id: str) -> HTTPResponse:
    return json(rule_dict(await _rule(rule_id)))


@rules_bp.put("/<rule_id>")
@openapi.summary("Change an alert rule; fields not sent are kept")
@schemas.returns(schemas.AlertRule)
@schemas.accepts(schemas.AlertRuleBody)
@require_admin
async def update_rule(request: Request, rule_id: str) -> HTTPResponse:
    rule = await _rule(rule_id)
    values = await read_rule(read_json(request), rule)
    if not values:
        raise bad_request(None, "Nothing to update", "no_fields")
    rule.update_from_dict(values)
    await rule.save()
    return json(rule_dict(rule))


@rules_bp.delete("/<rule_id>")
@openapi.summary("Delete an alert rule (its history stays, without the rule)")
@schemas.returns(schemas.Message)
@require_admin
async def delete_rule(request: Request, rule_id: str) -> HTTPResponse:
    await (await _rule(rule_id)).delete()
    return json({"message": "Alert rule deleted"})


# --- templates ---------------------------------------------------------------------------------


def template_dict(kind: str, row: MessageTemplate | None) -> dict[str, Any]:
    notice = sample_notice(kind)
    return {
        "kind": kind,
        "title": row.title if row else "",
        "body": row.body if row else "",
        "defaultTitle": notice.template.title,
        "defaultBody": describe(notice, str, str).split("\n")[0],
    }


def _template_kind(kind: str) -> str:
    if kind not in RULE_KINDS:
        raise not_found("Event kind")
    return kind


@templates_bp.get("/")
@openapi.summary("The message template of every event kind (empty: the built-in wording)")
@schemas.returns(list[schemas.MessageTemplateItem])
@require_admin
async def list_templates(request: Request) -> HTTPResponse:
    rows = {r.kind: r for r in await MessageTemplate.all()}
    return json([template_dict(k, rows.get(k)) for k in RULE_KINDS])


@templates_bp.put("/<kind>")
@openapi.summary("Set the wording of one event kind (Jinja2; values are escaped per service)")
@schemas.returns(schemas.MessageTemplateItem)
@schemas.accepts(schemas.MessageTemplateBody)
@require_admin
async def put_template(request: Request, kind: str) -> HTTPResponse:
    kind = _template_kind(kind)
    parts = read_template_parts(read_json(request), "template")
    row, _ = await MessageTemplate.update_or_create(defaults=parts, kind=kind)
    return json(template_dict(kind, row))


@templates_bp.delete("/<kind>")
@openapi.summary("Back to the built-in wording of one event kind")
@schemas.returns(schemas.Message)
@require_admin
async def delete_template(request: Request, kind: str) -> HTTPResponse:
    await MessageTemplate.filter(kind=_template_kind(kind)).delete()
    return json({"message": "Template reset to the built-in wording"})


@templates_bp.post("/preview")
@openapi.summary("Render a template for one channel kind with a sample UPS")
@schemas.returns(schemas.TemplatePreview)
@schemas.accepts(schemas.TemplatePreviewBody)
@require_admin
async def preview_template(request: Request) -> HTTPResponse:
    body = read_json(request)
    kind = optional_str(body, "kind", max_length=32) or "on_battery"
    if kind not in RULE_KINDS:
        raise bad_request("kind", f"Unknown event kind: {kind[:32]}")
    channel_kind = optional_str(body, "channel_kind", max_length=32) or "discord"
    channel = KINDS.get(channel_kind)
    if channel is None:
        raise bad_request("channel_kind", f"Unknown channel kind: {channel_kind[:32]}")
    parts = read_template_parts(body, "template")
    override = Override(parts["title"], parts["body"])
    notice = sample_notice(kind)
    for part in ("title", "body"):  # a template that fails at run time: say so here
        if parts[part]:
            try:
                render_template(parts[part], notice, channel.markup if part == "body" else PLAIN)
            except TemplateInvalid as err:
                raise bad_request(f"template.{part}", str(err), "invalid_template") from None
    text = compose(notice, channel.markup, override)
    return json(
        {"title": text.title, "body": text.body, "payload": channel.payload(notice, override)}
    )


# --- thresholds --------------------------------------------------------------------------------


def threshold_dict(row: Threshold) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "enabled": bool(row.enabled),
        "ups": "all" if row.ups is None else list(row.ups),
        "metric": row.metric,
        "above": row.above,
        "below": row.below,
        "hold": row.hold,
        "hysteresis": row.hysteresis,
        "kind": METRICS[row.metric].kind if row.metric in METRICS else "",
    }


async def read_threshold(body: dict[str, Any], row: Threshold | None) -> dict[str, Any]:
    creating = row is None
    out: dict[str, Any] = {}
    if creating or "metric" in body:
        metric = optional_str(body, "metric", max_length=32)
        if metric not in METRICS:
            raise bad_request("metric", f"metric must be one of {', '.join(METRICS)}")
        out["metric"] = metric
    metric = out.get("metric") or (row.metric if row else "")
    quantity = METRICS[metric].quantity
    if creating or "name" in body:
        out["name"] = optional_str(body, "name", max_length=100) or f"{metric} threshold"
    if (enabled := optional_bool(body, "enabled")) is not None:
        out["enabled"] = enabled
    if creating or "ups" in body:
        out["ups"] = await read_ups_scope(body)
    for limit in ("above", "below"):
        if creating or limit in body:
            out[limit] = optional_number(body, limit, lo=quantity.low, hi=quantity.high)
    above = out.get("above", row.above if row else None)
    below = out.get("below", row.below if row else None)
    if above is None and below is None:
        raise bad_request("above", "Set above, below, or both (a range)")
    if above is not None and below is not None and below >= above:
        raise bad_request("below", "below must be less than above (the range between is normal)")
    if creating or "hold" in body:
        hold = optional_int(body, "hold", lo=0, hi=86400)
        out["hold"] = 30 if hold is None else hold
    if creating or "hysteresis" in body:
        span = quantity.high - quantity.low
        out["hysteresis"] = optional_number(body, "hysteresis", lo=0, hi=span) or 0.0
    return out


async def _threshold(raw_id: str) -> Threshold:
    row = await Threshold.get_or_none(id=parse_id(raw_id, "Threshold"))
    if row is None:
        raise not_found("Threshold")
    return row


@thresholds_bp.get("/metrics")
@openapi.summary("The readings a threshold can watch, with the event kind each fires")
@schemas.returns(list[schemas.ThresholdMetric])
@require_admin
async def threshold_metrics(request: Request) -> HTTPResponse:
    return json(
        [
            {
                "metric": name,
                "kind": m.kind,
                "unit": m.quantity.unit,
                "variables": list(m.variables),
            }
            for name, m in METRICS.items()
        ]
    )


@thresholds_bp.get("/")
@openapi.summary("Every threshold")
@schemas.returns(list[schemas.Threshold])
@require_admin
async def list_thresholds(request: Request) -> HTTPResponse:
    return json([threshold_dict(r) for r in await Threshold.all().order_by("id")])


@thresholds_bp.post("/")
@openapi.summary("Create a threshold: a reading past a limit for `hold` seconds is an event")
@schemas.returns(schemas.Threshold, 201, "Created")
@schemas.accepts(schemas.ThresholdBody)
@require_admin
async def create_threshold(request: Request) -> HTTPResponse:
    values = await read_threshold(read_json(request), None)
    async with in_transaction():
        if await Threshold.all().count() >= MAX_ROWS:
            raise bad_request(None, f"At most {MAX_ROWS} thresholds", "too_many_thresholds")
        row = await Threshold.create(**values)
        await counters.bump(counters.CONFIG)
    return json(threshold_dict(row), status=201)


@thresholds_bp.put("/<threshold_id>")
@openapi.summary("Change a threshold; fields not sent are kept")
@schemas.returns(schemas.Threshold)
@schemas.accepts(schemas.ThresholdBody)
@require_admin
async def update_threshold(request: Request, threshold_id: str) -> HTTPResponse:
    row = await _threshold(threshold_id)
    values = await read_threshold(read_json(request), row)
    async with in_transaction():
        row.update_from_dict(values)
        await row.save()
        await counters.bump(counters.CONFIG)
    return json(threshold_dict(row))


@thresholds_bp.delete("/<threshold_id>")
@openapi.summary("Delete a threshold")
@schemas.returns(schemas.Message)
@require_admin
async def delete_threshold(request: Request, threshold_id: str) -> HTTPResponse:
    row = await _threshold(threshold_id)
    async with in_transaction():
        await row.delete()
        await counters.bump(counters.CONFIG)
    return json({"message": "Threshold deleted"})


# --- maintenance windows -----------------------------------------------------------------------


def window_dict(row: MaintenanceWindow, window: Window | None = None) -> dict[str, Any]:
    window = window or window_of(row)
    return {
        "id": row.id,
        "upsId": row.ups_id,  # type: ignore[attr-defined]
        "days": list(row.days or ()),
        "start": row.start,
        "minutes": row.minutes,
        "timezone": row.timezone,
        "reason": row.reason,
        "openUntil": iso(window.end_if_open(utcnow())),
    }


async def read_window(body: dict[str, Any]) -> dict[str, Any]:
    ups_id = optional_int(body, "ups_id", lo=1, hi=ID_MAX)
    if ups_id is not None and not await UpsSystem.filter(id=ups_id).exists():
        raise bad_request("ups_id", "Unknown UPS")
    days = body.get("days")
    if not isinstance(days, list) or not days:
        raise bad_request("days", "days must be a non-empty list of weekdays (0 = Monday)")
    day_numbers = sorted({to_int(d, "days", lo=0, hi=6) for d in days})
    start = optional_str(body, "start", max_length=5) or ""
    if not _HHMM.match(start):
        raise bad_request("start", 'start must be a time of day, "HH:MM"')
    minutes = optional_int(body, "minutes", lo=1, hi=7 * 24 * 60)
    if minutes is None:
        raise bad_request("minutes", "minutes is required")
    zone = optional_str(body, "timezone", max_length=64) or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request("timezone", f"Unknown time zone: {zone}") from None
    reason = optional_str(body, "reason", max_length=200) or ""
    return {
        "ups_id": ups_id,
        "days": day_numbers,
        "start": start,
        "minutes": minutes,
        "timezone": zone,
        "reason": reason,
    }


@windows_bp.get("/")
@openapi.summary("Every weekly maintenance window (notifications muted while one is open)")
@schemas.returns(list[schemas.MaintenanceWindowItem])
@require_admin
async def list_windows(request: Request) -> HTTPResponse:
    return json([window_dict(r) for r in await MaintenanceWindow.all().order_by("id")])


@windows_bp.post("/")
@openapi.summary("Create a weekly maintenance window for one UPS (or every UPS)")
@schemas.returns(schemas.MaintenanceWindowItem, 201, "Created")
@schemas.accepts(schemas.MaintenanceWindowBody)
@require_admin
async def create_window(request: Request) -> HTTPResponse:
    values = await read_window(read_json(request))
    if await MaintenanceWindow.all().count() >= MAX_ROWS:
        raise bad_request(None, f"At most {MAX_ROWS} windows", "too_many_windows")
    row = await MaintenanceWindow.create(**values)
    return json(window_dict(row), status=201)


@windows_bp.delete("/<window_id>")
@openapi.summary("Delete a maintenance window")
@schemas.returns(schemas.Message)
@require_admin
async def delete_window(request: Request, window_id: str) -> HTTPResponse:
    row = await MaintenanceWindow.get_or_none(id=parse_id(window_id, "Maintenance window"))
    if row is None:
        raise not_found("Maintenance window")
    await row.delete()
    return json({"message": "Maintenance window deleted"})
