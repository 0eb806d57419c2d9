"""`/api/nut-servers` (also `/api/nut/servers` and `/api/nut`): NUT server configuration.

Passwords are write-only: answers carry `hasPassword` instead. On update, a blank password
keeps the stored one and `"password": null` clears it; a new host or port needs the password
again (400 naming `password`), so that it is never sent on to an address it was not given for.
Reachability comes from the live state the poller wrote for the server's UPS; `POST /:id/test`
and `POST /test` talk to upsd directly.
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse.api import discovery, fleet, schemas
from powerpulse.api.auth import check_access, optional_user, require_admin, require_user
from powerpulse.api.errors import (
    ApiError,
    bad_gateway,
    bad_request,
    conflict,
    not_found,
    unauthorized,
)
from powerpulse.api.ratelimit import limit_presetup_nut_test
from powerpulse.api.serializers import server_health, server_to_dict, ups_ref
from powerpulse.api.validation import (
    check_host,
    optional_bool,
    optional_credential,
    optional_int,
    optional_str,
    parse_id,
    read_json,
    require_str,
)
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsLiveState, UpsSystem, User
from powerpulse.nut.errors import NutError
from powerpulse.poller import leases
from powerpulse.roles import Need

bp = Blueprint("nut_servers", url_prefix="/api/nut-servers")

DUPLICATE = "A NUT server with this host and port already exists"
MOVED = "password is required when changing the host or port (send it again, or null)"
SERVER_BODY = {
    "application/json": {
        "host": str,
        "port": int,
        "username": str,
        "password": str,
        "starttls": bool,
        "autoAdd": bool,
        "site": str,
    }
}


def _host(body: dict[str, Any], required: bool) -> str | None:
    host = (
        require_str(body, "host", label="Server host") if required else optional_str(body, "host")
    )
    return check_host(host, "host")


async def _get(raw_id: str) -> NutServer:
    server = await NutServer.get_or_none(id=parse_id(raw_id, "NUT server"))
    if server is None:
        raise not_found("NUT server")
    return server


async def _health(request: Request, servers: list[NutServer]) -> dict[int, dict[str, Any]]:
    server_ids = [s.id for s in servers]
    lives = await UpsLiveState.filter(ups__nut_server_id__in=server_ids).prefetch_related("ups")
    by_server: dict[int, list[UpsLiveState]] = {sid: [] for sid in server_ids}
    for live in lives:
        by_server[live.ups.nut_server_id].append(live)  # type: ignore[attr-defined]
    missing = await fleet.poller_missing(request.app.ctx.settings, servers)
    return {
        sid: {**server_health(rows), "pollerMissing": missing[sid]}
        for sid, rows in by_server.items()
    }


def _site(body: dict[str, Any]) -> str | None:
    """`site`: absent, null or blank is no site; else 1 to 64 letters, digits, `.-_`."""
    value = body.get("site")
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request("site", "site must be a string")
    value = value.strip()
    if not value:
        return None
    try:
        return leases.check_site(value)
    except ValueError as err:
        raise bad_request("site", f"site: {err}") from None


def _nut_failure(err: NutError) -> ApiError:
    return bad_gateway(f"Connection failed: {err.message}", err.code, nutError=err.code)


@bp.get("/")
@openapi.summary("All NUT servers (never a password)")
@schemas.returns(list[schemas.NutServer])
@require_user
async def list_servers(request: Request) -> HTTPResponse:
    servers = await NutServer.all().order_by("id")
    health = await _health(request, servers)
    return json([server_to_dict(s, health[s.id]) for s in servers])


@bp.get("/<server_id:str>")
@openapi.summary("One NUT server")
@schemas.returns(schemas.NutServer)
@require_user
async def get_server(request: Request, server_id: str) -> HTTPResponse:
    server = await _get(server_id)
    return json(server_to_dict(server, (await _health(request, [server]))[server.id]))


@bp.post("/")
@openapi.summary("Add a NUT server and its UPS (admin)")
@schemas.returns(schemas.NutServerCreated, 201)
@openapi.body(SERVER_BODY)
@require_admin
async def create_server(request: Request) -> HTTPResponse:
    body = read_json(request)
    host = _host(body, required=True)
    port = optional_int(body, "port", lo=1, hi=65535) or 3493
    username = optional_credential(body, "username") or None
    password = optional_credential(body, "password") or None
    starttls = bool(optional_bool(body, "starttls"))
    auto_add = optional_bool(body, "autoAdd") is not False  # on unless turned off
    site = _site(body)
    try:
        async with in_transaction():
            if await NutServer.filter(host=host, port=port).exists():
                raise conflict(DUPLICATE)
            server = await NutServer.create(
                host=host,
                port=port,
                username=username,
                password=password,
                starttls=starttls,
                auto_add=auto_add,
                site=site,
            )
            await counters.bump(counters.CONFIG)
    except IntegrityError:
        raise conflict(DUPLICATE) from None
    found = await discovery.discover(server, request.app.ctx.settings.nut_timeout)
    out: dict[str, Any] = {
        "message": "NUT server created",
        **server_to_dict(server),
        "upsSystemsDiscovered": len(found.found),
        "upsSystemsAdded": [ups_ref(u) for u in found.added],
    }
    if found.error is not None:
        out["message"] = "NUT server created; " + discovery.not_reachable_yet(server, found.error)
        out["discoveryError"] = discovery.error_dict(found.error)
    return json(out, status=201)


@bp.put("/<server_id:str>")
@openapi.summary("Update a NUT server (admin); blank password keeps, null clears")
@schemas.returns(schemas.NutServerUpdated)
@openapi.body(SERVER_BODY)
@require_admin
async def update_server(request: Request, server_id: str) -> HTTPResponse:
    server = await _get(server_id)
    body = read_json(request)
    changes: dict[str, Any] = {}
    host = _host(body, required=False)
    if host:
        changes["host"] = host
    port = optional_int(body, "port", lo=1, hi=65535)
    if port is not None:
        changes["port"] = port
    if "username" in body:
        changes["username"] = optional_credential(body, "username") or None
    if "password" in body:
        if body["password"] is None:
            changes["password"] = None
        elif password := optional_credential(body, "password"):
            changes["password"] = password
    starttls = optional_bool(body, "starttls")
    if starttls is not None:
        changes["starttls"] = starttls
    auto_add = optional_bool(body, "autoAdd")
    if auto_add is not None:
        changes["auto_add"] = auto_add
    if "site" in body:
        changes["site"] = _site(body)
    try:
        async with in_transaction():
            server = await NutServer.get(id=server.id)
            host, port = changes.get("host", server.host), changes.get("port", server.port)
            # The stored password must not follow the server to an address of the caller's
            # choosing: a new host or port needs it sent again (or null to drop it).
            moved = (host, port) != (server.host, server.port)
            if moved and server.password and "password" not in changes:
                raise bad_request("password", MOVED)
            if await NutServer.filter(host=host, port=port).exclude(id=server.id).exists():
                raise conflict(DUPLICATE)
            server.update_from_dict(changes)
            await server.save()
            await counters.bump(counters.CONFIG)
    except IntegrityError:
        raise conflict(DUPLICATE) from None
    return json({"message": "NUT server updated", **server_to_dict(server)})


@bp.delete("/<server_id:str>")
@openapi.summary("Delete a NUT server, its UPS and their history (admin)")
@schemas.returns(schemas.NutServerDeleted)
@require_admin
async def delete_server(request: Request, server_id: str) -> HTTPResponse:
    server = await _get(server_id)
    async with in_transaction():
        ups = await UpsSystem.filter(nut_server_id=server.id).order_by("id")
        await server.delete()  # cascades to UPS, live state, samples, events, logs
        await counters.bump(counters.CONFIG)
    return json(
        {
            "message": "NUT server deleted",
            "deletedUpsSystems": [{"id": u.id, "name": u.name} for u in ups],
        }
    )


@bp.post("/<server_id:str>/test")
@openapi.summary("Connect to a saved NUT server and list its UPS (admin)")
@schemas.returns(schemas.NutTestResult)
@require_admin
async def test_saved(request: Request, server_id: str) -> HTTPResponse:
    server = await _get(server_id)
    return await _test(
        request, server.host, server.port, server.username, server.password, server.starttls
    )


@bp.post("/test")
@openapi.summary("Test connection details before saving (admin; public until setup is done)")
@schemas.returns(schemas.NutTestResult)
@openapi.body(SERVER_BODY)
async def test_unsaved(request: Request) -> HTTPResponse:
    user: User | None = await optional_user(request)
    if user is None and await User.exists():
        raise unauthorized("No token, authorization denied", "no_token")
    if user is not None:
        check_access(request, user, Need.ADMIN)
    else:  # public before setup: rate-limited (any host, private ones included)
        await limit_presetup_nut_test(request)
    body = read_json(request)
    host = _host(body, required=True) or ""
    port = optional_int(body, "port", lo=1, hi=65535) or 3493
    username = optional_credential(body, "username") or None
    password = optional_credential(body, "password") or None
    starttls = bool(optional_bool(body, "starttls"))
    return await _test(request, host, port, username, password, starttls)


async def _test(
    request: Request,
    host: str,
    port: int,
    username: str | None,
    password: str | None,
    starttls: bool,
) -> HTTPResponse:
    timeout = request.app.ctx.settings.nut_timeout
    try:
        names = await discovery.list_ups(host, port, username, password, starttls, timeout)
    except NutError as err:
        raise _nut_failure(err) from None
    return json({"message": "Connection successful", "upsList": sorted(names)})


blueprints = Blueprint.group(
    bp,
    bp.copy("nut_servers_legacy", url_prefix="/api/nut/servers"),
    bp.copy("nut_servers_short", url_prefix="/api/nut"),
)
