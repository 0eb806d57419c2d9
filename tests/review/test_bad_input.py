"""Bad input found by fuzzing the running api worker: each one was a 500 (or a broken stream)
and must be a 400 naming the field (or be ignored where the input is only a hint)."""

from __future__ import annotations

import pytest

from tests.api.conftest import Account, Client, add_server, add_ups
from tests.stream.conftest import Api, make_ups, write_live
from tests.stream.sse import SseClient

# Strings that str.isdigit() accepts but int() refuses, or that int() refuses for length.
NOT_INTEGERS = ["²", "--5", "9" * 5000, "1²"]


def assert_field_error(status: int, body: object, field: str) -> None:
    assert status == 400, body
    assert isinstance(body, dict)
    assert body["error"] == "validation_error" and body["field"] == field
    assert field in body["message"]


@pytest.mark.parametrize("raw", NOT_INTEGERS)
async def test_query_integers_that_only_look_like_digits_are_400(
    client: Client, admin: Account, raw: str
) -> None:
    ups = await add_ups(await add_server(), "ups1")
    status, body, _ = await client.get(
        f"/api/debug/battery-history/{ups.id}", params={"days": raw}, token=admin.token
    )
    assert_field_error(status, body, "days")
    status, body, _ = await client.get(
        "/api/notifications/history", params={"limit": raw}, token=admin.token
    )
    assert_field_error(status, body, "limit")


@pytest.mark.parametrize("raw", NOT_INTEGERS)
async def test_body_integers_that_only_look_like_digits_are_400(
    client: Client, admin: Account, raw: str
) -> None:
    status, body, _ = await client.post(
        "/api/nut-servers/test", json={"host": "127.0.0.1", "port": raw}, token=admin.token
    )
    assert_field_error(status, body, "port")


async def test_plain_digit_strings_still_count_as_numbers(client: Client, admin: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    status, body, _ = await client.get(
        f"/api/debug/battery-history/{ups.id}", params={"days": " 30 "}, token=admin.token
    )
    assert status == 200 and body == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"to": "0001-01-01T00:00:00Z"}, "to"),  # to - 24 h overflowed: a 500
        # answered 200 with "from": "1-01-01T00:00:00.000Z", which is not ISO 8601
        ({"from": "0001-01-01T00:00:00Z", "to": "0001-01-01T00:00:01Z"}, "to"),
        ({"from": "0001-01-01T00:00:00Z", "to": "2025-01-01T00:00:00Z"}, "from"),
    ],
)
async def test_history_times_out_of_range_are_400(
    client: Client, member: Account, params: dict[str, str], field: str
) -> None:
    ups = await add_ups(await add_server(), "ups1")
    status, body, _ = await client.get(
        f"/api/ups-systems/{ups.id}/history", params=params, token=member.token
    )
    assert_field_error(status, body, field)


async def test_history_in_a_normal_range_still_answers(client: Client, member: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    params = {"from": "2025-01-01T00:00:00Z", "to": "2025-01-02T00:00:00Z", "points": "24"}
    status, body, _ = await client.get(
        f"/api/ups-systems/{ups.id}/history", params=params, token=member.token
    )
    assert status == 200, body
    assert body["from"] == "2025-01-01T00:00:00.000Z" and body["points"] == []


@pytest.mark.parametrize("last_id", ["²", "9" * 5000])
async def test_garbage_last_event_id_does_not_break_the_stream(api: Api, last_id: str) -> None:
    ups = await make_ups("rack")
    await write_live(ups, "OL")
    await api.caught_up()
    url = f"{api.url}/api/stream/kiosk"
    async with SseClient(api.session, url, headers={"Last-Event-ID": last_id}) as kiosk:
        assert kiosk.response is not None and kiosk.response.status == 200
        await kiosk.next("snapshot")
        await write_live(ups, "OB DISCHRG")  # before the fix the stream had closed by now
        message = await kiosk.next("ups", timeout=5)
        assert message.data["status"] == "On Battery"


async def test_a_token_that_is_not_utf8_is_401(client: Client) -> None:
    # httpx sends bytes as they are; the server sees surrogates where the bytes were not UTF-8.
    resp = await client.http.get("/api/auth/me", headers={"Authorization": b"Bearer \xe9\xff"})
    assert resp.status_code == 401
    assert resp.json() == {"message": "Token is not valid", "error": "invalid_token"}


@pytest.mark.parametrize("host", ["nut\x84box", "a" * 64, "ups..example.com"])
async def test_a_host_the_resolver_cannot_encode_is_400(
    client: Client, admin: Account, host: str
) -> None:
    status, body, _ = await client.post(
        "/api/nut-servers", json={"host": host, "port": 3493}, token=admin.token
    )
    assert_field_error(status, body, "host")
    status, listed, _ = await client.get("/api/nut-servers", token=admin.token)
    assert status == 200 and listed == []  # nothing half-created
    status, body, _ = await client.post(
        "/api/nut-servers/test", json={"host": host, "port": 3493}, token=admin.token
    )
    assert_field_error(status, body, "host")


async def test_setup_with_a_host_the_resolver_cannot_encode_is_400(client: Client) -> None:
    setup = {"username": "admin", "password": "correct-horse-1", "nutServer": "ups\x8d"}
    status, body, _ = await client.post("/api/auth/setup", json=setup)
    assert_field_error(status, body, "nutServer")
    status, body, _ = await client.get("/api/auth/check-setup")
    assert status == 200 and body["isFirstTimeSetup"] is True, body


@pytest.mark.parametrize(
    "field, value", [("username", "upsmon\nINSTCMD ups1 load.off"), ("password", "pa\rss")]
)
async def test_nut_credentials_with_line_breaks_are_400(
    client: Client, admin: Account, field: str, value: str
) -> None:
    server = {"host": "127.0.0.1", "port": 3493, field: value}
    status, body, _ = await client.post("/api/nut-servers", json=server, token=admin.token)
    assert_field_error(status, body, field)
    status, listed, _ = await client.get("/api/nut-servers", token=admin.token)
    assert status == 200 and listed == []  # nothing half-created
    status, body, _ = await client.post("/api/nut-servers/test", json=server, token=admin.token)
    assert_field_error(status, body, field)
    saved = await add_server()
    status, body, _ = await client.put(
        f"/api/nut-servers/{saved.id}", json={field: value}, token=admin.token
    )
    assert_field_error(status, body, field)


async def test_setup_with_a_nut_password_with_a_line_break_is_400(client: Client) -> None:
    setup = {
        "username": "admin",
        "password": "correct-horse-1",
        "nutServer": "127.0.0.1",
        "nutPassword": "a\nb",
    }
    status, body, _ = await client.post("/api/auth/setup", json=setup)
    assert_field_error(status, body, "nutPassword")
