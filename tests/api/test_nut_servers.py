"""/api/nut-servers (+ aliases): CRUD, discovery and connection tests against a real upsd."""

from __future__ import annotations

import time
from collections.abc import Callable

import orjson

from powerpulse.db import counters
from powerpulse.db.models import NutServer, Sample, UpsLiveState, UpsSystem, User
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import NUT_PASSWORD, NUT_USER, free_port
from tests.support.nut_server import NutServer as RealNut


def no_secret(body: object) -> None:
    text = orjson.dumps(body).decode()
    assert NUT_PASSWORD not in text and 'password"' not in text.replace("hasPassword", "")


async def test_create_discovers_ups(client: Client, admin: Account, nut: RealNut) -> None:
    before = await counters.read(counters.CONFIG)
    body = {"host": nut.host, "port": nut.port, "username": NUT_USER, "password": NUT_PASSWORD}
    status, out, _ = await client.post("/api/nut-servers", json=body, token=admin.token)
    assert status == 201, out
    server = await NutServer.get(id=out["id"])
    ups = await UpsSystem.filter(nut_server_id=server.id).order_by("id")
    assert out == {
        "message": "NUT server created",
        "id": server.id,
        "host": nut.host,
        "port": nut.port,
        "username": NUT_USER,
        "hasPassword": True,
        "starttls": False,
        "autoAdd": True,
        "site": None,
        "updated_at": out["updated_at"],
        "upsSystemsDiscovered": 2,
        "upsSystemsAdded": [
            {"id": u.id, "name": u.name, "upsName": u.ups_name, "nutServerId": server.id}
            for u in ups
        ],
    }
    assert [u.ups_name for u in ups] == ["ups1", "ups2"]
    assert server.password == NUT_PASSWORD
    assert await counters.read(counters.CONFIG) >= before + 2
    no_secret(out)
    # Duplicate host+port → 409, nothing added.
    status, err, _ = await client.post("/api/nut-servers", json=body, token=admin.token)
    assert status == 409 and err["error"] == "conflict"
    assert await NutServer.all().count() == 1


async def test_create_inserts_only_new_pairs(
    client: Client, admin: Account, nut_factory: Callable[..., RealNut]
) -> None:
    real = nut_factory(["ups1", "ups2", "ups3"])
    body = {"host": real.host, "port": real.port}
    status, out, _ = await client.post("/api/nut-servers", json=body, token=admin.token)
    assert status == 201 and out["upsSystemsDiscovered"] == 3
    server = await NutServer.get(id=out["id"])
    await UpsSystem.filter(nut_server_id=server.id, ups_name="ups2").delete()
    from powerpulse.api import discovery

    again = await discovery.discover(server, timeout=2)
    assert again.found == ["ups1", "ups2", "ups3"]
    assert [u.ups_name for u in again.added] == ["ups2"]
    assert await UpsSystem.filter(nut_server_id=server.id).count() == 3


async def test_create_unreachable_reports_error(client: Client, admin: Account) -> None:
    body = {"host": "127.0.0.1", "port": free_port()}
    status, out, _ = await client.post("/api/nut-servers", json=body, token=admin.token)
    assert status == 201
    assert (out["upsSystemsDiscovered"], out["upsSystemsAdded"]) == (0, [])
    assert out["discoveryError"]["code"] == "unreachable"
    assert await NutServer.filter(id=out["id"]).exists()


async def test_roles(client: Client, admin: Account, member: Account) -> None:
    server = await add_server(password="hidden-pass-1")
    body = {"host": "10.1.1.1"}
    assert (await client.get("/api/nut-servers"))[0] == 401
    assert (await client.post("/api/nut-servers", json=body))[0] == 401
    for method, path in [
        ("POST", "/api/nut-servers"),
        ("PUT", f"/api/nut-servers/{server.id}"),
        ("DELETE", f"/api/nut-servers/{server.id}"),
        ("POST", f"/api/nut-servers/{server.id}/test"),
        ("POST", "/api/nut-servers/test"),
    ]:
        status, err, _ = await client.request(method, path, json=body, token=member.token)
        assert (status, err["error"]) == (403, "forbidden"), (method, path)
    assert (await NutServer.get(id=server.id)).host == "127.0.0.1"
    status, listed, _ = await client.get("/api/nut-servers", token=member.token)
    assert status == 200 and [s["id"] for s in listed] == [server.id]
    assert listed[0]["hasPassword"] is True
    no_secret(listed)


