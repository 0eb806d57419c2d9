"""`GET /api/summary` (issue 14, section 6): the flat numbers a dashboard widget (Homepage's
custom API widget) reads, with a read API token, surviving absurd device values."""

from __future__ import annotations

from powerpulse.db.models import NutServer
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import DEFAULT_VARS


async def _read_token(client: Client, account: Account) -> str:
    status, made, _ = await client.post(
        "/api/auth/tokens", json={"name": "homepage", "scope": "read"}, token=account.token
    )
    assert status == 201, made
    return str(made["token"])


async def test_the_summary_counts_buckets_and_names_the_weakest_ups(
    client: Client, member: Account
) -> None:
    server = await add_server()
    await NutServer.filter(id=server.id).update(site="office")
    rack = await add_ups(server, "rack", nickname="Rack A")
    desk = await add_ups(server, "desk")
    await add_ups(server, "never-polled")
    await write_live(rack, {**DEFAULT_VARS, "ups.load": "35", "battery.runtime": "1800"})
    await write_live(
        desk,
        {**DEFAULT_VARS, "ups.status": "OB DISCHRG", "battery.charge": "41",
         "battery.runtime": "420", "ups.load": "62"},
    )  # fmt: skip
    token = await _read_token(client, member)
    status, body, _ = await client.get("/api/summary", token=token)
    assert status == 200, body
    assert (body["total"], body["online"], body["onBattery"], body["unknown"]) == (3, 1, 1, 1)
    assert body["online"] + body["onBattery"] + body["alarm"] + body["unknown"] == body["total"]
    assert body["worstSeverity"] == "warning" or body["worstSeverity"] == "critical"
    assert (body["lowestCharge"], body["lowestChargeUps"]) == (41, "desk")
    assert (body["shortestRuntimeMinutes"], body["shortestRuntimeUps"]) == (7, "desk")
    assert body["highestLoad"] == 62 and body["lastUpdated"]
    by_name = {u["name"]: u for u in body["ups"]}
    assert by_name["Rack A"]["status"] == "Online" and by_name["Rack A"]["site"] == "office"
    assert by_name["desk"]["status"] == "On Battery" and by_name["desk"]["charge"] == 41
    # The list filters apply: another site has nothing.
    status, none, _ = await client.get("/api/summary?site=lab", token=token)
    assert status == 200 and none["total"] == 0 and none["lowestCharge"] is None


async def test_an_absurd_device_value_never_breaks_the_summary(
    client: Client, member: Account
) -> None:
    ups = await add_ups(await add_server(), "weird")
    await write_live(
        ups, {**DEFAULT_VARS, "ups.load": "4.6e251", "battery.charge": "nan",
              "battery.runtime": "-inf"},
    )  # fmt: skip
    status, body, _ = await client.get("/api/summary", token=member.token)
    assert status == 200, body
    # Values no UPS can have are unknown, not numbers: the rest of the summary still answers.
    assert (body["total"], body["online"]) == (1, 1)
    assert (body["highestLoad"], body["lowestCharge"], body["shortestRuntimeMinutes"]) == (
        None,
        None,
        None,
    )
    assert body["ups"][0]["load"] is None and body["ups"][0]["status"] == "Online"


async def test_the_summary_needs_a_sign_in_or_a_token(client: Client) -> None:
    status, err, _ = await client.get("/api/summary")
    assert status == 401, err
    status, err, _ = await client.get(
        "/api/summary", headers={"Authorization": "Bearer pp_not-a-token"}
    )
    assert status == 401, err
