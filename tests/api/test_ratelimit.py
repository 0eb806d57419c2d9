"""The login limiter's window arithmetic, with a hand-driven clock."""

from __future__ import annotations

from powerpulse.api.ratelimit import LoginLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_window_opens_again_after_the_oldest_attempt_expires() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_pair=3, per_client=100, window=60, clock=clock)
    for _ in range(3):
        assert limiter.retry_after("1.2.3.4", "Alice") == 0
        limiter.start("1.2.3.4", "alice")
        clock.now += 10
    assert limiter.retry_after("1.2.3.4", "ALICE") == 30  # per username (case-folded) and client
    assert limiter.retry_after("5.6.7.8", "alice") == 0  # another client is not locked out
    clock.now += 30
    assert limiter.retry_after("1.2.3.4", "alice") == 0


def test_success_is_not_counted() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_pair=2, per_client=2, window=60, clock=clock)
    for _ in range(10):
        limiter.start("1.2.3.4", "alice")
        limiter.succeeded("1.2.3.4", "alice")
    assert limiter.retry_after("1.2.3.4", "alice") == 0
    limiter.start("1.2.3.4", "bob")
    limiter.start("1.2.3.4", "carol")
    assert limiter.retry_after("1.2.3.4", "dave") == 60  # per client address
    assert limiter.retry_after("9.9.9.9", "dave") == 0


def test_a_success_forgives_that_clients_earlier_failures() -> None:
    clock = Clock()
    limiter = LoginLimiter(per_pair=3, per_client=100, window=60, clock=clock)
    for _ in range(2):
        limiter.start("1.2.3.4", "alice")  # two typos
    limiter.start("1.2.3.4", "alice")
    limiter.succeeded("1.2.3.4", "alice")
    for _ in range(2):
        limiter.start("1.2.3.4", "alice")
    assert limiter.retry_after("1.2.3.4", "alice") == 0