async def test_get_list_and_reachability(client: Client, member: Account) -> None:
    server = await add_server(username="mon", password="hidden-pass-1")
    ups = await add_ups(server, "ups1")
    status, one, _ = await client.get(f"/api/nut-servers/{server.id}", token=member.token)
    assert status == 200
    assert one == {
        "id": server.id,
        "host": "127.0.0.1",
        "port": 3493,
        "username": "mon",
        "hasPassword": True,
        "starttls": False,
        "autoAdd": True,
        "site": None,
        "updated_at": one["updated_at"],
        "reachable": None,
        "lastChecked": None,
        "error": None,
        "pollerMissing": True,  # no poller runs in this test
    }
    assert one["updated_at"].endswith("Z")
    await write_live(ups, {"ups.status": "OL"})
    one = (await client.get(f"/api/nut-servers/{server.id}", token=member.token))[1]
    assert one["reachable"] is True and one["lastChecked"].endswith("Z")
    await write_live(
        ups, {"ups.status": "OL"}, error_code="unreachable", error_message="connection refused"
    )
    listed = (await client.get("/api/nut-servers", token=member.token))[1]
    assert listed[0]["reachable"] is False
    assert listed[0]["error"] == {"code": "unreachable", "message": "connection refused"}
    for alias in ("/api/nut/servers", "/api/nut"):
        assert (await client.get(alias, token=member.token))[1] == listed
        got = await client.get(f"{alias}/{server.id}", token=member.token)
        assert got[1]["id"] == server.id
    for bad in ("999", "abc"):
        status, err, _ = await client.get(f"/api/nut-servers/{bad}", token=member.token)
        assert (status, err["message"]) == (404, "NUT server not found")


async def test_update_password_semantics(client: Client, admin: Account) -> None:
    server = await add_server(username="mon", password="old-secret")
    url = f"/api/nut-servers/{server.id}"
    # Same host and port, blank password: the stored one stays.
    status, out, _ = await client.put(
        url, json={"host": "127.0.0.1", "port": 3493, "username": "mon", "password": ""},
        token=admin.token,
    )  # fmt: skip
    assert status == 200 and out["hasPassword"] is True, out
    assert (await NutServer.get(id=server.id)).password == "old-secret"
    # A new host or port needs the password again (tests/review/test_red_team.py).
    status, out, _ = await client.put(
        url, json={"host": "nut.local", "port": 3500, "password": "old-secret"}, token=admin.token
    )
    assert status == 200
    assert out["message"] == "NUT server updated"
    assert (out["id"], out["host"], out["port"], out["username"]) == (
        server.id,
        "nut.local",
        3500,
        "mon",
    )
    row = await NutServer.get(id=server.id)
    assert (row.host, row.port, row.password) == ("nut.local", 3500, "old-secret")
    await client.put(url, json={"password": "new-secret"}, token=admin.token)
    assert (await NutServer.get(id=server.id)).password == "new-secret"
    status, out, _ = await client.put(url, json={"password": None}, token=admin.token)
    assert out["hasPassword"] is False
    assert (await NutServer.get(id=server.id)).password is None
    no_secret(out)


