"""`GET /api/events`: the fleet timeline, newest first, its filters, pages and exports."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import orjson

from powerpulse.api import schemas
from powerpulse.timeutil import iso
from tests.api.conftest import Account, Client
from tests.reports.rows import event, ups

T0 = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


async def test_timeline_filters_pages_and_exports(client: Client, member: Account) -> None:
    a = await ups("ups-a", site="paris")
    b = await ups("ups-b", site="lyon", nickname="Küche")
    e1 = await event(a.id, "on_battery", T0, charge=90)
    e2 = await event(b.id, "overload", T0 + timedelta(minutes=1))
    e3 = await event(a.id, "online", T0 + timedelta(minutes=5))
    e4 = await event(b.id, "comm_lost", T0 + timedelta(hours=2))

    status, body, resp = await client.get("/api/events", token=member.token)
    assert status == 200, body
    schemas.validator(schemas.TimelinePage).validate_json(resp.content, strict=True)
    assert [e["id"] for e in body["events"]] == [e4.id, e3.id, e2.id, e1.id]
    first = body["events"][-1]
    assert first["upsName"] == "ups-a" and first["site"] == "paris"
    assert first["kind"] == "on_battery" and first["details"] == {"charge": 90}
    assert body["events"][0]["displayName"] == "Küche"

    async def ids(query: str) -> list[int]:
        status, body, _ = await client.get(f"/api/events?{query}", token=member.token)
        assert status == 200, body
        return [e["id"] for e in body["events"]]

    assert await ids("kind=on_battery,online") == [e3.id, e1.id]
    assert await ids(f"ups={b.id}") == [e4.id, e2.id]
    assert await ids("site=paris") == [e3.id, e1.id]
    assert await ids(
        f"from={iso(T0 + timedelta(minutes=1))}&to={iso(T0 + timedelta(hours=1))}"
    ) == [e3.id, e2.id]
    status, body, _ = await client.get("/api/events?limit=3", token=member.token)
    assert body["nextBefore"] == e2.id
    assert await ids(f"limit=3&before={body['nextBefore']}") == [e1.id]

    status, _, resp = await client.get("/api/events?format=csv&site=lyon", token=member.token)
    assert status == 200 and resp.content.startswith(b"\xef\xbb\xbf")
    assert 'filename="powerpulse-events.csv"' in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert [r["kind"] for r in rows] == ["comm_lost", "overload"]
    assert rows[0]["displayName"] == "Küche" and rows[0]["details"] == "{}"
    status, _, resp = await client.get("/api/events?format=json&kind=online", token=member.token)
    assert [e["id"] for e in orjson.loads(resp.content)] == [e3.id]


async def test_an_unknown_kind_lists_the_valid_ones(client: Client, member: Account) -> None:
    status, body, _ = await client.get("/api/events?kind=on_battery,nope", token=member.token)
    assert status == 400 and body["field"] == "kind"
    assert "'nope'" in body["message"] and "on_battery" in body["message"]
    assert "load_high" in body["message"]  # threshold kinds are kinds too
    # A kind some feature stored is valid even when no wording knows it.
    a = await ups("ups-a")
    stored = await event(a.id, "brand_new_kind", T0)
    status, body, _ = await client.get("/api/events?kind=brand_new_kind", token=member.token)
    assert status == 200 and [e["id"] for e in body["events"]] == [stored.id]
    status, _, _ = await client.get("/api/events")
    assert status == 401
    for query, field in (("limit=501", "limit"), ("before=x", "before"), ("to=nope", "to")):
        status, body, _ = await client.get(f"/api/events?{query}", token=member.token)
        assert status == 400 and body["field"] == field, (query, body)
