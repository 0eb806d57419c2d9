"""The battery routes as a user meets them: `/api/ups-systems/:id/battery/lifecycle` (GET, PUT),
`…/battery/replacements` (POST) and the fleet `/api/battery`. Every answer is checked against
the documented shape; a refused change must leave the record as it was."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from powerpulse.api import schemas
from powerpulse.battery import life, store
from powerpulse.battery.watch import BatteryWatch
from powerpulse.db.models import BatteryInstall, NutServer, SelfTest, UpsSystem
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server, add_ups, write_live


def lifecycle(ups_id: int | str) -> str:
    return f"/api/ups-systems/{ups_id}/battery/lifecycle"


def replacements(ups_id: int | str) -> str:
    return f"/api/ups-systems/{ups_id}/battery/replacements"


def today() -> date:
    return utcnow().date()  # the API's "today": the tests must not depend on the run's date


def slashed(day: date) -> str:
    """A date as usbhid-ups reports it in battery.date."""
    return day.strftime("%Y/%m/%d")


def lifecycle_shape(body: Any) -> dict[str, Any]:
    return dict(schemas.validator(schemas.BatteryLifecycle).validate_python(body, strict=True))


@pytest.fixture(autouse=True)
def fresh_health() -> Iterator[None]:
    # The estimate is cached per UPS id for minutes; every test's first UPS has id 1.
    store.forget_health()
    yield
    store.forget_health()


async def make_ups(name: str = "ups1", **variables: str) -> UpsSystem:
    server = await NutServer.get_or_none(host="127.0.0.1", port=3493) or await add_server()
    ups = await add_ups(server, name, nickname=f"Rack {name}")
    await write_live(ups, {"ups.status": "OL", **variables})
    return ups


async def device_synced(name: str = "ups1", **variables: str) -> UpsSystem:
    """A UPS whose reported battery.date the poller's battery task has already recorded."""
    ups = await make_ups(name, **variables)
    await BatteryWatch().run_once()
    return ups


async def stored(ups_id: int) -> list[tuple[date, str, int | None, str, bool]]:
    rows = await BatteryInstall.filter(ups_id=ups_id).order_by("id")
    return [
        (r.installed_on, r.source, r.expected_life_months, r.note, r.current_ups_id is not None)
        for r in rows
    ]


# --- GET -----------------------------------------------------------------------------------------


async def test_get_shows_the_device_date_age_and_expected_life(
    client: Client, member: Account
) -> None:
    installed = today() - timedelta(days=400)
    ups = await device_synced(**{"battery.date": slashed(installed), "battery.type": "PbAc"})
    status, body, _ = await client.get(lifecycle(ups.id), token=member.token)
    assert status == 200
    view = lifecycle_shape(body)
    assert view["batteryType"] == "PbAc" and view["defaultLifeMonths"] == 36
    assert view["deviceDate"] == {
        "variable": "battery.date",
        "value": slashed(installed),
        "date": installed.isoformat(),
    }
    current = view["current"]
    assert current["installedOn"] == installed.isoformat() and current["source"] == "device"
    assert current["expectedLifeMonths"] == 36 and current["expectedLifeIsDefault"] is True
    assert current["ageDays"] == 400 and current["ageMonths"] == pytest.approx(13.1, abs=0.05)
    assert current["dueOn"] == life.add_months(installed, 36).isoformat()
    assert current["due"] is False
    assert view["history"] == [] and view["tests"] == []
    # Months of history are not there yet: no guessed health.
    assert view["health"]["state"] == "unknown" and view["health"]["reason"]


@pytest.mark.parametrize(
    ("battery_type", "months"),
    [("Li-ion", 96), ("LiFePO4", 96), ("PbAc", 36), ("NiMH-unheard-of", 36), (None, 36)],
)
async def test_expected_life_follows_the_battery_type_an_unknown_type_gets_lead_acid(
    client: Client, member: Account, battery_type: str | None, months: int
) -> None:
    variables = {"battery.type": battery_type} if battery_type else {}
    ups = await make_ups(**variables)
    status, body, _ = await client.get(lifecycle(ups.id), token=member.token)
    assert status == 200
    assert body["defaultLifeMonths"] == months
    assert body["current"] is None  # no date reported, none entered


