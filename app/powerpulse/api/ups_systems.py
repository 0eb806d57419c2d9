"""`/api/ups-systems` (also `/api/ups/systems`): UPS configuration and what the poller saw.

Reads never talk to NUT: the list, the kiosk and the detail are built from `UpsLiveState` rows.
The list answers are kept as bytes and reused while nothing changed (see `list_cache`), which
is what lets one worker serve thousands of dashboard polls a second.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse import discovery
from powerpulse.api import schemas
from powerpulse.api.auth import require_admin, require_user
from powerpulse.api.errors import bad_request, conflict, not_found
from powerpulse.api.list_cache import ListCache
from powerpulse.api.safe_ups import encode_ups, encode_ups_list, ups_object
from powerpulse.api.serializers import UPS_WITH_SITE, in_filter, ups_config_dict
from powerpulse.api.ups_control import client_for
from powerpulse.api.validation import (
    FILTER_HELP,
    ID_MAX,
    list_filter,
    optional_int,
    optional_number,
    optional_str,
    parse_id,
    query_int,
    read_json,
    require_int,
    require_str,
)
from powerpulse.db import counters
from powerpulse.db.models import NutServer, Sample, UpsLiveState, UpsSystem
from powerpulse.groups import EVERYTHING, Filter, clean_tags
from powerpulse.history import record_manual_charge
from powerpulse.nut import units
from powerpulse.nut.client import NutClient
from powerpulse.nut.descriptions import DescriptionCache
from powerpulse.timeutil import iso, utcnow

bp = Blueprint("ups_systems", url_prefix="/api/ups-systems")

DUPLICATE = "This NUT server already has a UPS system with that UPS name"
UPS_BODY = {
    "application/json": {
        "name": str,
        "nickname": str,
        "nutServerId": int,
        "upsName": str,
        "tags": [str],
    }
}


@dataclass(frozen=True)
class ListView:
    """One cached list answer: the kiosk's (public) or the signed-in one, filtered or not."""

    public: bool
    filter: Filter = EVERYTHING


def _cache(request: Request) -> ListCache:
    ctx = request.app.ctx
    if not hasattr(ctx, "ups_list_cache"):
        settings = ctx.settings

        async def build(view: ListView) -> list[dict[str, Any]]:
            return await build_list(settings.poll_interval, public=view.public, only=view.filter)

        def encode(rows: list[dict[str, Any]], view: ListView) -> bytes:
            return encode_ups_list(rows, view.public)

        ctx.ups_list_cache = ListCache(build, encode)
    cache: ListCache = ctx.ups_list_cache
    return cache


def invalidate_list_cache(request: Request) -> None:
    """Forget the cached lists (called after every successful write request)."""
    _cache(request).invalidate()


async def build_list(
    poll: float, *, public: bool, only: Filter = EVERYTHING
) -> list[dict[str, Any]]:
    """Every UPS object (`serializers.ups_object`) in `only`, as the list answers them."""
    systems = await UpsSystem.all().order_by("id").select_related(*UPS_WITH_SITE)
    systems = [ups for ups in systems if in_filter(ups, only)]
    lives = {live.ups_id: live for live in await UpsLiveState.all()}  # type: ignore[attr-defined]
    # Mapping 100 UPS is ~10 ms of CPU: in a thread, the event loop keeps answering meanwhile.
    return await asyncio.to_thread(_map_all, systems, lives, poll, public)


def _map_all(
    systems: list[UpsSystem], lives: dict[int, UpsLiveState], poll: float, public: bool
) -> list[dict[str, Any]]:
    # `ups_object` never raises: a UPS whose data cannot be shown is listed with an error.
    now = utcnow()
    return [
        ups_object(ups, lives.get(ups.id), now=now, poll_interval=poll, public=public, compact=True)
        for ups in systems
    ]


async def _get(raw_id: str) -> UpsSystem:
    query = UpsSystem.filter(id=parse_id(raw_id, "UPS system")).select_related(*UPS_WITH_SITE)
    ups = await query.first()
    if ups is None:
        raise not_found("UPS system")
    return ups


def _tags(body: dict[str, Any]) -> list[str] | None:
    """`tags` of a create/update body: None when absent (null clears); 400 when malformed."""
    if "tags" not in body:
        return None
    try:
        return clean_tags([] if body["tags"] is None else body["tags"])
    except ValueError as exc:
        raise bad_request("tags", str(exc)) from None


async def _server_exists(server_id: int) -> None:
    if not await NutServer.filter(id=server_id).exists():
        raise not_found("NUT server")


