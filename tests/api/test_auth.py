"""/api/auth: setup against a real upsd, login and its rate limit, register, tokens."""

from __future__ import annotations

import asyncio
import time

import bcrypt
import jwt
import orjson
import pytest
from sanic import Sanic

from powerpulse.api.auth import issue_token
from powerpulse.api.ratelimit import LoginLimiter
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsSystem, User, UserSettings
from tests.api.conftest import ANY, PASSWORD, Account, Client, make_user
from tests.support.nut_server import NUT_PASSWORD, NUT_USER, free_port
from tests.support.nut_server import NutServer as RealNut


def setup_body(nut: RealNut | None = None, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "username": "root-admin",
        "password": "a-long-password",
        "nutServer": nut.host if nut else "127.0.0.1",
        "nutPort": nut.port if nut else free_port(),
    }
    body.update(over)
    return body


async def test_check_setup_flips_after_setup(client: Client, nut: RealNut) -> None:
    assert await client.get("/api/auth/check-setup") == (200, {"isFirstTimeSetup": True}, ANY)
    status, body, _ = await client.post(
        "/api/auth/setup",
        json=setup_body(nut, nutUsername=NUT_USER, nutPassword=NUT_PASSWORD),
    )
    assert status == 201, body
    assert body["message"] == "Setup completed successfully"
    assert body["user"] == {
        "id": 1,
        "username": "root-admin",
        "email": None,
        "role": "admin",
        "isAdmin": True,
    }
    server = await NutServer.get(id=body["nutServer"]["id"])
    assert body["nutServer"] == {"id": server.id, "host": nut.host, "port": nut.port}
    assert body["upsSystemsDiscovered"] == 2
    ups = await UpsSystem.all().order_by("id")
    assert body["upsSystemsAdded"] == [
        {"id": u.id, "name": u.ups_name, "upsName": u.ups_name, "nutServerId": server.id}
        for u in ups
    ]
    assert [u.ups_name for u in ups] == ["ups1", "ups2"]
    assert "discoveryError" not in body
    # Credentials stored (write-only) and never echoed.
    assert (server.username, server.password) == (NUT_USER, NUT_PASSWORD)
    assert NUT_PASSWORD not in orjson.dumps(body).decode()
    # The admin row, its settings row, a bcrypt cost-12 hash and a working token.
    admin = await User.get(username="root-admin")
    assert admin.role == "admin"
    assert admin.password_hash.startswith("$2b$12$")
    assert bcrypt.checkpw(b"a-long-password", admin.password_hash.encode())
    assert await UserSettings.filter(user_id=admin.id).exists()
    assert await counters.read(counters.CONFIG) >= 2
    status, me, _ = await client.get("/api/auth/me", token=body["token"])
    assert (status, me["username"]) == (200, "root-admin")
    assert (await client.get("/api/auth/check-setup"))[1] == {"isFirstTimeSetup": False}


async def test_setup_twice_is_refused(client: Client, nut: RealNut) -> None:
    assert (await client.post("/api/auth/setup", json=setup_body(nut)))[0] == 201
    status, body, _ = await client.post(
        "/api/auth/setup", json=setup_body(nut, username="intruder")
    )
    assert status == 400
    assert body == {"message": "Setup has already been completed", "error": "setup_completed"}
    assert await User.filter(username="intruder").count() == 0
    assert await NutServer.all().count() == 1


# On both engines: SQLite's BEGIN IMMEDIATE and PostgreSQL's advisory lock (db/locks.py)
# serialise the check and the write.
async def test_racing_setups_create_one_admin(client: Client) -> None:
    bodies = [setup_body(username=f"admin{i}") for i in range(5)]
    results = await asyncio.gather(*(client.post("/api/auth/setup", json=b) for b in bodies))
    assert sorted(r[0] for r in results) == [201, 400, 400, 400, 400]
    assert await User.all().count() == 1
    assert await NutServer.all().count() == 1


