"""Where rate-limit attempts are counted: in the database, so that every api instance (several
Sanic workers, several containers behind a proxy) counts against the same limits.

A bucket is one limiter's one key (`login-pair` + a username and an address, say); its rows
are the times of its attempts. Keys come from requests (any username a client sends), so the
bucket stores a digest of the key, never the key: fixed length, nothing of the guess kept.

`exclusive()` is the check-and-count of one request: on PostgreSQL it holds an advisory lock per
bucket (db/locks.py), on SQLite BEGIN IMMEDIATE serialises it, so a burst of parallel guesses
spread over the instances cannot all pass one check before any of them is counted.

Rows older than the longest window are deleted at most every `PRUNE_EVERY` seconds per process.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import AsyncIterator, Iterable

from tortoise.transactions import in_transaction

from powerpulse.db import dialect, locks
from powerpulse.db.models import RateLimitHit

PRUNE_EVERY = 60.0
KEEP_SECONDS = 3600.0  # longer than any window of api/ratelimit.py


def bucket(limiter: str, key: str) -> str:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{limiter}:{digest}"


class DatabaseHitStore:
    """The attempts of every bucket, in `rate_limit_hits`."""

    def __init__(self) -> None:
        self._pruned_at = 0.0

    @contextlib.asynccontextmanager
    async def exclusive(self, buckets: Iterable[str]) -> AsyncIterator[None]:
        async with in_transaction():
            for name in sorted(set(buckets)):  # one order everywhere: no deadlock between two
                await locks.hold(f"powerpulse.rate.{name}")
            yield

    async def times(self, bucket: str, since: float) -> list[float]:
        rows = await RateLimitHit.filter(bucket=bucket, at__gt=since).order_by("at")
        return [row.at for row in rows]

    async def add(self, bucket: str, at: float) -> None:
        await RateLimitHit.create(bucket=bucket, at=at)
        if at - self._pruned_at >= PRUNE_EVERY:
            self._pruned_at = at
            await dialect.execute("DELETE FROM rate_limit_hits WHERE at < ?", [at - KEEP_SECONDS])

    async def drop_newest(self, bucket: str) -> None:
        newest = await RateLimitHit.filter(bucket=bucket).order_by("-at", "-id").first()
        if newest is not None:
            await newest.delete()

    async def clear(self, bucket: str) -> None:
        await RateLimitHit.filter(bucket=bucket).delete()


def now() -> float:
    """Wall-clock seconds: shared by every instance (a monotonic clock is per process)."""
    return time.time()
