"""`GET /metrics`: every UPS and notification delivery for Prometheus (text format 0.0.4).

Public like the kiosk (status and readings only: no serials, addresses or error texts) unless
`METRICS_TOKEN` is set; then a scrape must send `Authorization: Bearer <token>`. Built from the
poller's live rows, like every other read: a scrape never talks to NUT.
"""

from __future__ import annotations

import asyncio
import hmac
from datetime import datetime
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw
from sanic_ext import openapi
from tortoise.functions import Count

from powerpulse.api import schemas, token_store
from powerpulse.api.auth import authenticate
from powerpulse.api.errors import unauthorized
from powerpulse.api.safe_ups import BAD_DATA, failures, ups_object
from powerpulse.api.serializers import UPS_WITH_SITE, in_filter
from powerpulse.api.validation import FILTER_HELP, list_filter
from powerpulse.db.models import NotificationDelivery, UpsLiveState, UpsSystem
from powerpulse.notify.outbox import OPEN_STATES
from powerpulse.prometheus import CONTENT_TYPE, DeliveryStats, UpsSnapshot, render
from powerpulse.timeutil import utcnow

bp = Blueprint("metrics")


async def _authorised(request: Request, token: str) -> bool:
    """Public without METRICS_TOKEN; with it, that token or any personal API token."""
    if not token:
        return True
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    given = given.strip()
    if scheme.lower() != "bearer":
        return False
    if hmac.compare_digest(given.encode("utf-8", "surrogateescape"), token.encode()):
        return True
    if token_store.looks_like_api_token(given):
        await authenticate(request)  # a 401 saying why when the token is not valid
        return True
    return False


def _snapshots(
    systems: list[UpsSystem], lives: dict[int, UpsLiveState], poll_interval: float
) -> list[UpsSnapshot]:
    now = utcnow()
    snapshots = []
    for ups in systems:
        live = lives.get(ups.id)
        try:
            snapshots.append(_snapshot(ups, live, now, poll_interval))
        except Exception as exc:  # whatever one UPS reported, the scrape answers
            failures.failed(ups.id, ("exporting its metrics",), repr(ups.ups_name), exc)
            snapshots.append(_down(ups))
    return snapshots


def _snapshot(
    ups: UpsSystem, live: UpsLiveState | None, now: datetime, poll_interval: float
) -> UpsSnapshot:
    shown = ups_object(ups, live, now=now, poll_interval=poll_interval, public=True)
    last = live.last_success_at if live is not None else None
    variables = live.variables if live is not None else None
    bad = (shown.get("error") or {}).get("code") == BAD_DATA
    return UpsSnapshot(
        ups_id=ups.id,
        ups_name=str(ups.ups_name),
        display_name=str(shown["displayName"]),
        nut_server_id=int(shown["nutServerId"]),
        site=shown["site"],
        tags=tuple(shown["tags"]),
        variables=variables if isinstance(variables, dict) and not bad else {},
        status_tokens=tuple(str(t) for t in shown["statusTokens"]),
        up=not shown["stale"],
        last_success=last.timestamp() if last is not None else None,
    )


def _down(ups: UpsSystem) -> UpsSnapshot:
    """A UPS whose live state cannot be exported: listed, down, no readings."""
    return UpsSnapshot(
        ups_id=ups.id,
        ups_name=str(ups.ups_name),
        display_name=str(ups.nickname or ups.name),
        nut_server_id=int(getattr(ups, "nut_server_id", 0) or 0),
        site=None,
        tags=(),
        variables={},
        status_tokens=(),
        up=False,
        last_success=None,
    )


async def _deliveries() -> DeliveryStats:
    rows: list[dict[str, Any]] = (
        await NotificationDelivery.annotate(n=Count("id"))
        .group_by("channel", "state")
        .values("channel", "state", "n")
    )
    oldest = await NotificationDelivery.filter(state__in=OPEN_STATES).order_by("created_at").first()
    age = None if oldest is None else max(0.0, (utcnow() - oldest.created_at).total_seconds())
    return DeliveryStats({(r["channel"], r["state"]): int(r["n"]) for r in rows}, age)


@bp.get("/metrics")
@openapi.summary("Every UPS and notification delivery in Prometheus text format")
@schemas.returns_text("text/plain; version=0.0.4", "Prometheus text format")
@openapi.description(
    "Public unless METRICS_TOKEN is set; then send `Authorization: Bearer <METRICS_TOKEN>` "
    "or a personal API token (`pp_…`, a read token is enough). " + FILTER_HELP
)
async def metrics(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    if not await _authorised(request, settings.metrics_token):
        raise unauthorized(
            "This endpoint needs the METRICS_TOKEN or an API token as a bearer token"
        )
    only = list_filter(request)
    systems = await UpsSystem.all().order_by("id").select_related(*UPS_WITH_SITE)
    systems = [ups for ups in systems if in_filter(ups, only)]
    lives = {live.ups_id: live for live in await UpsLiveState.all()}  # type: ignore[attr-defined]
    deliveries = await _deliveries()
    snapshots = await asyncio.to_thread(_snapshots, systems, lives, settings.poll_interval)
    text = render(snapshots, deliveries, version=settings.version)
    return raw(text.encode(), content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
