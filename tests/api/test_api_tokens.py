"""Personal API tokens and the new roles (issue 14, sections 1 and 2): shown once, hashed at
rest, scoped, expiring, revocable, last use recorded; viewers and operators where the seed
sets roles."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sanic import Sanic

from powerpulse.api import token_store
from powerpulse.api.auth import issue_token
from powerpulse.db.models import ApiToken, User
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, make_user


async def _make(client: Client, token: str, **body: object) -> tuple[int, dict[str, object]]:
    status, made, _ = await client.post("/api/auth/tokens", json={"name": "t", **body}, token=token)
    return status, made


async def test_a_token_is_shown_once_and_only_its_hash_is_stored(
    client: Client, member: Account
) -> None:
    status, made = await _make(client, member.token, name="grafana", expiresInDays=30)
    assert status == 201, made
    secret = str(made["token"])
    assert secret.startswith("pp_") and len(secret) >= 40
    assert made["name"] == "grafana" and made["scope"] == "read" and made["expired"] is False
    assert made["prefix"] == secret[:10] and made["lastUsedAt"] is None
    row = await ApiToken.get(id=made["id"])
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(await ApiToken.all().values())  # nowhere in the row
    expires = row.expires_at
    assert expires is not None and abs((expires - utcnow()).days - 30) <= 1
    status, listed, _ = await client.get("/api/auth/tokens", token=member.token)
    assert status == 200 and [t["id"] for t in listed] == [made["id"]]
    assert "token" not in listed[0] and secret not in str(listed)


async def test_a_read_token_reads_with_its_owners_rights_and_changes_nothing(
    client: Client, admin: Account
) -> None:
    _, made = await _make(client, admin.token)
    read = str(made["token"])
    assert (await client.get("/api/ups-systems", token=read))[0] == 200
    assert (await client.get("/api/users", token=read))[0] == 200  # its admin owner may read it
    status, body, _ = await client.post("/api/nut-servers", json={"host": "10.0.0.9"}, token=read)
    assert (status, body["message"]) == (403, "This API token can only read"), body
    status, body, _ = await client.post(
        "/api/auth/change-password",
        json={"currentPassword": "x", "newPassword": "y" * 12},
        token=read,
    )
    assert status == 403, body
    # A stream ticket only reads: a wall screen with a read token may open the live stream.
    status, body, _ = await client.post("/api/stream/ticket", json={}, token=read)
    assert status in (200, 201), body


async def test_a_role_token_follows_its_owners_role_as_it_changes(
    app: Sanic, client: Client, admin: Account
) -> None:
    olga = await make_user("olga", "operator")
    session = issue_token(olga, app.ctx.jwt_secret)
    _, made = await _make(client, session, scope="role")
    token = str(made["token"])
    assert (await client.post("/api/ups-systems/mute", json={"minutes": 5}, token=token))[0] == 200
    status, _, _ = await client.put(
        f"/api/users/{olga.id}", json={"role": "viewer"}, token=admin.token
    )
    assert status == 200
    status, body, _ = await client.post("/api/ups-systems/mute", json={"minutes": 5}, token=token)
    assert (status, body["message"]) == (403, "Operator access required"), body
    assert (await client.get("/api/ups-systems", token=token))[0] == 200


async def test_tokens_cannot_manage_tokens(client: Client, member: Account) -> None:
    _, made = await _make(client, member.token, scope="role")
    token = str(made["token"])
    for method, path in (
        ("GET", "/api/auth/tokens"),
        ("POST", "/api/auth/tokens"),
        ("DELETE", f"/api/auth/tokens/{made['id']}"),
    ):
        status, body, _ = await client.request(method, path, json={"name": "x"}, token=token)
        assert status == 403 and "log in with a password" in body["message"], (path, body)


async def test_an_expired_token_is_refused_and_listed_as_expired(
    client: Client, member: Account
) -> None:
    _, made = await _make(client, member.token, expiresInDays=1)
    token = str(made["token"])
    assert (await client.get("/api/ups-systems", token=token))[0] == 200
    await ApiToken.filter(id=made["id"]).update(expires_at=utcnow() - timedelta(seconds=1))
    token_store.forget()
    status, body, _ = await client.get("/api/ups-systems", token=token)
    assert (status, body["error"]) == (401, "token_expired"), body
    _, listed, _ = await client.get("/api/auth/tokens", token=member.token)
    assert listed[0]["expired"] is True


async def test_a_revoked_token_stops_at_once_and_only_its_owner_or_an_admin_revokes(
    app: Sanic, client: Client, admin: Account, member: Account
) -> None:
    _, made = await _make(client, member.token)
    token, token_id = str(made["token"]), made["id"]
    bob = issue_token(await make_user("bob"), app.ctx.jwt_secret)
    assert (await client.delete(f"/api/auth/tokens/{token_id}", token=bob))[0] == 404
    assert (await client.get("/api/ups-systems", token=token))[0] == 200
    status, body, _ = await client.delete(f"/api/auth/tokens/{token_id}", token=member.token)
    assert (status, body["message"]) == (200, "API token 't' revoked"), body
    status, body, _ = await client.get("/api/ups-systems", token=token)
    assert (status, body["error"]) == (401, "invalid_token"), body
    # An admin sees and revokes someone else's tokens.
    _, again = await _make(client, member.token, name="second")
    status, listed, _ = await client.get(f"/api/auth/tokens?user={member.id}", token=admin.token)
    assert status == 200 and [t["name"] for t in listed] == ["second"]
    assert (await client.get(f"/api/auth/tokens?user={admin.id}", token=member.token))[0] == 403
    assert (await client.delete(f"/api/auth/tokens/{again['id']}", token=admin.token))[0] == 200
    assert await ApiToken.filter(user_id=member.id).count() == 0


async def test_deleting_the_owner_ends_their_tokens(
    client: Client, admin: Account, member: Account
) -> None:
    _, made = await _make(client, member.token)
    assert (await client.delete(f"/api/users/{member.id}", token=admin.token))[0] == 200
    token_store.forget()
    assert (await client.get("/api/ups-systems", token=str(made["token"])))[0] == 401
    assert await ApiToken.all().count() == 0


async def test_last_use_is_recorded_with_the_address(client: Client, member: Account) -> None:
    _, made = await _make(client, member.token)
    assert (await client.get("/api/ups-systems", token=str(made["token"])))[0] == 200
    row = await ApiToken.get(id=made["id"])
    assert row.last_used_at is not None and row.last_used_ip == "127.0.0.1"
    _, listed, _ = await client.get("/api/auth/tokens", token=member.token)
    assert listed[0]["lastUsedFrom"] == "127.0.0.1" and listed[0]["lastUsedAt"]


async def test_bad_token_requests_are_clear_errors(
    client: Client, admin: Account, member: Account
) -> None:
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "expiresInDays": 0}, "expiresInDays"),
        ({"name": "x", "expiresInDays": "soon"}, "expiresInDays"),
        ({"name": "x" * 101}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x", "scope": ["read"]}, "scope"),
        ({"name": "x", "scope": {"read": 1}}, "scope"),
        ({"name": "x", "expiresInDays": 1e300}, "expiresInDays"),
        ({"name": "x", "expiresInDays": True}, "expiresInDays"),
    ]
    for body, field in cases:
        status, err, _ = await client.post("/api/auth/tokens", json=body, token=member.token)
        assert status == 400 and err["field"] == field, (body, err)
    for bogus in (b"pp_", b"pp_nope", "pp_\u00e9\u00e9".encode(), b"pp_\xff\xfe"):
        status, err, _ = await client.get(
            "/api/ups-systems",
            headers={"Authorization": b"Bearer " + bogus},  # type: ignore[dict-item]
        )
        assert status == 401, (bogus, err)
    for user in ("abc", "99999999999999999999", "424242"):  # ids that name no one: not found
        status, _, _ = await client.get(f"/api/auth/tokens?user={user}", token=admin.token)
        assert status == 404, user
    for token_id in ("abc", "99999999999999999999", "-1"):
        status, _, _ = await client.delete(f"/api/auth/tokens/{token_id}", token=member.token)
        assert status in (400, 404), token_id
    assert await ApiToken.all().count() == 0


async def test_metrics_take_a_read_token_when_metrics_token_is_set(
    app: Sanic, client: Client, member: Account
) -> None:
    app.ctx.settings = type(app.ctx.settings)(
        **{**app.ctx.settings.__dict__, "metrics_token": "scrape-secret"}
    )
    _, made = await _make(client, member.token)
    assert (await client.get("/metrics"))[0] == 401
    assert (await client.get("/metrics", token="scrape-secret"))[0] == 200
    assert (await client.get("/metrics", token=str(made["token"])))[0] == 200
    status, body, _ = await client.get("/metrics", token="pp_forged")
    assert (status, body["error"]) == (401, "invalid_token"), body


async def test_roles_are_set_where_the_seed_sets_them(client: Client, admin: Account) -> None:
    status, body, _ = await client.get("/api/auth/roles", token=admin.token)
    assert status == 200
    assert [r["role"] for r in body["roles"]] == ["viewer", "user", "operator", "admin"]
    status, made, _ = await client.post(
        "/api/auth/register",
        json={"username": "helpdesk", "password": "long-enough-pw", "role": "viewer"},
        token=admin.token,
    )
    assert status == 201 and made["user"]["role"] == "viewer", made
    uid = made["user"]["id"]
    status, body, _ = await client.put(
        f"/api/users/{uid}", json={"role": "operator"}, token=admin.token
    )
    assert status == 200 and body["user"]["role"] == "operator", body
    assert (await User.get(id=uid)).role == "operator"
    status, err, _ = await client.put(f"/api/users/{uid}", json={"role": "root"}, token=admin.token)
    assert (status, err["message"]) == (
        400,
        "role must be one of: viewer, user, operator, admin",
    ), err


async def test_a_viewer_changes_only_their_own_password_and_settings(
    app: Sanic, client: Client
) -> None:
    viewer = await make_user("helpdesk", "viewer")
    token = issue_token(viewer, app.ctx.jwt_secret)
    status, me, _ = await client.get(f"/api/users/{viewer.id}", token=token)
    assert status == 200 and me["role"] == "viewer" and me["isAdmin"] is False
    status, body, _ = await client.post(
        "/api/user-settings", json={"inactivity_timeout": 60}, token=token
    )
    assert status == 200, body
    status, body, _ = await client.put(
        f"/api/users/{viewer.id}", json={"email": "h@example.com"}, token=token
    )
    assert (status, body["message"]) == (403, "Viewers can only read"), body
    status, body, _ = await client.post(
        "/api/auth/change-password",
        json={"currentPassword": "correct-horse-1", "newPassword": "another-horse-2"},
        token=token,
    )
    assert status == 200, body
