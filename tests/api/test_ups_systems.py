"""/api/ups-systems (+ /api/ups/systems): live-state reads, kiosk, CRUD, battery history."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import orjson
import pytest

from powerpulse.api import list_cache
from powerpulse.db import counters
from powerpulse.db.models import Sample, UpsLiveState, UpsSystem
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import DEFAULT_VARS

SEED_FIELDS = {
    "id", "name", "nickname", "displayName", "upsName", "nutServerId", "model", "status",
    "batteryCharge", "batteryVoltage", "inputVoltage", "outputVoltage", "runtimeRemaining",
    "load", "temperature", "batteryDetails", "deviceDetails", "driverDetails", "inputDetails",
    "outputDetails", "upsDetails",
}  # fmt: skip
EXTRA_FIELDS = {
    "statusTokens", "severity", "lastUpdated", "stale", "reachable", "error", "powerState",
    "conditions", "summaryBucket", "lastKnown", "site", "tags", "mutedUntil", "muteReason",
}  # fmt: skip


async def test_list_from_live_state(client: Client, member: Account) -> None:
    server = await add_server()
    ups1 = await add_ups(server, "ups1", nickname="Server Room UPS")
    ups2 = await add_ups(server, "ups2")
    await write_live(ups1, {**DEFAULT_VARS, "ups.status": "OB LB DISCHRG"})
    assert (await client.get("/api/ups-systems"))[0] == 401
    status, body, _ = await client.get("/api/ups-systems", token=member.token)
    assert status == 200
    first, second = body
    assert set(first) == SEED_FIELDS | EXTRA_FIELDS
    assert {k: first[k] for k in ("id", "name", "nickname", "displayName", "upsName")} == {
        "id": ups1.id,
        "name": "ups1",
        "nickname": "Server Room UPS",
        "displayName": "Server Room UPS",
        "upsName": "ups1",
    }
    assert first["nutServerId"] == server.id
    assert first["status"] == "Low Battery"
    assert (first["powerState"], first["severity"], first["summaryBucket"]) == (
        "low_battery",
        "critical",
        "onBattery",
    )
    assert first["conditions"] == [
        {"code": "discharging", "label": "Discharging", "severity": "info"}
    ]
    assert first["statusTokens"] == ["OB", "LB", "DISCHRG"]
    assert first["lastKnown"] is None
    assert (first["batteryCharge"], first["batteryVoltage"], first["runtimeRemaining"]) == (
        100,
        27.3,
        30,
    )
    assert (first["inputVoltage"], first["outputVoltage"], first["load"]) == (230.1, 230.0, 30)
    assert (first["temperature"], first["model"]) == (25.5, "Smart-UPS 1500")
    assert first["deviceDetails"]["serial"] == "AS1234567890"
    assert (first["stale"], first["reachable"], first["error"]) == (False, True, None)
    assert first["lastUpdated"].endswith("Z")
    # No live row yet: Unknown with null readings, never zeros.
    assert second["id"] == ups2.id and second["status"] == "Unknown"
    assert second["displayName"] == "ups2"
    assert all(second[k] is None for k in ("batteryCharge", "load", "runtimeRemaining"))
    assert (second["stale"], second["reachable"], second["lastUpdated"]) == (True, None, None)
    assert (await client.get("/api/ups/systems", token=member.token))[1] == body


async def test_list_follows_live_changes(client: Client, member: Account) -> None:
    server = await add_server()
    ups = await add_ups(server, "ups1")
    await write_live(ups, {**DEFAULT_VARS, "ups.status": "OL"})
    assert (await client.get("/api/ups-systems", token=member.token))[1][0]["status"] == "Online"
    await write_live(ups, {**DEFAULT_VARS, "ups.status": "OB", "battery.charge": "55"})
    body = (await client.get("/api/ups-systems", token=member.token))[1]
    assert (body[0]["status"], body[0]["batteryCharge"]) == ("On Battery", 55)
    # An error keeps the last values, marked stale, with the reason.
    await write_live(
        ups,
        {**DEFAULT_VARS, "ups.status": "OB", "battery.charge": "55"},
        error_code="driver-not-connected",
        error_message="NUT server error DRIVER-NOT-CONNECTED",
    )
    one = (await client.get("/api/ups-systems", token=member.token))[1][0]
    # Old data is never shown as live: Unknown and null, the last state kept beside it.
    assert (one["status"], one["batteryCharge"], one["load"]) == ("Unknown", None, None)
    assert (one["powerState"], one["severity"], one["summaryBucket"]) == (
        "unknown",
        "unknown",
        "unknown",
    )
    assert one["statusTokens"] == [] and one["conditions"] == []
    assert one["batteryDetails"] == {} and one["inputDetails"] == {}
    assert one["deviceDetails"]["serial"] == "AS1234567890"  # identity is not a reading
    assert one["stale"] is True and one["reachable"] is True
    assert one["error"]["code"] == "driver-not-connected"
    last = one["lastKnown"]
    assert (last["status"], last["batteryCharge"], last["statusTokens"]) == (
        "On Battery",
        55,
        ["OB"],
    )
    assert last["at"] == one["lastUpdated"]
    # Old data without error: stale by age, the same way.
    old = utcnow() - timedelta(minutes=5)
    await write_live(ups, {**DEFAULT_VARS}, last_success_at=old, last_attempt_at=old)
    one = (await client.get("/api/ups-systems", token=member.token))[1][0]
    assert one["stale"] is True and one["error"] is None
    assert (one["status"], one["batteryCharge"]) == ("Unknown", None)
    assert one["lastKnown"]["status"] == "Online" and one["lastKnown"]["batteryCharge"] == 100
    # A server that no longer lists the UPS: unreachable, with the poller's reason.
    await write_live(
        ups,
        {**DEFAULT_VARS},
        error_code="unknown-ups",
        error_message="UPS ups1 is no longer on NUT server 127.0.0.1:3493",
    )
    one = (await client.get("/api/ups-systems", token=member.token))[1][0]
    assert one["reachable"] is False and one["status"] == "Unknown"
    assert "no longer on" in one["error"]["message"]


async def test_list_gzip_and_poller_delay(
    client: Client, member: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    ups = await add_ups(await add_server(), "ups1")
    await write_live(ups, {**DEFAULT_VARS})
    plain = await client.get("/api/ups-systems", token=member.token)
    _, _, resp = await client.get(
        "/api/ups-systems", token=member.token, headers={"Accept-Encoding": "gzip"}
    )
    assert resp.headers["Content-Encoding"] == "gzip"
    assert orjson.loads(resp.content) == plain[1]  # httpx decoded it
    # With the production delay, a row written by another process shows within ~50 ms.
    monkeypatch.setattr(list_cache, "KEY_CHECK_SECONDS", 0.05)
    await write_live(ups, {**DEFAULT_VARS, "battery.charge": "42"})
    await asyncio.sleep(0.06)
    body = (await client.get("/api/ups-systems", token=member.token))[1]
    assert body[0]["batteryCharge"] == 42


async def test_list_answers_304_while_nothing_changed(
    client: Client, member: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard that sends back the ETag gets a bodiless 304 until a reading changes."""
    monkeypatch.setattr(list_cache, "KEY_CHECK_SECONDS", 0.0)
    ups = await add_ups(await add_server(), "ups1")
    await write_live(ups, {**DEFAULT_VARS})
    etags = {}
    for path, token in (("/api/ups-systems", member.token), ("/api/ups-systems/kiosk", None)):
        status, body, resp = await client.get(path, token=token)
        etag = etags[path] = resp.headers["ETag"]
        assert status == 200 and body and etag.startswith('"')
        assert resp.headers["Cache-Control"] == "private, no-cache"
        for sent in (etag, f"W/{etag}", f'"other", {etag}'):
            _, _, again = await client.get(path, token=token, headers={"If-None-Match": sent})
            assert again.status_code == 304 and again.content == b"", sent
            assert again.headers["ETag"] == etag
        stale = await client.get(path, token=token, headers={"If-None-Match": '"other"'})
        assert stale[0] == 200 and stale[1] == body
    await write_live(ups, {**DEFAULT_VARS, "battery.charge": "41"})
    before = etags["/api/ups-systems"]
    status, body, resp = await client.get(
        "/api/ups-systems", token=member.token, headers={"If-None-Match": before}
    )
    assert status == 200 and body[0]["batteryCharge"] == 41
    assert resp.headers["ETag"] != before


