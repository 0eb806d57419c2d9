"""Personal API tokens: made, looked up and their use recorded.

A token is `pp_` and 43 URL-safe characters (256 random bits). Only its SHA-256 is stored: a
slow hash buys nothing against a secret that long, and every request with a token looks it
up. A row found is reused for a second, like the user rows in `auth`; the last use is written
at most once a minute per token so that a dashboard polling every second does not turn into
a database write every second.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime

from powerpulse.api.errors import unauthorized
from powerpulse.db.models import ApiToken
from powerpulse.timeutil import utcnow

PREFIX = "pp_"
SHOWN_PREFIX = 10  # "pp_" and 7 characters: enough to tell tokens apart, useless to guess
LOOKUP_CACHE_SECONDS = 1.0
LAST_USE_EVERY_SECONDS = 60.0

_cache: dict[str, tuple[float, ApiToken]] = {}


@dataclass(frozen=True)
class NewToken:
    secret: str
    digest: str
    prefix: str


def looks_like_api_token(value: str) -> bool:
    return value.startswith(PREFIX)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def generate() -> NewToken:
    secret = PREFIX + secrets.token_urlsafe(32)
    return NewToken(secret, digest(secret), secret[:SHOWN_PREFIX])


def forget(token_id: int | None = None) -> None:
    """Drop cached rows (one token's, or all) so a revocation is seen at once here."""
    if token_id is None:
        _cache.clear()
        return
    for key in [k for k, (_, row) in _cache.items() if row.id == token_id]:
        _cache.pop(key, None)


def expired(row: ApiToken, now: datetime | None = None) -> bool:
    return row.expires_at is not None and row.expires_at <= (now or utcnow())


async def lookup(secret: str, address: str) -> ApiToken:
    """The live token row for `secret`, or a 401; records its use."""
    key = digest(secret)
    now = time.monotonic()
    hit = _cache.get(key)
    row = hit[1] if hit is not None and now - hit[0] < LOOKUP_CACHE_SECONDS else None
    if row is None:
        row = await ApiToken.get_or_none(token_hash=key)
        if row is None:
            _cache.pop(key, None)
            raise unauthorized("Token is not valid", "invalid_token")
        if len(_cache) > 10_000:
            _cache.clear()
        _cache[key] = (now, row)
    wall = utcnow()
    if expired(row, wall):
        raise unauthorized("Token expired", "token_expired")
    last = row.last_used_at
    if last is None or (wall - last).total_seconds() >= LAST_USE_EVERY_SECONDS:
        row.last_used_at, row.last_used_ip = wall, address[:64]
        await ApiToken.filter(id=row.id).update(last_used_at=wall, last_used_ip=address[:64])
    return row
