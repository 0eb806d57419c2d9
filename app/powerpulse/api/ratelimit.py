"""Rate limits kept in memory by the api worker (one process): sliding windows per key.

Login attempts (`LoginLimiter`) are limited three ways, so that guessing at a username never
locks out the person who knows its password:

- per (username, client address): 5 attempts in 5 minutes, then 429 for *that client on that
  username only*: an attacker who keeps guessing only keeps themselves out;
- per client address: 20 attempts in 5 minutes over all usernames (password spraying);
- per username over every client: after 10 attempts in 5 minutes, each further attempt by a
  client that has itself failed on that username first waits a delay that doubles with every
  attempt (0.5 s up to 8 s). It slows a guesser spread over many addresses; it never refuses,
  and a client that has not failed on the username is not delayed at all.

An attempt is counted when it starts (so a burst of parallel guesses cannot slip through while
bcrypt runs) and forgotten again when it succeeds; a success also forgives that client's earlier
failures on that username. A refusal carries the seconds until the oldest attempt expires.

`enforce()` applies general per-key limits for other endpoints (test notifications, the public
NUT connection test before setup).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from sanic import Request

from powerpulse.api.errors import too_many_requests

MAX_KEYS = 50_000  # bounded memory under a spray of addresses/usernames


class SlidingWindowLimiter:
    def __init__(
        self, limit: int, window: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}

    def _prune(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and now - hits[0] >= self.window:
            hits.popleft()
        return hits

    def count(self, key: str) -> int:
        """Attempts of `key` inside the window."""
        hits = self._prune(key, self._clock())
        if not hits:
            self._hits.pop(key, None)
        return len(hits)

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again (0 when it may try now)."""
        now = self._clock()
        hits = self._prune(key, now)
        if len(hits) < self.limit:
            if not hits:
                self._hits.pop(key, None)
            return 0.0
        return max(0.0, hits[0] + self.window - now)

    def hit(self, key: str) -> None:
        self._prune(key, self._clock()).append(self._clock())
        if len(self._hits) > MAX_KEYS:
            self._hits.clear()

    def undo(self, key: str) -> None:
        """Forget the newest attempt of `key` (it succeeded)."""
        hits = self._hits.get(key)
        if hits:
            hits.pop()
            if not hits:
                self._hits.pop(key, None)

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)


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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pairs = SlidingWindowLimiter(per_pair, window, clock)
        self.clients = SlidingWindowLimiter(per_client, window, clock)
        # Never refuses (the limit is out of reach): it only counts, for the delay.
        self.users = SlidingWindowLimiter(2**31, window, clock)
        self.user_free = user_free
        self.base_delay = base_delay
        self.max_delay = max_delay

    @staticmethod
    def _pair(client: str, username: str) -> str:
        return f"{username.casefold()}\n{client}"

    def check(self, client: str, username: str) -> LoginDecision:
        pair = self._pair(client, username)
        wait = max(self.pairs.retry_after(pair), self.clients.retry_after(client))
        if wait > 0:
            return LoginDecision(retry_after=wait)
        beyond = self.users.count(username.casefold()) - self.user_free
        if beyond < 0 or self.pairs.count(pair) == 0:
            return LoginDecision()
        return LoginDecision(delay=min(self.max_delay, self.base_delay * 2.0 ** min(beyond, 30)))

    def retry_after(self, client: str, username: str) -> float:
        return self.check(client, username).retry_after

    def start(self, client: str, username: str) -> None:
        self.pairs.hit(self._pair(client, username))
        self.clients.hit(client)
        self.users.hit(username.casefold())

    def succeeded(self, client: str, username: str) -> None:
        self.pairs.clear(self._pair(client, username))  # this client knows the password
        self.clients.undo(client)
        self.users.undo(username.casefold())


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
        limiters[name] = SlidingWindowLimiter(limit, window)
    return limiters[name]


@dataclass(frozen=True)
class Limit:
    """At most `limit` uses per `key` within `window` seconds, in the app's limiter `name`."""

    name: str
    key: str
    limit: int
    window: float


def enforce(request: Request, message: str, *limits: Limit) -> None:
    """Count one use under every limit, or count nothing and raise 429 (Retry-After: the
    longest wait) when any of them is used up."""
    limiters = [(limiter_for(request, x.name, x.limit, x.window), x.key) for x in limits]
    wait = max((limiter.retry_after(key) for limiter, key in limiters), default=0.0)
    if wait > 0:
        raise too_many_requests(message, int(wait) + 1)
    for limiter, key in limiters:
        limiter.hit(key)


# Before setup `POST /api/nut-servers/test` is public (the wizard tests the connection before
# there is anyone to log in): a few tests a minute per client, and in total.
PRESETUP_NUT_TESTS_PER_CLIENT = 10
PRESETUP_NUT_TESTS_TOTAL = 30
PRESETUP_NUT_TESTS_WINDOW = 60.0


def limit_presetup_nut_test(request: Request) -> None:
    window = PRESETUP_NUT_TESTS_WINDOW
    enforce(
        request,
        "Too many connection tests, try again in a minute",
        Limit("presetup_nut_test", client_address(request), PRESETUP_NUT_TESTS_PER_CLIENT, window),
        Limit("presetup_nut_test_total", "all", PRESETUP_NUT_TESTS_TOTAL, window),
    )