async def test_setup_with_unreachable_nut_still_completes(client: Client) -> None:
    status, body, _ = await client.post("/api/auth/setup", json=setup_body())
    assert status == 201
    assert body["upsSystemsDiscovered"] == 0
    assert body["upsSystemsAdded"] == []
    assert body["discoveryError"]["code"] == "unreachable"
    assert await User.all().count() == 1


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": "has space"}, "username"),
        ({"password": "short"}, "password"),
        ({"password": "é" * 37}, "password"),  # 37 characters but 74 bytes: over bcrypt's 72
        ({"password": 12345678}, "password"),
        ({"nutServer": None}, "nutServer"),
        ({"nutServer": "bad host"}, "nutServer"),
        ({"nutPort": 70000}, "nutPort"),
        ({"nutPort": "abc"}, "nutPort"),
        ({"email": "not-an-email"}, "email"),
    ],
)
async def test_setup_rejects_bad_input(client: Client, over: dict[str, object], field: str) -> None:
    status, body, _ = await client.post("/api/auth/setup", json=setup_body(**over))
    assert status == 400, body
    assert body["field"] == field and field in body["message"]
    assert await User.all().count() == 0


async def test_password_limit_counts_bytes_not_characters(client: Client) -> None:
    status, _, _ = await client.post("/api/auth/setup", json=setup_body(password="é" * 36))
    assert status == 201  # 72 bytes exactly


async def test_login_success_and_uniform_failure(client: Client, member: Account) -> None:
    status, body, _ = await client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert status == 200
    assert body["message"] == "Login successful"
    assert body["user"] == {
        "id": member.id,
        "username": "alice",
        "email": "alice@example.com",
        "role": "user",
        "isAdmin": False,
    }
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 24 * 3600
    assert (claims["sub"], claims["role"], claims["ver"]) == (str(member.id), "user", 0)
    wrong = await client.post("/api/auth/login", json={"username": "alice", "password": "nope!!!!"})
    unknown = await client.post("/api/auth/login", json={"username": "bob", "password": "nope!!!!"})
    assert wrong[0] == unknown[0] == 401
    assert (
        wrong[1]
        == unknown[1]
        == {
            "message": "Invalid username or password",
            "error": "invalid_credentials",
        }
    )
    missing = await client.post("/api/auth/login", json={"username": "alice"})
    assert missing[0] == 400 and missing[1]["message"] == "Username and password are required"


async def test_login_rate_limited_per_username_and_client(client: Client, member: Account) -> None:
    for _ in range(5):
        bad = {"username": "alice", "password": "wrong-password"}
        assert (await client.post("/api/auth/login", json=bad))[0] == 401
    status, body, resp = await client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert status == 429
    assert body["error"] == "rate_limited"
    assert 1 <= int(resp.headers["Retry-After"]) <= 300
    # The same username from another address, and another username, are not affected.
    other = Client(client.app, client_addr="10.0.0.9")
    await make_user("bob")
    ok = await other.post("/api/auth/login", json={"username": "bob", "password": PASSWORD})
    assert ok[0] == 200
    ok = await other.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert ok[0] == 200


async def test_login_rate_limited_per_client(client: Client, member: Account) -> None:
    client.app.ctx.login_limiter = LoginLimiter(per_pair=5, per_client=4)
    for i in range(4):
        bad = {"username": f"guess{i}", "password": "wrong-password"}
        assert (await client.post("/api/auth/login", json=bad))[0] == 401
    status, _, resp = await client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    )
    assert status == 429 and int(resp.headers["Retry-After"]) >= 1
    elsewhere = Client(client.app, client_addr="10.0.0.7")
    ok = await elsewhere.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert ok[0] == 200