async def test_a_garbage_device_date_is_not_shown_as_an_install_date(
    client: Client, member: Account
) -> None:
    ups = await device_synced(**{"battery.date": "2001/00/00"})
    _, body, _ = await client.get(lifecycle(ups.id), token=member.token)
    assert body["deviceDate"] is None and body["current"] is None


async def test_unknown_ups_is_404_on_every_battery_route(client: Client, admin: Account) -> None:
    await make_ups()
    for ups_id in ("999", "abc", "0", "99999999999999999999"):
        answers = [
            await client.get(lifecycle(ups_id), token=admin.token),
            await client.put(
                lifecycle(ups_id), token=admin.token, json={"installedOn": "2024-01-01"}
            ),
            await client.post(replacements(ups_id), token=admin.token, json={}),
        ]
        for status, body, _ in answers:
            assert status == 404, (ups_id, body)
            assert body["message"] == "UPS system not found"
    assert await BatteryInstall.all().count() == 0


async def test_battery_routes_need_a_login(client: Client) -> None:
    ups = await make_ups()
    assert (await client.get(lifecycle(ups.id)))[0] == 401
    assert (await client.get("/api/battery"))[0] == 401
    assert (await client.put(lifecycle(ups.id), json={"installedOn": "2024-01-01"}))[0] == 401
    assert (await client.post(replacements(ups.id), json={}))[0] == 401
    assert await BatteryInstall.all().count() == 0


# --- PUT -----------------------------------------------------------------------------------------


async def test_admin_sets_the_date_and_the_device_no_longer_overwrites_it(
    client: Client, admin: Account, caplog: pytest.LogCaptureFixture
) -> None:
    reported = today() - timedelta(days=30)
    ups = await device_synced(**{"battery.date": slashed(reported)})
    entered = today() - timedelta(days=700)
    with caplog.at_level(logging.INFO, logger="powerpulse.audit"):
        status, body, _ = await client.put(
            lifecycle(ups.id),
            token=admin.token,
            json={"installedOn": entered.isoformat(), "expectedLifeMonths": 48, "note": "bay 3"},
        )
    assert status == 200, body
    current = lifecycle_shape(body)["current"]
    assert current["installedOn"] == entered.isoformat() and current["source"] == "admin"
    assert current["expectedLifeMonths"] == 48 and current["expectedLifeIsDefault"] is False
    assert current["ageDays"] == 700 and current["note"] == "bay 3"
    assert any("admin" in r.getMessage() and "ups1" in r.getMessage() for r in caplog.records)
    # The UPS keeps reporting a (newer) date: the admin's record stays.
    await write_live(ups, {"ups.status": "OL", "battery.date": slashed(today())})
    await BatteryWatch().run_once()
    _, body, _ = await client.get(lifecycle(ups.id), token=admin.token)
    assert body["current"]["installedOn"] == entered.isoformat()
    assert body["current"]["source"] == "admin"
    assert body["deviceDate"]["date"] == today().isoformat()  # shown, not applied
    assert await stored(ups.id) == [(entered, "admin", 48, "bay 3", True)]


async def test_admin_creates_the_record_of_a_ups_that_reports_no_date(
    client: Client, admin: Account
) -> None:
    ups = await make_ups(**{"battery.type": "Li-ion"})
    # Without a record there is nothing to change the expected life of: the date is needed.
    status, body, _ = await client.put(
        lifecycle(ups.id), token=admin.token, json={"expectedLifeMonths": 60}
    )
    assert status == 400 and body["field"] == "installedOn"
    assert await stored(ups.id) == []
    entered = today() - timedelta(days=10)
    status, body, _ = await client.put(
        lifecycle(ups.id), token=admin.token, json={"installedOn": entered.isoformat()}
    )
    assert status == 200
    current = lifecycle_shape(body)["current"]
    assert current["source"] == "admin" and current["expectedLifeMonths"] == 96  # lithium
    assert current["ageDays"] == 10 and current["due"] is False


