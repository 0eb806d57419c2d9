"""Energy through the sample writes into the rollups, energy_summary and GET /api/energy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sanic import Sanic
from tortoise.transactions import in_transaction

from powerpulse.db.models import SampleRollup
from powerpulse.energy.query import energy_summary
from powerpulse.history import SampleSchedule, build_sample, write_samples
from tests.api.conftest import Account, Client, add_server, add_ups

T0 = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # 23:00 in Berlin, the day before Dec 1


async def rollup(ups_id: int, at: datetime, wh: float, secs: float, n: int, est: int) -> None:
    await SampleRollup.create(
        ups_id=ups_id,
        hour=int(at.timestamp()),
        samples=n,
        energy_wh=wh,
        energy_seconds=secs,
        power_estimated_n=est,
    )


async def fleet(app: Sanic) -> tuple[int, int, int]:
    a = await add_server("10.0.0.1", site="paris")
    b = await add_server("10.0.0.2")
    u1, u2, u3 = await add_ups(a, "one"), await add_ups(a, "two"), await add_ups(b, "three")
    for u in (u1, u2, u3):  # existed long before: coverage counts the whole span
        u.created_at = T0 - timedelta(days=30)
        await u.save()
    for h in range(4):  # four hours from T0, fully covered, 100 Wh each for u1
        at = T0 + timedelta(hours=h)
        await rollup(u1.id, at, 100, 3600, 60, 0)
        await rollup(u2.id, at, 50, 1800, 30, 30)  # half covered, estimated
    return u1.id, u2.id, u3.id


async def test_summary_by_ups_site_day_month(app: Sanic) -> None:
    u1, u2, u3 = await fleet(app)
    end = T0 + timedelta(hours=4)
    body = await energy_summary(T0, end, "ups")
    rows = {r["key"]: r for r in body["rows"]}
    assert rows[str(u1)]["kwh"] == pytest.approx(0.4) and rows[str(u1)]["coverage"] == 1
    assert rows[str(u2)]["kwh"] == pytest.approx(0.2) and rows[str(u2)]["coverage"] == 0.5
    assert rows[str(u2)]["estimated"] == 1 and rows[str(u1)]["estimated"] == 0
    assert rows[str(u3)]["kwh"] is None and rows[str(u3)]["coverage"] == 0  # unknown, not 0
    assert body["total"]["kwh"] == pytest.approx(0.6)
    assert body["total"]["coverage"] == pytest.approx(0.5)  # 1.5 of 3 UPS-spans
    assert body["total"]["cost"] is None and body["currency"] is None

    sites = {r["key"]: r for r in (await energy_summary(T0, end, "site"))["rows"]}
    assert sites["paris"]["kwh"] == pytest.approx(0.6)
    assert sites[""]["label"] == "No site" and sites[""]["kwh"] is None

    # Berlin: the first hour (23:00-24:00 local) is Nov 30, the next three Dec 1
    days = await energy_summary(T0, end, "day", ups_ids=[u1], tz="Europe/Berlin")
    assert [(r["key"], r["kwh"]) for r in days["rows"]] == [
        ("2026-11-30", pytest.approx(0.1)),
        ("2026-12-01", pytest.approx(0.3)),
    ]
    months = await energy_summary(T0, end, "month", ups_ids=[u1])  # UTC: all in November? no
    assert [r["key"] for r in months["rows"]] == ["2026-11", "2026-12"]
    assert months["rows"][0]["kwh"] == pytest.approx(0.2)  # 22:00 and 23:00 UTC on Nov 30


async def test_cost_from_the_tariff(client: Client, admin: Account, member: Account) -> None:
    u1, _, _ = await fleet(client.app)
    status, body, _ = await client.put(
        "/api/system/energy",
        json={"tariff": {"pricePerKwh": 0.25, "currency": "chf"}},
        token=admin.token,
    )
    assert status == 200 and body["tariff"] == {"pricePerKwh": 0.25, "currency": "CHF"}
    assert (await client.put("/api/system/energy", json={"powerFactor": 2}, token=admin.token))[
        0
    ] == 400
    assert (await client.put("/api/system/energy", json={"powerFactor": 1}, token=member.token))[
        0
    ] == 403
    q = f"/api/energy?from={T0.isoformat()}&to={(T0 + timedelta(hours=4)).isoformat()}&ups={u1}"
    status, body, _ = await client.get(q.replace("+00:00", "Z"), token=member.token)
    assert status == 200, body
    assert body["currency"] == "CHF" and body["rows"][0]["cost"] == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "to"),
        ("from=garbage&to=2026-12-01T00:00:00Z", "from"),
        ("from=2026-12-01T00:00:00Z", "to"),
        ("from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&group=day", "to"),
        ("from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&group=month", "to"),
        ("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&group=week", "group"),
        ("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&tz=Mars/Olympus", "tz"),
        ("from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&ups=1,x", "ups"),
        ("from=99999-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", "from"),
    ],
)
async def test_validation(client: Client, member: Account, query: str, field: str) -> None:
    status, body, _ = await client.get(f"/api/energy?{query}", token=member.token)
    assert status == 400 and body["field"] == field


async def test_needs_a_user(client: Client) -> None:
    q = "/api/energy?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
    assert (await client.get(q))[0] == 401


async def test_sample_writes_fill_the_rollup_energy_with_a_gap(app: Sanic) -> None:
    server = await add_server("10.0.0.9")
    ups = await add_ups(server, "w")
    schedule = SampleSchedule(60)  # max gap 180 s
    measured = {"ups.status": "OL", "ups.realpower": "120"}
    estimated = {"ups.status": "OL", "ups.load": "50", "ups.power.nominal": "600"}  # 240 W
    times = [0, 60, 120, 600, 660]  # a 480 s hole between 120 and 600
    for i, t in enumerate(times):
        variables = measured if i < 3 else estimated
        sample = build_sample(ups.id, variables, ("OL",), T0 + timedelta(seconds=t))
        async with in_transaction() as conn:
            await write_samples([sample], conn)
    row = await SampleRollup.get(ups_id=ups.id, hour=int(T0.timestamp()))
    assert row.samples == 5 and row.power_estimated_n == 2
    assert row.energy_seconds == 180  # 0-60, 60-120, 600-660; the hole and the first unknown
    assert row.energy_wh == pytest.approx(120 * 120 / 3600 + 240 * 60 / 3600)
    schedule.forget(ups.id)


async def test_a_variable_locks_its_field_and_the_answer_says_so(
    client: Client, admin: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, body, _ = await client.get("/api/system/energy", token=admin.token)
    assert status == 200 and body["locked"] == []
    monkeypatch.setenv("ENERGY_CURRENCY", "EUR")
    status, body, _ = await client.get("/api/system/energy", token=admin.token)
    assert body["locked"] == ["currency"] and body["tariff"]["currency"] == "EUR"
    status, body, _ = await client.put(
        "/api/system/energy", json={"tariff": {"currency": "CHF"}}, token=admin.token
    )
    assert status == 400 and "ENERGY_CURRENCY" in body["message"]
    status, body, _ = await client.put(
        "/api/system/energy", json={"powerFactor": 0.9}, token=admin.token
    )
    assert status == 200 and body["powerFactor"] == 0.9 and body["locked"] == ["currency"]
