"""The audit log (issue 14, section 5): every change and action with who, when, from where and
the subject before and after, secrets masked; filtered, exported and pruned."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import orjson
import pytest
from sanic import Sanic

from powerpulse.api import audit_trail
from powerpulse.api.ratelimit import LoginLimiter
from powerpulse.audit import store
from powerpulse.audit.masking import MASK
from powerpulse.db.models import AuditEntry, NutServer, User
from tests.api.conftest import PASSWORD, Account, Client, add_server, add_ups, make_user

URL = "/api/audit-log"
NUT_SECRET = "nut-pass-0xDEADBEEF"
HOOK_SECRET = "https://discord.com/api/webhooks/1234/very-secret-hook-token"


async def entries(client: Client, admin: Account, query: str = "") -> list[dict[str, Any]]:
    status, page, _ = await client.get(f"{URL}?{query}", token=admin.token)
    assert status == 200, page
    return list(page["entries"])


async def no_secret_stored(*secrets: str) -> None:
    stored = orjson.dumps(await AuditEntry.all().values()).decode()
    for secret in secrets:
        assert secret not in stored, secret


async def test_sign_ins_and_their_failures_are_recorded(client: Client, admin: Account) -> None:
    await make_user("olga", "viewer")
    assert (await client.post("/api/auth/login", json={"username": "olga", "password": "no!"}))[
        0
    ] == 401
    status, _, _ = await client.post(
        "/api/auth/login", json={"username": "olga", "password": PASSWORD}
    )
    assert status == 200
    # Any case signs in: the entry names the account as it is spelled.
    status, _, _ = await client.post(
        "/api/auth/login", json={"username": "OLGA", "password": PASSWORD}
    )
    assert status == 200
    found = await entries(client, admin, "action=auth.login")
    assert [(e["username"], e["status"]) for e in found] == [
        ("olga", 200),
        ("olga", 200),
        ("olga", 401),
    ]
    olga = await User.get(username="olga")
    assert found[0]["userId"] == found[1]["userId"] == olga.id and found[2]["userId"] is None
    # Anyone can send these: only the name claimed is kept, not a body of their choosing.
    assert found[2]["address"] == "127.0.0.1" and found[2]["request"] == {"username": "olga"}
    await no_secret_stored(PASSWORD, "no!")


async def test_anonymous_noise_is_not_recorded(client: Client, admin: Account) -> None:
    body = {"username": "mallory", "password": "long-enough-1", "padding": "x" * 30_000}
    assert (await client.post("/api/auth/register", json=body))[0] == 401
    client.app.ctx.login_limiter = LoginLimiter(per_pair=2, per_client=100)
    statuses = [
        (await client.post("/api/auth/login", json={"username": "x", "password": "y"}))[0]
        for _ in range(4)
    ]
    assert statuses == [401, 401, 429, 429]
    recorded = await AuditEntry.all()
    assert [(e.action, e.status) for e in recorded] == [("auth.login", 401)] * 2
    assert "padding" not in orjson.dumps([e.request for e in recorded]).decode()


async def test_a_server_change_keeps_what_changed_with_its_password_masked(
    client: Client, admin: Account
) -> None:
    server = await add_server(host="10.0.0.5", username="mon", password=NUT_SECRET)
    status, _, _ = await client.put(
        f"/api/nut-servers/{server.id}",
        json={"host": "10.0.0.6", "port": 3493, "username": "mon", "password": "new-" + NUT_SECRET},
        token=admin.token,
    )
    assert status == 200
    (entry,) = await entries(client, admin, "action=nut_servers.")
    assert entry["action"] == "nut_servers.update_server" and entry["method"] == "PUT"
    assert (entry["username"], entry["userId"], entry["status"]) == ("admin", admin.id, 200)
    assert (entry["targetType"], entry["targetId"]) == ("nut_servers", str(server.id))
    assert entry["before"]["host"] == "10.0.0.5" and entry["after"]["host"] == "10.0.0.6"
    assert entry["before"]["password"] == MASK and entry["after"]["password"] == MASK
    assert "port" not in entry["after"]  # unchanged fields are left out
    assert entry["request"]["password"] == MASK
    # Deleting keeps the whole row as it was.
    assert (await client.delete(f"/api/nut-servers/{server.id}", token=admin.token))[0] == 200
    deleted = (await entries(client, admin, "action=nut_servers.delete_server"))[0]
    assert deleted["before"]["host"] == "10.0.0.6" and deleted["after"] is None
    assert deleted["targetName"] is None or isinstance(deleted["targetName"], str)
    await no_secret_stored(NUT_SECRET)


async def test_a_role_change_and_a_created_user_are_recorded(
    client: Client, admin: Account, member: Account
) -> None:
    status, _, _ = await client.put(
        f"/api/users/{member.id}", json={"role": "viewer"}, token=admin.token
    )
    assert status == 200
    (entry,) = await entries(client, admin, "action=users.")
    assert entry["before"]["role"] == "user" and entry["after"]["role"] == "viewer"
    assert entry["targetName"] == "alice"
    status, made, _ = await client.post(
        "/api/auth/register",
        json={"username": "newbie", "password": "long-enough-1", "role": "operator"},
        token=admin.token,
    )
    assert status in (200, 201), made
    created = (await entries(client, admin, "action=auth.register"))[0]
    assert created["targetName"] == "newbie" and created["before"] is None
    assert created["username"] == "admin"  # who made it, not who was made
    assert created["after"]["role"] == "operator" and created["after"]["password_hash"] == MASK
    assert created["request"]["password"] == MASK
    await no_secret_stored("long-enough-1")


async def test_a_channel_secret_is_masked_by_its_service(client: Client, member: Account,
                                                         admin: Account) -> None:  # fmt: skip
    body = {"kind": "discord", "name": "Ops", "config": {"url": HOOK_SECRET}}
    status, made, _ = await client.post("/api/notification-channels", json=body, token=member.token)
    assert status == 201, made
    (entry,) = await entries(client, admin, "user=alice")
    assert entry["action"] == "notification_channels.create_channel"
    assert entry["request"]["config"]["url"] == MASK
    assert entry["after"]["config"]["url"] == MASK and entry["after"]["name"] == "Ops"
    await no_secret_stored(HOOK_SECRET, "very-secret-hook-token")


async def test_settings_mutes_and_token_actions_are_recorded(
    app: Sanic, client: Client, admin: Account
) -> None:
    status, _, _ = await client.put(
        "/api/system/settings", json={"audit_retention_days": 90}, token=admin.token
    )
    assert status == 200
    (entry,) = await entries(client, admin, "action=system_settings.put_settings")
    assert entry["targetType"] == "settings" and entry["after"]["audit_retention_days"] == 90
    # An action with an API token names the token.
    _, made, _ = await client.post(
        "/api/auth/tokens", json={"name": "ops-script", "scope": "role"}, token=admin.token
    )
    token = str(made["token"])
    server = await add_server()
    ups = await add_ups(server, "ups1")
    status, _, _ = await client.post(
        f"/api/ups-systems/{ups.id}/mute", json={"minutes": 10}, token=token
    )
    assert status == 200
    muted = (await entries(client, admin, "user=admin&action=ups_alerting."))[0]
    assert muted["tokenName"] == "ops-script" and muted["tokenId"] == made["id"]
    assert muted["targetType"] == "ups_systems" and muted["targetName"] == "ups1"
    assert muted["request"] == {"minutes": 10}
    # Making the token is recorded too, without the token.
    minted = (await entries(client, admin, "action=access.create_token"))[0]
    assert minted["after"]["name"] == "ops-script" and minted["after"]["token_hash"] == MASK
    await no_secret_stored(token)


async def test_refused_changes_are_recorded_and_filtered(
    client: Client, admin: Account, member: Account
) -> None:
    status, _, _ = await client.delete(f"/api/users/{admin.id}", token=member.token)
    assert status == 403
    status, _, _ = await client.put(
        "/api/system/settings", json={"audit_retention_days": 1}, token=admin.token
    )
    assert status == 400
    failed = await entries(client, admin, "failed=true")
    assert {(e["username"], e["status"]) for e in failed} == {("alice", 403), ("admin", 400)}
    assert await entries(client, admin, "failed=false") == []
    # Anonymous refusals are not changes: nothing recorded.
    assert (await client.delete(f"/api/users/{admin.id}"))[0] == 401
    assert len(await entries(client, admin)) == 2


async def test_only_admins_read_it_and_bad_filters_are_clear_errors(
    client: Client, admin: Account, member: Account
) -> None:
    assert (await client.get(URL))[0] == 401
    assert (await client.get(URL, token=member.token))[0] == 403
    for query, field in (
        ("from=yesterday", "from"),
        ("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("cursor=-1", "cursor"),
        ("failed=maybe", "failed"),
        ("action=" + "x" * 97, "action"),
        ("user=" + "x" * 65, "user"),
    ):
        status, err, _ = await client.get(f"{URL}?{query}", token=admin.token)
        assert status == 400 and err["field"] == field, (query, err)
    # Reading the log is not itself a change.
    assert await AuditEntry.all().count() == 0


async def test_time_range_paging_and_export(client: Client, admin: Account) -> None:
    now = store.utcnow()
    for days in (40, 20, 1):
        await store.write(store.Entry(action="system.test", at=now - timedelta(days=days)))
    await store.write(store.Entry(action="system.test", username="x", target_name="=cmd()"))
    since = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(await entries(client, admin, f"from={since}")) == 3
    until = (now - timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(await entries(client, admin, f"from={since}&to={until}")) == 1
    _, first, _ = await client.get(f"{URL}?limit=3", token=admin.token)
    _, rest, _ = await client.get(f"{URL}?limit=3&cursor={first['nextCursor']}", token=admin.token)
    ids = [e["id"] for e in first["entries"] + rest["entries"]]
    assert len(ids) == 4 == len(set(ids)) and ids == sorted(ids, reverse=True)
    assert rest["nextCursor"] is None
    status, text, response = await client.get(f"{URL}?format=csv", token=admin.token)
    assert status == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(str(text).lstrip("\ufeff"))))
    assert len(rows) == 4 and rows[0]["targetName"] == "'=cmd()"  # a formula is never run
    status, as_json, _ = await client.get(f"{URL}?format=json&from={since}", token=admin.token)
    assert status == 200 and [e["action"] for e in as_json] == ["system.test"] * 3


async def test_retention_drops_old_entries_only(app: Sanic) -> None:
    now = store.utcnow()
    for days in (400, 100, 0):
        await store.write(store.Entry(action="system.test", at=now - timedelta(days=days)))
    assert await store.prune(now, 365) == 1
    assert await AuditEntry.all().count() == 2
    assert await store.prune(now, 30) == 1


async def test_a_failing_audit_write_never_fails_the_change(
    client: Client, admin: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(**_: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditEntry, "create", broken)
    status, _, _ = await client.put(
        "/api/system/settings", json={"audit_retention_days": 120}, token=admin.token
    )
    assert status == 200


def test_every_named_route_exists(app: Sanic) -> None:
    """The action names the tables use are routes the app has (a renamed handler fails here)."""
    names = set()
    for route in app.router.routes:
        parts = route.name.split(".")
        area = parts[-2]
        for suffix in audit_trail.ALIAS_SUFFIXES:
            area = area.removesuffix(suffix)
        names.add(f"{area}.{parts[-1]}")
    named = {*audit_trail.SETTINGS, *audit_trail.NOT_RECORDED, *audit_trail.ANONYMOUS_ACTIONS}
    named |= {k for k in audit_trail.CREATED if "." in k}
    assert named <= names, named - names
    areas = {n.split(".")[0] for n in names}
    assert set(audit_trail.CREATED) - {k for k in audit_trail.CREATED if "." in k} <= areas
    scoped = {k.split(".")[0] for k in audit_trail.SUBJECTS if "." in k}
    assert scoped <= areas


async def test_a_server_created_through_discovery_names_its_row(
    client: Client, admin: Account
) -> None:
    server = await add_server(host="10.1.1.1")
    await NutServer.filter(id=server.id).update(host="10.1.1.2")
    status, _, _ = await client.post(f"/api/nut-servers/{server.id}/rescan", token=admin.token)
    found = await entries(client, admin)
    assert found and found[0]["action"].endswith("rescan") and found[0]["status"] == status
    assert found[0]["before"] is None and found[0]["after"] is None  # nothing changed the row