async def test_kiosk_is_public_and_private_data_free(client: Client) -> None:
    server = await add_server(host="10.20.30.40", port=3493, password="hidden-pass-1")
    ups = await add_ups(server, "ups1", nickname="Lobby")
    variables = {
        **DEFAULT_VARS,
        "driver.name": "usbhid-ups",
        "driver.parameter.port": "/dev/ttyS0",
        "driver.parameter.community": "private-community",
    }
    await write_live(
        ups, variables, error_code="timeout", error_message="NUT server 10.20.30.40:3493 slow"
    )
    status, body, _ = await client.get("/api/ups-systems/kiosk")
    assert status == 200
    (one,) = body
    # Unreachable: the kiosk shows the last known state as such, never as live.
    assert one["displayName"] == "Lobby" and one["status"] == "Unknown"
    assert one["batteryCharge"] is None and one["reachable"] is False
    last = one["lastKnown"]
    assert (last["status"], last["batteryCharge"], last["load"]) == ("Online", 100, 30)
    text = orjson.dumps(body).decode()
    for secret in ("AS1234567890", "/dev/ttyS0", "private-community", "10.20.30.40", "hidden"):
        assert secret not in text, secret
    assert "driverDetails" not in one
    assert one["error"] == {"code": "timeout", "message": "timeout"}
    assert (await client.get("/api/ups/systems/kiosk"))[0] == 200


