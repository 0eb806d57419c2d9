"""`GET /api/ups-systems/:id/nut-variables`: every variable with kind, unit, what was read from
it and upsd's description (from a real upsd); and the `outage` of events in the events list."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from powerpulse.api import schemas
from powerpulse.db.models import Event, Sample
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import DEFAULT_VARS, NutServer, free_port

ODD = {
    "battery.date": "garbage\x1b]0;x",
    "battery.mfr.date": "05/14/19",
    "ups.mfr.date": "14.05.2019",
    "input.frequency": "4.6e251",
    "output.current": "NaN",
    "ups.realpower": "",
    "input.L1-N.voltage": "231.5",
    "driver.name": "dummy-ups",
}


def _by_name(body: dict) -> dict[str, dict]:
    return {v["name"]: v for v in body["variables"]}


async def test_variables_with_units_and_descriptions(
    client: Client, member: Account, nut_factory: Callable[..., NutServer]
) -> None:
    nut = nut_factory(["ups1"])
    ups = await add_ups(await add_server(nut.host, nut.port), "ups1")
    await write_live(ups, {**DEFAULT_VARS, **ODD})
    path = f"/api/ups-systems/{ups.id}/nut-variables"
    assert (await client.get(path))[0] == 401
    status, body, _ = await client.get(path, token=member.token)
    assert status == 200, body
    schemas.validator(schemas.UpsNutVariables).validate_python(body, strict=True)
    assert body["upsId"] == ups.id and body["lastUpdated"]
    names = [v["name"] for v in body["variables"]]
    assert names == sorted({**DEFAULT_VARS, **ODD})  # every variable, sorted
    found = _by_name(body)
    assert found["battery.runtime"] == {
        "name": "battery.runtime",
        "value": "1800",
        "kind": "duration",
        "unit": "s",
        "number": 1800,
        "date": None,
        "flag": None,
        "description": "Battery runtime (seconds)",  # upsd's cmdvartab
    }
    assert found["input.voltage"]["unit"] == "V" and found["input.voltage"]["number"] == 230.1
    assert found["input.voltage"]["description"] == "Input voltage (V)"
    assert found["input.L1-N.voltage"]["number"] == 231.5
    assert found["ups.load"]["kind"] == "percent"
    assert found["ups.temperature"]["unit"] == "°C"
    assert found["ups.beeper.status"]["flag"] == "enabled"
    assert found["battery.mfr.date"]["date"] == "2019-05-14"
    assert found["ups.mfr.date"]["date"] == "2019-05-14"
    # Garbage is served raw (display-safe) with nothing read from it.
    assert found["battery.date"]["date"] is None
    assert found["battery.date"]["value"] == "garbage\\x1b]0;x"
    for name in ("input.frequency", "output.current", "ups.realpower"):
        assert found[name]["number"] is None, name
    assert found["input.frequency"]["value"] == "4.6e251"
    assert found["device.model"]["kind"] == "text"


async def test_no_live_row_and_bad_ids(client: Client, member: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    status, body, _ = await client.get(
        f"/api/ups-systems/{ups.id}/nut-variables", token=member.token
    )
    assert status == 200 and body == {"upsId": ups.id, "lastUpdated": None, "variables": []}
    for bad in ("abc", "0", "99999", "1e3", "-1", "9" * 40):
        status, body, _ = await client.get(
            f"/api/ups-systems/{bad}/nut-variables", token=member.token
        )
        assert status in (400, 404) and body["message"] and body["error"], (bad, body)


async def test_an_unreachable_server_means_no_descriptions_quickly(
    client: Client, member: Account
) -> None:
    ups = await add_ups(await add_server("127.0.0.1", free_port()), "ups1")
    await write_live(ups, {**DEFAULT_VARS, "bad.value": "\x1b[31m\u202e" * 3})
    path = f"/api/ups-systems/{ups.id}/nut-variables"
    for _ in range(2):
        started = time.monotonic()
        status, body, _ = await client.get(path, token=member.token)
        assert status == 200, body
        assert time.monotonic() - started < 3
        assert {v["description"] for v in body["variables"]} == {None}
        schemas.validator(schemas.UpsNutVariables).validate_python(body, strict=True)


async def _event(ups_id: int, kind: str, at, **details) -> Event:  # type: ignore[no-untyped-def]
    prev, new = ("Online", "On Battery") if kind == "on_battery" else ("On Battery", "Online")
    return await Event.create(
        ups_id=ups_id,
        kind=kind,
        previous_status=prev,
        new_status=new,
        occurred_at=at,
        details={"charge": None, "runtime": None, "load": None, **details},
    )


async def test_events_carry_the_outage_they_ended(client: Client, member: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    t0 = utcnow() - timedelta(hours=2)
    # 1: a full outage with samples between; the lowest is in a sample.
    await _event(ups.id, "on_battery", t0, charge=98)
    for minute, charge in ((1, 90.0), (2, 61.0), (3, 75.5)):
        await Sample.create(ups_id=ups.id, timestamp=t0 + timedelta(minutes=minute), charge=charge)
    end1 = await _event(ups.id, "online", t0 + timedelta(seconds=192), charge=80)
    # Samples outside the outage do not count.
    await Sample.create(ups_id=ups.id, timestamp=t0 + timedelta(minutes=10), charge=5)
    # 2: no samples at all: the events' own charge; a comm_lost between changes nothing.
    t1 = t0 + timedelta(minutes=30)
    await _event(ups.id, "on_battery", t1, charge=100)
    await Event.create(ups_id=ups.id, kind="comm_lost", occurred_at=t1 + timedelta(seconds=5))
    end2 = await _event(ups.id, "online", t1 + timedelta(seconds=40), charge=97.5)
    # 3: an online with no start before it (its on_battery was claimed): no outage.
    orphan = await _event(ups.id, "online", t1 + timedelta(minutes=1))
    # 4: two starts in a row (state reset): the later one; no charge anywhere: null.
    t2 = t0 + timedelta(minutes=60)
    await _event(ups.id, "on_battery", t2, charge="garbage")
    await _event(ups.id, "on_battery", t2 + timedelta(minutes=5), charge=float("nan"))
    end4 = await _event(ups.id, "online", t2 + timedelta(minutes=6))
    status, body, _ = await client.get(f"/api/ups-systems/{ups.id}/events", token=member.token)
    assert status == 200, body
    schemas.validator(schemas.EventsPage).validate_python(body, strict=True)
    by_id = {e["id"]: e for e in body["events"]}
    assert by_id[end1.id]["outage"] == {
        "durationSeconds": 192,
        "lowestCharge": 61,
        "startedAt": by_id[end1.id]["outage"]["startedAt"],
    }
    assert by_id[end2.id]["outage"]["durationSeconds"] == 40
    assert by_id[end2.id]["outage"]["lowestCharge"] == 97.5
    assert by_id[orphan.id]["outage"] is None
    assert by_id[end4.id]["outage"] == {
        "durationSeconds": 60,
        "lowestCharge": None,
        "startedAt": by_id[end4.id]["outage"]["startedAt"],
    }
    assert all(e["outage"] is None for e in body["events"] if e["kind"] != "online")
    # Paging: the start may lie on an earlier page than its end.
    status, page, _ = await client.get(
        f"/api/ups-systems/{ups.id}/events?limit=1", token=member.token
    )
    assert page["events"][0]["id"] == end4.id and page["events"][0]["outage"]["durationSeconds"]
    status, page, _ = await client.get(
        f"/api/ups-systems/{ups.id}/events?before={orphan.id}&limit=2", token=member.token
    )
    assert page["events"][0]["outage"]["lowestCharge"] == 97.5
