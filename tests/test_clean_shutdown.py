"""Stopping while the database connection is still being opened leaves nothing behind.

The api's live watcher makes the first query after start-up. When the server stopped while that
query was still opening the connection (a test that makes one request and ends), the watcher
was cancelled mid-open, `close_db()` found no connection to close, and aiosqlite's thread later
reported the finished open into the event loop that had ended by then: "RuntimeError: Event loop
is closed" tracebacks at teardown, some tests later.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from powerpulse.api.live_watcher import LiveWatcher
from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db, run_migrations


@pytest.fixture
def thread_errors(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    errors: list[str] = []

    def hook(args: Any) -> None:
        errors.append(f"{args.thread.name}: {args.exc_type.__name__}: {args.exc_value}")

    monkeypatch.setattr(threading, "excepthook", hook)
    yield errors


@pytest.mark.parametrize("cancel_after", [0, 1, 2, 3])
def test_stopping_while_the_first_query_connects_leaves_no_thread_error(
    settings: Settings, thread_errors: list[str], cancel_after: int
) -> None:
    asyncio.run(run_migrations(settings))

    async def start_and_stop_at_once() -> None:
        await init_db(settings)
        watcher = LiveWatcher(poll_interval=settings.poll_interval)
        await watcher.start()
        for _ in range(cancel_after):
            await asyncio.sleep(0)
        await watcher.stop()
        await close_db()

    asyncio.run(start_and_stop_at_once())  # the loop is closed when this returns
    before = {t for t in threading.enumerate() if t.name.endswith("_connection_worker_thread)")}
    deadline = time.monotonic() + 2
    while any(t.is_alive() for t in before) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert thread_errors == []
    assert not [t for t in before if t.is_alive()], "an aiosqlite thread was left running"
