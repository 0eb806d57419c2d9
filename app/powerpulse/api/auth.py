"""Authentication: JWTs and personal API tokens, bcrypt off the event loop, and the decorators
that every protected handler uses (`powerpulse.roles` decides what each role may do):

- `@require_user`: any role reads; writing needs the seed's `user` or above;
- `@require_reader`: any role and any token, for a POST that only reads (a stream ticket);
- `@require_self`: any role, for one's own password and settings (not with a read token);
- `@require_session`: as `require_self`, from a password login only (managing API tokens);
- `@require_operator`, `@require_admin`.

A token carries the user id, role and token version. It is accepted only while the database
still agrees on all three, so a password change, a role change or a deletion revokes every
token issued before it at once (the original trusted the role in the token for 24 h).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

import bcrypt
import jwt
from sanic import Request

from powerpulse.api import token_store
from powerpulse.api.errors import forbidden, unauthorized
from powerpulse.api.ratelimit import client_address
from powerpulse.db.models import ROLE_ADMIN, User
from powerpulse.roles import Need, denial
from powerpulse.timeutil import utcnow

BCRYPT_ROUNDS = 12
TOKEN_LIFETIME = timedelta(hours=24)
ALGORITHM = "HS256"
ENROLLING = "enrol"  # JWT claim: two-factor set-up comes first
ENROL_FIRST = "Set up two-factor sign-in first (Settings → Account)"
# A user row looked up for a token is reused for this long. It keeps the hot list endpoint off
# the database; writes through this process call `forget_user()`, so only a change made by
# another process (the `powerpulse user` CLI) can take up to this long to revoke a token.
USER_CACHE_SECONDS = 1.0

_default_secret: str | None = None
_user_cache: dict[int, tuple[float, User]] = {}
_user_loads: dict[int, asyncio.Future[User | None]] = {}
_forget_epoch = 0
# Verified claims by token string: the signature is checked once per token, expiry each time.
_claims_cache: dict[tuple[str, str], dict[str, Any]] = {}

# A real hash of a random string: checked against when the username is unknown so that a
# login takes as long for a missing user as for a wrong password.
_DUMMY_HASH = b"$2b$12$C6UzMDM.H6dfI/f/IKcEeO4B1f5Q1YH0Q1eK6Yz9Oi2xX5b0bYhC."

Handler = TypeVar("Handler", bound=Callable[..., Awaitable[Any]])


def configure_secret(secret: str) -> None:
    """Set the secret `issue_token` uses when none is passed (done by `create_app`)."""
    global _default_secret
    _default_secret = secret


def issue_token(user: User, secret: str | None = None, *, enrolling: bool = False) -> str:
    """A signed HS256 JWT valid for 24 h carrying id, role and token version. `enrolling`: the
    user must set up two-factor sign-in first; the token opens nothing else (`ENROLLING`)."""
    key = secret or _default_secret
    if not key:
        raise RuntimeError("no JWT secret configured: create_app() was not called")
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "username": user.username,
        "role": user.role,
        "ver": user.token_version,
        "iat": int(now.timestamp()),
        "exp": int((now + TOKEN_LIFETIME).timestamp()),
    }
    if enrolling:
        claims[ENROLLING] = True
    return jwt.encode(claims, key, algorithm=ALGORITHM)


async def hash_password(password: str) -> str:
    raw = password.encode("utf-8")
    hashed = await asyncio.to_thread(bcrypt.hashpw, raw, bcrypt.gensalt(BCRYPT_ROUNDS))
    return hashed.decode("ascii")


async def check_password(password: str, hashed: str | None) -> bool:
    """True when `password` matches; always spends one bcrypt check, even without a hash."""
    raw = password.encode("utf-8")
    target = hashed.encode("ascii") if hashed else _DUMMY_HASH
    try:
        ok = await asyncio.to_thread(bcrypt.checkpw, raw, target)
    except ValueError:  # a malformed stored hash never matches
        return False
    return bool(ok) and hashed is not None


def forget_user(user_id: int) -> None:
    """Drop the cached row so the next request sees a just-written change."""
    global _forget_epoch
    _forget_epoch += 1
    _user_cache.pop(user_id, None)
    _user_loads.pop(user_id, None)


def forget_all_users() -> None:
    _user_cache.clear()
    _claims_cache.clear()


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _decode(token: str, secret: str) -> dict[str, Any]:
    cached = _claims_cache.get((secret, token))
    if cached is not None:
        if cached["exp"] <= time.time():
            raise unauthorized("Token expired", "token_expired")
        return cached
    claims = _verify(token, secret)
    if len(_claims_cache) > 10_000:
        _claims_cache.clear()
    _claims_cache[(secret, token)] = claims
    return claims


def _verify(token: str, secret: str) -> dict[str, Any]:
    # A header that is not UTF-8 arrives with surrogates, which PyJWT cannot encode (a 500).
    if not token.isascii():
        raise unauthorized("Token is not valid", "invalid_token")
    try:
        claims = jwt.decode(
            token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
        )
    except jwt.ExpiredSignatureError:
        raise unauthorized("Token expired", "token_expired") from None
    except jwt.PyJWTError:
        raise unauthorized("Token is not valid", "invalid_token") from None
    return claims


async def _load_user(user_id: int) -> User | None:
    now = time.monotonic()
    hit = _user_cache.get(user_id)
    if hit is not None and now - hit[0] < USER_CACHE_SECONDS:
        return hit[1]
    # Single flight: when the entry expires under load, one query serves every waiting request.
    pending = _user_loads.get(user_id)
    if pending is not None:
        return await asyncio.shield(pending)
    epoch = _forget_epoch
    task = asyncio.ensure_future(User.get_or_none(id=user_id))
    _user_loads[user_id] = task
    try:
        user = await asyncio.shield(task)
    finally:
        _user_loads.pop(user_id, None)
    if user is None or epoch != _forget_epoch:  # a write raced the read: do not keep it
        _user_cache.pop(user_id, None)
    else:
        if len(_user_cache) > 10_000:  # bounded: tokens of many users cannot grow it forever
            _user_cache.clear()
        _user_cache[user_id] = (now, user)
    return user


async def authenticate(request: Request) -> User:
    """The user behind the request's bearer token, or a 401 `ApiError`.

    Sets `request.ctx.scope`: None for a password login, the token's scope for an API token
    (and `request.ctx.api_token` to its row)."""
    token = _bearer_token(request)
    if token is None:
        raise unauthorized("No token, authorization denied", "no_token")
    request.ctx.scope = None
    request.ctx.api_token = None
    request.ctx.enrolling = False
    if token_store.looks_like_api_token(token):
        row = await token_store.lookup(token, client_address(request))
        user = await _load_user(row.user_id)  # type: ignore[attr-defined]
        if user is None:
            raise unauthorized("User no longer exists", "token_revoked")
        request.ctx.scope = row.scope
        request.ctx.api_token = row
        return user
    claims = _decode(token, request.app.ctx.jwt_secret)
    try:
        user_id = int(claims["sub"])
    except (TypeError, ValueError):
        raise unauthorized("Token is not valid", "invalid_token") from None
    user = await _load_user(user_id)
    if user is None:
        raise unauthorized("User no longer exists", "token_revoked")
    if claims.get("ver") != user.token_version or claims.get("role") != user.role:
        raise unauthorized("Token has been revoked, please log in again", "token_revoked")
    request.ctx.enrolling = claims.get(ENROLLING) is True
    return user


async def optional_user(request: Request) -> User | None:
    """The authenticated user when a token is sent, None when there is none (bad token → 401).
    A session limited to the two-factor set-up counts as none here."""
    if _bearer_token(request) is None:
        return None
    user = await authenticate(request)
    if request.ctx.enrolling:
        return None
    request.ctx.user = user  # the audit log names who did it
    return user


def check_access(
    request: Request, user: User, need: Need, *, while_enrolling: bool = False
) -> None:
    """A 403 when `user` (through this request's token) may not do what `need` says; a
    session limited to the two-factor set-up may only do what is marked `while_enrolling`."""
    if getattr(request.ctx, "enrolling", False) and not while_enrolling:
        raise forbidden(ENROL_FIRST, "totp_enrolment_required")
    reading = request.method in ("GET", "HEAD")
    reason = denial(user.role, getattr(request.ctx, "scope", None), need, reading)
    if reason is not None:
        raise forbidden(reason)


def require(need: Need, *, while_enrolling: bool = False) -> Callable[[Handler], Handler]:
    """A decorator: authenticate, check `need`, set `request.ctx.user`. A session that must
    set up two-factor sign-in first reaches only the handlers marked `while_enrolling`."""

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> Any:
            user = await authenticate(request)
            request.ctx.user = user  # set first: the audit log names who was refused, too
            check_access(request, user, need, while_enrolling=while_enrolling)
            return await handler(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


require_user = require(Need.WRITE)
require_reader = require(Need.READ)
require_self = require(Need.SELF)
require_session = require(Need.SESSION)
require_operator = require(Need.OPERATE)
require_admin = require(Need.ADMIN)
# Reachable by a session that must set up two-factor sign-in first (its own account only).
require_enrolling = require(Need.SESSION, while_enrolling=True)
require_self_enrolling = require(Need.SELF, while_enrolling=True)


def is_admin(user: User) -> bool:
    return user.role == ROLE_ADMIN
