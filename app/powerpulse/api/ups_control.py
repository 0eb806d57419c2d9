"""Instant commands and writable variables of one UPS.

Operators may list and run the commands that do not cut or risk the load; the others, and
every variable, are for admins.

Unlike the UPS reads (built from the poller's live state), these talk to upsd on request: a
fresh connection with the NUT server's credentials, bounded as a whole by a few `NUT_TIMEOUT`s.
upsd only lets a user run commands listed under `instcmds` and set variables with `actions =
SET` in its `upsd.users`; a refusal comes back as a 403 saying so. A command is sent only if
the UPS lists it, and one that cuts the load needs `"confirm": true`. Every command and change
is logged with who did it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.api.auth import is_admin, require_admin, require_operator
from powerpulse.api.errors import (
    ApiError,
    bad_gateway,
    bad_request,
    conflict,
    forbidden,
    not_found,
)
from powerpulse.api.validation import optional_bool, optional_str, parse_id, read_json
from powerpulse.db.models import NutServer, UpsSystem, User
from powerpulse.nut import controls
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import (
    NutAccessDenied,
    NutAuthError,
    NutCmdNotSupported,
    NutConnectionError,
    NutError,
    NutInvalidValue,
    NutVarNotSupported,
)

log = logging.getLogger("powerpulse.audit")

bp = Blueprint("ups_control", url_prefix="/api/ups-systems")

T = TypeVar("T")
COMMAND_BODY = {"application/json": {"command": str, "parameter": str, "confirm": bool}}
VARIABLE_BODY = {"application/json": {"value": str}}
LINE_BREAKS = ("\n", "\r", "\x00")
NEEDS_RIGHTS = (
    "The NUT server refused: give this server a NUT user (Settings → NUT servers) that upsd.users "
    "allows to do this (instcmds for commands, actions = SET for variables)"
)


async def _target(raw_id: str) -> tuple[UpsSystem, NutServer]:
    ups = await UpsSystem.get_or_none(id=parse_id(raw_id, "UPS system"))
    if ups is None:
        raise not_found("UPS system")
    server = await NutServer.get(id=ups.nut_server_id)  # type: ignore[attr-defined]
    return ups, server


def client_for(server: NutServer, timeout: float) -> NutClient:
    """A NUT connection to a configured server, with its stored credentials and TLS choice."""
    return NutClient(
        server.host,
        server.port,
        server.username,
        server.password,
        starttls=server.starttls,
        timeout=timeout,
    )


async def _with_nut(
    request: Request, server: NutServer, action: Callable[[NutClient], Awaitable[T]]
) -> T:
    """Run `action` on a fresh connection; NUT failures become clear API errors."""
    timeout = request.app.ctx.settings.nut_timeout
    client = client_for(server, timeout)
    where = f"{server.host}:{server.port}"
    try:
        async with asyncio.timeout(timeout * 6 + 1):
            return await action(client)
    except TimeoutError:
        raise bad_gateway(f"The NUT server {where} did not answer in time", "nut_timeout") from None
    except (NutAccessDenied, NutAuthError) as err:
        raise ApiError(403, f"{NEEDS_RIGHTS}. upsd said: {err}", "nut_access_denied") from None
    except NutConnectionError as err:
        raise bad_gateway(f"The NUT server {where} could not be reached: {err}", err.code) from None
    except (NutCmdNotSupported, NutVarNotSupported, NutInvalidValue) as err:
        raise bad_request(None, str(err), err.code) from None
    except NutError as err:
        raise bad_gateway(str(err), err.code) from None
    finally:
        await client.close()


async def _commands(client: NutClient, ups_name: str) -> list[dict[str, Any]]:
    names = sorted(await client.list_cmd(ups_name))
    out = []
    for name in names:
        try:
            description = await client.get_cmddesc(ups_name, name)
        except NutError:
            description = ""
        out.append({"name": name, "description": description, "warning": controls.warning(name)})
    return out


def _may_run(user: User, command: str) -> bool:
    """Operators run harmless commands; only an admin may cut or risk the load."""
    return is_admin(user) or controls.warning(command) is None


async def _describe_var(
    client: NutClient, ups_name: str, name: str, value: str
) -> controls.Writable:
    type_words = await client.get_type(ups_name, name)
    try:
        description = await client.get_desc(ups_name, name)
    except NutError:
        description = ""
    upper = [w.upper() for w in type_words]
    options = await client.list_enum(ups_name, name) if "ENUM" in upper else []
    ranges = await client.list_range(ups_name, name) if "RANGE" in upper else []
    return controls.describe(name, value, type_words, description, options, ranges)


async def _writable(client: NutClient, ups_name: str) -> list[controls.Writable]:
    values = await client.list_rw(ups_name)
    return [await _describe_var(client, ups_name, n, values[n]) for n in sorted(values)]


@bp.get("/<ups_id:str>/commands")
@openapi.summary("The instant commands this UPS offers, from its NUT server (operator)")
@schemas.returns(schemas.UpsCommands)
@require_operator
async def list_commands(request: Request, ups_id: str) -> HTTPResponse:
    ups, server = await _target(ups_id)
    commands = await _with_nut(request, server, lambda c: _commands(c, ups.ups_name))
    for command in commands:
        command["allowed"] = _may_run(request.ctx.user, command["name"])
    return json({"commands": commands, "credentials": bool(server.username)})


@bp.post("/<ups_id:str>/commands")
@openapi.summary("Run an instant command (operator; load-cutting ones: admin, with confirm)")
@schemas.returns(schemas.CommandSent)
@openapi.body(COMMAND_BODY)
@require_operator
async def run_command(request: Request, ups_id: str) -> HTTPResponse:
    body = read_json(request, allow_empty=False)
    command = optional_str(body, "command", max_length=128) or ""
    if not command:
        raise bad_request("command", "command is required")
    parameter = optional_str(body, "parameter", max_length=128) or None
    if parameter and any(c in parameter for c in LINE_BREAKS):
        raise bad_request("parameter", "parameter must be one line")
    confirmed = optional_bool(body, "confirm") or False
    if not _may_run(request.ctx.user, command):
        raise forbidden(f"Only administrators may run {command}: it cuts or risks the load")
    ups, server = await _target(ups_id)
    warning = controls.warning(command)
    if warning and not confirmed:
        raise conflict(f"{warning}: send it again with confirm", "confirmation_required")

    async def run(client: NutClient) -> None:
        if command not in await client.list_cmd(ups.ups_name):
            raise NutCmdNotSupported("CMD-NOT-SUPPORTED", "", f"{ups.ups_name} has no {command}")
        await client.instcmd(ups.ups_name, command, parameter)

    await _with_nut(request, server, run)
    user = request.ctx.user.username
    log.info("%s ran %s%s on %s", user, command, f" {parameter}" if parameter else "", ups.name)
    return json({"message": f"{command} sent to {ups.name}", "command": command})


@bp.get("/<ups_id:str>/variables")
@openapi.summary("The writable NUT variables of this UPS with their types (admin)")
@schemas.returns(schemas.UpsVariables)
@require_admin
async def list_variables(request: Request, ups_id: str) -> HTTPResponse:
    ups, server = await _target(ups_id)
    variables = await _with_nut(request, server, lambda c: _writable(c, ups.ups_name))
    return json(
        {"variables": [v.to_dict() for v in variables], "credentials": bool(server.username)}
    )


@bp.put("/<ups_id:str>/variables/<name:str>")
@openapi.summary("Set a writable NUT variable of this UPS (admin)")
@schemas.returns(schemas.VariableSet)
@openapi.body(VARIABLE_BODY)
@require_admin
async def set_variable(request: Request, ups_id: str, name: str) -> HTTPResponse:
    body = read_json(request, allow_empty=False)
    raw = body.get("value")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise bad_request("value", "value must be a string or a number")
    value = str(raw).strip()
    if any(c in value for c in LINE_BREAKS):
        raise bad_request("value", "value must be one line")
    ups, server = await _target(ups_id)

    async def run(client: NutClient) -> None:
        values = await client.list_rw(ups.ups_name)
        if name not in values:
            raise NutVarNotSupported("VAR-NOT-SUPPORTED", "", f"{name} is not writable")
        variable = await _describe_var(client, ups.ups_name, name, values[name])
        problem = controls.check_value(variable, value)
        if problem:
            raise bad_request("value", problem)
        await client.set_var(ups.ups_name, name, value)

    await _with_nut(request, server, run)
    log.info("%s set %s = %r on %s", request.ctx.user.username, name, value, ups.name)
    message = f"{name} set on {ups.name}; the next poll shows it"
    return json({"message": message, "name": name, "value": value})
