"""/api/users: who may see and change whom, the last admin, token revocation."""

from __future__ import annotations

import asyncio

import bcrypt

from powerpulse.api.auth import issue_token
from powerpulse.db.models import User, UserSettings
from tests.api.conftest import PASSWORD, Account, Client, make_user


async def test_list_users_admin_only(client: Client, admin: Account, member: Account) -> None:
    assert (await client.get("/api/users"))[0] == 401
    status, err, _ = await client.get("/api/users", token=member.token)
    assert status == 403 and err == {
        "message": "Administrator access required",
        "error": "forbidden",
    }
    status, body, _ = await client.get("/api/users", token=admin.token)
    assert status == 200
    assert [u["username"] for u in body] == ["admin", "alice"]
    # The seed's fields, and additions: `twoFactor` (two-factor sign-in is on) and `sso` (the
    # account was made by single sign-on).
    seed = {"id", "username", "email", "role", "isAdmin", "created_at"}
    assert set(body[0]) == seed | {"twoFactor", "sso"}
    assert "password_hash" not in str(body)


async def test_get_user_self_or_admin(client: Client, admin: Account, member: Account) -> None:
    status, me, _ = await client.get(f"/api/users/{member.id}", token=member.token)
    assert status == 200
    assert me == {
        "id": member.id,
        "username": "alice",
        "email": "alice@example.com",
        "role": "user",
        "isAdmin": False,
        "created_at": me["created_at"],
        "sso": False,
    }
    assert (await client.get(f"/api/users/{admin.id}", token=member.token))[0] == 403
    assert (await client.get(f"/api/users/{member.id}", token=admin.token))[0] == 200
    for bad in ("999", "abc", "0", "-1", "1.5"):
        status, err, _ = await client.get(f"/api/users/{bad}", token=admin.token)
        assert (status, err) == (404, {"message": "User not found", "error": "not_found"}), bad


async def test_user_edits_own_profile(client: Client, member: Account) -> None:
    change = {"username": "alice2", "email": "a2@example.com"}
    status, body, _ = await client.put(f"/api/users/{member.id}", json=change, token=member.token)
    assert status == 200
    assert body["message"] == "User updated"
    assert body["user"]["username"] == "alice2" and body["user"]["email"] == "a2@example.com"
    row = await User.get(id=member.id)
    assert (row.username, row.email, row.token_version) == ("alice2", "a2@example.com", 0)
    # A username change does not revoke the session.
    assert (await client.get("/api/auth/me", token=member.token))[0] == 200


async def test_user_cannot_change_role_or_others(
    client: Client, admin: Account, member: Account
) -> None:
    url = f"/api/users/{member.id}"
    status, err, _ = await client.put(url, json={"role": "admin"}, token=member.token)
    assert status == 403 and err["message"] == "Only administrators can change user roles"
    assert (await User.get(id=member.id)).role == "user"
    # Sending your unchanged role along with other fields is fine (forms send whole objects).
    same = {"role": "user", "email": "x@example.com"}
    assert (await client.put(url, json=same, token=member.token))[0] == 200
    other = f"/api/users/{admin.id}"
    assert (await client.put(other, json={"email": "p@example.com"}, token=member.token))[0] == 403
    assert (await User.get(id=admin.id)).email == "admin@example.com"


async def test_admin_changes_role_and_revokes(
    client: Client, admin: Account, member: Account
) -> None:
    url = f"/api/users/{member.id}"
    status, err, _ = await client.put(url, json={"role": "superuser"}, token=admin.token)
    assert status == 400 and err["field"] == "role"
    status, body, _ = await client.put(url, json={"role": "admin"}, token=admin.token)
    assert status == 200 and body["user"]["role"] == "admin"
    row = await User.get(id=member.id)
    assert (row.role, row.token_version) == ("admin", 1)
    status, err, _ = await client.get("/api/auth/me", token=member.token)
    assert (status, err["error"]) == (401, "token_revoked")


