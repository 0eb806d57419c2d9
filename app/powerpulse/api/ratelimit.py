"""Login attempt limits per client address and per username (in memory, per api worker).

An attempt is counted when it starts (so a burst of parallel guesses cannot slip through while
bcrypt runs) and forgotten again when it succeeds. When a key has `limit` attempts inside the
window, the next one is refused with the seconds until the oldest one expires (Retry-After).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


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
        if len(self._hits) > 50_000:  # bounded memory under a spray of addresses/usernames
            self._hits.clear()

    def undo(self, key: str) -> None:
        """Forget the newest attempt of `key` (it succeeded)."""
        hits = self._hits.get(key)
        if hits:
            hits.pop()
            if not hits:
                self._hits.pop(key, None)


class LoginLimiter:
    """Both limits together; keys are case-folded usernames and client addresses."""

    def __init__(
        self,
        per_user: int = 5,
        per_client: int = 20,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = SlidingWindowLimiter(per_user, window, clock)
        self.clients = SlidingWindowLimiter(per_client, window, clock)

    def retry_after(self, client: str, username: str) -> float:
        return max(self.clients.retry_after(client), self.users.retry_after(username.casefold()))

    def start(self, client: str, username: str) -> None:
        self.clients.hit(client)
        self.users.hit(username.casefold())

    def succeeded(self, client: str, username: str) -> None:
        self.clients.undo(client)
        self.users.undo(username.casefold())
