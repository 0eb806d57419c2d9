"""Live updates over Server-Sent Events: `/api/stream` (logged in) and `/api/stream/kiosk`.

Authentication. A browser's EventSource cannot send an `Authorization` header, and a 24 h
login token in a URL ends up in proxy and server logs. So the client first calls
`POST /api/stream/ticket` (Bearer token) and gets `{"ticket": "...", "expiresIn": 60}`: a JWT
signed with a key derived from the JWT secret, audience `powerpulse:stream`, valid 60 s and
bound to the user's token version. It opens `GET /api/stream?ticket=<ticket>`; the ticket is
checked once at connect (expired, garbage, a login token → 401 JSON) and is single use: a
second connection with it is a 401 `ticket_used` (a ticket copied out of a log or a proxy is
worth nothing once the browser has used it). A ticket is not a login token (other key, other
audience). While the stream is open the user is re-checked every ping;
a deleted user or a password/role change ends it. An EventSource that gets a 401 does not retry:
on `error` with `readyState === CLOSED`, fetch a new ticket and open a new EventSource.

`GET /api/stream/kiosk` needs nothing: status-only objects (`ups_to_dict(public=True)`), no
events. Anonymous streams have a budget of their own, so that they can never take the slots of
signed-in users: at most `KIOSK_STREAMS_PER_CLIENT` (20) open at once per client address (429
beyond) and `KIOSK_STREAMS_TOTAL` (200 of the watcher's 2,000) in all (503 beyond).

Messages (`data` is one line of JSON):

    retry: 3000                        reconnect delay hint, sent first
    event: snapshot                    every UPS, sent on every (re)connect: replace your list
    id: <last event id>
    data: [<UPS object>, ...]

    event: ups                         one UPS changed: replace it (add it if new)
    data: <UPS object>                 (the same object as GET /api/ups-systems/:id)

    event: removed                     a UPS was deleted
    data: {"id": 3}

    event: shutdown_run                a shutdown run progressed (logged-in stream only; the
    data: {"id": 7, "plan_id": 2,      active runs are also sent right after the snapshot)
           "plan_name": "Rack A", "state": "running", "phase": 1, "phases": 3,
           "reason": null, "steps": [{"id": 40, "section": "phase", "phase": 0,
           "position": 0, "state": "succeeded"}, ...]}

    event: event                       a new power event (logged-in stream only)
    id: <event id>
    data: {"id": 12, "upsId": 3, "upsName": "Rack A", "kind": "on_battery",
           "previousStatus": "Online", "newStatus": "On Battery",
           "occurredAt": "2026-01-01T00:00:00.000Z", "details": {...}}

    : ping                             comment every 15 s (keeps proxies from closing it)

On reconnect the browser sends `Last-Event-ID`; events the client missed since that id (up to
200) are sent right after the snapshot. A client that opens a new EventSource instead (e.g. with
a fresh ticket) can pass the last id it saw as `&lastEventId=<id>` for the same effect.

A UPS change reaches an open stream within the watcher's 0.25 s look at the database after the
poller wrote it. `ups` objects are sent when their content changes (a new live-state version,
a rename, `stale` flipping); `lastUpdated` alone changing is not sent. Kiosk (public) objects
leave out driver details, serials and error texts, as `GET /api/ups-systems/kiosk` does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import secrets
import time
from datetime import timedelta
from typing import Any

import jwt
from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json

from powerpulse.api import schemas
from powerpulse.api.auth import require_reader
from powerpulse.api.errors import ApiError, too_many_requests, unauthorized
from powerpulse.api.live_watcher import (
    LiveWatcher,
    Subscriber,
    TooManySubscribers,
    WatcherStopped,
    sse_frame,
)
from powerpulse.api.ratelimit import client_address
from powerpulse.db import dialect
from powerpulse.db.models import User
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("stream", url_prefix="/api/stream")

TICKET_SECONDS = 60
TICKET_AUDIENCE = "powerpulse:stream"
TICKET_TYPE = "stream"
PING_SECONDS = 15.0
RETRY_MS = 3000
SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
KIOSK_STREAMS_PER_CLIENT = 20
KIOSK_STREAMS_TOTAL = 200
KIOSK_RETRY_SECONDS = 10

# A ticket's id (`jti`) is recorded when it opens a stream, in the database so that a copy
# taken to another api instance is refused too; expired ids are deleted now and then.
_CONSUME_SQL = (
    "INSERT INTO used_stream_tickets (jti, expires_at) VALUES (?, ?) "
    "ON CONFLICT (jti) DO NOTHING RETURNING jti"
)
PRUNE_TICKETS_EVERY = 60.0
_tickets_pruned_at = [0.0]


async def _consume(jti: str, exp: float) -> bool:
    """Mark ticket `jti` used; False when it already was (here or on any other instance)."""
    now = time.time()
    if now - _tickets_pruned_at[0] >= PRUNE_TICKETS_EVERY:
        _tickets_pruned_at[0] = now
        await dialect.execute("DELETE FROM used_stream_tickets WHERE expires_at < ?", [now])
    return bool(await dialect.fetch(_CONSUME_SQL, [jti, exp]))


class KioskBudget:
    """Open anonymous streams per client address and in total."""

    def __init__(self) -> None:
        self.by_client: dict[str, int] = {}
        self.total = 0

    def acquire(self, client: str) -> None:
        if self.by_client.get(client, 0) >= KIOSK_STREAMS_PER_CLIENT:
            raise too_many_requests(
                "Too many kiosk streams open from your address", KIOSK_RETRY_SECONDS
            )
        if self.total >= KIOSK_STREAMS_TOTAL:
            raise ApiError(
                503,
                "Too many kiosk streams, try again later",
                "unavailable",
                headers={"Retry-After": str(KIOSK_RETRY_SECONDS)},
            )
        self.by_client[client] = self.by_client.get(client, 0) + 1
        self.total += 1

    def release(self, client: str) -> None:
        left = self.by_client.get(client, 0) - 1
        if left > 0:
            self.by_client[client] = left
        else:
            self.by_client.pop(client, None)
        self.total = max(0, self.total - 1)


def _ticket_key(secret: str) -> str:
    # A key of its own: even a verifier that ignored the audience could not mix the two up.
    return hmac.new(secret.encode(), b"powerpulse stream ticket", hashlib.sha256).hexdigest()


def issue_ticket(user: User, secret: str, lifetime: int = TICKET_SECONDS) -> str:
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "ver": user.token_version,
        "typ": TICKET_TYPE,
        "aud": TICKET_AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=lifetime)).timestamp()),
        "jti": secrets.token_urlsafe(16),
    }
    return jwt.encode(claims, _ticket_key(secret), algorithm="HS256")


async def check_ticket(ticket: str | None, secret: str) -> User:
    """The user a valid ticket names, or a 401 `ApiError`."""
    if not ticket:
        raise unauthorized("A stream ticket is required (POST /api/stream/ticket)", "no_ticket")
    try:
        claims = jwt.decode(
            ticket,
            _ticket_key(secret),
            algorithms=["HS256"],
            audience=TICKET_AUDIENCE,
            options={"require": ["exp", "sub", "aud", "jti"]},
        )
    except jwt.ExpiredSignatureError:
        raise unauthorized("Stream ticket expired", "ticket_expired") from None
    except jwt.PyJWTError:
        raise unauthorized("Stream ticket is not valid", "invalid_ticket") from None
    if claims.get("typ") != TICKET_TYPE or not str(claims.get("sub", "")).isdigit():
        raise unauthorized("Stream ticket is not valid", "invalid_ticket")
    # One atomic insert: two connections racing with one ticket cannot both pass.
    if not await _consume(str(claims["jti"]), float(claims["exp"])):
        raise unauthorized(
            "Stream ticket has already been used (POST /api/stream/ticket for a new one)",
            "ticket_used",
        )
    user = await User.get_or_none(id=int(claims["sub"]))
    if user is None or claims.get("ver") != user.token_version:
        raise unauthorized("Stream ticket has been revoked, please log in again", "token_revoked")
    return user


@bp.post("/ticket")
@schemas.returns(schemas.StreamTicket)
@require_reader
async def create_ticket(request: Request) -> HTTPResponse:
    ticket = issue_ticket(request.ctx.user, request.app.ctx.jwt_secret)
    return json({"ticket": ticket, "expiresIn": TICKET_SECONDS})


@bp.get("/")
@schemas.returns_text("text/event-stream", "Live UPS updates and power events (see the module doc)")
async def user_stream(request: Request) -> None:
    user = await check_ticket(request.args.get("ticket"), request.app.ctx.jwt_secret)
    await _stream(request, public=False, user=user)


@bp.get("/kiosk")
@schemas.returns_text("text/event-stream", "Live UPS updates, status only (public)")
async def kiosk_stream(request: Request) -> None:
    ctx = request.app.ctx
    budget: KioskBudget = getattr(ctx, "kiosk_budget", None) or KioskBudget()
    ctx.kiosk_budget = budget
    client = client_address(request)
    budget.acquire(client)
    try:
        await _stream(request, public=True, user=None)
    finally:
        budget.release(client)


def _last_event_id(request: Request) -> int | None:
    # The header comes from EventSource's own reconnect; a client that opens a new EventSource
    # (with a new ticket) passes the id it last saw as `?lastEventId=`.
    raw = (request.headers.get("last-event-id") or request.args.get("lastEventId") or "").strip()
    # ASCII and bounded: "²" passes isdigit() but not int(), which broke the stream mid-way
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


async def _stream(request: Request, *, public: bool, user: User | None) -> None:
    watcher: LiveWatcher = request.app.ctx.live_watcher
    try:
        sub = watcher.subscribe(public)
    except TooManySubscribers:
        raise ApiError(503, "Too many live connections, try again later", "unavailable") from None
    except WatcherStopped:
        raise ApiError(503, "PowerPulse is restarting, try again shortly", "unavailable") from None
    try:
        # Subscribe and snapshot with no await in between: every later change is in the queue.
        snapshot = sse_frame("snapshot", watcher.snapshot(public), watcher.event_id)
        cursor = watcher.event_id
        response = await request.respond(content_type="text/event-stream", headers=SSE_HEADERS)
        await response.send(f"retry: {RETRY_MS}\n\n{snapshot}")
        if not public and (runs := watcher.runs_snapshot()):
            await response.send("".join(runs))
        since = _last_event_id(request)
        if not public and since is not None and since < cursor:
            await response.send("".join(await watcher.events_since(since, cursor)))
        await _pump(response, sub, user)
        await response.eof()
    finally:
        watcher.unsubscribe(sub)


async def _pump(response: Any, sub: Subscriber, user: User | None) -> None:
    """Send queued frames (several at once when they pile up) until the stream must end."""
    while True:
        try:
            frame = await asyncio.wait_for(sub.queue.get(), PING_SECONDS)
        except TimeoutError:
            if user is not None and not await _still_valid(user):
                return
            await response.send(": ping\n\n")
            continue
        if frame is None:
            return
        frames = [frame]
        while not sub.queue.empty():
            more = sub.queue.get_nowait()
            if more is None:
                await response.send("".join(frames))
                return
            frames.append(more)
        await response.send("".join(frames))


async def _still_valid(user: User) -> bool:
    current = await User.get_or_none(id=user.id)
    return current is not None and current.token_version == user.token_version


@bp.listener("after_server_start")
async def _start_watcher(app: Sanic) -> None:
    watcher = LiveWatcher(poll_interval=app.ctx.settings.poll_interval)
    app.ctx.live_watcher = watcher
    await watcher.start()


@bp.listener("before_server_stop")
async def _stop_watcher(app: Sanic) -> None:
    watcher: LiveWatcher | None = getattr(app.ctx, "live_watcher", None)
    if watcher is not None:
        with contextlib.suppress(Exception):
            await watcher.stop()
