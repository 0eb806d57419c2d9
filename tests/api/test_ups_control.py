"""Instant commands and writable variables through the API, against a real upsd + dummy-ups
(`upsd.users` there has a user with `instcmds = ALL` and `actions = SET`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sanic import Sanic

from powerpulse.api.auth import issue_token
from powerpulse.db.models import UpsSystem
from tests.api.conftest import Account, Client, add_server, add_ups, make_user
from tests.support.nut_server import NUT_PASSWORD, NUT_USER, NutServer, free_port


async def _ups(nut: NutServer, *, credentials: bool = True) -> UpsSystem:
    creds = {"username": NUT_USER, "password": NUT_PASSWORD} if credentials else {}
    server = await add_server(nut.host, nut.port, **creds)
    return await add_ups(server, "ups1")


async def test_commands_are_listed_with_descriptions_and_warnings(
    client: Client, admin: Account, nut_factory: Callable[..., NutServer]
) -> None:
    ups = await _ups(nut_factory(["ups1"]))
    status, body, _ = await client.get(f"/api/ups-systems/{ups.id}/commands", token=admin.token)
    assert status == 200, body
    assert body["credentials"] is True
    assert body["commands"] == [
        {
            "name": "load.off",
            "description": "Turn off the load immediately",
            "warning": "load.off cuts power to everything plugged into the UPS",
            "allowed": True,
        }
    ]


async def test_an_operator_runs_harmless_commands_but_never_a_load_cutting_one(
    app: Sanic, client: Client, nut_factory: Callable[..., NutServer]
) -> None:
    operator = await make_user("olga", "operator")
    token = issue_token(operator, app.ctx.jwt_secret)
    ups = await _ups(nut_factory(["ups1"]))
    path = f"/api/ups-systems/{ups.id}/commands"
    status, body, _ = await client.get(path, token=token)
    assert status == 200, body
    assert [(c["name"], c["allowed"]) for c in body["commands"]] == [("load.off", False)]
    status, body, _ = await client.post(
        path, token=token, json={"command": "load.off", "confirm": True}
    )
    assert (status, body["error"]) == (403, "forbidden"), body
    assert "Only administrators may run load.off" in body["message"]
    # A harmless one gets through to upsd (dummy-ups offers none, so upsd refuses it).
    status, body, _ = await client.post(path, token=token, json={"command": "beeper.toggle"})
    assert status == 400 and body["error"] == "cmd-not-supported", body
    # Writable variables stay with admins.
    status, body, _ = await client.get(f"/api/ups-systems/{ups.id}/variables", token=token)
    assert status == 403, body


async def test_a_load_cutting_command_needs_confirm_then_upsd_takes_it(
    client: Client, admin: Account, nut_factory: Callable[..., NutServer]
) -> None:
    ups = await _ups(nut_factory(["ups1"]))
    path = f"/api/ups-systems/{ups.id}/commands"
    status, body, _ = await client.post(path, token=admin.token, json={"command": "load.off"})
    assert status == 409 and body["error"] == "confirmation_required", body
    status, body, _ = await client.post(
        path, token=admin.token, json={"command": "load.off", "confirm": True}
    )
    assert status == 200, body
    assert body["message"] == "load.off sent to ups1"
    # A command the UPS does not list is never sent.
    status, body, _ = await client.post(path, token=admin.token, json={"command": "beeper.mute"})
    assert status == 400 and body["error"] == "cmd-not-supported", body


async def test_without_nut_rights_the_answer_says_what_to_configure(
    client: Client, admin: Account, nut_factory: Callable[..., NutServer]
) -> None:
    ups = await _ups(nut_factory(["ups1"]), credentials=False)
    status, body, _ = await client.post(
        f"/api/ups-systems/{ups.id}/commands",
        token=admin.token,
        json={"command": "load.off", "confirm": True},
    )
    assert status == 403 and body["error"] == "nut_access_denied", body
    assert "upsd.users" in body["message"] and "USERNAME" in body["message"].upper()
    status, body, _ = await client.put(
        f"/api/ups-systems/{ups.id}/variables/ups.delay.shutdown",
        token=admin.token,
        json={"value": "30"},
    )
    assert status == 403 and body["error"] == "nut_access_denied", body


async def test_a_variable_is_described_checked_and_really_set(
    client: Client, admin: Account, nut_factory: Callable[..., NutServer]
) -> None:
    nut = nut_factory(["ups1"])
    ups = await _ups(nut)
    status, body, _ = await client.get(f"/api/ups-systems/{ups.id}/variables", token=admin.token)
    assert status == 200, body
    by_name = {v["name"]: v for v in body["variables"]}
    delay = by_name["ups.delay.shutdown"]
    assert (delay["type"], delay["value"]) == ("number", "20")
    assert "shutdown" in delay["description"].lower()
    assert (by_name["battery.type"]["type"], by_name["battery.type"]["maxLength"]) == ("string", 32)

    path = f"/api/ups-systems/{ups.id}/variables/ups.delay.shutdown"
    status, body, _ = await client.put(path, token=admin.token, json={"value": "soon"})
    assert (status, body["field"], body["message"]) == (400, "value", "Must be a number")
    assert nut.get_var("ups1", "ups.delay.shutdown") == "20"  # nothing was sent
    status, body, _ = await client.put(path, token=admin.token, json={"value": 45})
    assert status == 200, body
    for _ in range(50):
        if nut.get_var("ups1", "ups.delay.shutdown") == "45":
            break
        await asyncio.sleep(0.1)
    assert nut.get_var("ups1", "ups.delay.shutdown") == "45"

    status, body, _ = await client.put(
        f"/api/ups-systems/{ups.id}/variables/no.such.var", token=admin.token, json={"value": "1"}
    )
    assert status == 400 and body["error"] == "var-not-supported", body


async def test_members_may_not_and_bad_input_is_a_clear_error(
    client: Client, admin: Account, member: Account, nut_factory: Callable[..., NutServer]
) -> None:
    ups = await _ups(nut_factory(["ups1"]))
    base = f"/api/ups-systems/{ups.id}"
    assert (await client.get(f"{base}/commands", token=member.token))[0] == 403
    assert (await client.post(f"{base}/commands", token=member.token, json={"command": "x"}))[
        0
    ] == 403
    assert (await client.get(f"{base}/variables"))[0] == 401
    for body in ({}, {"command": 5}, {"command": "load.off\nLOGOUT", "confirm": True}):
        status, answer, _ = await client.post(f"{base}/commands", token=admin.token, json=body)
        assert status == 400, (body, answer)
    status, answer, _ = await client.post(
        f"{base}/commands",
        token=admin.token,
        json={"command": "load.off", "confirm": True, "parameter": "1\nLOGOUT"},
    )
    assert (status, answer.get("field")) == (400, "parameter"), answer
    for value in (None, True, ["1"], "PbAc\nLOGOUT"):
        status, answer, _ = await client.put(
            f"{base}/variables/ups.delay.shutdown", token=admin.token, json={"value": value}
        )
        assert status == 400 and answer["field"] == "value", answer
    assert (await client.get("/api/ups-systems/999/commands", token=admin.token))[0] == 404


async def test_an_unreachable_nut_server_is_a_502_naming_it(client: Client, admin: Account) -> None:
    server = await add_server("127.0.0.1", free_port())
    ups = await add_ups(server, "ups1")
    status, body, _ = await client.get(f"/api/ups-systems/{ups.id}/commands", token=admin.token)
    assert status == 502 and "could not be reached" in body["message"], body