async def test_get_one(client: Client, member: Account) -> None:
    server = await add_server()
    ups = await add_ups(server, "ups1")
    await write_live(ups, {**DEFAULT_VARS, "ups.id": "rack-7"})
    status, one, _ = await client.get(f"/api/ups-systems/{ups.id}", token=member.token)
    assert status == 200 and one["displayName"] == "rack-7" and one["status"] == "Online"
    assert (await client.get(f"/api/ups/systems/{ups.id}", token=member.token))[1] == one
    # The detail keeps every known variable (null when not reported); lists leave those out.
    assert one["batteryDetails"]["packs"] is None and one["batteryDetails"]["charge"] == 100
    listed = (await client.get("/api/ups-systems", token=member.token))[1][0]
    assert "packs" not in listed["batteryDetails"] and listed["batteryDetails"]["charge"] == 100
    for bad in ("999", "abc", "1e3"):
        status, err, _ = await client.get(f"/api/ups-systems/{bad}", token=member.token)
        assert (status, err) == (404, {"message": "UPS system not found", "error": "not_found"})


async def test_create(client: Client, admin: Account, member: Account) -> None:
    server = await add_server()
    body = {"name": "ups3", "nickname": "Network Closet UPS", "nutServerId": server.id}
    body["upsName"] = "ups3"
    assert (await client.post("/api/ups-systems", json=body, token=member.token))[0] == 403
    before = await counters.read(counters.CONFIG)
    status, out, _ = await client.post("/api/ups-systems", json=body, token=admin.token)
    assert status == 201
    row = await UpsSystem.get(ups_name="ups3")
    assert out == {
        "message": "UPS system created",
        "id": row.id,
        "name": "ups3",
        "nickname": "Network Closet UPS",
        "nutServerId": server.id,
        "upsName": "ups3",
        "site": None,
        "tags": [],
    }
    assert await counters.read(counters.CONFIG) == before + 1
    status, err, _ = await client.post("/api/ups-systems", json=body, token=admin.token)
    assert status == 409
    missing = {**body, "nutServerId": 999, "upsName": "x"}
    status, err, _ = await client.post("/api/ups-systems", json=missing, token=admin.token)
    assert (status, err["message"]) == (404, "NUT server not found")
    for bad, field in [
        ({"nutServerId": server.id}, "upsName"),
        ({"upsName": "a"}, "nutServerId"),
        ({"upsName": "a", "nutServerId": "one"}, "nutServerId"),
        ({"upsName": ["a"], "nutServerId": server.id}, "upsName"),
        ({"upsName": "a", "nutServerId": server.id, "nickname": 3}, "nickname"),
    ]:
        status, err, _ = await client.post("/api/ups-systems", json=bad, token=admin.token)
        assert (status, err["field"]) == (400, field), bad
    assert await UpsSystem.all().count() == 1


