"""Several api instances on one database give one answer (issue 9, section 2): real
`powerpulse api` processes, as two containers behind a reverse proxy would be, one of them
running two Sanic workers (`WEB_CONCURRENCY=2`). On both engines.

- the login limit counts guesses made at either instance;
- a stream ticket used at one instance is refused at the other;
- a password reset made at one instance revokes the old token at the other within the user
  cache's second, and ends the stream that token's user has open there;
- every worker process is listed in `api_instances` while it runs, and removed when it stops.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from powerpulse.config import Settings
from powerpulse.db.models import ApiInstance
from tests.stream.sse import SseClient
from tests.support.engines import stack_env
from tests.support.stack import Stack

PASSWORD = "admin-pass-1"
REVOCATION_SECONDS = 3.0  # the user cache keeps a row 1 s; the rest is a loaded machine's slack


@pytest.fixture
def instances(db: Settings, tmp_path: Path) -> Iterator[tuple[Stack, Stack]]:
    """Instance `a` (one worker) and instance `b` (two workers) on the test's database."""
    # SQLite: one file, so one data dir; PostgreSQL: the URL, and each its own data dir.
    env = stack_env(db) if db.database_url else {}
    a_dir = db.data_dir if not db.database_url else tmp_path / "a"
    b_dir = db.data_dir if not db.database_url else tmp_path / "b"
    a = Stack(a_dir, env=env)
    b = Stack(b_dir, env={**env, "WEB_CONCURRENCY": "2"})
    try:
        a.start_api()
        b.start_api()
        yield a, b
    finally:
        a.close()
        b.close()


def login(stack: Stack, password: str = PASSWORD) -> tuple[int, object]:
    return stack.request("POST", "/api/auth/login", {"username": "admin", "password": password})


async def test_instances_share_limits_tickets_and_revocations(
    db: Settings, instances: tuple[Stack, Stack]
) -> None:
    a, b = instances
    status, body = a.request(
        "POST", "/api/auth/setup", {"username": "admin", "password": PASSWORD, "nutServer": "h"}
    )
    assert status == 201, body
    token = body["token"]  # type: ignore[index]
    admin_id = body["user"]["id"]  # type: ignore[index]

    # Every worker process is an instance: a's one and b's two (b answers as soon as one of its
    # workers is up; the other registers a moment later on a loaded machine).
    deadline = time.monotonic() + 15
    while await ApiInstance.all().count() < 3 and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert await ApiInstance.all().count() == 3

    # Login limit: 5 guesses per username and address, spread over both instances.
    for stack in (a, b, a, b, a):
        assert login(stack, "wrong-guess")[0] == 401
    for stack in (a, b):
        status, body = login(stack)
        assert status == 429, body  # even with the right password, from this address

    async with aiohttp.ClientSession() as session:
        # A ticket from a, used at b, is spent for a too.
        status, body = a.request("POST", "/api/stream/ticket", token=token)
        assert status in (200, 201), body
        ticket = body["ticket"]  # type: ignore[index]
        async with SseClient(session, b.url(f"/api/stream?ticket={ticket}")) as stream:
            assert stream.response is not None and stream.response.status == 200
            await stream.next("snapshot")
            async with session.get(a.url(f"/api/stream?ticket={ticket}")) as again:
                assert again.status == 401
                assert (await again.json())["error"] == "ticket_used"

            # A password reset at b revokes the old token at a, and ends b's open stream.
            # (An admin's reset of their own password: change-password is limited like a
            # login, and this address has just used its guesses up.)
            status, body = b.request(
                "PUT", f"/api/users/{admin_id}/password", {"password": "new-pass-2345"}, token=token
            )
            assert status == 200, body
            deadline = time.monotonic() + REVOCATION_SECONDS
            while a.request("GET", "/api/auth/me", token=token)[0] != 401:
                assert time.monotonic() < deadline, "the old token still works at the other one"
                await asyncio.sleep(0.1)
            with pytest.raises(EOFError):
                await stream.next("never", timeout=15)

    b.stop("api")
    assert await ApiInstance.all().count() == 1  # b's workers removed themselves
