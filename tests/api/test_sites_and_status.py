"""NUT server sites (`site`, `pollerMissing`) and `GET /api/system/status`."""

from __future__ import annotations

from datetime import timedelta

from powerpulse.api import schemas
from powerpulse.db.models import ApiInstance, NutServer, Poller, PollerLease
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server


async def _poller(pid: int, sites: list[str], age: float = 0.0) -> Poller:
    at = utcnow() - timedelta(seconds=age)
    return await Poller.create(
        id=f"host-{pid}:{pid}:ab", host=f"host-{pid}", pid=pid, sites=sites,
        started_at=at, heartbeat_at=at,
    )  # fmt: skip


async def test_site_is_validated_stored_and_cleared(client: Client, admin: Account) -> None:
    body = {"host": "127.0.0.1", "port": 1, "site": "lab-2.paris_B"}
    status, out, _ = await client.post("/api/nut-servers", json=body, token=admin.token)
    assert status == 201 and out["site"] == "lab-2.paris_B"
    sid = out["id"]
    for bad in ("a b", "x" * 65, "é", "../x", 5, ["a"], {"a": 1}, True):
        for method, path, extra in (
            (client.post, "/api/nut-servers", {"host": "127.0.0.1", "port": 2}),
            (client.put, f"/api/nut-servers/{sid}", {}),
        ):
            status, err, _ = await method(path, json={**extra, "site": bad}, token=admin.token)
            assert (status, err.get("field")) == (400, "site"), (bad, status, err)
    assert (await NutServer.get(id=sid)).site == "lab-2.paris_B"
    assert await NutServer.all().count() == 1
    status, out, _ = await client.put(
        f"/api/nut-servers/{sid}", json={"site": "x" * 64}, token=admin.token
    )
    assert status == 200 and out["site"] == "x" * 64
    status, out, _ = await client.put(f"/api/nut-servers/{sid}", json={}, token=admin.token)
    assert out["site"] == "x" * 64  # absent keeps it
    for clear in (None, "", "  "):
        await client.put(f"/api/nut-servers/{sid}", json={"site": "a"}, token=admin.token)
        status, out, _ = await client.put(
            f"/api/nut-servers/{sid}", json={"site": clear}, token=admin.token
        )
        assert status == 200 and out["site"] is None
    schemas.validator(schemas.NutServerUpdated).validate_python(out, strict=True)


async def test_poller_missing_follows_live_pollers_and_their_sites(
    client: Client, member: Account
) -> None:
    paris = await add_server(port=1, site="paris")
    lyon = await add_server(port=2, site="lyon")
    nosite = await add_server(port=3)

    async def missing() -> dict[int, bool]:
        status, listed, _ = await client.get("/api/nut-servers", token=member.token)
        assert status == 200
        return {s["id"]: s["pollerMissing"] for s in listed}

    assert await missing() == {paris.id: True, lyon.id: True, nosite.id: True}
    await _poller(1, ["paris"])
    await _poller(2, [], age=3600)  # dead: its heartbeat is older than a lease
    assert await missing() == {paris.id: False, lyon.id: True, nosite.id: True}
    await _poller(3, [])  # no sites: takes every server
    assert await missing() == {paris.id: False, lyon.id: False, nosite.id: False}
    status, one, _ = await client.get(f"/api/nut-servers/{lyon.id}", token=member.token)
    assert status == 200 and one["pollerMissing"] is False
    schemas.validator(schemas.NutServer).validate_python(one, strict=True)


async def test_system_status_lists_pollers_leases_and_api_instances(
    client: Client, admin: Account, member: Account
) -> None:
    server = await add_server(port=1, site="paris", password="never-shown-1")
    alive = await _poller(7, ["paris"])
    await _poller(8, [], age=3600)
    now = utcnow()
    await PollerLease.create(nut_server=server, poller_id=alive.id, acquired_at=now, expires_at=now)
    await ApiInstance.create(id="api:1:x", host="api", pid=1, started_at=now, heartbeat_at=now)
    status, out, _ = await client.get("/api/system/status", token=member.token)
    assert status == 403
    status, out, _ = await client.get("/api/system/status")
    assert status == 401
    status, out, _ = await client.get("/api/system/status", token=admin.token)
    assert status == 200
    schemas.validator(schemas.SystemStatus).validate_python(out, strict=True)
    assert "never-shown-1" not in str(out)
    by_pid = {p["pid"]: p for p in out["pollers"]}
    assert by_pid[7]["alive"] is True and by_pid[8]["alive"] is False
    assert by_pid[7]["sites"] == ["paris"]
    assert [(lease["nutServerId"], lease["site"]) for lease in by_pid[7]["leases"]] == [
        (server.id, "paris")
    ]
    assert by_pid[8]["leases"] == []
    assert ("api:1:x", True) in [(a["id"], a["alive"]) for a in out["apiInstances"]]
    assert out["leaseSeconds"] >= 1
