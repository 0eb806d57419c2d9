"""The login limiter's window arithmetic, with a hand-driven clock, counted in the real database
(both engines): what one api instance counts, every other one sees."""

from __future__ import annotations

import asyncio

from powerpulse.api.ratelimit import LoginLimiter
from powerpulse.config import Settings
from powerpulse.db.models import RateLimitHit
from powerpulse.db.rate_hits import KEEP_SECONDS, PRUNE_EVERY


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_window_opens_again_after_the_oldest_attempt_expires(db: Settings) -> None:
    clock = Clock()
    limiter = LoginLimiter(per_pair=3, per_client=100, window=60, clock=clock)
    for _ in range(3):
        assert (await limiter.attempt("1.2.3.4", "Alice")).retry_after == 0
        clock.now += 10
    assert await limiter.retry_after("1.2.3.4", "ALICE") == 30  # per username (case-folded)
    assert await limiter.retry_after("5.6.7.8", "alice") == 0  # another client is not locked out
    refused = await limiter.attempt("1.2.3.4", "alice")
    assert refused.retry_after == 30
    clock.now += 30
    assert await limiter.retry_after("1.2.3.4", "alice") == 0


async def test_success_is_not_counted(db: Settings) -> None:
    clock = Clock()
    limiter = LoginLimiter(per_pair=2, per_client=2, window=60, clock=clock)
    for _ in range(10):
        await limiter.attempt("1.2.3.4", "alice")
        await limiter.succeeded("1.2.3.4", "alice")
    assert await limiter.retry_after("1.2.3.4", "alice") == 0
    await limiter.attempt("1.2.3.4", "bob")
    await limiter.attempt("1.2.3.4", "carol")
    assert await limiter.retry_after("1.2.3.4", "dave") == 60  # per client address
    assert await limiter.retry_after("9.9.9.9", "dave") == 0


async def test_a_success_forgives_that_clients_earlier_failures(db: Settings) -> None:
    clock = Clock()
    limiter = LoginLimiter(per_pair=3, per_client=100, window=60, clock=clock)
    for _ in range(2):
        await limiter.attempt("1.2.3.4", "alice")  # two typos
    await limiter.attempt("1.2.3.4", "alice")
    await limiter.succeeded("1.2.3.4", "alice")
    for _ in range(2):
        await limiter.attempt("1.2.3.4", "alice")
    assert await limiter.retry_after("1.2.3.4", "alice") == 0


async def test_two_instances_count_against_one_limit(db: Settings) -> None:
    """Two limiters (two api instances) guessed at in parallel: exactly the limit gets through."""
    clock = Clock()
    here, there = (LoginLimiter(per_pair=5, per_client=100, clock=clock) for _ in range(2))
    decisions = await asyncio.gather(
        *(
            (here if i % 2 else there).attempt("203.0.113.9", "admin")
            for i in range(12)  # twelve guesses at once, spread over both
        )
    )
    assert sum(d.retry_after == 0 for d in decisions) == 5
    assert await there.retry_after("203.0.113.9", "admin") > 0
    assert await here.retry_after("203.0.113.9", "admin") > 0


async def test_keys_are_stored_as_digests_and_old_rows_pruned(db: Settings) -> None:
    clock = Clock()
    limiter = LoginLimiter(clock=clock)
    guess = "a-username-nobody-has-" + "x" * 5000  # any length a client sends
    await limiter.attempt("198.51.100.1", guess)
    buckets = await RateLimitHit.all().values_list("bucket", flat=True)
    assert len(buckets) == 3 and all(len(b) <= 128 and "x" not in b for b in buckets)
    clock.now += KEEP_SECONDS + PRUNE_EVERY + 1
    await limiter.attempt("198.51.100.2", "someone")
    assert await RateLimitHit.all().count() == 3  # the first attempt's rows are gone
