"""`/api/ups-systems/:id/battery/lifecycle`, `…/battery/replacements` and `/api/battery`: a
UPS's battery install date, age, expected life, past batteries, tests and health estimate.

The seed's `/api/ups-systems/:id/battery` (charge history) is another route and unchanged.
Admin changes are logged on `powerpulse.audit`.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin, require_user
from powerpulse.api.errors import bad_request, not_found
from powerpulse.api.validation import optional_int, optional_str, parse_id, read_json
from powerpulse.battery import life, store
from powerpulse.db.models import BatteryInstall, UpsSystem
from powerpulse.timeutil import utcnow

audit = logging.getLogger("powerpulse.audit")

ups_bp = Blueprint("battery_lifecycle", url_prefix="/api/ups-systems")
fleet_bp = Blueprint("battery_fleet", url_prefix="/api/battery")
blueprints = Blueprint.group(ups_bp, fleet_bp)

NOTE_MAX = 200
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UNSET: Any = object()


async def _ups(raw_id: str) -> UpsSystem:
    ups = await UpsSystem.get_or_none(id=parse_id(raw_id, "UPS system"))
    if ups is None:
        raise not_found("UPS system")
    return ups


def _installed_on(body: dict[str, Any], today: date) -> date | None:
    """`installedOn`: a real YYYY-MM-DD date from 1990-01-01 to today; None when absent."""
    raw = body.get("installedOn")
    if raw is None:
        return None
    message = "installedOn must be a date (YYYY-MM-DD) from 1990-01-01 to today"
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw.strip()):
        raise bad_request("installedOn", message)
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        raise bad_request("installedOn", message) from None
    if not life.MIN_DATE <= value <= today:
        raise bad_request("installedOn", message)
    return value


def _expected(body: dict[str, Any]) -> Any:
    """`expectedLifeMonths`: months, None (null: the type's default) or _UNSET (absent)."""
    if "expectedLifeMonths" not in body:
        return _UNSET
    return optional_int(body, "expectedLifeMonths", lo=life.LIFE_MIN, hi=life.LIFE_MAX)


def _note(body: dict[str, Any]) -> str | None:
    return optional_str(body, "note", max_length=NOTE_MAX)


async def _answer(ups: UpsSystem, status: int = 200) -> HTTPResponse:
    return json(await store.lifecycle_view(ups, utcnow()), status=status)


@ups_bp.get("/<ups_id:str>/battery/lifecycle")
@openapi.summary("A UPS's battery: install date, age, expected life, tests and health")
@openapi.description(
    "The install date comes from battery.date / battery.mfr.date when the UPS reports a "
    "plausible one, else from an admin. Health compares runtime x load with the UPS's own "
    "baseline; `unknown` with a reason when there is not enough history."
)
@schemas.returns(schemas.BatteryLifecycle)
@require_user
async def get_lifecycle(request: Request, ups_id: str) -> HTTPResponse:
    return await _answer(await _ups(ups_id))


@ups_bp.put("/<ups_id:str>/battery/lifecycle")
@openapi.summary("Set the current battery's install date, expected life or note (admin)")
@openapi.description(
    "Creates the current battery (source admin) when there is none: `installedOn` is then "
    "required. Setting `installedOn` makes the record the admin's: the device's date no "
    "longer changes it."
)
@schemas.accepts(schemas.BatteryLifecycleBody)
@schemas.returns(schemas.BatteryLifecycle)
@require_admin
async def put_lifecycle(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    body = read_json(request)
    installed_on = _installed_on(body, utcnow().date())
    expected, note = _expected(body), _note(body)
    user = request.ctx.user.username
    current = await store.current_install(ups.id)
    if current is None and installed_on is not None:
        created = await store.create_current(
            ups.id,
            installed_on,
            store.ADMIN,
            expected=None if expected is _UNSET else expected,
            note=note or "",
            created_by=user,
        )
        if created is not None:
            audit.info("%s set the battery of UPS %s: installed %s", user, ups.name, installed_on)
            return await _answer(ups)
        current = await store.current_install(ups.id)  # another request created it meanwhile
    if current is None:
        raise bad_request("installedOn", "installedOn is required: this UPS has no battery record")
    changes: dict[str, Any] = {}
    if installed_on is not None:
        changes.update(installed_on=installed_on, source=store.ADMIN)
        if installed_on != current.installed_on:
            changes["age_alerted_at"] = None  # a new date is a new age: alert again when due
    if expected is not _UNSET:
        changes["expected_life_months"] = expected
        if expected != current.expected_life_months:
            changes["age_alerted_at"] = None
    if note is not None:
        changes["note"] = note
    if changes:
        await BatteryInstall.filter(id=current.id).update(**changes)
        shown = ", ".join(f"{k}={v}" for k, v in changes.items() if k != "note")
        audit.info("%s edited the battery of UPS %s: %s", user, ups.name, shown or "note")
    return await _answer(ups)


@ups_bp.post("/<ups_id:str>/battery/replacements")
@openapi.summary("Record a battery replacement (admin)")
@openapi.description(
    "The current battery is kept in the history (replacedAt now) and a new current battery "
    "is recorded, installed on `installedOn` (default today)."
)
@schemas.accepts(schemas.BatteryLifecycleBody)
@schemas.returns(schemas.BatteryLifecycle, 201)
@require_admin
async def post_replacement(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    body = read_json(request)
    now = utcnow()
    installed_on = _installed_on(body, now.date()) or now.date()
    expected, note = _expected(body), _note(body)
    user = request.ctx.user.username
    months = None if expected is _UNSET else expected
    row = None
    for _ in range(2):  # a concurrent replacement may take the current slot: try once more
        row = await store.replace_current(
            ups.id,
            now,
            installed_on,
            store.ADMIN,
            expected=months,
            note=note or "",
            created_by=user,
        )
        if row is not None:
            break
    if row is None:
        raise bad_request(None, "Another change to this battery happened at the same time")
    audit.info("%s replaced the battery of UPS %s: installed %s", user, ups.name, installed_on)
    return await _answer(ups, 201)


@fleet_bp.get("/")
@openapi.summary("Every UPS's battery: age, health and last test, with warnings")
@schemas.returns(list[schemas.BatteryFleetRow])
@require_user
async def get_fleet(request: Request) -> HTTPResponse:
    return json(await store.fleet_view(utcnow()))