async def test_update_bad_input(client: Client, admin: Account, member: Account) -> None:
    url = f"/api/users/{member.id}"
    cases = [
        ({}, None),
        ({"email": "nope"}, "email"),
        ({"username": 5}, "username"),
        ({"username": "x" * 65}, "username"),
        ({"password": "new-password-1"}, "password"),
    ]
    for body, field in cases:
        status, err, _ = await client.put(url, json=body, token=admin.token)
        assert status == 400, body
        assert err.get("field") == field, body
    status, err, _ = await client.put(url, json={"username": "admin"}, token=admin.token)
    assert (status, err["message"]) == (409, "Username or email already exists")
    assert (await User.get(id=member.id)).username == "alice"
    status, err, _ = await client.put("/api/users/77", json={"email": ""}, token=admin.token)
    assert status == 404


async def test_last_admin_protected(client: Client, admin: Account, member: Account) -> None:
    url = f"/api/users/{admin.id}"
    status, err, _ = await client.put(url, json={"role": "user"}, token=admin.token)
    assert (status, err["error"]) == (409, "last_admin")
    status, err, _ = await client.delete(url, token=admin.token)
    assert (status, err["message"]) == (409, "Cannot delete the last administrator")
    assert (await User.get(id=admin.id)).role == "admin"
    # With a second admin, the first may step down.
    second = await make_user("second", "admin")
    assert (await client.put(url, json={"role": "user"}, token=admin.token))[0] == 200
    assert (await User.get(id=admin.id)).role == "user"
    assert (await User.filter(role="admin").count(), second.role) == (1, "admin")


async def test_delete_user(client: Client, admin: Account, member: Account) -> None:
    url = f"/api/users/{member.id}"
    assert (await client.delete(url))[0] == 401
    assert (await client.delete(url, token=member.token))[0] == 403
    status, body, _ = await client.delete(url, token=admin.token)
    assert (status, body) == (200, {"message": "User deleted"})
    assert not await User.filter(id=member.id).exists()
    assert not await UserSettings.filter(user_id=member.id).exists()  # cascaded
    status, err, _ = await client.get("/api/auth/me", token=member.token)
    assert (status, err["error"]) == (401, "token_revoked")
    assert (await client.delete(url, token=admin.token))[0] == 404


async def test_admin_resets_password(client: Client, admin: Account, member: Account) -> None:
    url = f"/api/users/{member.id}/password"
    assert (await client.put(url, json={"password": "x"}, token=member.token))[0] == 403
    status, err, _ = await client.put(url, json={"password": "short"}, token=admin.token)
    assert status == 400 and err["field"] == "password"
    status, body, _ = await client.put(url, json={"password": "reset-by-admin"}, token=admin.token)
    assert status == 200 and body["message"] == "Password updated" and "token" not in body
    row = await User.get(id=member.id)
    assert bcrypt.checkpw(b"reset-by-admin", row.password_hash.encode())
    assert row.token_version == 1
    assert (await client.get("/api/auth/me", token=member.token))[0] == 401
    old = {"username": "alice", "password": PASSWORD}
    assert (await client.post("/api/auth/login", json=old))[0] == 401
    new = {"username": "alice", "password": "reset-by-admin"}
    assert (await client.post("/api/auth/login", json=new))[0] == 200


# On both engines: SQLite's BEGIN IMMEDIATE and PostgreSQL's advisory lock (db/locks.py)
# serialise the check and the write.
async def test_two_admins_demoting_each_other_leave_one(client: Client, admin: Account) -> None:
    other = await make_user("other-admin", "admin")
    other_token = issue_token(other, client.app.ctx.jwt_secret)
    results = await asyncio.gather(
        client.put(f"/api/users/{other.id}", json={"role": "user"}, token=admin.token),
        client.put(f"/api/users/{admin.id}", json={"role": "user"}, token=other_token),
    )
    assert sorted(r[0] for r in results) in ([200, 401], [200, 409])
    assert await User.filter(role="admin").count() == 1


async def test_two_admins_deleting_each_other_leave_one(client: Client, admin: Account) -> None:
    other = await make_user("other-admin", "admin")
    other_token = issue_token(other, client.app.ctx.jwt_secret)
    results = await asyncio.gather(
        client.delete(f"/api/users/{other.id}", token=admin.token),
        client.delete(f"/api/users/{admin.id}", token=other_token),
    )
    assert sorted(r[0] for r in results) in ([200, 401], [200, 409])
    assert await User.filter(role="admin").count() == 1
    refused = [body for status, body, _ in results if status == 409]
    assert all(body["error"] == "last_admin" for body in refused)
