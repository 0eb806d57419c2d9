"""Stream authentication: short-lived tickets, never a login token in the URL, clear 401s."""

from __future__ import annotations

import pytest

from powerpulse.api import stream
from powerpulse.db.models import User
from tests.stream.conftest import Api, make_user
from tests.stream.sse import SseClient


async def _stream_status(api: Api, query: str) -> tuple[int, dict[str, str]]:
    async with api.session.get(f"{api.url}/api/stream{query}") as resp:
        assert resp.content_type == "application/json"
        return resp.status, await resp.json()


async def test_ticket_opens_the_stream_and_is_not_the_login_token(api: Api) -> None:
    _, token = await make_user()
    ticket = await api.ticket(token)
    assert ticket != token
    async with SseClient(api.session, f"{api.url}/api/stream?ticket={ticket}") as client:
        assert client.response is not None and client.response.status == 200
        assert client.response.headers["Content-Type"].startswith("text/event-stream")
        assert (await client.next("snapshot")).data == []
        assert client.retry == stream.RETRY_MS


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "no_ticket"),
        ("?ticket=", "no_ticket"),
        ("?ticket=garbage", "invalid_ticket"),
        ("?ticket=a.b.c", "invalid_ticket"),
    ],
)
async def test_missing_or_garbage_ticket_is_401_json(api: Api, query: str, code: str) -> None:
    status, body = await _stream_status(api, query)
    assert status == 401
    assert body["error"] == code and body["message"]


async def test_expired_ticket_is_401(api: Api) -> None:
    user, _ = await make_user()
    old = stream.issue_ticket(user, api.app.ctx.jwt_secret, lifetime=-5)
    status, body = await _stream_status(api, f"?ticket={old}")
    assert (status, body["error"]) == (401, "ticket_expired")


async def test_login_token_is_refused_as_a_ticket(api: Api) -> None:
    _, token = await make_user()
    status, body = await _stream_status(api, f"?ticket={token}")
    assert (status, body["error"]) == (401, "invalid_ticket")


async def test_ticket_is_refused_as_a_bearer_token(api: Api) -> None:
    _, token = await make_user()
    ticket = await api.ticket(token)
    async with api.session.post(
        f"{api.url}/api/stream/ticket", headers={"Authorization": f"Bearer {ticket}"}
    ) as resp:
        assert resp.status == 401
        assert (await resp.json())["error"] == "invalid_token"
    async with api.session.get(
        f"{api.url}/api/users", headers={"Authorization": f"Bearer {ticket}"}
    ) as resp:
        assert resp.status == 401


async def test_ticket_needs_a_login(api: Api) -> None:
    async with api.session.post(f"{api.url}/api/stream/ticket") as resp:
        assert resp.status == 401
        assert (await resp.json())["error"] == "no_token"


async def test_ticket_of_a_user_whose_tokens_were_revoked_is_401(api: Api) -> None:
    user, token = await make_user()
    ticket = await api.ticket(token)
    await User.filter(id=user.id).update(token_version=user.token_version + 1)
    status, body = await _stream_status(api, f"?ticket={ticket}")
    assert (status, body["error"]) == (401, "token_revoked")


async def test_open_stream_pings_and_ends_when_the_user_is_revoked(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "PING_SECONDS", 0.3)
    user, token = await make_user()
    ticket = await api.ticket(token)
    async with SseClient(api.session, f"{api.url}/api/stream?ticket={ticket}") as client:
        await client.next("snapshot")
        # Pings every 0.3 s: one within 5 s even on a loaded machine (no event comes meanwhile).
        for _ in range(50):
            if "ping" in client.comments:
                break
            with pytest.raises(TimeoutError):
                await client.next("never", timeout=0.1)
        assert "ping" in client.comments
        await User.filter(id=user.id).update(token_version=user.token_version + 1)
        with pytest.raises(EOFError):
            await client.next("never", timeout=3)
    assert api.watcher.subscribers == set()


async def test_kiosk_stream_needs_no_ticket(api: Api) -> None:
    async with SseClient(api.session, f"{api.url}/api/stream/kiosk") as client:
        assert client.response is not None and client.response.status == 200
        assert (await client.next("snapshot")).data == []