async def test_register_roles(client: Client, admin: Account, member: Account) -> None:
    body = {"username": "carol", "email": "carol@example.com", "password": "carol-password"}
    assert (await client.post("/api/auth/register", json=body))[0] == 401
    status, err, _ = await client.post("/api/auth/register", json=body, token=member.token)
    assert status == 403 and err["error"] == "forbidden"
    status, out, _ = await client.post("/api/auth/register", json=body, token=admin.token)
    assert status == 201
    carol = await User.get(username="carol")
    assert out == {
        "message": "User created successfully",
        "user": {
            "id": carol.id,
            "username": "carol",
            "email": "carol@example.com",
            "role": "user",
            "isAdmin": False,
        },
    }
    assert carol.role == "user" and bcrypt.checkpw(b"carol-password", carol.password_hash.encode())
    assert await UserSettings.filter(user_id=carol.id).exists()
    login = await client.post(
        "/api/auth/login", json={"username": "carol", "password": "carol-password"}
    )
    assert login[0] == 200
    dup = await client.post("/api/auth/register", json=body, token=admin.token)
    assert dup[0] == 409 and dup[1]["message"] == "Username or email already exists"
    boss = {"username": "dave", "password": "dave-password", "role": "admin"}
    assert (await client.post("/api/auth/register", json=boss, token=admin.token))[0] == 201
    assert (await User.get(username="dave")).role == "admin"
    bad = {"username": "eve", "password": "eve-password", "role": "root"}
    status, err, _ = await client.post("/api/auth/register", json=bad, token=admin.token)
    assert status == 400 and err["field"] == "role"
    assert not await User.filter(username="eve").exists()


async def test_change_password_revokes_old_tokens(client: Client, member: Account) -> None:
    url = "/api/auth/change-password"
    wrong = {"currentPassword": "not-it-at-all", "newPassword": "brand-new-pass"}
    status, err, _ = await client.post(url, json=wrong, token=member.token)
    assert status == 400 and err["field"] == "currentPassword"
    short = {"currentPassword": PASSWORD, "newPassword": "short"}
    status, err, _ = await client.post(url, json=short, token=member.token)
    assert status == 400 and err["field"] == "newPassword"
    good = {"currentPassword": PASSWORD, "newPassword": "brand-new-pass"}
    assert (await client.post(url, json=good))[0] == 401
    status, out, _ = await client.post(url, json=good, token=member.token)
    assert status == 200 and out["message"] == "Password changed"
    row = await User.get(id=member.id)
    assert row.token_version == 1
    assert bcrypt.checkpw(b"brand-new-pass", row.password_hash.encode())
    status, err, _ = await client.get("/api/auth/me", token=member.token)
    assert status == 401 and err["error"] == "token_revoked"
    assert (await client.get("/api/auth/me", token=out["token"]))[0] == 200
    old = await client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert old[0] == 401
    new = {"username": "alice", "password": "brand-new-pass"}
    assert (await client.post("/api/auth/login", json=new))[0] == 200


async def test_bad_tokens(client: Client, app: Sanic, member: Account) -> None:
    status, err, resp = await client.get("/api/auth/me")
    assert (status, err["error"]) == (401, "no_token")
    assert resp.headers["WWW-Authenticate"] == "Bearer"
    assert (await client.get("/api/auth/me", token="garbage"))[1]["error"] == "invalid_token"
    forged = issue_token(member.user, "some-other-secret-of-enough-length")
    assert (await client.get("/api/auth/me", token=forged))[1]["error"] == "invalid_token"
    claims = {"sub": str(member.id), "role": "user", "ver": 0, "exp": int(time.time()) - 5}
    expired = jwt.encode(claims, app.ctx.jwt_secret, algorithm="HS256")
    assert (await client.get("/api/auth/me", token=expired))[1]["error"] == "token_expired"
    raw = {"Authorization": member.token}  # no "Bearer" scheme
    assert (await client.get("/api/auth/me", headers=raw))[0] == 401
    none_alg = jwt.encode({**claims, "exp": int(time.time()) + 60}, None, algorithm="none")
    assert (await client.get("/api/auth/me", token=none_alg))[1]["error"] == "invalid_token"


async def test_me(client: Client, member: Account) -> None:
    status, body, _ = await client.get("/api/auth/me", token=member.token)
    assert status == 200
    assert body["id"] == member.id and body["role"] == "user" and body["created_at"].endswith("Z")
