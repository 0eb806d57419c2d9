"""`/api/ups-systems/:id/protection` and `…/protected-hosts`: which upsmon clients listen to a
UPS, and which hosts must (protection coverage, `shutdown.coverage`).

The clients are what the poller last read with LIST CLIENT (`UpsLiveState.clients`); reads never
talk to NUT. The expected hosts are the operator's (`ProtectedHost`, managed here) and those of
the enabled shutdown plans. A change bumps the config counter: the poller reloads the expected
hosts and reads the clients at once.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin, require_user
from powerpulse.api.errors import bad_request, conflict, not_found
from powerpulse.api.validation import optional_str, parse_id, read_json, require_str
from powerpulse.db import counters
from powerpulse.db.models import ProtectedHost, UpsLiveState, UpsSystem
from powerpulse.shutdown import coverage
from powerpulse.shutdown.coverage import OPERATOR, Expected, Source
from powerpulse.shutdown.protected_hosts import Resolver, load_entries, resolve
from powerpulse.timeutil import iso

audit = logging.getLogger("powerpulse.audit")

bp = Blueprint("protection", url_prefix="/api/ups-systems")

HOST_MAX = 255
LABEL_MAX = 100
MAX_PER_UPS = 500
DUPLICATE = "This host is already protected by this UPS"
# A DNS name (labels of letters, digits, `-` and `_`) or an IP address (checked apart).
_NAME = re.compile(
    r"(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
    r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?"
)
RESOLVER = Resolver()  # the api worker's cache of protected host names


async def _ups(raw_id: str) -> UpsSystem:
    ups = await UpsSystem.get_or_none(id=parse_id(raw_id, "UPS system"))
    if ups is None:
        raise not_found("UPS system")
    return ups


def check_host(value: str) -> str:
    """A host name or IP address as upsd would list it; its `host_key` (stored form)."""
    if coverage.is_address(value) or _NAME.fullmatch(value):
        return coverage.host_key(value)
    raise bad_request("host", "host must be a host name or IP address")


def _label(value: str | None) -> str | None:
    return value or None


def _host_entry(
    item: Expected | None, host: str, source: Source, clients: frozenset[str] | None
) -> dict[str, Any]:
    attached = bool(item and clients is not None and coverage.is_attached(item, clients))
    return {
        "id": source.host_id,
        "host": host,
        "label": _label(source.label) if source.kind == OPERATOR else None,
        "attached": attached,
        "source": source.kind,
        "plan_id": source.plan_id,
        "plan_name": source.plan_name,
    }


async def protection_view(ups: UpsSystem) -> dict[str, Any]:
    live = await UpsLiveState.get_or_none(ups_id=ups.id)
    stored = live.clients if live is not None else None
    raw = [str(c) for c in stored] if isinstance(stored, list) else None
    read_at = live.clients_at if live is not None else None
    entries = (await load_entries([ups.id])).get(ups.id, [])
    expected = await resolve(entries, RESOLVER)
    by_key = {e.host: e for e in expected}
    known = coverage.client_addresses(raw) if raw is not None else None
    clients = []
    for address in raw or []:
        one = coverage.client_addresses([address])
        matching = [e for e in expected if coverage.is_attached(e, one)]
        label = next((e.label for e in matching if e.label), None)
        clients.append({"address": address, "expected": bool(matching), "label": label})
    hosts = [
        _host_entry(by_key.get(coverage.host_key(host)), host, source, known)
        for host, source in entries
    ]
    return {
        "clients": clients,
        "read_at": iso(read_at),
        # A server that refused LIST CLIENT is stored as no list with a read time.
        "supported": not (raw is None and read_at is not None),
        "protected_hosts": hosts,
    }


@bp.get("/<ups_id:str>/protection")
@openapi.summary("The upsmon clients of a UPS and the hosts it must protect")
@openapi.description(
    "Clients as the poller last read them (upsd's LIST CLIENT, every 30 s); "
    "`supported` false when the NUT server refuses to list them."
)
@schemas.returns(schemas.Protection)
@require_user
async def get_protection(request: Request, ups_id: str) -> HTTPResponse:
    return json(await protection_view(await _ups(ups_id)))


@bp.post("/<ups_id:str>/protected-hosts")
@openapi.summary("Say a host must stay attached to this UPS (admin)")
@schemas.accepts(schemas.ProtectedHostBody)
@schemas.returns(schemas.ProtectedHost, 201)
@require_admin
async def add_protected_host(request: Request, ups_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    body = read_json(request)
    host = check_host(require_str(body, "host", max_length=HOST_MAX))
    label = optional_str(body, "label", max_length=LABEL_MAX) or ""
    try:
        async with in_transaction():
            existing = await ProtectedHost.filter(ups_id=ups.id).values_list("host", flat=True)
            if host in {coverage.host_key(str(h)) for h in existing}:
                raise conflict(DUPLICATE)
            if len(existing) >= MAX_PER_UPS:
                raise bad_request("host", f"a UPS protects at most {MAX_PER_UPS} hosts")
            row = await ProtectedHost.create(ups_id=ups.id, host=host, label=label)
            await counters.bump(counters.CONFIG)
    except IntegrityError:
        raise conflict(DUPLICATE) from None
    audit.info(
        "%s protected host %s%s on UPS %s",
        request.ctx.user.username,
        host,
        f" ({label})" if label else "",
        ups.name,
    )
    view = await protection_view(ups)
    entry = next(h for h in view["protected_hosts"] if h["id"] == row.id)
    return json(entry, status=201)


@bp.delete("/<ups_id:str>/protected-hosts/<host_id:str>")
@openapi.summary("Stop requiring a host to be attached to this UPS (admin)")
@schemas.returns(schemas.Message)
@require_admin
async def remove_protected_host(request: Request, ups_id: str, host_id: str) -> HTTPResponse:
    ups = await _ups(ups_id)
    wanted = parse_id(host_id, "protected host")
    async with in_transaction():
        row = await ProtectedHost.get_or_none(id=wanted, ups_id=ups.id)
        if row is None:
            raise not_found("protected host")
        await row.delete()
        await counters.bump(counters.CONFIG)
    audit.info(
        "%s removed protected host %s from UPS %s", request.ctx.user.username, row.host, ups.name
    )
    return json({"message": "Protected host removed"})
