"""`GET /api/status-model` (public): the power states, conditions, severities and summary
buckets the API uses, so that the web UI derives its labels from here and has no table of its
own (the table itself lives in `nut.status`)."""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas
from powerpulse.nut.status import status_model

bp = Blueprint("status_model", url_prefix="/api/status-model")

_MODEL = status_model()


@bp.get("/")
@openapi.summary("The status model: power states, conditions, severities, buckets (public)")
@schemas.returns(schemas.StatusModel)
async def get_status_model(request: Request) -> HTTPResponse:
    return json(_MODEL, headers={"Cache-Control": "public, max-age=3600"})
