"""`GET /api/ups-systems/<id>/history` and `/events`: buckets, paging, auth and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from powerpulse.db.models import Event, UpsSystem
from powerpulse.history import build_sample, write_samples
from powerpulse.timeutil import iso
from tests.api.conftest import Account, Client, add_server, add_ups

T0 = datetime(2025, 3, 1, tzinfo=UTC)


async def ups() -> UpsSystem:
    return await add_ups(await add_server(), "ups1")


async def store(ups_id: int, times: list[datetime], charge: list[float]) -> None:
    samples = [
        build_sample(
            ups_id, {"battery.charge": str(c), "ups.load": "20", "ups.status": "OL"}, ("OL",), t
        )
        for t, c in zip(times, charge, strict=True)
    ]
    async with in_transaction() as conn:
        await write_samples(samples, conn)


def q(ups_id: int, start: datetime, end: datetime, points: int) -> str:
    return f"/api/ups-systems/{ups_id}/history?from={iso(start)}&to={iso(end)}&points={points}"


async def test_history_buckets_from_samples(client: Client, member: Account) -> None:
    u = await ups()
    times = [T0 + timedelta(minutes=i) for i in range(120)]
    await store(u.id, times, [float(i % 60) for i in range(120)])
    status, body, _ = await client.get(q(u.id, T0, T0 + timedelta(hours=2), 4), token=member.token)
    assert status == 200, body
    assert body["source"] == "samples" and body["bucketSeconds"] == 1800
    assert [p["time"] for p in body["points"]] == [
        iso(T0 + timedelta(minutes=30 * i)) for i in range(4)
    ]
    assert [p["samples"] for p in body["points"]] == [30, 30, 30, 30]
    assert body["points"][1]["charge"] == {"min": 30.0, "avg": 44.5, "max": 59.0}
    assert body["points"][0]["load"] == {"min": 20.0, "avg": 20.0, "max": 20.0}
    assert body["points"][0]["inputVoltage"] == {"min": None, "avg": None, "max": None}


async def test_long_ranges_come_from_hourly_rollups(client: Client, member: Account) -> None:
    u = await ups()
    times = [T0 + timedelta(hours=6 * i) for i in range(400)]  # 100 days
    await store(u.id, times, [float(10 + i % 80) for i in range(400)])
    status, body, _ = await client.get(
        q(u.id, T0, T0 + timedelta(days=100), 10), token=member.token
    )
    assert status == 200, body
    assert body["source"] == "hourly"
    assert len(body["points"]) <= 10 and body["bucketSeconds"] % 3600 == 0
    assert sum(p["samples"] for p in body["points"]) == 400
    assert min(p["charge"]["min"] for p in body["points"]) == 10.0
    assert max(p["charge"]["max"] for p in body["points"]) == 89.0
    # Every average lies between its bucket's min and max.
    assert all(
        p["charge"]["min"] <= p["charge"]["avg"] <= p["charge"]["max"] for p in body["points"]
    )


async def test_hand_recorded_charge_reaches_long_range_history(
    client: Client, admin: Account
) -> None:
    u = await ups()
    status, body, _ = await client.post(
        f"/api/ups-systems/{u.id}/battery", json={"chargePercent": 42}, token=admin.token
    )
    assert status == 201, body
    now = datetime.now(UTC)
    status, body, _ = await client.get(
        q(u.id, now - timedelta(days=60), now + timedelta(hours=1), 10), token=admin.token
    )
    assert status == 200, body
    assert body["source"] == "hourly"
    charges = [p["charge"]["min"] for p in body["points"] if p["samples"]]
    assert charges == [42.0]


async def test_default_range_is_the_last_day(client: Client, member: Account) -> None:
    u = await ups()
    status, body, _ = await client.get(f"/api/ups-systems/{u.id}/history", token=member.token)
    assert status == 200
    span = datetime.fromisoformat(body["to"][:-1]) - datetime.fromisoformat(body["from"][:-1])
    assert span == timedelta(hours=24) and body["points"] == []


async def test_history_bad_input(client: Client, member: Account) -> None:
    u = await ups()
    base = f"/api/ups-systems/{u.id}/history"
    for query, field in [
        ("?points=0", "points"),
        ("?points=5001", "points"),
        ("?points=abc", "points"),
        ("?from=yesterday", "from"),
        ("?to=2025-13-01T00:00:00Z", "to"),
        ("?from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z", "from"),
    ]:
        status, body, _ = await client.get(base + query, token=member.token)
        assert status == 400, (query, body)
        assert body["field"] == field and field in body["message"], body
    assert (await client.get(base))[0] == 401
    assert (await client.get("/api/ups-systems/999/history", token=member.token))[0] == 404
    assert (await client.get("/api/ups-systems/abc/history", token=member.token))[0] == 404


async def test_events_newest_first_and_paged(client: Client, admin: Account) -> None:
    u = await ups()
    kinds = ["on_battery", "low_battery", "online", "replace_battery", "comm_lost"]
    for i, kind in enumerate(kinds):
        await Event.create(
            ups=u,
            kind=kind,
            previous_status="Online",
            new_status="On Battery",
            occurred_at=T0 + timedelta(minutes=i),
            details={"charge": 90 - i},
        )
    path = f"/api/ups-systems/{u.id}/events"
    status, body, _ = await client.get(path + "?limit=2", token=admin.token)
    assert status == 200
    assert [e["kind"] for e in body["events"]] == ["comm_lost", "replace_battery"]
    assert body["events"][0]["occurredAt"] == iso(T0 + timedelta(minutes=4))
    assert body["events"][0]["details"] == {"charge": 86}
    seen = [e["kind"] for e in body["events"]]
    while body["nextBefore"] is not None:
        status, body, _ = await client.get(
            f"{path}?limit=2&before={body['nextBefore']}", token=admin.token
        )
        seen += [e["kind"] for e in body["events"]]
    assert seen == kinds[::-1]
    # The legacy prefix answers too.
    status, body, _ = await client.get(f"/api/ups/systems/{u.id}/events", token=admin.token)
    assert status == 200 and len(body["events"]) == 5


async def test_events_bad_input(client: Client, member: Account) -> None:
    u = await ups()
    path = f"/api/ups-systems/{u.id}/events"
    for query, field in [("?limit=0", "limit"), ("?limit=501", "limit"), ("?before=x", "before")]:
        status, body, _ = await client.get(path + query, token=member.token)
        assert status == 400 and body["field"] == field, body
    assert (await client.get(path))[0] == 401
    assert (await client.get("/api/ups-systems/4242/events", token=member.token))[0] == 404