async def test_changing_only_the_expected_life_keeps_the_date_and_null_restores_the_default(
    client: Client, admin: Account
) -> None:
    installed = today() - timedelta(days=800)
    ups = await device_synced(**{"battery.date": slashed(installed)})
    status, body, _ = await client.put(
        lifecycle(ups.id), token=admin.token, json={"expectedLifeMonths": 24}
    )
    assert status == 200
    current = body["current"]
    # 800 days is past 24 months: due now. The date is still the device's (and stays its).
    assert current["expectedLifeMonths"] == 24 and current["due"] is True
    assert current["installedOn"] == installed.isoformat() and current["source"] == "device"
    status, body, _ = await client.put(
        lifecycle(ups.id), token=admin.token, json={"expectedLifeMonths": None}
    )
    assert status == 200
    assert body["current"]["expectedLifeMonths"] == 36
    assert body["current"]["expectedLifeIsDefault"] is True and body["current"]["due"] is False


async def test_a_new_expected_life_alerts_again_when_the_battery_is_due(
    client: Client, admin: Account
) -> None:
    ups = await make_ups(**{"battery.date": slashed(today() - timedelta(days=1200))})
    assert (await BatteryWatch().run_once()).alerted == 1  # 36 months are over
    assert (await BatteryWatch().run_once()).alerted == 0  # once
    # The admin gives it 48 months (no longer due), then 24 (due again): a second alert.
    for months in (48, 24):
        status, _, _ = await client.put(
            lifecycle(ups.id), token=admin.token, json={"expectedLifeMonths": months}
        )
        assert status == 200
    assert (await BatteryWatch().run_once()).alerted == 1


def _bad_bodies() -> list[tuple[Any, str | None]]:
    """(body, the field the 400 names); None: the body as a whole."""
    tomorrow = (today() + timedelta(days=1)).isoformat()
    return [
        ({"installedOn": "2024-02-30"}, "installedOn"),
        ({"installedOn": "2024-1-5"}, "installedOn"),
        ({"installedOn": "05/01/2024"}, "installedOn"),
        ({"installedOn": "yesterday"}, "installedOn"),
        ({"installedOn": ""}, "installedOn"),
        ({"installedOn": tomorrow}, "installedOn"),
        ({"installedOn": "1989-12-31"}, "installedOn"),
        ({"installedOn": 20240105}, "installedOn"),
        ({"installedOn": ["2024-01-05"]}, "installedOn"),
        ({"expectedLifeMonths": -12}, "expectedLifeMonths"),
        ({"expectedLifeMonths": 0}, "expectedLifeMonths"),
        ({"expectedLifeMonths": 5}, "expectedLifeMonths"),
        ({"expectedLifeMonths": 241}, "expectedLifeMonths"),
        ({"expectedLifeMonths": 10**9}, "expectedLifeMonths"),
        ({"expectedLifeMonths": 12.5}, "expectedLifeMonths"),
        ({"expectedLifeMonths": True}, "expectedLifeMonths"),
        ({"expectedLifeMonths": "three years"}, "expectedLifeMonths"),
        ({"expectedLifeMonths": {"months": 12}}, "expectedLifeMonths"),
        ({"note": 42}, "note"),
        ({"note": "x" * 201}, "note"),
        # A good field next to a bad one: nothing of the body is applied.
        ({"installedOn": "2020-01-01", "expectedLifeMonths": 999}, "expectedLifeMonths"),
        ({"installedOn": "2030-13-01", "expectedLifeMonths": 60}, "installedOn"),
        (["2024-01-05"], None),
        ("2024-01-05", None),
        (42, None),
    ]


