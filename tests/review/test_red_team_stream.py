"""Red team, live stream: anonymous kiosk streams took all 2,000 slots (signed-in users then got
503), and a stream ticket could be used again for its 60 s. Real SSE connections to the api
worker's app served on a port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import aiohttp
import pytest

from powerpulse.api import stream
from tests.stream.conftest import Api, make_ups, make_user, write_live
from tests.stream.sse import SseClient


async def open_kiosk(stack: AsyncExitStack, session: aiohttp.ClientSession, api: Api) -> SseClient:
    """A kiosk stream held open until `stack` closes; its snapshot read when it was let in."""
    client = await stack.enter_async_context(SseClient(session, f"{api.url}/api/stream/kiosk"))
    assert client.response is not None
    if client.response.status == 200:
        await client.next("snapshot")
    return client


def status_of(client: SseClient) -> int:
    assert client.response is not None
    return client.response.status


@pytest.fixture
async def sessions() -> AsyncIterator[dict[str, aiohttp.ClientSession]]:
    """HTTP clients from three loopback addresses (the api sees three client addresses)."""
    made = {
        addr: aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(addr, 0)))
        for addr in ("127.0.0.1", "127.0.0.2", "127.0.0.3")
    }
    yield made
    for session in made.values():
        await session.close()


async def test_anonymous_streams_cannot_take_the_slots_of_signed_in_users(
    api: Api, sessions: dict[str, aiohttp.ClientSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "KIOSK_STREAMS_PER_CLIENT", 3)
    monkeypatch.setattr(stream, "KIOSK_STREAMS_TOTAL", 5)
    ups = await make_ups("rack")
    await write_live(ups, "OL")
    await api.caught_up()
    one, two, three = sessions.values()
    async with AsyncExitStack() as stack:
        first = [await open_kiosk(stack, one, api) for _ in range(3)]
        assert [status_of(c) for c in first] == [200, 200, 200]
        over = await open_kiosk(stack, one, api)  # a fourth from the same address
        assert status_of(over) == 429
        assert over.response is not None and int(over.response.headers["Retry-After"]) >= 1
        assert (await over.response.json())["error"] == "rate_limited"
        others = [await open_kiosk(stack, two, api) for _ in range(2)]
        assert [status_of(c) for c in others] == [200, 200]
        full = await open_kiosk(stack, three, api)  # all anonymous streams together: 5
        assert status_of(full) == 503
        assert full.response is not None
        assert await full.response.json() == {
            "message": "Too many kiosk streams, try again later",
            "error": "unavailable",
        }
        # A signed-in user still gets a live stream, and it is live.
        _, token = await make_user()
        ticket = await api.ticket(token)
        user = await stack.enter_async_context(
            SseClient(api.session, f"{api.url}/api/stream?ticket={ticket}")
        )
        assert status_of(user) == 200
        assert (await user.next("snapshot")).data[0]["name"] == "rack"
        await write_live(ups, "OB DISCHRG")
        assert (await user.next("ups", timeout=5)).data["status"] == "On Battery"
        # The kiosks that were let in keep working.
        assert (await first[0].next("ups", timeout=5)).data["status"] == "On Battery"
        # Closing a kiosk gives its slot back.
        assert first[0].response is not None
        first[0].response.close()
        async with asyncio.timeout(10):
            while True:
                async with SseClient(three, f"{api.url}/api/stream/kiosk") as again:
                    if status_of(again) == 200:
                        break
                await asyncio.sleep(0.1)


async def test_the_real_per_client_kiosk_budget(api: Api) -> None:
    async with AsyncExitStack() as stack:
        let_in = [await open_kiosk(stack, api.session, api) for _ in range(20)]
        assert {status_of(c) for c in let_in} == {200}
        assert status_of(await open_kiosk(stack, api.session, api)) == 429
    assert stream.KIOSK_STREAMS_TOTAL <= 2000 // 4  # at most a quarter of every slot there is


async def test_a_stream_ticket_is_single_use(api: Api) -> None:
    _, token = await make_user()
    ticket = await api.ticket(token)
    url = f"{api.url}/api/stream?ticket={ticket}"
    async with SseClient(api.session, url) as first:
        assert status_of(first) == 200
        await first.next("snapshot")
        async with api.session.get(url) as again:  # while the first is open
            assert again.status == 401
            assert await again.json() == {
                "message": "Stream ticket has already been used "
                "(POST /api/stream/ticket for a new one)",
                "error": "ticket_used",
            }
    async with api.session.get(url) as later:  # and after it closed
        assert later.status == 401 and (await later.json())["error"] == "ticket_used"
    # A new ticket opens a new stream.
    fresh = await api.ticket(token)
    async with SseClient(api.session, f"{api.url}/api/stream?ticket={fresh}") as client:
        assert status_of(client) == 200


async def test_two_connections_racing_with_one_ticket_get_one_stream(api: Api) -> None:
    _, token = await make_user()
    url = f"{api.url}/api/stream?ticket={await api.ticket(token)}"
    async with AsyncExitStack() as stack:
        clients = await asyncio.gather(
            *(stack.enter_async_context(SseClient(api.session, url)) for _ in range(5))
        )
        assert sorted(status_of(c) for c in clients) == [200, 401, 401, 401, 401]
