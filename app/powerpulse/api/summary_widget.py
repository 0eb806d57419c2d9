"""`GET /api/summary`: the fleet in a few flat numbers for dashboard widgets (Homepage's custom
API widget, Home Assistant's REST sensor, a script), readable with a `read` API token."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.api.auth import require_reader
from powerpulse.api.ups_systems import build_list
from powerpulse.api.validation import FILTER_HELP, list_filter
from powerpulse.summary import summarise

bp = Blueprint("summary", url_prefix="/api/summary")


@bp.get("/")
@openapi.summary("The fleet in a few numbers, for dashboard widgets")
@openapi.description(
    "Counts per summary bucket, the worst severity, the lowest charge and runtime (and which "
    "UPS), the highest load, and a line per UPS. Any signed-in role or a `read` API token. "
    + FILTER_HELP
)
@schemas.returns(schemas.FleetSummary)
@require_reader
async def summary(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    rows = await build_list(settings.poll_interval, public=False, only=list_filter(request))
    return json(summarise(rows), headers={"Cache-Control": "no-store"})
