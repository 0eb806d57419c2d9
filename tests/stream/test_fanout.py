"""Many clients get the same update; gone and slow clients leave nothing behind."""

from __future__ import annotations

import asyncio
import socket
import time
from contextlib import AsyncExitStack

import aiohttp
import pytest

from powerpulse.api import live_watcher
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsSystem
from tests.stream.conftest import Api, make_ups, make_user, write_live
from tests.stream.sse import SseClient

CLIENTS = 200
MANY = 400  # UPS changing at once


async def test_two_hundred_clients_get_the_same_update_and_leave_no_queues(api: Api) -> None:
    rack = await make_ups("rack")
    await write_live(rack, "OL")
    await api.caught_up()
    _, token = await make_user()
    # A ticket opens one stream: one each.
    urls = [f"{api.url}/api/stream?ticket={await api.ticket(token)}" for _ in range(CLIENTS)]
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session, AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(SseClient(session, url)) for url in urls]
        await asyncio.gather(*(c.next("snapshot", timeout=20) for c in clients))
        assert len(api.watcher.subscribers) == CLIENTS

        started = time.monotonic()
        await write_live(rack, "OB DISCHRG")
        received = await asyncio.gather(*(c.next("ups", timeout=10) for c in clients))
        fan_out = time.monotonic() - started
        assert {m.data["status"] for m in received} == {"On Battery"}
        assert fan_out < api.watcher.interval + 1.0, f"fan-out took {fan_out:.2f} s"
    # Every client hung up: every handler ended and unsubscribed.
    async with asyncio.timeout(5):
        while api.watcher.subscribers:
            await asyncio.sleep(0.05)


async def test_a_client_that_does_not_read_is_dropped_not_buffered(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_watcher, "QUEUE_SIZE", 50)
    _, token = await make_user()
    ticket = await api.ticket(token)
    host, port = api.url.removeprefix("http://").split(":")
    # A raw client that sends the request and never reads: its socket buffers fill up.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.sendall(f"GET /api/stream?ticket={ticket} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    reader_url = f"{api.url}/api/stream?ticket={await api.ticket(token)}"  # tickets: single use
    async with SseClient(api.session, reader_url) as reader:
        await reader.next("snapshot")
        async with asyncio.timeout(3):
            while len(api.watcher.subscribers) < 2:
                await asyncio.sleep(0.02)
        big = live_watcher.sse_frame("ups", {"id": 0, "padding": "x" * 100_000})
        for _ in range(2000):  # ~200 MB if nobody were ever dropped
            api.watcher._publish(big, public=False)
            await asyncio.sleep(0.002)
            if api.watcher.dropped_total:
                break
        assert api.watcher.dropped_total == 1
        assert len(api.watcher.subscribers) == 1  # the reading client stays
        # ... and still gets what comes next.
        rack = await make_ups("rack")
        await write_live(rack, "OL")
        assert (await reader.next("ups", timeout=5, match=lambda d: d["id"] == rack.id)).data[
            "status"
        ] == "Online"
    sock.close()


async def test_publishing_hundreds_of_changes_lets_the_event_loop_answer_in_between(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """All UPS changing at once (every driver restarted) must not freeze the api worker."""
    server = await NutServer.create(host="127.0.0.1", port=3493)
    await UpsSystem.bulk_create(
        [UpsSystem(name=f"r{i}", ups_name=f"r{i}", nut_server=server) for i in range(MANY)]
    )
    await counters.bump(counters.CONFIG)
    async with asyncio.timeout(10):  # the watcher has read the configuration
        while len(api.watcher._ups) < MANY:
            await asyncio.sleep(0.05)
    ids = sorted(api.watcher._ups)
    monkeypatch.setattr(live_watcher, "QUEUE_SIZE", 5000)  # this test reads the queue at the end
    sub = api.watcher.subscribe(public=False)
    turns = 0

    async def ticker() -> None:  # counts the turns the event loop gives anyone else
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    before = turns
    try:
        sent = await api.watcher._publish_changed(ids, force=True)
        during = turns - before
    finally:
        task.cancel()
        api.watcher.unsubscribe(sub)
    assert sent == MANY
    assert during >= MANY // live_watcher.PUBLISH_CHUNK - 1, during
    frames = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    published = {int(f.split('"id":', 1)[1].split(",", 1)[0]) for f in frames if f}
    assert set(ids) <= published  # yielding lost nothing
