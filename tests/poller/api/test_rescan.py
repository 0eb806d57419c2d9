"""`POST /api/nut-servers/:id/rescan` and the `autoAdd` switch, against a real upsd.

The rescan, setup, "add server" and the poller's rediscovery share one owner for adding the
UPS not configured yet (`powerpulse.discovery`): what the rescan answers is what they all do.
"""

from __future__ import annotations

from collections.abc import Callable

from powerpulse.api import schemas
from powerpulse.db.models import Event, NutServer, UpsSystem
from tests.api.conftest import Account, Client, add_server, add_ups
from tests.support.nut_server import NutServer as RealNut
from tests.support.nut_server import free_port


def rescan_path(server_id: int | str) -> str:
    return f"/api/nut-servers/{server_id}/rescan"


async def test_rescan_roles_and_unknown_servers(
    client: Client, admin: Account, member: Account
) -> None:
    server = await add_server()
    assert (await client.post(rescan_path(server.id)))[0] == 401
    status, body, _ = await client.post(rescan_path(server.id), token=member.token)
    assert status == 403 and body["error"] == "forbidden"
    for missing in ("999999", "abc", "-1"):
        status, body, _ = await client.post(rescan_path(missing), token=admin.token)
        assert status in (400, 404), (missing, status, body)
        assert "Traceback" not in str(body)
    assert (await client.post(rescan_path(999999), token=admin.token))[0] == 404


async def test_rescan_adds_what_is_new_and_names_what_is_missing(
    client: Client, admin: Account, nut_factory: Callable[..., RealNut]
) -> None:
    nut = nut_factory(["ups1", "ups2", "ups3"])
    server = await add_server(host=nut.host, port=nut.port)
    kept = await add_ups(server, "ups1")
    gone = await add_ups(server, "old-rack")  # configured, no longer on upsd
    status, body, _ = await client.post(rescan_path(server.id), token=admin.token)
    assert status == 200, body
    schemas.validator(schemas.NutServerRescan).validate_python(body, strict=True)
    added = await UpsSystem.filter(nut_server=server, ups_name__in=["ups2", "ups3"]).order_by("id")
    assert body == {
        "message": "3 UPS found, 2 added, 1 no longer on the server",
        "found": ["ups1", "ups2", "ups3"],
        "added": [
            {"id": u.id, "name": u.ups_name, "upsName": u.ups_name, "nutServerId": server.id}
            for u in added
        ],
        "notAdded": [],
        "missing": ["old-rack"],
    }
    events = await Event.filter(kind="ups_added").order_by("id")
    assert [(e.ups_id, e.details["source"]) for e in events] == [(u.id, "rescan") for u in added]  # type: ignore[attr-defined]
    # The UPS's event list shows it (the UI words it "UPS found").
    status, page, _ = await client.get(f"/api/ups-systems/{added[0].id}/events", token=admin.token)
    assert status == 200, page
    [shown] = page["events"]
    assert shown["kind"] == "ups_added" and shown["details"]["upsName"] == "ups2"
    # Nothing new the second time; the UPS that left is kept (an admin deletes it).
    status, again, _ = await client.post(rescan_path(server.id), token=admin.token)
    assert (again["added"], again["missing"]) == ([], ["old-rack"])
    assert (
        await UpsSystem.filter(id=gone.id).exists() and await UpsSystem.filter(id=kept.id).exists()
    )
    status, _, _ = await client.delete(f"/api/ups-systems/{gone.id}", token=admin.token)
    assert status == 200
    status, after, _ = await client.post(rescan_path(server.id), token=admin.token)
    assert after["missing"] == [] and after["message"] == "3 UPS found"


async def test_auto_add_off_lists_without_adding_and_a_deleted_ups_stays_deleted(
    client: Client, admin: Account, nut: RealNut
) -> None:
    body = {"host": nut.host, "port": nut.port, "autoAdd": False}
    status, created, _ = await client.post("/api/nut-servers", json=body, token=admin.token)
    assert status == 201, created
    assert created["autoAdd"] is False
    assert (created["upsSystemsDiscovered"], created["upsSystemsAdded"]) == (2, [])
    server_id = created["id"]
    status, out, _ = await client.post(rescan_path(server_id), token=admin.token)
    assert (out["found"], out["added"], out["notAdded"]) == (["ups1", "ups2"], [], ["ups1", "ups2"])
    assert "2 not added (auto-add is off)" in out["message"]
    assert not await UpsSystem.filter(nut_server_id=server_id).exists()
    # Turned on (PUT), read back (GET), then the rescan adds both.
    status, updated, _ = await client.put(
        f"/api/nut-servers/{server_id}", json={"autoAdd": True}, token=admin.token
    )
    assert status == 200 and updated["autoAdd"] is True
    status, one, _ = await client.get(f"/api/nut-servers/{server_id}", token=admin.token)
    assert one["autoAdd"] is True
    status, out, _ = await client.post(rescan_path(server_id), token=admin.token)
    assert [u["upsName"] for u in out["added"]] == ["ups1", "ups2"]
    # An admin deletes ups2 while upsd still serves it: rescans do not bring it back.
    ups2 = next(u for u in out["added"] if u["upsName"] == "ups2")
    assert (await client.delete(f"/api/ups-systems/{ups2['id']}", token=admin.token))[0] == 200
    status, out, _ = await client.post(rescan_path(server_id), token=admin.token)
    assert (out["added"], out["notAdded"]) == ([], ["ups2"])
    # Added again by hand, it is an ordinary UPS again (and no longer "not added").
    status, made, _ = await client.post(
        "/api/ups-systems",
        json={"nutServerId": server_id, "upsName": "ups2", "name": "Rack 2"},
        token=admin.token,
    )
    assert status == 201, made
    status, out, _ = await client.post(rescan_path(server_id), token=admin.token)
    assert (out["added"], out["notAdded"], out["missing"]) == ([], [], [])


async def test_rescan_of_an_unreachable_server_is_a_502_naming_it(
    client: Client, admin: Account
) -> None:
    server = await add_server(port=free_port())
    status, body, _ = await client.post(rescan_path(server.id), token=admin.token)
    assert status == 502, body
    assert body["error"] == "unreachable" and "refused" in body["message"]
    assert not await UpsSystem.filter(nut_server=server).exists()


async def test_auto_add_must_be_a_boolean(client: Client, admin: Account) -> None:
    server = await add_server()
    for bad in ("yes", 2, [], {}):
        status, body, _ = await client.put(
            f"/api/nut-servers/{server.id}", json={"autoAdd": bad}, token=admin.token
        )
        assert status == 400 and body.get("field") == "autoAdd", (bad, body)
    assert (await NutServer.get(id=server.id)).auto_add is True
