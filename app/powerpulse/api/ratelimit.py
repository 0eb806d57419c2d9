"""Rate limits shared by every api instance: sliding windows per key, counted in the database
(`db/rate_hits.py`), so that N Sanic workers or containers behind a proxy give one answer.

Login attempts (`LoginLimiter`) are limited three ways, so that guessing at a username never
locks out the person who knows its password:

- per (username, client address): 5 attempts in 5 minutes, then 429 for *that client on that
  username only*: an attacker who keeps guessing only keeps themselves out;
- per client address: 20 attempts in 5 minutes over all usernames (password spraying);
- per username over every client: after 10 attempts in 5 minutes, each further attempt by a
  client that has itself failed on that username first waits a delay that doubles with every
  attempt (0.5 s up to 8 s). It slows a guesser spread over many addresses; it never refuses,
  and a client that has not failed on the username is not delayed at all.

An attempt is counted when it starts, in the same exclusive step as the check (so a burst of
parallel guesses, on one instance or several, cannot slip through while bcrypt runs), and
forgotten again when it succeeds; a success also forgives that client's earlier failures on
that username. A refusal carries the seconds until the oldest attempt expires.

`enforce()` applies general per-key limits for other endpoints (test notifications, the public
NUT connection test before setup).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from sanic import Request

from powerpulse.api.errors import too_many_requests
from powerpulse.db import rate_hits
from powerpulse.db.rate_hits import DatabaseHitStore


class SlidingWindowLimiter:
    """At most `limit` attempts per key within `window` seconds, counted in `store`."""

    def __init__(
        self,
        name: str,
        limit: int,
        window: float,
        store: DatabaseHitStore,
        clock: Callable[[], float] = rate_hits.now,
    ) -> None:
        self.name = name
        self.limit = limit
        self.window = window
        self.store = store
        self._clock = clock

    def bucket(self, key: str) -> str:
        return rate_hits.bucket(self.name, key)

    async def _times(self, key: str) -> tuple[list[float], float]:
        now = self._clock()
        return await self.store.times(self.bucket(key), now - self.window), now

    async def count(self, key: str) -> int:
        """Attempts of `key` inside the window."""
        return len((await self._times(key))[0])

    async def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again (0 when it may try now)."""
        times, now = await self._times(key)
        if len(times) < self.limit:
            return 0.0
        # The attempt that frees a place is the oldest one beyond what the limit allows.
        return max(0.0, times[len(times) - self.limit] + self.window - now)

    async def hit(self, key: str) -> None:
        await self.store.add(self.bucket(key), self._clock())

    async def undo(self, key: str) -> None:
        """Forget the newest attempt of `key` (it succeeded)."""
        await self.store.drop_newest(self.bucket(key))

    async def clear(self, key: str) -> None:
        await self.store.clear(self.bucket(key))


@dataclass(frozen=True)
class LoginDecision:
    """`retry_after` > 0: refuse (429); else wait `delay` seconds, then check the password."""

    retry_after: float = 0.0
    delay: float = 0.0


class LoginLimiter:
    """The three login limits together; usernames are case-folded."""

    def __init__(
        self,
        per_pair: int = 5,
        per_client: int = 20,
        window: float = 300.0,
        user_free: int = 10,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        clock: Callable[[], float] = rate_hits.now,
        store: DatabaseHitStore | None = None,
    ) -> None:
        self.store = store or DatabaseHitStore()
        self.pairs = SlidingWindowLimiter("login-pair", per_pair, window, self.store, clock)
        self.clients = SlidingWindowLimiter("login-client", per_client, window, self.store, clock)
        # Never refuses (the limit is out of reach): it only counts, for the delay.
        self.users = SlidingWindowLimiter("login-user", 2**31, window, self.store, clock)
        self.user_free = user_free
        self.base_delay = base_delay
        self.max_delay = max_delay

    @staticmethod
    def _pair(client: str, username: str) -> str:
        return f"{username.casefold()}\n{client}"

    async def check(self, client: str, username: str) -> LoginDecision:
        pair = self._pair(client, username)
        wait = max(await self.pairs.retry_after(pair), await self.clients.retry_after(client))
        if wait > 0:
            return LoginDecision(retry_after=wait)
        beyond = await self.users.count(username.casefold()) - self.user_free
        if beyond < 0 or await self.pairs.count(pair) == 0:
            return LoginDecision()
        return LoginDecision(delay=min(self.max_delay, self.base_delay * 2.0 ** min(beyond, 30)))

    async def retry_after(self, client: str, username: str) -> float:
        return (await self.check(client, username)).retry_after

    async def start(self, client: str, username: str) -> None:
        await self.pairs.hit(self._pair(client, username))
        await self.clients.hit(client)
        await self.users.hit(username.casefold())

    async def attempt(self, client: str, username: str) -> LoginDecision:
        """Check, and count the attempt unless it is refused, as one exclusive step."""
        pair = self._pair(client, username)
        buckets = (
            self.pairs.bucket(pair),
            self.clients.bucket(client),
            self.users.bucket(username.casefold()),
        )
        async with self.store.exclusive(buckets):
            decision = await self.check(client, username)
            if decision.retry_after <= 0:
                await self.start(client, username)
        return decision

    async def succeeded(self, client: str, username: str) -> None:
        await self.pairs.clear(self._pair(client, username))  # this client knows the password
        await self.clients.undo(client)
        await self.users.undo(username.casefold())


