"""`GET /api/outages`: records with their UPS, numbers and the notifications of their events;
filters, pages, streamed CSV/JSON exports, bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import orjson

from powerpulse.api import schemas
from powerpulse.db.models import NotificationDelivery, NotificationLog
from powerpulse.timeutil import iso
from tests.api.conftest import Account, Client
from tests.reports.rows import event, outage, ups

T0 = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


async def notify(ups_id: int, event_id: int, kind: str, *deliveries: tuple[str, str]) -> None:
    log = await NotificationLog.create(ups_id=ups_id, event_id=event_id, kind=kind)
    for channel, state in deliveries:
        await NotificationDelivery.create(log_id=log.id, channel=channel, state=state)


async def test_outages_carry_their_numbers_and_notifications(
    client: Client, member: Account
) -> None:
    a = await ups("ups-a", site="paris", nickname="Rack A")
    b = await ups("ups-b", site="lyon")
    first, begin, end = await outage(
        a.id,
        T0,
        300,
        min_charge=42.5,
        min_runtime=600,
        energy_wh=12.5,
        energy_coverage=0.9,
        shutdown_runs=[{"id": 7, "plan": "servers", "state": "finished"}],
    )
    assert end is not None
    await notify(a.id, begin.id, "on_battery", ("slack", "delivered"), ("email", "failed"))
    await notify(a.id, end.id, "online", ("slack", "delivered"))
    await NotificationLog.create(ups_id=a.id, event_id=end.id, kind="online", suppressed="muted")
    later, *_ = await outage(a.id, T0 + timedelta(days=1), 60)
    after = await event(a.id, "overload", T0 + timedelta(days=1, hours=1))
    await notify(a.id, after.id, "overload", ("slack", "delivered"))  # after it: not its
    other, *_ = await outage(b.id, T0 + timedelta(hours=2), None)  # still on battery

    status, body, resp = await client.get("/api/outages", token=member.token)
    assert status == 200, body
    schemas.validator(schemas.OutagePage).validate_json(resp.content, strict=True)
    assert [o["id"] for o in body["outages"]] == [other.id, later.id, first.id]
    assert body["nextCursor"] is None
    rec = body["outages"][2]
    assert rec["upsName"] == "ups-a" and rec["displayName"] == "Rack A" and rec["site"] == "paris"
    assert rec["startedAt"] == iso(T0) and rec["endedAt"] == iso(T0 + timedelta(seconds=300))
    assert rec["durationSeconds"] == 300 and rec["minCharge"] == 42.5
    assert rec["minRuntimeSeconds"] == 600 and rec["energyWh"] == 12.5
    assert rec["shutdownRuns"] == [{"id": 7, "plan": "servers", "state": "finished"}]
    sent = [(n["kind"], n["channel"], n["state"]) for n in rec["notifications"]]
    assert sent == [
        ("on_battery", "slack", "delivered"),
        ("on_battery", "email", "failed"),
        ("online", "slack", "delivered"),
        ("online", None, "muted"),
    ]
    assert body["outages"][1]["notifications"] == []  # the overload came after it ended
    assert body["outages"][0]["endedAt"] is None and body["outages"][0]["durationSeconds"] is None

    # Filters: UPS, site, overlapping time range.
    _, body, _ = await client.get(f"/api/outages?ups={b.id}", token=member.token)
    assert [o["id"] for o in body["outages"]] == [other.id]
    _, body, _ = await client.get("/api/outages?site=paris", token=member.token)
    assert [o["id"] for o in body["outages"]] == [later.id, first.id]
    window = f"from={iso(T0 + timedelta(minutes=4))}&to={iso(T0 + timedelta(hours=3))}"
    _, body, _ = await client.get(f"/api/outages?{window}", token=member.token)
    assert [o["id"] for o in body["outages"]] == [other.id, first.id]  # overlap, open runs on

    # Pages.
    _, body, _ = await client.get("/api/outages?limit=2", token=member.token)
    assert [o["id"] for o in body["outages"]] == [other.id, later.id]
    _, body, _ = await client.get(
        f"/api/outages?limit=2&cursor={body['nextCursor']}", token=member.token
    )
    assert [o["id"] for o in body["outages"]] == [first.id] and body["nextCursor"] is None


async def test_outages_export_as_csv_and_json(client: Client, member: Account) -> None:
    a = await ups("=cmd|' /C calc'!A0")  # a name a spreadsheet would run as a formula
    first, begin, _ = await outage(a.id, T0, 90, min_charge=55.0)
    await notify(a.id, begin.id, "on_battery", ("slack", "delivered"))
    await outage(a.id, T0 + timedelta(hours=1), 30)
    status, _, resp = await client.get("/api/outages?format=csv", token=member.token)
    assert status == 200 and resp.headers["content-type"] == "text/csv; charset=utf-8"
    assert resp.headers["content-disposition"] == 'attachment; filename="powerpulse-outages.csv"'
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1]["id"] == str(first.id)
    assert rows[1]["upsName"] == "'=cmd|' /C calc'!A0"
    assert rows[1]["minCharge"] == "55.0" and rows[1]["durationSeconds"] == "90.0"
    assert rows[1]["notifications"] == "on_battery slack delivered"
    assert rows[1]["endedAt"] == iso(T0 + timedelta(seconds=90))
    status, _, resp = await client.get(
        "/api/outages", token=member.token, headers={"Accept": "text/csv"}
    )
    assert status == 200 and resp.headers["content-type"].startswith("text/csv")
    status, _, resp = await client.get("/api/outages?format=json", token=member.token)
    items = orjson.loads(resp.content)
    assert [o["id"] for o in items][-1] == first.id and items[-1]["upsName"].startswith("=")
    schemas.validator(list[schemas.OutageRecord]).validate_json(resp.content, strict=True)


async def test_outages_need_a_login_and_refuse_bad_input(client: Client, member: Account) -> None:
    status, _, _ = await client.get("/api/outages")
    assert status == 401
    for query, field in (
        ("from=yesterday", "from"),
        ("to=9999-12-31T00:00:00Z", "to"),
        ("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
        ("ups=1,x", "ups"),
        ("ups=99999999999", "ups"),
        ("site=a b", "site"),
        ("limit=0", "limit"),
        ("limit=4.6e251", "limit"),
        ("cursor=-1", "cursor"),
        ("format=xml", "format"),
    ):
        status, body, _ = await client.get(f"/api/outages?{query}", token=member.token)
        assert status == 400 and body["field"] == field, (query, body)