async def test_update(client: Client, admin: Account, member: Account) -> None:
    server, other = await add_server(), await add_server(host="10.0.0.2")
    ups = await add_ups(server, "ups1")
    taken = await add_ups(other, "ups9")
    await write_live(ups, {**DEFAULT_VARS})
    url = f"/api/ups-systems/{ups.id}"
    change = {"name": "ups3", "nickname": "Updated", "nutServerId": other.id, "upsName": "ups3"}
    assert (await client.put(url, json=change, token=member.token))[0] == 403
    status, out, _ = await client.put(url, json=change, token=admin.token)
    assert status == 200
    assert out == {
        "message": "UPS system updated",
        "id": ups.id,
        **change,
        "site": None,
        "tags": [],
    }
    row = await UpsSystem.get(id=ups.id)
    assert (row.name, row.nickname, row.ups_name) == ("ups3", "Updated", "ups3")
    assert not await UpsLiveState.filter(ups_id=ups.id).exists()  # it described the old UPS
    status, _, _ = await client.put(url, json={"upsName": "ups9"}, token=admin.token)
    assert status == 409 and taken.id != ups.id
    assert (await client.put(url, json={"nutServerId": 77}, token=admin.token))[0] == 404
    assert (await client.put("/api/ups-systems/x", json={}, token=admin.token))[0] == 404


async def test_nickname_any_user(client: Client, member: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    url = f"/api/ups-systems/{ups.id}/nickname"
    assert (await client.put(url, json={"nickname": "x"}))[0] == 401
    status, out, _ = await client.put(url, json={"nickname": "New Nickname"}, token=member.token)
    assert (status, out) == (
        200,
        {"message": "UPS system nickname updated", "id": ups.id, "nickname": "New Nickname"},
    )
    assert (await UpsSystem.get(id=ups.id)).nickname == "New Nickname"
    listed = (await client.get("/api/ups-systems", token=member.token))[1]
    assert listed[0]["displayName"] == "New Nickname"
    await client.put(url, json={"nickname": ""}, token=member.token)
    assert (await UpsSystem.get(id=ups.id)).nickname is None
    status, err, _ = await client.put(url, json={"nickname": 1}, token=member.token)
    assert (status, err["field"]) == (400, "nickname")


async def test_delete(client: Client, admin: Account, member: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    await write_live(ups, {**DEFAULT_VARS})
    await Sample.create(ups=ups, timestamp=utcnow(), charge=50)
    url = f"/api/ups-systems/{ups.id}"
    assert (await client.delete(url, token=member.token))[0] == 403
    status, out, _ = await client.delete(url, token=admin.token)
    assert (status, out) == (200, {"message": "UPS system deleted", "id": ups.id})
    assert await UpsSystem.all().count() == 0
    assert await UpsLiveState.all().count() == 0 and await Sample.all().count() == 0
    assert (await client.delete(url, token=admin.token))[0] == 404


async def test_battery_history(client: Client, admin: Account, member: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    url = f"/api/ups-systems/{ups.id}/battery"
    now = utcnow()
    for minutes, charge in ((10, 100.0), (5, 99.0), (1, None)):
        await Sample.create(ups=ups, timestamp=now - timedelta(minutes=minutes), charge=charge)
    assert (await client.post(url, json={"chargePercent": 98}, token=member.token))[0] == 403
    status, out, _ = await client.post(url, json={"chargePercent": 98}, token=admin.token)
    assert status == 201
    assert out == {
        "message": "Battery charge recorded",
        "id": out["id"],
        "upsId": ups.id,
        "chargePercent": 98,
        "timestamp": out["timestamp"],
    }
    assert (await Sample.get(id=out["id"])).charge == 98
    status, rows, _ = await client.get(url, token=member.token)
    assert status == 200
    assert [r["charge_percent"] for r in rows] == [98, 99, 100]  # newest first, no null rows
    assert set(rows[0]) == {"id", "ups_id", "charge_percent", "timestamp"}
    assert rows[0]["ups_id"] == ups.id and rows[0]["timestamp"].endswith("Z")
    assert len((await client.get(f"{url}?limit=2", token=member.token))[1]) == 2
    for bad in ("0", "abc", "10001"):
        status, err, _ = await client.get(f"{url}?limit={bad}", token=member.token)
        assert (status, err["field"]) == (400, "limit")
    for bad_body in ({"chargePercent": 150}, {"chargePercent": -1}, {"chargePercent": "x"}, {}):
        status, err, _ = await client.post(url, json=bad_body, token=admin.token)
        assert (status, err["field"]) == (400, "chargePercent"), bad_body
    assert (await client.get("/api/ups-systems/999/battery", token=member.token))[0] == 404
