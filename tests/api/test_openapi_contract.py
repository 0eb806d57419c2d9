"""The OpenAPI document is the API's contract: every route documents its answer, and real
answers match the shape the document names for them.

Each check looks the route up in the app's own `/docs/openapi.json` and validates the answer
against the shape it names there (`powerpulse.api.schemas`), strictly: a field the API sends and
the document does not declare, a missing field, a string where a number is declared, all fail.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, get_args

import httpx
import pytest
from pydantic import ValidationError
from sanic import Sanic

from powerpulse.api import schemas
from powerpulse.db.models import Event, UpsSystem
from powerpulse.nut import status as status_model
from powerpulse.timeutil import utcnow
from tests.api.conftest import PASSWORD, Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import DEFAULT_VARS, NUT_PASSWORD, NUT_USER, NutServer, free_port
from tests.support.receivers import WebhookReceiver
from tests.support.stack import Stack

Doc = dict[str, Any]


async def document(client: Client) -> Doc:
    status, doc, _ = await client.get("/docs/openapi.json")
    assert status == 200
    return dict(doc)


def shape_of(schema: dict[str, Any]) -> Any:
    """The `schemas` class a response schema names (`list[...]` for an array of one)."""
    if "$ref" in schema:
        return getattr(schemas, schema["$ref"].rsplit("/", 1)[1])
    assert schema.get("type") == "array", schema
    return list[shape_of(schema["items"])]  # type: ignore[misc]


def documented_shape(doc: Doc, method: str, template: str, status: int) -> Any:
    """The shape documented for `status`; errors fall back to the `default` (ErrorBody)."""
    operation = doc["paths"][template][method.lower()]
    response = operation["responses"].get(str(status))
    if response is None and status >= 400:
        response = operation["responses"].get("default")
    assert response is not None, f"{method} {template} does not document a {status} answer"
    return shape_of(response["content"]["application/json"]["schema"])


def conforms(doc: Doc, method: str, template: str, resp: httpx.Response) -> Any:
    """The decoded answer, after checking it against the shape the document names for it."""
    shape = documented_shape(doc, method, template, resp.status_code)
    try:
        return schemas.validator(shape).validate_json(resp.content, strict=True)
    except ValidationError as err:
        raise AssertionError(
            f"{method} {template} ({resp.status_code}) does not match {shape}:\n{err}\n"
            f"answer: {resp.text[:2000]}"
        ) from None


class Api:
    """Requests by path template, each answer checked against the document."""

    def __init__(self, client: Client, doc: Doc) -> None:
        self.client, self.doc = client, doc

    async def __call__(
        self,
        method: str,
        template: str,
        expect: int = 200,
        *,
        token: str | None = None,
        body: Any = None,
        query: str = "",
        **params: Any,
    ) -> Any:
        path = template.format(**params) + query
        status, answer, resp = await self.client.request(method, path, token=token, json=body)
        assert status == expect, f"{method} {path}: {status} {answer}"
        return conforms(self.doc, method, template, resp)


@pytest.fixture
async def api(client: Client) -> Api:
    return Api(client, await document(client))


def _template(route_path: str) -> str:
    path = re.sub(r"<([A-Za-z_]\w*)(?::[^>]*)?>", r"{\1}", route_path.strip("/"))
    return "/" + path


async def test_every_route_documents_its_answer(app: Sanic, client: Client) -> None:
    doc = await document(client)
    routes = [r for r in app.router.routes if ".openapi." not in f".{r.name}."]
    assert len(routes) > 50
    undocumented = []
    for route in routes:
        template = _template(route.path)
        for method in sorted(set(route.methods) - {"HEAD", "OPTIONS"}):
            operation = doc["paths"].get(template, {}).get(method.lower())
            answers = (operation or {}).get("responses", {})
            ok = answers.get("200") or answers.get("201")
            if not ok and "302" in answers:  # sends the browser on: documented, no body
                continue
            if not ok or not ok.get("content"):
                undocumented.append(f"{method} {template}")
                continue
            for media, content in ok["content"].items():
                if media == "application/json":
                    shape_of(content["schema"])  # names a declared shape
    assert undocumented == [], "routes without a documented answer (add @schemas.returns)"


async def test_every_reference_in_the_document_resolves(client: Client) -> None:
    doc = await document(client)
    text = json.dumps(doc)
    refs = set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text))
    assert refs, "the document names no shapes"
    assert refs <= set(doc["components"]["schemas"]), refs - set(doc["components"]["schemas"])
    assert all(hasattr(schemas, name) for name in doc["components"]["schemas"])


def test_the_status_words_are_the_status_model() -> None:
    """The document's enums are the one status table's values (nut.status)."""
    assert get_args(schemas.Severity) == status_model.SEVERITIES
    assert get_args(schemas.PowerStateCode) == tuple(s.code for s in status_model.POWER_STATES)
    assert get_args(schemas.PowerStateLabel) == tuple(s.label for s in status_model.POWER_STATES)
    assert get_args(schemas.SummaryBucket) == tuple(code for code, _ in status_model.BUCKETS)


async def test_the_ups_shapes_name_only_what_the_api_sends(client: Client) -> None:
    doc = await document(client)
    shapes = doc["components"]["schemas"]
    ups, kiosk = shapes["Ups"]["properties"], shapes["KioskUps"]["properties"]
    for guessed in ("brand", "serial", "server"):  # the old UI's guesses
        assert guessed not in ups and guessed not in kiosk
    assert "driverDetails" in ups and "driverDetails" not in kiosk
    assert shapes["Ups"]["additionalProperties"] is False
    assert ups["lastKnown"] == {
        "allOf": [{"$ref": "#/components/schemas/LastKnown"}],
        "nullable": True,
    }
    assert set(shapes["Ups"]["required"]) == set(ups)


async def test_the_check_is_strict(client: Client, member: Account) -> None:
    """An undeclared field, a missing one or a wrong type in a real answer fails the check."""
    ups = await add_ups(await add_server(), "ups1")
    await write_live(ups, DEFAULT_VARS)
    _, body, resp = await client.get(f"/api/ups-systems/{ups.id}", token=member.token)
    check = schemas.validator(schemas.Ups)
    check.validate_json(resp.content, strict=True)
    for broken in (
        {**body, "brand": "APC"},
        {k: v for k, v in body.items() if k != "summaryBucket"},
        {**body, "batteryCharge": "100"},
        {**body, "powerState": "On Battery"},
        {**body, "lastUpdated": "yesterday"},
    ):
        with pytest.raises(ValidationError):
            check.validate_json(json.dumps(broken), strict=True)


async def test_ups_answers_match_the_document(api: Api, admin: Account, member: Account) -> None:
    server = await add_server(username="monuser", password="s3cret!")
    live = await add_ups(server, "ups1", nickname="Rack A")
    stale = await add_ups(server, "ups2")
    unreachable = await add_ups(server, "ups3")
    never = await add_ups(server, "ups4")
    now = utcnow()
    await write_live(live, {**DEFAULT_VARS, "ups.status": "OL RB CHRG", "ups.alarm": "Fan"})
    await write_live(
        stale,
        {**DEFAULT_VARS, "ups.status": "OB DISCHRG"},
        last_success_at=now - timedelta(hours=1),
        last_attempt_at=now - timedelta(hours=1),
    )
    await write_live(
        unreachable,
        DEFAULT_VARS,
        last_success_at=now - timedelta(minutes=5),
        error_code="unreachable",
        error_message="Connection refused by 10.0.0.9:3493",
    )
    await Event.create(
        ups=live,
        kind="self_test",
        previous_status="Online",
        new_status="Self Test",
        occurred_at=now,
        details={"phase": "ended", "result": "Done and passed"},
    )
    await Event.create(ups=live, kind="on_battery", occurred_at=now - timedelta(minutes=1))

    listed = await api("GET", "/api/ups-systems", token=member.token)
    by_id = {u["id"]: u for u in listed}
    assert by_id[stale.id]["lastKnown"] is not None and by_id[stale.id]["status"] == "Unknown"
    assert by_id[unreachable.id]["error"]["code"] == "unreachable"
    assert by_id[never.id]["reachable"] is None
    assert by_id[live.id]["conditions"], "a UPS with conditions was checked"
    kiosk = await api("GET", "/api/ups-systems/kiosk")
    assert all("driverDetails" not in u for u in kiosk)
    await api("GET", "/api/ups/systems/kiosk")
    missing = await api("GET", "/api/ups-systems/{ups_id}", 404, token=member.token, ups_id=999)
    assert missing["error"] == "not_found"  # errors are documented too (ErrorBody)
    await api("GET", "/api/ups-systems", 401)
    await api("POST", "/api/ups-systems", 400, token=admin.token, body={"upsName": "x"})
    for ups in (live, stale, unreachable, never):
        await api("GET", "/api/ups-systems/{ups_id}", token=member.token, ups_id=ups.id)
    events = await api(
        "GET", "/api/ups-systems/{ups_id}/events", token=member.token, ups_id=live.id
    )
    assert len(events["events"]) == 2
    await api(
        "GET",
        "/api/ups-systems/{ups_id}/events",
        token=member.token,
        query="?limit=1",
        ups_id=live.id,
    )
    for charge in (80, 79.5):
        await api(
            "POST",
            "/api/ups-systems/{ups_id}/battery",
            201,
            token=admin.token,
            body={"chargePercent": charge},
            ups_id=live.id,
        )
    samples = await api(
        "GET", "/api/ups-systems/{ups_id}/battery", token=member.token, ups_id=live.id
    )
    assert [s["charge_percent"] for s in samples] == [79.5, 80]
    history = await api(
        "GET", "/api/ups-systems/{ups_id}/history", token=member.token, ups_id=live.id
    )
    assert history["points"] and history["points"][0]["charge"]["max"] == 80
    await api("GET", "/api/debug/battery-history/{ups_id}", token=admin.token, ups_id=live.id)
    await api(
        "POST",
        "/api/debug/record-battery/{ups_id}/{charge}",
        201,
        token=admin.token,
        ups_id=live.id,
        charge="55",
    )
    raw = await api("GET", "/api/debug/ups-status-raw", token=admin.token)
    assert {u["raw_status"] for u in raw} >= {"OL RB CHRG", "OB DISCHRG"}
    status_table = await api("GET", "/api/status-model")
    assert [s["code"] for s in status_table["powerStates"]] == list(
        get_args(schemas.PowerStateCode)
    )


async def test_account_and_settings_answers_match_the_document(
    api: Api, admin: Account, member: Account
) -> None:
    assert not (await api("GET", "/api/auth/check-setup"))["isFirstTimeSetup"]
    login = await api("POST", "/api/auth/login", body={"username": "alice", "password": PASSWORD})
    token = login["token"]
    me = await api("GET", "/api/auth/me", token=token)
    assert me["isAdmin"] is False
    await api("GET", "/api/users", token=admin.token)
    await api("GET", "/api/users/{user_id}", token=token, user_id=member.id)
    await api(
        "PUT",
        "/api/users/{user_id}",
        token=token,
        body={"email": "a@example.net"},
        user_id=member.id,
    )
    created = await api(
        "POST",
        "/api/auth/register",
        201,
        token=admin.token,
        body={"username": "bob", "password": "battery-staple-3", "role": "user"},
    )
    reset = await api(
        "PUT",
        "/api/users/{user_id}/password",
        token=admin.token,
        body={"password": "battery-staple-4"},
        user_id=created["user"]["id"],
    )
    assert "token" not in reset
    mine = await api(
        "PUT",
        "/api/users/{user_id}/password",
        token=admin.token,
        body={"password": "battery-staple-5"},
        user_id=admin.id,
    )
    assert mine["token"]
    admin_token = mine["token"]
    changed = await api(
        "POST",
        "/api/auth/change-password",
        token=token,
        body={"currentPassword": PASSWORD, "newPassword": "another-horse-2"},
    )
    token = changed["token"]
    await api("DELETE", "/api/users/{user_id}", token=admin_token, user_id=created["user"]["id"])

    await api("GET", "/api/user-settings", token=token)
    saved = await api(
        "POST",
        "/api/user-settings",
        token=token,
        body={"notifications_enabled": False, "poll_interval": 15, "inactivity_timeout": 60},
    )
    assert saved["notifications_enabled"] == 0
    await api("GET", "/api/notifications/settings", token=token)
    await api(
        "POST",
        "/api/notifications/settings",
        token=token,
        body={"battery_notifications": False, "email_recipients": "ops@example.com"},
    )
    await api("GET", "/api/notifications/history", token=token)
    await api("POST", "/api/stream/ticket", token=token)

    anonymous = await api("GET", "/api/system/version")
    assert set(anonymous) <= {"version", "imageRef", "imageDigest", "selfUpdate"}
    await api("GET", "/api/system/version", token=admin_token)
    await api("GET", "/api/system/update/status", token=admin_token)

    tables = await api("GET", "/api/debug/tables", token=admin_token)
    table = tables[0]["name"]
    await api("GET", "/api/debug/schema/{table}", token=admin_token, table=table)  # both engines
    await api("GET", "/api/debug/count/{table}", token=admin_token, table=table)
    await api("GET", "/api/debug/notification-settings", token=admin_token)
    tried = await api("POST", "/api/debug/test-ups-monitoring", token=admin_token, body={})
    assert tried["result"]["reason"]  # no channel configured: says why nothing was sent
    forced = await api("POST", "/api/debug/force-status-change", token=admin_token, body={})
    assert forced["results"] == []


async def test_server_and_ups_config_answers_match_the_document(
    api: Api, admin: Account, nut_factory: Callable[..., NutServer]
) -> None:
    nut = nut_factory(["ups1", "ups2"])
    creds = {"username": NUT_USER, "password": NUT_PASSWORD}
    server = await api(
        "POST",
        "/api/nut-servers",
        201,
        token=admin.token,
        body={"host": nut.host, "port": nut.port, **creds},
    )
    assert [u["upsName"] for u in server["upsSystemsAdded"]] == ["ups1", "ups2"]
    down = await api(
        "POST",
        "/api/nut-servers",
        201,
        token=admin.token,
        body={"host": "127.0.0.1", "port": free_port()},
    )
    assert down["discoveryError"]["code"]
    await api("GET", "/api/nut-servers", token=admin.token)
    await api("GET", "/api/nut/servers", token=admin.token)
    await api("GET", "/api/nut-servers/{server_id}", token=admin.token, server_id=server["id"])
    await api(
        "POST", "/api/nut-servers/{server_id}/test", token=admin.token, server_id=server["id"]
    )
    await api(
        "POST",
        "/api/nut-servers/test",
        token=admin.token,
        body={"host": nut.host, "port": nut.port},
    )
    await api(
        "PUT",
        "/api/nut-servers/{server_id}",
        token=admin.token,
        body={"starttls": False, **creds},
        server_id=server["id"],
    )
    ups_id = server["upsSystemsAdded"][0]["id"]
    await api("GET", "/api/ups-systems/{ups_id}/commands", token=admin.token, ups_id=ups_id)
    await api("GET", "/api/ups-systems/{ups_id}/variables", token=admin.token, ups_id=ups_id)
    await api(
        "PUT",
        "/api/ups-systems/{ups_id}/nickname",
        token=admin.token,
        body={"nickname": "Closet"},
        ups_id=ups_id,
    )
    added = await api(
        "POST",
        "/api/ups-systems",
        201,
        token=admin.token,
        body={"nutServerId": server["id"], "upsName": "ups3", "nickname": "Spare"},
    )
    await api(
        "PUT",
        "/api/ups-systems/{ups_id}",
        token=admin.token,
        body={"name": "Spare UPS"},
        ups_id=added["id"],
    )
    await api("DELETE", "/api/ups-systems/{ups_id}", token=admin.token, ups_id=added["id"])
    gone = await api(
        "DELETE", "/api/nut-servers/{server_id}", token=admin.token, server_id=server["id"]
    )
    assert {u["name"] for u in gone["deletedUpsSystems"]} == {"ups1", "ups2"}
    assert not await UpsSystem.filter(id=ups_id).exists()


async def test_setup_answer_matches_the_document(api: Api, nut: NutServer) -> None:
    result = await api(
        "POST",
        "/api/auth/setup",
        201,
        body={
            "username": "owner",
            "password": "owner-pass-1",
            "nutServer": nut.host,
            "nutPort": nut.port,
        },
    )
    assert len(result["upsSystemsAdded"]) == 2


# --- the real workers ----------------------------------------------------------------------------


def _conforms_stack(
    doc: Doc,
    stack: Stack,
    method: str,
    template: str,
    token: str | None = None,
    body: Any = None,
    expect: int = 200,
    **params: Any,
) -> Any:
    path = template.format(**params)
    status, answer = stack.request(method, path, body, token=token)
    assert status == expect, f"{method} {path}: {status} {answer}"
    resp = httpx.Response(status, content=json.dumps(answer).encode())
    return conforms(doc, method, template, resp)


def _wait(what: str, probe: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_real_workers_answer_as_documented(
    tmp_path: Path, nut_factory: Callable[..., NutServer], database_url: str
) -> None:
    """api + poller processes against a real upsd: what the poller wrote, as the API serves it."""
    nut = nut_factory(["ups1", "ups2"])
    with (
        WebhookReceiver("discord") as hook,
        Stack(
            tmp_path / "data",
            env={
                "POLL_INTERVAL": "0.3",
                "WEBHOOK_ALLOWED_HOSTS": hook.host,
                "DATABASE_URL": database_url,
            },
        ) as stack,
    ):
        stack.start_api()
        status, doc = stack.request("GET", "/docs/openapi.json")
        assert status == 200
        token = stack.setup_admin(nut.host, nut.port)
        stack.start_poller()

        def ups_list() -> list[dict[str, Any]]:
            return _conforms_stack(doc, stack, "GET", "/api/ups-systems", token)

        _wait("both UPS online", lambda: [u["status"] for u in ups_list()] == ["Online"] * 2)
        nut.set_status("ups1", "OB DISCHRG", **{"battery.charge": "71"})
        nut.set_status("ups2", "OL CHRG RB")
        _wait("ups1 on battery", lambda: ups_list()[0]["powerState"] == "on_battery")
        ups1 = ups_list()[0]
        events = _wait(
            "an on_battery event",
            lambda: _conforms_stack(
                doc, stack, "GET", "/api/ups-systems/{ups_id}/events", token, ups_id=ups1["id"]
            )["events"],
        )
        assert events[0]["kind"] == "on_battery"
        _conforms_stack(doc, stack, "GET", "/api/ups-systems/kiosk")
        _conforms_stack(doc, stack, "GET", "/api/ups-systems/{ups_id}", token, ups_id=ups1["id"])
        _conforms_stack(
            doc, stack, "GET", "/api/ups-systems/{ups_id}/history", token, ups_id=ups1["id"]
        )
        _conforms_stack(doc, stack, "GET", "/api/nut-servers", token)
        _conforms_stack(doc, stack, "GET", "/api/debug/ups-status-raw", token)

        _conforms_stack(
            doc,
            stack,
            "POST",
            "/api/notifications/test",
            token,
            body={"discord_webhook_url": hook.url},
        )
        sent = _conforms_stack(
            doc,
            stack,
            "POST",
            "/api/notifications/ups-status",
            token,
            body={"ups_id": ups1["id"], "status": "On Battery", "discord_webhook_url": hook.url},
        )
        assert sent["results"]["discord"] == {"success": True}
        history = _conforms_stack(doc, stack, "GET", "/api/notifications/history", token)
        assert history and history[0]["deliveries"]

        nut.kill_driver("ups1")
        stale = _wait("ups1 shown as not live", lambda: ups_list()[0]["lastKnown"])
        assert stale["powerState"] == "on_battery"
        _conforms_stack(doc, stack, "GET", "/api/ups-systems/kiosk")
