"""`/api/system`: the running version (public, per the seed) and self-update (admin).

`GET /api/system/version` answers anyone (the image's health check, the login page) with the
version only; an admin's token also gets the image reference, its digest and whether
self-update is possible here (the reason names the Docker socket path), which tell an outsider
what to attack. A token that is not valid (expired, say) counts as no token here.

`POST /api/system/update` answers at once with the seed's message; the update runs in the
background (see `powerpulse.update.service`) and reports through `GET /api/system/update/status`,
which the new container answers too, because the record lives in the shared database.

`GET /api/system/status` (admin) lists every poller with the NUT servers it holds the lease of,
and every api instance, from their heartbeat rows (see `powerpulse.api.fleet`).
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import fleet, schemas
from powerpulse.api.auth import is_admin, optional_user, require_admin
from powerpulse.api.errors import ApiError, bad_gateway, conflict
from powerpulse.update import service, state
from powerpulse.update.engine import UpdateUnavailable
from powerpulse.update.registry import RegistryError

bp = Blueprint("system", url_prefix="/api/system")

UPDATE_STARTED = {
    "message": "Update initiated successfully",
    "details": "The application will restart shortly. Please refresh the page after a minute.",
}


@bp.get("/version")
@openapi.summary("Running version (public); with an admin's token also the image and self-update")
@schemas.returns(schemas.VersionInfo)
async def version(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    try:
        user = await optional_user(request)
    except ApiError:  # a stale token on a public endpoint: answer as to anyone
        user = None
    if user is None or not is_admin(user):
        return json({"version": settings.version})
    return json(await service.version_info(settings))


@bp.get("/update/check")
@openapi.summary("Is a newer image on the registry? Compares digests, pulls nothing (admin)")
@schemas.returns(schemas.UpdateCheck)
@require_admin
async def check(request: Request) -> HTTPResponse:
    try:
        return json(await service.check(request.app.ctx.settings))
    except UpdateUnavailable as err:
        raise conflict(str(err), "update_unavailable") from None
    except (RegistryError, ValueError) as err:
        raise bad_gateway(f"Could not check for updates: {err}", "registry_error") from None


@bp.post("/update")
@openapi.summary("Pull the image and replace this container with it (admin)")
@schemas.returns(schemas.UpdateStarted)
@require_admin
async def update(request: Request) -> HTTPResponse:
    try:
        await service.start(request.app.ctx.settings)
    except UpdateUnavailable as err:
        raise conflict(str(err), "update_unavailable") from None
    except service.UpdateBusy as err:
        raise conflict(str(err), "update_in_progress") from None
    return json(UPDATE_STARTED)


@bp.get("/update/status")
@openapi.summary("Progress and result of the last self-update (admin)")
@schemas.returns(schemas.UpdateStatus)
@require_admin
async def update_status(request: Request) -> HTTPResponse:
    return json(await state.read())


@bp.get("/status")
@openapi.summary("Pollers (with the NUT servers they hold) and api instances, alive or not (admin)")
@schemas.returns(schemas.SystemStatus)
@require_admin
async def system_status(request: Request) -> HTTPResponse:
    return json(await fleet.status(request.app.ctx.settings))