async def test_update_bad_input_and_conflict(client: Client, admin: Account) -> None:
    server = await add_server()
    other = await add_server(host="10.0.0.2")
    url = f"/api/nut-servers/{server.id}"
    for body, field in [
        ({"port": 0}, "port"),
        ({"port": "x"}, "port"),
        ({"host": "bad host"}, "host"),
        ({"host": ""}, "host"),
        ({"starttls": "maybe"}, "starttls"),
        ({"username": 5}, "username"),
    ]:
        status, err, _ = await client.put(url, json=body, token=admin.token)
        assert (status, err["field"]) == (400, field), body
    status, err, _ = await client.put(url, json={"host": "10.0.0.2"}, token=admin.token)
    assert status == 409
    assert (await NutServer.get(id=server.id)).host == "127.0.0.1"
    assert other.id != server.id
    assert (await client.put("/api/nut-servers/404", json={}, token=admin.token))[0] == 404
    status, err, _ = await client.post("/api/nut-servers", json={"port": 1}, token=admin.token)
    assert (status, err["message"]) == (400, "Server host is required")


async def test_delete_cascades(client: Client, admin: Account) -> None:
    server = await add_server()
    keep = await add_server(host="10.9.9.9")
    ups1, ups2 = await add_ups(server, "ups1"), await add_ups(server, "ups2")
    kept = await add_ups(keep, "ups1")
    await write_live(ups1, {"ups.status": "OL"})
    await Sample.create(ups=ups1, timestamp=utcnow(), charge=90)
    status, out, _ = await client.delete(f"/api/nut-servers/{server.id}", token=admin.token)
    assert status == 200
    assert out == {
        "message": "NUT server deleted",
        "deletedUpsSystems": [{"id": ups1.id, "name": "ups1"}, {"id": ups2.id, "name": "ups2"}],
    }
    assert not await NutServer.filter(id=server.id).exists()
    assert await UpsSystem.all().values_list("id", flat=True) == [kept.id]
    assert await UpsLiveState.all().count() == 0 and await Sample.all().count() == 0
    assert (await client.delete(f"/api/nut-servers/{server.id}", token=admin.token))[0] == 404


async def test_test_saved_server(client: Client, admin: Account, nut: RealNut) -> None:
    server = await add_server(port=nut.port, username=NUT_USER, password=NUT_PASSWORD)
    status, out, _ = await client.post(f"/api/nut-servers/{server.id}/test", token=admin.token)
    assert (status, out) == (200, {"message": "Connection successful", "upsList": ["ups1", "ups2"]})
    nut.stop_upsd()
    status, err, _ = await client.post(f"/api/nut-servers/{server.id}/test", token=admin.token)
    assert status == 502 and err["error"] == "unreachable"
    assert err["message"].startswith("Connection failed")
    no_secret(err)


async def test_test_times_out(client: Client, admin: Account) -> None:
    """A server that accepts but never answers is cut off after NUT_TIMEOUT (2 s in tests)."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        port = silent.getsockname()[1]
        started = time.monotonic()
        status, err, _ = await client.post(
            "/api/nut-servers/test", json={"host": "127.0.0.1", "port": port}, token=admin.token
        )
        elapsed = time.monotonic() - started
    assert status == 502 and err["error"] == "timeout"
    assert elapsed < 8


async def test_test_before_saving(client: Client, nut: RealNut) -> None:
    body = {"host": nut.host, "port": nut.port, "username": NUT_USER, "password": NUT_PASSWORD}
    # Public while setup is not done (the wizard tests before it has an account)...
    status, out, _ = await client.post("/api/nut-servers/test", json=body)
    assert (status, out["upsList"]) == (200, ["ups1", "ups2"])
    assert (await client.post("/api/nut/test", json=body))[0] == 200
    assert await NutServer.all().count() == 0  # nothing saved
    status, err, _ = await client.post("/api/nut-servers/test", json={"port": nut.port})
    assert (status, err["field"]) == (400, "host")
    # ...and admin-only afterwards.
    await User.create(username="a", password_hash="x", role="admin")
    status, err, _ = await client.post("/api/nut-servers/test", json=body)
    assert (status, err["error"]) == (401, "no_token")
