"""Inputs at the edge of their columns, on both engines. PostgreSQL enforces what SQLite does
not: a 32-bit id column refuses a larger number as a parameter and a VARCHAR(n) refuses n+1
characters, each a 500 from asyncpg unless the API checks first. Every such input must be a
404 or a 400 naming the field on both engines, and the longest allowed value must round-trip."""

from __future__ import annotations

import pytest

from powerpulse.api.validation import ID_MAX
from powerpulse.db.models import NutServer, UpsSystem, User
from tests.api.conftest import Account, Client, add_server
from tests.support.nut_server import free_port

TOO_BIG = [ID_MAX + 1, 2**53, 2**63, 10**18 - 1]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/ups-systems/{id}"),
        ("PUT", "/api/ups-systems/{id}/nickname"),
        ("DELETE", "/api/ups-systems/{id}"),
        ("GET", "/api/ups-systems/{id}/history"),
        ("GET", "/api/ups-systems/{id}/events"),
        ("GET", "/api/ups-systems/{id}/battery"),
        ("GET", "/api/nut-servers/{id}"),
        ("DELETE", "/api/nut-servers/{id}"),
        ("GET", "/api/users/{id}"),
        ("DELETE", "/api/users/{id}"),
        ("GET", "/api/debug/battery-history/{id}"),
    ],
)
async def test_ids_beyond_the_id_columns_are_not_found(
    client: Client, admin: Account, method: str, path: str
) -> None:
    for n in TOO_BIG:
        status, body, _ = await client.request(
            method, path.format(id=n), token=admin.token, json={} if method == "PUT" else None
        )
        assert (status, body["error"]) == (404, "not_found"), (n, body)


async def test_body_ids_beyond_the_id_columns_are_400(client: Client, admin: Account) -> None:
    for n in TOO_BIG:
        status, body, _ = await client.post(
            "/api/ups-systems", json={"upsName": "u", "nutServerId": n}, token=admin.token
        )
        assert (status, body.get("field")) == (400, "nutServerId"), body
        status, body, _ = await client.post(
            "/api/debug/test-ups-monitoring", json={"ups_id": n}, token=admin.token
        )
        assert (status, body.get("field")) == (400, "ups_id"), body
    assert await UpsSystem.all().count() == 0


async def test_names_fill_their_columns_and_no_more(client: Client, admin: Account) -> None:
    server = await add_server()
    longest = {"upsName": "u" * 255, "name": "N" * 255, "nickname": "Ä" * 255}
    status, body, _ = await client.post(
        "/api/ups-systems", json={**longest, "nutServerId": server.id}, token=admin.token
    )
    assert status == 201, body
    ups = await UpsSystem.get(id=body["id"])
    assert (ups.ups_name, ups.name, ups.nickname) == ("u" * 255, "N" * 255, "Ä" * 255)
    for field in longest:
        over = {**longest, "upsName": "v", field: longest[field] + "x", "nutServerId": server.id}
        status, body, _ = await client.post("/api/ups-systems", json=over, token=admin.token)
        assert (status, body.get("field")) == (400, field), body
    status, body, _ = await client.put(
        f"/api/ups-systems/{ups.id}/nickname", json={"nickname": "n" * 256}, token=admin.token
    )
    assert (status, body.get("field")) == (400, "nickname"), body


async def test_accounts_fill_their_columns_and_no_more(client: Client, admin: Account) -> None:
    name, email = "a" * 64, "e" * 240 + "@example.com"  # 64 and 252 of 64 and 254
    account = {"username": name, "password": "long-enough-pw", "email": email}
    status, body, _ = await client.post("/api/auth/register", json=account, token=admin.token)
    assert status == 201, body
    assert (await User.get(username=name)).email == email
    for field, value in (("username", "b" * 65), ("email", "e" * 243 + "@example.com")):
        over = {**account, "username": "c", field: value}
        status, body, _ = await client.post("/api/auth/register", json=over, token=admin.token)
        assert (status, body.get("field")) == (400, field), body
    user = await User.get(username=name)
    status, body, _ = await client.put(
        f"/api/users/{user.id}", json={"username": "d" * 65}, token=admin.token
    )
    assert (status, body.get("field")) == (400, "username"), body


async def test_nut_credentials_fill_their_columns_and_no_more(
    client: Client, admin: Account
) -> None:
    port = free_port()  # nothing listens: discovery fails at once, the server is still saved
    creds = {"host": "127.0.0.1", "port": port, "username": "m" * 255, "password": "p" * 255}
    status, body, _ = await client.post("/api/nut-servers", json=creds, token=admin.token)
    assert status == 201, body
    saved = await NutServer.get(id=body["id"])
    assert (saved.username, saved.password) == ("m" * 255, "p" * 255)
    for field in ("username", "password"):
        over = {**creds, "port": free_port(), field: creds[field] + "x"}
        status, body, _ = await client.post("/api/nut-servers", json=over, token=admin.token)
        assert (status, body.get("field")) == (400, field), body
