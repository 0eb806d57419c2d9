"""The api worker's side of discovery: `POST /api/nut-servers/:id/rescan` (admin).

Listing a server's UPS and adding the new ones is `powerpulse.discovery`'s job, shared with the
poller's rediscovery; the names setup and "add server" use are re-exported here.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.api.auth import require_admin
from powerpulse.api.errors import bad_gateway, not_found
from powerpulse.api.serializers import ups_ref
from powerpulse.api.validation import parse_id
from powerpulse.db.models import NutServer
from powerpulse.discovery import (
    Discovery,
    discover,
    error_dict,
    list_ups,
    not_reachable_yet,
    reconcile,
)

__all__ = [
    "Discovery",
    "bp",
    "discover",
    "error_dict",
    "list_ups",
    "not_reachable_yet",
    "reconcile",
]

bp = Blueprint("discovery", url_prefix="/api/nut-servers")


@bp.post("/<server_id:str>/rescan")
@openapi.summary("Run LIST UPS on a NUT server now; add the new UPS when its autoAdd is on (admin)")
@schemas.returns(schemas.NutServerRescan)
@require_admin
async def rescan(request: Request, server_id: str) -> HTTPResponse:
    server = await NutServer.get_or_none(id=parse_id(server_id, "NUT server"))
    if server is None:
        raise not_found("NUT server")
    found = await discover(server, request.app.ctx.settings.nut_timeout, source="rescan")
    if found.error is not None:
        err = found.error
        raise bad_gateway(f"Connection failed: {err.message}", err.code, nutError=err.code)
    body: schemas.NutServerRescan = {
        "message": _summary(found),
        "found": found.found,
        "added": [ups_ref(u) for u in found.added],
        "notAdded": found.not_added,
        "missing": found.missing,
    }
    return json(body)


def _summary(found: Discovery) -> str:
    parts = [f"{len(found.found)} UPS found"]
    if found.added:
        parts.append(f"{len(found.added)} added")
    if found.not_added:
        parts.append(f"{len(found.not_added)} not added (auto-add is off)")
    if found.missing:
        parts.append(f"{len(found.missing)} no longer on the server")
    return ", ".join(parts)
