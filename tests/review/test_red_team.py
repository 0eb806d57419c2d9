"""What a red team found (issue 8, section 7): each finding, tried again the way it was found.

The mail relay is in `test_red_team_mail.py` (it needs the real SMTP server's app), the stream
budget and tickets in `test_red_team_stream.py`.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from sanic import Sanic

from powerpulse.api import ratelimit
from powerpulse.api.ratelimit import LoginLimiter
from powerpulse.config import Settings
from powerpulse.db.models import NutServer, User
from powerpulse.user_admin import UserCommandError, create_user, reset_password
from tests.api.conftest import ANY, PASSWORD, Account, Client, add_server, add_ups, make_user
from tests.support.nut_server import NutServer as RealNut
from tests.support.nut_server import free_port

BAD_LOGIN = {"message": "Invalid username or password", "error": "invalid_credentials"}


async def login(client: Client, username: str, password: str = PASSWORD) -> tuple[int, dict]:
    status, body, _ = await client.post(
        "/api/auth/login", json={"username": username, "password": password}
    )
    return status, body


# --- a username over 64 characters at login was a 500 ------------------------------------------


@pytest.mark.parametrize("length", [65, 200, 10_000])
async def test_an_overlong_username_is_a_failed_login_not_a_500(
    client: Client, admin: Account, length: int
) -> None:
    assert await login(client, "a" * length) == (401, BAD_LOGIN)
    assert await login(client, "admin" + "x" * length) == (401, BAD_LOGIN)
    assert (await login(client, "admin"))[0] == 200  # the real one still works


# --- five wrong guesses from anyone locked the real user out -----------------------------------


async def test_guesses_from_one_client_do_not_lock_the_user_out_elsewhere(
    client: Client, admin: Account
) -> None:
    attacker = Client(client.app, client_addr="203.0.113.9")
    for _ in range(5):
        assert await login(attacker, "admin", "wrong-guess") == (401, BAD_LOGIN)
    status, body, resp = await attacker.post(
        "/api/auth/login", json={"username": "admin", "password": PASSWORD}
    )
    assert status == 429 and body["error"] == "rate_limited"  # the guesser is stopped
    assert 1 <= int(resp.headers["Retry-After"]) <= 300
    # ...but the admin, somewhere else, logs in at once, and again while the guessing goes on.
    admin_laptop = Client(client.app, client_addr="198.51.100.7")
    assert (await login(admin_laptop, "admin"))[0] == 200
    assert (await login(attacker, "admin", "wrong-guess"))[0] == 429
    assert (await login(admin_laptop, "admin"))[0] == 200
    # The guesser's lock is for that username only (other names have their own count).
    assert await login(attacker, "nobody", "wrong-guess") == (401, BAD_LOGIN)


async def test_guessing_from_many_addresses_is_slowed_but_the_user_gets_in(
    client: Client, admin: Account
) -> None:
    client.app.ctx.login_limiter = LoginLimiter(user_free=4, base_delay=0.4, max_delay=0.4)
    bots = [Client(client.app, client_addr=f"203.0.113.{i}") for i in range(1, 7)]
    for bot in bots:  # one guess each: none of them has failed before, none is delayed
        assert await login(bot, "admin", "wrong-guess") == (401, BAD_LOGIN)
    started = time.monotonic()
    assert await login(bots[0], "admin", "wrong-guess") == (401, BAD_LOGIN)
    assert time.monotonic() - started >= 0.4  # a client that failed before now waits
    # A client that has not failed gets in, and so does one that failed but knows the password.
    assert (await login(Client(client.app, client_addr="198.51.100.7"), "admin"))[0] == 200
    assert (await login(bots[1], "admin"))[0] == 200


async def test_the_per_user_delay_doubles_and_is_capped(db: Settings) -> None:
    now = [1_000_000.0]
    limiter = LoginLimiter(user_free=2, base_delay=0.5, max_delay=8.0, clock=lambda: now[0])
    delays = []
    for i in range(10):
        client = f"10.0.0.{i % 3}"
        delays.append((await limiter.attempt(client, "Admin")).delay)
    # the first attempt of each client is free; then 0.5, 1, 2, ... up to 8 s
    assert delays == [0, 0, 0, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0]
    assert (await limiter.check("10.9.9.9", "ADMIN")).delay == 0  # a client that never failed
    now[0] += 300  # the window has passed: nobody waits
    assert (await limiter.check("10.0.0.1", "admin")).delay == 0


async def test_bcrypt_still_runs_off_the_event_loop(client: Client, admin: Account) -> None:
    # A login with an unknown name checks a cost-12 hash (~0.25 s): the loop must keep ticking.
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    try:
        started = time.monotonic()
        assert await login(client, "nobody-here", "wrong-guess") == (401, BAD_LOGIN)
        elapsed = time.monotonic() - started
    finally:
        ticker.cancel()
    assert ticks >= elapsed / 0.01 / 4, (ticks, elapsed)


# --- a cross-site page could complete setup (text/plain) and probe ports -----------------------

SETUP = b'{"username": "admin", "password": "correct-horse-1", "nutServer": "127.0.0.1"}'


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None]
)
async def test_setup_from_a_cross_site_form_is_415(
    client: Client, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    status, body, _ = await client.post("/api/auth/setup", content=SETUP, headers=headers)
    assert (status, body) == (
        415,
        {"message": "Content-Type must be application/json", "error": "unsupported_media_type"},
    )
    assert (await client.get("/api/auth/check-setup"))[1] == {"isFirstTimeSetup": True}
    assert await User.all().count() == 0 and await NutServer.all().count() == 0


async def test_setup_with_json_and_a_charset_still_works(client: Client) -> None:
    status, body, _ = await client.post(
        "/api/auth/setup",
        content=SETUP,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert status == 201, body


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/auth/login"),
        ("POST", "/api/auth/register"),
        ("POST", "/api/auth/change-password"),
        ("POST", "/api/user-settings"),
        ("POST", "/api/notifications/settings"),
        ("POST", "/api/nut-servers"),
        ("POST", "/api/nut-servers/test"),
        ("PUT", "/api/users/1"),
    ],
)
async def test_every_json_endpoint_refuses_other_bodies(
    client: Client, admin: Account, method: str, path: str
) -> None:
    status, body, _ = await client.request(
        method,
        path,
        token=admin.token,
        content=b'{"username": "x"}',
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert status == 415 and body["error"] == "unsupported_media_type", body


async def test_the_public_nut_test_before_setup_is_rate_limited(
    client: Client, nut: RealNut, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "PRESETUP_NUT_TESTS_PER_CLIENT", 3)
    monkeypatch.setattr(ratelimit, "PRESETUP_NUT_TESTS_TOTAL", 5)
    closed = free_port()
    # Loopback and private addresses are what a homelab uses: allowed, and really tried.
    status, body, _ = await client.post(
        "/api/nut-servers/test", json={"host": nut.host, "port": nut.port}
    )
    assert status == 200 and body["upsList"] == ["ups1", "ups2"], body
    for _ in range(2):
        status, body, _ = await client.post(
            "/api/nut-servers/test", json={"host": "127.0.0.1", "port": closed}
        )
        assert status == 502 and body["error"] == "unreachable", body
    status, body, resp = await client.post(
        "/api/nut-servers/test", json={"host": "127.0.0.1", "port": closed}
    )
    assert status == 429 and body["error"] == "rate_limited"
    assert 1 <= int(resp.headers["Retry-After"]) <= 61
    # Another client has its own count, but all of them together have a ceiling too.
    other = Client(client.app, client_addr="192.168.1.20")
    for _ in range(2):
        status, _, _ = await other.post(
            "/api/nut-servers/test", json={"host": "127.0.0.1", "port": closed}
        )
        assert status == 502
    third = Client(client.app, client_addr="192.168.1.21")
    status, _, _ = await third.post(
        "/api/nut-servers/test", json={"host": "127.0.0.1", "port": closed}
    )
    assert status == 429


async def test_the_nut_test_of_an_admin_after_setup_is_not_limited_that_way(
    client: Client, admin: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ratelimit, "PRESETUP_NUT_TESTS_PER_CLIENT", 1)
    closed = free_port()
    for _ in range(3):
        status, body, _ = await client.post(
            "/api/nut-servers/test", json={"host": "127.0.0.1", "port": closed}, token=admin.token
        )
        assert status == 502, body


# --- usernames that differ only in case --------------------------------------------------------


async def test_usernames_compare_case_insensitively(
    client: Client, admin: Account, member: Account
) -> None:
    for name in ("ADMIN", "Alice", "alicE"):
        body = {"username": name, "password": "another-pass-1"}
        status, err, _ = await client.post("/api/auth/register", json=body, token=admin.token)
        assert (status, err["message"]) == (409, "Username or email already exists"), name
    assert await User.all().count() == 2
    # Login in any case finds the user (and answers their own spelling).
    status, body = await login(client, "ADMIN")
    assert status == 200 and body["user"]["username"] == "admin"
    assert (await login(client, "Alice"))[0] == 200
    assert await login(client, "ALICE", "wrong-guess") == (401, BAD_LOGIN)
    # Rename: onto someone else's name in another case is refused; your own name's case is fine.
    bob = await make_user("bob")
    status, err, _ = await client.put(
        f"/api/users/{bob.id}", json={"username": "Admin"}, token=admin.token
    )
    assert (status, err["error"]) == (409, "conflict")
    assert (await User.get(id=bob.id)).username == "bob"
    status, body, _ = await client.put(
        f"/api/users/{member.id}", json={"username": "Alice"}, token=member.token
    )
    assert status == 200 and body["user"]["username"] == "Alice"
    assert (await login(client, "alice"))[0] == 200


# On both engines: SQLite's BEGIN IMMEDIATE and PostgreSQL's advisory lock (db/locks.py)
# serialise the check and the write.
async def test_racing_registrations_in_two_cases_make_one_user(
    client: Client, admin: Account
) -> None:
    bodies = [{"username": name, "password": "carol-password"} for name in ("carol", "CAROL")]
    results = await asyncio.gather(
        *(client.post("/api/auth/register", json=b, token=admin.token) for b in bodies)
    )
    assert sorted(r[0] for r in results) == [201, 409]
    assert await User.filter(username__in=["carol", "CAROL"]).count() == 1


async def test_setup_after_a_cli_user_is_refused(client: Client, db: Settings) -> None:
    await create_user(db, "Admin", "pw-1234567", "admin", None)
    status, body, _ = await client.post(
        "/api/auth/setup",
        json={"username": "admin", "password": "correct-horse-1", "nutServer": "h"},
    )
    assert (status, body["error"]) == (400, "setup_completed")


async def test_the_cli_compares_usernames_in_any_case(app: Sanic, db: Settings) -> None:
    await create_user(db, "ops", "pw-1234567", "admin", None)
    with pytest.raises(UserCommandError, match="already exists"):
        await create_user(db, "OPS", "pw-1234567", "user", None)
    user = await reset_password(db, "Ops", "pw-7654321")
    assert user.username == "ops" and user.token_version == 1


# --- section 8: non-admins got an empty battery chart ------------------------------------------


async def test_every_signed_in_user_reads_battery_history(
    client: Client, admin: Account, member: Account
) -> None:
    ups = await add_ups(await add_server(), "ups1")
    status, recorded, _ = await client.post(
        f"/api/debug/record-battery/{ups.id}/87", token=admin.token
    )
    assert status == 201
    status, rows, _ = await client.get(f"/api/debug/battery-history/{ups.id}", token=member.token)
    assert status == 200
    assert rows == [
        {"id": recorded["id"], "ups_id": ups.id, "charge_percent": 87, "timestamp": ANY}
    ]
    # Anonymous callers still get nothing, and recording stays admin only.
    status, body, _ = await client.get(f"/api/debug/battery-history/{ups.id}")
    assert (status, body["error"]) == (401, "no_token")
    status, body, _ = await client.post(
        f"/api/debug/record-battery/{ups.id}/50", token=member.token
    )
    assert (status, body["error"]) == (403, "forbidden")
    status, body, _ = await client.get("/api/debug/battery-history/999", token=member.token)
    assert (status, body["message"]) == (404, "UPS system not found")


# --- changing a NUT server's host kept its stored password -------------------------------------


@pytest.mark.parametrize(
    "move",
    [{"host": "attacker.example"}, {"port": 3494}, {"host": "10.0.0.66", "port": 3493}],
)
@pytest.mark.parametrize("password", [None, "", "   "])  # absent, blank, blank once stripped
async def test_moving_a_nut_server_needs_its_password_again(
    client: Client, admin: Account, move: dict[str, object], password: str | None
) -> None:
    server = await add_server(username="upsmon", password="stored-secret")
    body: dict[str, object] = dict(move)
    if password is not None:
        body["password"] = password
    status, err, _ = await client.put(f"/api/nut-servers/{server.id}", json=body, token=admin.token)
    assert status == 400 and err["field"] == "password", err
    assert "password" in err["message"] and "host or port" in err["message"]
    row = await NutServer.get(id=server.id)
    assert (row.host, row.port, row.password) == ("127.0.0.1", 3493, "stored-secret")


async def test_moving_a_nut_server_with_its_password_or_without_one(
    client: Client, admin: Account, nut: RealNut
) -> None:
    server = await add_server(port=free_port(), username="upsmon", password="stored-secret")
    url = f"/api/nut-servers/{server.id}"
    status, out, _ = await client.put(
        url, json={"host": nut.host, "port": nut.port, "password": "new-secret"}, token=admin.token
    )
    assert status == 200 and out["hasPassword"] is True, out
    assert (await NutServer.get(id=server.id)).password == "new-secret"
    # Dropping the password while moving is fine; so is moving one that has none.
    status, out, _ = await client.put(url, json={"port": 3599, "password": None}, token=admin.token)
    assert status == 200 and out["hasPassword"] is False, out
    status, out, _ = await client.put(url, json={"port": nut.port}, token=admin.token)
    assert status == 200 and out["port"] == nut.port
    # Other changes on the same address keep the stored password as before.
    await NutServer.filter(id=server.id).update(password="kept-secret")
    status, out, _ = await client.put(
        url, json={"host": nut.host, "port": nut.port, "username": "monitor"}, token=admin.token
    )
    assert status == 200 and out["username"] == "monitor"
    assert (await NutServer.get(id=server.id)).password == "kept-secret"


# --- the public version endpoint showed the image, its digest and the socket path --------------


async def test_the_version_endpoint_tells_only_admins_about_the_image(
    client: Client, admin: Account, member: Account
) -> None:
    version = client.app.ctx.settings.version
    for token in (None, member.token, "not-a-token"):  # a stale token counts as none here
        status, body, _ = await client.get("/api/system/version", token=token)
        assert (status, body) == (200, {"version": version}), token
    status, body, _ = await client.get("/api/system/version", token=admin.token)
    assert status == 200 and body["version"] == version
    assert {"imageRef", "imageDigest", "selfUpdate"} <= set(body)
    assert body["selfUpdate"]["possible"] is False  # not in a container here