def client_address(request: Request) -> str:
    """The peer address (forwarded headers only count when Sanic is told to trust a proxy)."""
    return request.remote_addr or request.ip or "unknown"


def limiter_for(request: Request, name: str, limit: int, window: float) -> SlidingWindowLimiter:
    """The app's limiter called `name`, made on first use."""
    limiters: dict[str, SlidingWindowLimiter] | None = getattr(
        request.app.ctx, "rate_limiters", None
    )
    if limiters is None:
        limiters = request.app.ctx.rate_limiters = {}
    if name not in limiters:
        limiters[name] = SlidingWindowLimiter(name, limit, window, DatabaseHitStore())
    return limiters[name]


@dataclass(frozen=True)
class Limit:
    """At most `limit` uses per `key` within `window` seconds, in the app's limiter `name`."""

    name: str
    key: str
    limit: int
    window: float


async def enforce(request: Request, message: str, *limits: Limit) -> None:
    """Count one use under every limit, or count nothing and raise 429 (Retry-After: the
    longest wait) when any of them is used up; the check and the count are one exclusive step
    across every api instance."""
    limiters = [(limiter_for(request, x.name, x.limit, x.window), x.key) for x in limits]
    if not limiters:
        return
    store = limiters[0][0].store
    async with store.exclusive(limiter.bucket(key) for limiter, key in limiters):
        wait = max([await limiter.retry_after(key) for limiter, key in limiters])
        if wait <= 0:
            for limiter, key in limiters:
                await limiter.hit(key)
    if wait > 0:
        raise too_many_requests(message, int(wait) + 1)


# Before setup `POST /api/nut-servers/test` is public (the wizard tests the connection before
# there is anyone to log in): a few tests a minute per client, and in total.
PRESETUP_NUT_TESTS_PER_CLIENT = 10
PRESETUP_NUT_TESTS_TOTAL = 30
PRESETUP_NUT_TESTS_WINDOW = 60.0


async def limit_presetup_nut_test(request: Request) -> None:
    window = PRESETUP_NUT_TESTS_WINDOW
    await enforce(
        request,
        "Too many connection tests, try again in a minute",
        Limit("presetup_nut_test", client_address(request), PRESETUP_NUT_TESTS_PER_CLIENT, window),
        Limit("presetup_nut_test_total", "all", PRESETUP_NUT_TESTS_TOTAL, window),
    )


def login_limiter(request: Request) -> LoginLimiter:
    ctx = request.app.ctx
    if not hasattr(ctx, "login_limiter"):
        ctx.login_limiter = LoginLimiter()
    limiter: LoginLimiter = ctx.login_limiter
    return limiter


async def limit_attempt(request: Request, username: str, message: str) -> tuple[LoginLimiter, str]:
    """Refuse (429) or delay this password attempt as the login limits say, then count it."""
    limiter, client = login_limiter(request), client_address(request)
    decision = await limiter.attempt(client, username)
    if decision.retry_after > 0:
        raise too_many_requests(message, int(decision.retry_after + 0.999))
    if decision.delay > 0:
        await asyncio.sleep(decision.delay)
    return limiter, client
