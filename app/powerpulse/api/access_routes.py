"""/api/auth/roles and /api/auth/tokens: the roles there are, and personal API tokens.

Tokens are managed from a password login only (an API token cannot mint or revoke tokens).
Anyone, a viewer too, may make tokens for themselves: a token never has more rights than its
owner has at the moment it is used, and a `read` token never changes anything.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse.api import schemas, token_store
from powerpulse.api.auth import is_admin, require_session, require_user
from powerpulse.api.errors import bad_request, conflict, forbidden, not_found
from powerpulse.api.validation import optional_int, optional_str, parse_id, read_json
from powerpulse.db.models import ApiToken, User
from powerpulse.roles import ROLE_DESCRIPTIONS, ROLES, SCOPE_READ, TOKEN_SCOPES
from powerpulse.timeutil import iso, utcnow

bp = Blueprint("access", url_prefix="/api/auth")

MAX_TOKENS_PER_USER = 100
MAX_EXPIRY_DAYS = 3650


def token_view(row: ApiToken) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "scope": row.scope,
        "prefix": row.prefix,
        "expiresAt": iso(row.expires_at),
        "lastUsedAt": iso(row.last_used_at),
        "lastUsedFrom": row.last_used_ip,
        "createdAt": iso(row.created_at),
        "expired": token_store.expired(row),
    }


@bp.get("/roles")
@openapi.summary("The roles, lowest first, with what each may do")
@schemas.returns(schemas.Roles)
@require_user
async def list_roles(request: Request) -> HTTPResponse:
    return json({"roles": [{"role": r, "description": ROLE_DESCRIPTIONS[r]} for r in ROLES]})


async def _owner_for_listing(request: Request) -> int:
    me: User = request.ctx.user
    raw = request.args.get("user")
    if raw is None:
        return int(me.id)
    if not is_admin(me):
        raise forbidden("Administrator access required")
    user = await User.get_or_none(id=parse_id(raw, "User"))
    if user is None:
        raise not_found("User")
    return int(user.id)


@bp.get("/tokens")
@openapi.summary("Your API tokens (an admin: `?user=<id>` for someone else's)")
@schemas.returns(list[schemas.ApiToken])
@require_session
async def list_tokens(request: Request) -> HTTPResponse:
    owner = await _owner_for_listing(request)
    rows = await ApiToken.filter(user_id=owner).order_by("id")
    return json([token_view(r) for r in rows])


@bp.post("/tokens")
@openapi.summary("Make an API token; the answer holds the token, shown only this once")
@schemas.returns(schemas.ApiTokenCreated, 201, "Created")
@schemas.accepts(schemas.ApiTokenBody)
@require_session
async def create_token(request: Request) -> HTTPResponse:
    body = read_json(request, allow_empty=False)
    name = optional_str(body, "name", max_length=100)
    if not name:
        raise bad_request("name", "name is required")
    scope = body.get("scope", SCOPE_READ)
    if scope not in TOKEN_SCOPES:
        raise bad_request("scope", f"scope must be one of: {', '.join(TOKEN_SCOPES)}")
    days = optional_int(body, "expiresInDays", lo=1, hi=MAX_EXPIRY_DAYS)
    user: User = request.ctx.user
    if await ApiToken.filter(user_id=user.id).count() >= MAX_TOKENS_PER_USER:
        raise conflict(f"You already have {MAX_TOKENS_PER_USER} tokens: revoke one first")
    new = token_store.generate()
    row = await ApiToken.create(
        user_id=user.id,
        name=name,
        scope=scope,
        token_hash=new.digest,
        prefix=new.prefix,
        expires_at=None if days is None else utcnow() + timedelta(days=days),
    )
    return json({"id": row.id, "token": new.secret, **token_view(row)}, status=201)


@bp.delete("/tokens/<token_id:str>")
@openapi.summary("Revoke an API token (yours; an admin: anyone's)")
@schemas.returns(schemas.Message)
@require_session
async def delete_token(request: Request, token_id: str) -> HTTPResponse:
    me: User = request.ctx.user
    row = await ApiToken.get_or_none(id=parse_id(token_id, "API token"))
    if row is None or (row.user_id != me.id and not is_admin(me)):  # type: ignore[attr-defined]
        raise not_found("API token")
    await row.delete()
    token_store.forget(row.id)
    return json({"message": f"API token {row.name!r} revoked"})
