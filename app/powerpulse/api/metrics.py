"""`GET /metrics`: every UPS and notification delivery for Prometheus (text format 0.0.4).

Public like the kiosk (status and readings only: no serials, addresses or error texts) unless
`METRICS_TOKEN` is set; then a scrape must send `Authorization: Bearer <token>`. Built from the
poller's live rows, like every other read: a scrape never talks to NUT.
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, raw
from sanic_ext import openapi
from tortoise.functions import Count

from powerpulse.api import schemas
from powerpulse.api.errors import unauthorized
from powerpulse.api.serializers import ups_to_dict
from powerpulse.db.models import NotificationDelivery, UpsLiveState, UpsSystem
from powerpulse.notify.outbox import OPEN_STATES
from powerpulse.prometheus import CONTENT_TYPE, DeliveryStats, UpsSnapshot, render
from powerpulse.timeutil import utcnow

bp = Blueprint("metrics")


def _authorised(request: Request, token: str) -> bool:
    if not token:
        return True
    scheme, _, given = (request.headers.get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode("utf-8", "surrogateescape"), token.encode()
    )


def _snapshots(
    systems: list[UpsSystem], lives: dict[int, UpsLiveState], poll_interval: float
) -> list[UpsSnapshot]:
    now = utcnow()
    snapshots = []
    for ups in systems:
        live = lives.get(ups.id)
        shown = ups_to_dict(ups, live, now=now, poll_interval=poll_interval, public=True)
        last = live.last_success_at if live is not None else None
        snapshots.append(
            UpsSnapshot(
                ups_id=ups.id,
                ups_name=ups.ups_name,
                display_name=shown["displayName"],
                nut_server_id=shown["nutServerId"],
                variables=(live.variables or {}) if live is not None else {},
                status_tokens=tuple(shown["statusTokens"]),
                up=not shown["stale"],
                last_success=last.timestamp() if last is not None else None,
            )
        )
    return snapshots


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
    "Public unless METRICS_TOKEN is set; then send `Authorization: Bearer <METRICS_TOKEN>`."
)
async def metrics(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    if not _authorised(request, settings.metrics_token):
        raise unauthorized("This endpoint needs the METRICS_TOKEN as a bearer token")
    systems = await UpsSystem.all().order_by("id")
    lives = {live.ups_id: live for live in await UpsLiveState.all()}  # type: ignore[attr-defined]
    deliveries = await _deliveries()
    snapshots = await asyncio.to_thread(_snapshots, systems, lives, settings.poll_interval)
    text = render(snapshots, deliveries, version=settings.version)
    return raw(text.encode(), content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