@pytest.mark.parametrize("route", ["put", "post"])
async def test_bad_input_is_a_400_naming_the_field_and_nothing_is_written(
    client: Client, admin: Account, route: str
) -> None:
    installed = today() - timedelta(days=100)
    ups = await device_synced(**{"battery.date": slashed(installed)})
    before = await stored(ups.id)
    _, view_before, _ = await client.get(lifecycle(ups.id), token=admin.token)
    send = client.put if route == "put" else client.post
    path = lifecycle(ups.id) if route == "put" else replacements(ups.id)
    for body, field in _bad_bodies():
        status, answer, _ = await send(path, token=admin.token, json=body)
        assert status == 400, (body, answer)
        assert answer.get("field") == field, (body, answer)
        if field is not None:
            assert field in answer["message"], answer
        else:
            assert answer["message"] == "Request body must be a JSON object"
    # Not JSON at all.
    status, answer, _ = await send(
        path,
        token=admin.token,
        content=b"{installedOn:",
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and answer["message"] == "Request body is not valid JSON"
    assert await stored(ups.id) == before
    _, view_after, _ = await client.get(lifecycle(ups.id), token=admin.token)
    assert view_after == view_before


async def test_today_and_the_earliest_date_are_accepted(client: Client, admin: Account) -> None:
    ups = await make_ups()
    for day in ("1990-01-01", today().isoformat()):
        status, body, _ = await client.put(
            lifecycle(ups.id), token=admin.token, json={"installedOn": day}
        )
        assert status == 200, body
        assert body["current"]["installedOn"] == day


async def test_a_user_who_is_not_admin_can_read_but_not_change(
    client: Client, member: Account
) -> None:
    installed = today() - timedelta(days=100)
    ups = await device_synced(**{"battery.date": slashed(installed)})
    before = await stored(ups.id)
    status, body, _ = await client.put(
        lifecycle(ups.id), token=member.token, json={"installedOn": "2020-01-01"}
    )
    assert status == 403 and body["error"] == "forbidden"
    status, body, _ = await client.post(replacements(ups.id), token=member.token, json={})
    assert status == 403 and body["error"] == "forbidden"
    assert await stored(ups.id) == before
    status, body, _ = await client.get(lifecycle(ups.id), token=member.token)
    assert status == 200 and body["current"]["installedOn"] == installed.isoformat()
    assert body["history"] == []


# --- POST replacements ---------------------------------------------------------------------------


async def test_a_replacement_keeps_the_old_battery_in_the_history_and_resets_the_age(
    client: Client, admin: Account
) -> None:
    old = today() - timedelta(days=1200)
    ups = await device_synced(**{"battery.date": slashed(old), "battery.type": "PbAc"})
    _, body, _ = await client.get(lifecycle(ups.id), token=admin.token)
    assert body["current"]["due"] is True
    status, body, _ = await client.post(
        replacements(ups.id), token=admin.token, json={"note": "CSB HR1234W"}
    )
    assert status == 201, body
    view = lifecycle_shape(body)
    current = view["current"]
    assert current["installedOn"] == today().isoformat() and current["source"] == "admin"
    assert current["ageDays"] == 0 and current["due"] is False and current["note"] == "CSB HR1234W"
    [past] = view["history"]
    assert past["installedOn"] == old.isoformat() and past["source"] == "device"
    assert past["replacedAt"] is not None and past["replacedAt"].startswith(today().isoformat())
    # The UPS still reports the old battery's date: it changes nothing now.
    await BatteryWatch().run_once()
    assert [row[0] for row in await stored(ups.id)] == [old, today()]


async def test_a_replacement_on_a_given_date_with_its_own_life_then_a_second_one(
    client: Client, admin: Account
) -> None:
    ups = await make_ups()
    # A UPS without any record: the first replacement simply records the new battery.
    first = today() - timedelta(days=60)
    status, body, _ = await client.post(
        replacements(ups.id),
        token=admin.token,
        json={"installedOn": first.isoformat(), "expectedLifeMonths": 60},
    )
    assert status == 201
    assert body["current"]["installedOn"] == first.isoformat()
    assert body["current"]["expectedLifeMonths"] == 60 and body["current"]["ageDays"] == 60
    assert body["history"] == []
    status, body, _ = await client.post(replacements(ups.id), token=admin.token)  # empty body
    assert status == 201
    assert body["current"]["installedOn"] == today().isoformat()
    assert body["current"]["expectedLifeIsDefault"] is True
    assert [(p["installedOn"], p["expectedLifeMonths"]) for p in body["history"]] == [
        (first.isoformat(), 60)
    ]
    assert [row[4] for row in await stored(ups.id)] == [False, True]  # one current battery


# --- GET /api/battery ----------------------------------------------------------------------------


async def _finished_test(ups: UpsSystem, state: str, days_ago: int) -> None:
    at = utcnow() - timedelta(days=days_ago)
    await SelfTest.create(ups=ups, state=state, requested_at=at, started_at=at, finished_at=at)


async def test_fleet_lists_every_ups_with_its_warnings(client: Client, member: Account) -> None:
    fresh = await device_synced("fresh", **{"battery.date": slashed(today() - timedelta(days=90))})
    old = await make_ups("old", **{"battery.date": slashed(today() - timedelta(days=1200))})
    failing = await make_ups("failing", **{"battery.type": "LiFePO4"})
    await BatteryWatch().run_once()
    await _finished_test(fresh, "passed", 3)
    # The latest finished test counts: a failure before a pass is no warning, after one it is.
    await _finished_test(failing, "passed", 20)
    await _finished_test(failing, "failed", 2)
    await SelfTest.create(ups=failing, state="running", requested_at=utcnow())  # not finished
    status, rows, _ = await client.get("/api/battery", token=member.token)
    assert status == 200
    rows = schemas.validator(list[schemas.BatteryFleetRow]).validate_python(rows, strict=True)
    by_name = {r["displayName"]: r for r in rows}
    assert list(by_name) == ["Rack fresh", "Rack old", "Rack failing"]  # every UPS, by id
    assert by_name["Rack fresh"]["warnings"] == []
    assert by_name["Rack fresh"]["due"] is False
    assert by_name["Rack fresh"]["lastTest"]["state"] == "passed"
    assert by_name["Rack old"]["warnings"] == ["battery_due"] and by_name["Rack old"]["due"] is True
    assert by_name["Rack old"]["ageMonths"] == pytest.approx(39.4, abs=0.05)
    assert by_name["Rack old"]["lastTest"] is None
    failing_row = by_name["Rack failing"]
    assert (
        failing_row["warnings"] == ["test_failed"] and failing_row["lastTest"]["state"] == "failed"
    )
    assert failing_row["installedOn"] is None and failing_row["ageMonths"] is None
    assert failing_row["expectedLifeMonths"] == 96
    assert [r["upsId"] for r in rows] == [fresh.id, old.id, failing.id]


async def test_fleet_due_warning_goes_once_the_battery_is_replaced(
    client: Client, admin: Account
) -> None:
    ups = await device_synced(**{"battery.date": slashed(today() - timedelta(days=1200))})
    _, rows, _ = await client.get("/api/battery", token=admin.token)
    assert [r["warnings"] for r in rows] == [["battery_due"]]
    assert (await client.post(replacements(ups.id), token=admin.token))[0] == 201
    _, rows, _ = await client.get("/api/battery", token=admin.token)
    assert [(r["warnings"], r["installedOn"]) for r in rows] == [([], today().isoformat())]


async def test_fleet_of_no_ups_is_an_empty_list(client: Client, member: Account) -> None:
    status, rows, _ = await client.get("/api/battery", token=member.token)
    assert status == 200 and rows == []