@bp.get("/")
@openapi.summary("Every UPS with its live state (from the poller)")
@openapi.description(FILTER_HELP)
@schemas.returns(list[schemas.Ups])
@schemas.not_modified
@require_user
async def list_ups(request: Request) -> HTTPResponse:
    view = ListView(public=False, filter=list_filter(request))
    return (await _cache(request).get(view)).response(request)


@bp.get("/kiosk")
@openapi.summary("Every UPS, status and readings only (public)")
@openapi.description(FILTER_HELP)
@schemas.returns(list[schemas.KioskUps])
@schemas.not_modified
async def kiosk(request: Request) -> HTTPResponse:
    view = ListView(public=True, filter=list_filter(request))
    return (await _cache(request).get(view)).response(request)


@bp.get("/<ups_id:str>")
@openapi.summary("One UPS with its live state")
@schemas.returns(schemas.Ups)
@require_user
async def get_ups(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _get(ups_id)
    live = await UpsLiveState.get_or_none(ups_id=ups.id)
    poll = request.app.ctx.settings.poll_interval
    body = encode_ups(ups_object(ups, live, now=utcnow(), poll_interval=poll))
    return HTTPResponse(body, content_type="application/json")


@bp.post("/")
@openapi.summary("Add a UPS of a configured NUT server (admin)")
@schemas.returns(schemas.UpsConfig, 201)
@openapi.body(UPS_BODY)
@require_admin
async def create_ups(request: Request) -> HTTPResponse:
    body = read_json(request)
    server_id = require_int(body, "nutServerId", lo=1, hi=ID_MAX)
    ups_name = require_str(body, "upsName")
    name = optional_str(body, "name") or ups_name
    nickname = optional_str(body, "nickname") or None
    tags = _tags(body) or []
    await _server_exists(server_id)
    try:
        async with in_transaction():
            if await UpsSystem.filter(nut_server_id=server_id, ups_name=ups_name).exists():
                raise conflict(DUPLICATE)
            ups = await UpsSystem.create(
                name=name, nickname=nickname, nut_server_id=server_id, ups_name=ups_name, tags=tags
            )
            await counters.bump(counters.CONFIG)
    except IntegrityError:
        raise conflict(DUPLICATE) from None
    await ups.fetch_related(*UPS_WITH_SITE)
    return json({"message": "UPS system created", **ups_config_dict(ups)}, status=201)


@bp.put("/<ups_id:str>")
@openapi.summary("Update a UPS (admin)")
@schemas.returns(schemas.UpsConfig)
@openapi.body(UPS_BODY)
@require_admin
async def update_ups(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _get(ups_id)
    body = read_json(request)
    changes: dict[str, Any] = {}
    if name := optional_str(body, "name"):
        changes["name"] = name
    if "nickname" in body:
        changes["nickname"] = optional_str(body, "nickname") or None
    if ups_name := optional_str(body, "upsName"):
        changes["ups_name"] = ups_name
    tags = _tags(body)
    if tags is not None:
        changes["tags"] = tags
    server_id = optional_int(body, "nutServerId", lo=1, hi=ID_MAX)
    if server_id is not None:
        await _server_exists(server_id)
        changes["nut_server_id"] = server_id
    try:
        async with in_transaction():
            ups = await UpsSystem.get(id=ups.id)
            before = (ups.nut_server_id, ups.ups_name)  # type: ignore[attr-defined]
            ups.update_from_dict(changes)
            after = (ups.nut_server_id, ups.ups_name)  # type: ignore[attr-defined]
            if after != before:
                clash = UpsSystem.filter(nut_server_id=after[0], ups_name=after[1])
                if await clash.exclude(id=ups.id).exists():
                    raise conflict(DUPLICATE)
                # The live row described the old device; the poller writes a new one.
                await UpsLiveState.filter(ups_id=ups.id).delete()
            await ups.save()
            await counters.bump(counters.CONFIG)
    except IntegrityError:
        raise conflict(DUPLICATE) from None
    await ups.fetch_related(*UPS_WITH_SITE)
    return json({"message": "UPS system updated", **ups_config_dict(ups)})


@bp.put("/<ups_id:str>/nickname")
@openapi.summary("Rename a UPS for display (any user); empty clears")
@schemas.returns(schemas.NicknameSet)
@openapi.body({"application/json": {"nickname": str}})
@require_user
async def set_nickname(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _get(ups_id)
    nickname = optional_str(read_json(request), "nickname") or None
    async with in_transaction():
        await UpsSystem.filter(id=ups.id).update(nickname=nickname)
        await counters.bump(counters.CONFIG)
    return json({"message": "UPS system nickname updated", "id": ups.id, "nickname": nickname})


@bp.delete("/<ups_id:str>")
@openapi.summary("Delete a UPS and its history (admin)")
@schemas.returns(schemas.UpsDeleted)
@require_admin
async def delete_ups(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _get(ups_id)
    async with in_transaction():
        # Rediscovery must not add it back while upsd still serves it.
        await discovery.dismiss(ups.nut_server_id, ups.ups_name)  # type: ignore[attr-defined]
        await ups.delete()
        await counters.bump(counters.CONFIG)
    return json({"message": "UPS system deleted", "id": ups.id})


def _descriptions_cache(request: Request) -> DescriptionCache:
    ctx = request.app.ctx
    if not hasattr(ctx, "nut_descriptions"):
        ctx.nut_descriptions = DescriptionCache()
    cache: DescriptionCache = ctx.nut_descriptions
    return cache


async def _descriptions(
    request: Request, ups: UpsSystem, variables: dict[str, Any]
) -> dict[str, str | None]:
    """upsd's descriptions of these variables: cached, else fetched (waiting at most a couple
    of seconds; what comes later is there on the next request)."""
    server: NutServer = ups.nut_server  # type: ignore[assignment]
    timeout = request.app.ctx.settings.nut_timeout
    driver = variables.get("driver.name")
    scope = (server.id, server.host, server.port, driver if isinstance(driver, str) else None)

    def connect() -> NutClient:
        return client_for(server, timeout)

    cache = _descriptions_cache(request)
    return await cache.lookup(
        scope, server.id, ups.ups_name, variables, connect, wait=min(timeout, 2.0)
    )


@bp.get("/<ups_id:str>/nut-variables")
@openapi.summary("Every NUT variable the UPS last reported, with kind, unit and description")
@openapi.description(
    "From the poller's last successful poll. `number`, `date` and `flag` are the value read for "
    "its kind (null when it cannot be: show `value`); `description` comes from upsd (`GET DESC`)"
    " and is null when upsd has none or has not answered yet."
)
@schemas.returns(schemas.UpsNutVariables)
@require_user
async def nut_variables(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _get(ups_id)
    live = await UpsLiveState.get_or_none(ups_id=ups.id)
    stored = live.variables if live is not None else None
    variables = {
        k: v for k, v in (stored if isinstance(stored, dict) else {}).items() if isinstance(k, str)
    }
    described = await _descriptions(request, ups, variables) if variables else {}
    rows = []
    for name in sorted(variables):
        row = units.shown(name, variables[name])
        row["description"] = described.get(name)
        rows.append(row)
    last = live.last_success_at if live is not None else None
    return json({"upsId": ups.id, "lastUpdated": iso(last), "variables": rows})


def _charge(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


@bp.get("/<ups_id:str>/battery")
@openapi.summary("Battery charge history, newest first (?limit=, default 100)")
@schemas.returns(list[schemas.BatterySample])
@require_user
async def battery_history(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _get(ups_id)
    limit = query_int(request, "limit", default=100, lo=1, hi=10_000)
    rows = (
        await Sample.filter(ups_id=ups.id, charge__isnull=False)
        .order_by("-timestamp", "-id")
        .limit(limit)
    )
    return json(
        [
            {
                "id": r.id,
                "ups_id": ups.id,
                "charge_percent": _charge(r.charge),
                "timestamp": iso(r.timestamp),
            }
            for r in rows
        ]
    )


@bp.post("/<ups_id:str>/battery")
@openapi.summary("Record a battery charge by hand (admin)")
@schemas.returns(schemas.BatteryRecorded, 201)
@openapi.body({"application/json": {"chargePercent": float}})
@require_admin
async def record_battery(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _get(ups_id)
    charge = optional_number(read_json(request), "chargePercent", lo=0, hi=100)
    if charge is None:
        raise bad_request("chargePercent", "Battery charge percentage is required")
    sample = await record_manual_charge(ups.id, charge, utcnow())
    return json(
        {
            "message": "Battery charge recorded",
            "id": sample.id,
            "upsId": ups.id,
            "chargePercent": _charge(charge),
            "timestamp": iso(sample.timestamp),
        },
        status=201,
    )


blueprints = Blueprint.group(bp, bp.copy("ups_systems_legacy", url_prefix="/api/ups/systems"))
