"""The whole path with real processes: upsd → `powerpulse poller` → database → `powerpulse api`
→ an open stream. A `.dev` edit must reach the browser within POLL_INTERVAL + 1 s (+ the
dummy-ups driver's own 1 s re-read)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest

from powerpulse.api.live_watcher import LiveWatcher, WatcherStopped
from tests.stream.sse import Message, SseClient
from tests.support.nut_server import NutServer
from tests.support.stack import Stack

POLL_INTERVAL = 0.5
DRIVER_DELAY = 1.0  # dummy-ups re-reads its .dev file once a second


async def _expect_status(client: SseClient, words: str, nut: NutServer, stack: Stack) -> Message:
    """The `ups` message with status `words`; on a timeout, say what every layer saw."""
    try:
        return await client.next("ups", timeout=5, match=lambda d: d["status"] == words)
    except TimeoutError:
        seen = [m.data.get("status") for m in client.backlog if m.event == "ups"]
        upsd = nut.get_var("ups1", "ups.status")
        raise AssertionError(
            f"no {words!r} on the stream (it had {seen}); upsd says {upsd!r}\n"
            f"poller log:\n{stack.log('poller')[-1500:]}\napi log:\n{stack.log('api')[-1500:]}"
        ) from None


async def test_on_battery_reaches_open_streams_within_one_poll_plus_a_second(
    tmp_path: Path, nut_factory: Callable[..., NutServer], database_url: str
) -> None:
    nut = nut_factory(["ups1"])
    env = {"POLL_INTERVAL": str(POLL_INTERVAL), "DATABASE_URL": database_url}
    with Stack(tmp_path / "data", env=env) as stack:
        stack.start_api()
        token = stack.setup_admin(nut.host, nut.port)
        stack.start_poller()
        status, body = stack.request("POST", "/api/stream/ticket", token=token)
        assert status == 200, body
        async with (
            aiohttp.ClientSession() as session,
            SseClient(session, stack.url(f"/api/stream?ticket={body['ticket']}")) as user,
            SseClient(session, stack.url("/api/stream/kiosk")) as kiosk,
        ):
            snapshot = (await user.next("snapshot")).data
            await kiosk.next("snapshot")
            online = lambda d: d["status"] == "Online" and d["batteryCharge"] == 100  # noqa: E731
            if not (snapshot and online(snapshot[0])):  # the poller's first poll is still due
                await user.next("ups", timeout=10, match=online)

            latencies: list[float] = []
            for status_line, words in (("OB DISCHRG", "On Battery"), ("OL", "Online")) * 2:
                for client in (user, kiosk):  # only what arrives after the edit counts
                    client.backlog = [m for m in client.backlog if m.event != "ups"]
                started = time.monotonic()
                nut.set_status("ups1", status_line)
                msg = await _expect_status(user, words, nut, stack)
                latencies.append(time.monotonic() - started)
                assert msg.data["upsName"] == "ups1"
                kiosk_msg = await kiosk.next(
                    "ups", timeout=2, match=lambda d, w=words: d["status"] == w
                )
                assert "driverDetails" not in kiosk_msg.data
            assert max(latencies) < POLL_INTERVAL + 1.0 + DRIVER_DELAY, latencies

            # The power events the poller detected arrive too (after its debounce).
            kinds = set()
            while not {"on_battery", "online"} <= kinds:
                kinds.add((await user.next("event", timeout=10)).data["kind"])
        assert "Traceback" not in stack.log("api")


async def test_api_stops_promptly_with_open_streams(tmp_path: Path, database_url: str) -> None:
    """`docker stop` / supervisord give the api worker a few seconds: open streams must not
    hold it (they are ended by the watcher on shutdown)."""
    with Stack(tmp_path / "data", env={"DATABASE_URL": database_url}) as stack:
        stack.start_api()
        async with aiohttp.ClientSession() as session:
            clients = [SseClient(session, stack.url("/api/stream/kiosk")) for _ in range(20)]
            for client in clients:
                await client.__aenter__()
                await client.next("snapshot")
            took = await asyncio.to_thread(stack.stop, "api", 8)
            assert took < 3, took
            assert stack.returncode("api") == 0
            for client in clients:
                with pytest.raises((EOFError, aiohttp.ClientError)):
                    await client.next("never", timeout=2)
                await client.__aexit__()


async def test_a_stream_opened_during_shutdown_is_refused_not_left_open() -> None:
    """The kiosk reopens its stream the moment it ends. A subscriber that arrived after the
    watcher closed everyone would never be ended, and the api would wait for it until Sanic's
    graceful timeout (15 s, longer than supervisord's 7 s and docker stop's 10 s)."""
    watcher = LiveWatcher(poll_interval=1.0)
    before = watcher.subscribe(public=True)
    await watcher.stop()
    assert before.queue.get_nowait() is None  # told to end
    with pytest.raises(WatcherStopped):
        watcher.subscribe(public=True)
