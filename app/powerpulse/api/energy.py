"""`GET /api/energy` (user): kWh, cost, coverage and the estimated share per UPS, site, day
or month (`powerpulse.energy.query`); `GET/PUT /api/system/energy` the power factor and
tariff (`powerpulse.energy.settings`; PUT admin)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse import runtime_settings
from powerpulse.api import schemas
from powerpulse.api.auth import require_admin, require_user
from powerpulse.api.errors import bad_request
from powerpulse.api.validation import read_json
from powerpulse.energy import settings as energy_settings
from powerpulse.energy.query import GROUPS, energy_summary
from powerpulse.energy.settings import EnergySettingError
from powerpulse.timeutil import parse_iso

bp = Blueprint("energy", url_prefix="/api")

MAX_DAY_SPAN = timedelta(days=400)
MAX_SPAN = timedelta(days=3653)
MAX_IDS = 1000


EnergySummary, EnergySettings = schemas.EnergySummary, schemas.EnergySettings
EnergySettingsBody = schemas.EnergySettingsBody


def _time(request: Request, name: str) -> datetime:
    raw = request.args.get(name)
    try:
        value = parse_iso(raw) if raw else None
    except (ValueError, OverflowError, TypeError):
        value = None
    if value is None or not 1971 <= value.year <= 9000:
        raise bad_request(name, f"{name} must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z")
    return value


def _list(request: Request, name: str) -> list[str] | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    items = [x.strip() for x in raw.split(",")]
    if len(items) > MAX_IDS or any(not x or len(x) > 64 for x in items):
        raise bad_request(name, f"{name} must be a comma-separated list")
    return items


def _ids(request: Request) -> list[int] | None:
    items = _list(request, "ups")
    if items is None:
        return None
    if not all(x.isascii() and x.isdigit() and len(x) < 10 for x in items):
        raise bad_request("ups", "ups must be comma-separated UPS ids")
    return [int(x) for x in items]


@bp.get("/energy")
@openapi.summary("Energy (kWh, cost, coverage) per UPS, site, day or month")
@schemas.returns(EnergySummary)
@require_user
async def get_energy(request: Request) -> HTTPResponse:
    start, end = _time(request, "from"), _time(request, "to")
    if start >= end:
        raise bad_request("to", "to must be after from")
    group = request.args.get("group") or "ups"
    if group not in GROUPS:
        raise bad_request("group", f"group must be one of {', '.join(GROUPS)}")
    if end - start > (MAX_DAY_SPAN if group == "day" else MAX_SPAN):
        limit = "400 days" if group == "day" else "10 years"
        raise bad_request("to", f"the span may be at most {limit} for group={group}")
    tz = request.args.get("tz") or "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request("tz", "tz must be an IANA time zone, e.g. Europe/Berlin") from None
    body = await energy_summary(
        start, end, group, ups_ids=_ids(request), sites=_list(request, "site"), tz=tz
    )
    return json(body)


@bp.get("/system/energy")
@openapi.summary("The power factor for estimated power and the tariff")
@schemas.returns(EnergySettings)
@require_user
async def get_energy_settings(request: Request) -> HTTPResponse:
    return json(_settings_body(await runtime_settings.load_energy()))


@bp.put("/system/energy")
@openapi.summary("Change the power factor or the tariff (admin)")
@schemas.returns(EnergySettings)
@schemas.accepts(EnergySettingsBody)
@require_admin
async def put_energy_settings(request: Request) -> HTTPResponse:
    body = read_json(request)
    try:
        saved = await runtime_settings.save_energy(body)
    except EnergySettingError as err:
        raise bad_request(err.field, err.message) from None
    return json(_settings_body(saved))


def _settings_body(current: energy_settings.EnergySettings) -> dict[str, Any]:
    return {**current.to_dict(), "locked": energy_settings.locked(os.environ)}
