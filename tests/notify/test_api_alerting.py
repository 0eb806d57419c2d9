"""The admin alerting API (rules, templates, thresholds, maintenance windows, mutes): what it
accepts, what it refuses with a clear 400, and that what is saved changes what is sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from powerpulse.db.models import NotificationLog
from powerpulse.notify.dispatcher import Dispatcher
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client, add_server, add_ups
from tests.notify.conftest import make_event
from tests.support.services import ServiceReceiver
from tests.support.smtp import SmtpServer

RULES = "/api/alert-rules"


@pytest.fixture
def ntfy() -> Iterator[ServiceReceiver]:
    with ServiceReceiver("ntfy") as rx:
        yield rx


async def shared(client: Client, admin: Account, rx: ServiceReceiver) -> int:
    _, body, _ = await client.post(
        "/api/notification-channels",
        token=admin.token,
        json={"kind": "ntfy", "shared": True, "config": {"server": rx.base_url, "topic": "ops"}},
    )
    return int(body["id"])


async def deliver_events(app_settings: object, smtp: SmtpServer) -> None:
    async with Dispatcher(app_settings, tls_context=smtp.client_context()) as d:  # type: ignore[arg-type]
        await d.fan_out_once()
        await d.deliver_due_once()


async def test_rules_are_admin_only_and_bad_rules_are_a_400(
    client: Client, admin: Account, member: Account, ntfy: ServiceReceiver
) -> None:
    assert (await client.get(RULES, token=member.token))[0] == 403
    channel = await shared(client, admin, ntfy)
    _, personal, _ = await client.post(
        "/api/notification-channels",
        token=admin.token,
        json={"kind": "email", "config": {"recipients": "me@example.com"}},
    )
    good = {"name": "r", "events": ["on_battery"], "channels": [channel]}
    for body, field in [
        ({**good, "events": ["on_fire"]}, "events"),
        ({**good, "events": []}, "events"),
        ({**good, "channels": [personal["id"]]}, "channels"),  # rules use shared channels
        ({**good, "ups": [999]}, "ups"),
        ({**good, "repeat_every": 5}, "repeat_every"),  # a storm, not a reminder
        ({**good, "templates": {"on_battery": {"body": "{% if %}"}}}, "templates.on_battery.body"),
        ({**good, "name": ""}, "name"),
    ]:
        status, answer, _ = await client.post(RULES, token=admin.token, json=body)
        assert status == 400 and answer["field"] == field, (body, answer)
    assert (await client.get(RULES, token=admin.token))[1] == []
    status, rule, _ = await client.post(RULES, token=admin.token, json=good)
    assert status == 201 and rule["ups"] == "all" and rule["repeat_every"] is None
    status, rule, _ = await client.put(
        f"{RULES}/{rule['id']}", token=admin.token, json={"enabled": False}
    )
    assert status == 200 and rule["enabled"] is False and rule["events"] == ["on_battery"]
    _, kinds, _ = await client.get(f"{RULES}/event-kinds", token=admin.token)
    by_kind = {k["kind"]: k for k in kinds}
    assert by_kind["low_battery"]["neverMuted"] and not by_kind["on_battery"]["neverMuted"]
    assert {"load_high", "poller_missing", "comm_lost"} <= set(by_kind)


async def test_a_rules_template_shapes_what_its_channel_receives(
    client: Client, admin: Account, ntfy: ServiceReceiver, app: object, smtp: SmtpServer
) -> None:
    ups = await add_ups(await add_server(), "ups1", nickname="Rack *A*")
    channel = await shared(client, admin, ntfy)
    status, _, _ = await client.put(
        "/api/notification-templates/on_battery",
        token=admin.token,
        json={"title": "Power cut at {{ ups }}", "body": "Global body"},
    )
    assert status == 200
    await client.post(
        RULES,
        token=admin.token,
        json={
            "name": "r",
            "events": ["on_battery"],
            "channels": [channel],
            "templates": {"on_battery": {"body": "{{ ups }} runs on battery ({{ charge }})"}},
        },
    )
    await make_event(ups)
    await deliver_events(app.ctx.settings, smtp)  # type: ignore[attr-defined]
    [request] = ntfy.requests
    assert request.body["title"] == "Power cut at Rack *A*"  # the global title
    assert request.body["message"].startswith(r"Rack \*A\* runs on battery (97 %)")  # the rule's


async def test_template_preview_escapes_for_the_chosen_service(
    client: Client, admin: Account
) -> None:
    body = {"kind": "on_battery", "channel_kind": "telegram", "body": "<b>{{ ups }}</b> is off"}
    status, preview, _ = await client.post(
        "/api/notification-templates/preview", token=admin.token, json=body
    )
    assert status == 200, preview
    assert preview["body"] == "<b>Rack &lt;A&gt; *UPS*</b> is off"
    assert preview["payload"]["text"].startswith("<b>⚡ UPS On Battery</b>")
    status, answer, _ = await client.post(
        "/api/notification-templates/preview",
        token=admin.token,
        json={**body, "body": "{{ ups.__class__.__mro__ }}"},
    )
    assert status == 400 and answer["field"] == "template.body"
    # What would crash the parser or stall the dispatcher is a 400 too, with the reason.
    for source, reason in [
        ("{{ " + "(" * 1500 + "1" + ")" * 1500 + " }}", "nested too deeply"),
        ('{{ "x" * 1000000000 }}', "repetition too large"),
        ("{{ 9 ** 99999999 }}", "exponent too large"),
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}",
            "range longer than",
        ),
        ('{{ "x"|center(1000000000) }}', "center width larger than"),
        ("{{ lipsum(1000000) }}", "lipsum"),
    ]:
        status, answer, _ = await client.post(
            "/api/notification-templates/preview", token=admin.token, json={**body, "body": source}
        )
        assert (status, answer.get("field")) == (400, "template.body"), answer
        assert reason in answer["message"]
    _, templates, _ = await client.get("/api/notification-templates", token=admin.token)
    on_battery = next(t for t in templates if t["kind"] == "on_battery")
    assert on_battery["title"] == "" and on_battery["defaultTitle"] == "⚡ UPS On Battery"


async def test_thresholds_validate_their_limits(client: Client, admin: Account) -> None:
    for body, field in [
        ({"metric": "humidity", "above": 1}, "metric"),
        ({"metric": "load"}, "above"),
        ({"metric": "input_voltage", "above": 200, "below": 250}, "below"),
        ({"metric": "charge", "below": 150}, "below"),  # outside the physical range
        ({"metric": "load", "above": 80, "hold": -1}, "hold"),
    ]:
        status, answer, _ = await client.post("/api/thresholds", token=admin.token, json=body)
        assert status == 400 and answer["field"] == field, (body, answer)
    status, row, _ = await client.post(
        "/api/thresholds",
        token=admin.token,
        json={"metric": "input_voltage", "below": 207, "above": 253, "hysteresis": 3},
    )
    assert status == 201 and (row["kind"], row["hold"], row["ups"]) == (
        "input_voltage",
        30,
        "all",
    )


async def test_an_open_maintenance_window_mutes_all_but_low_battery(
    client: Client, admin: Account, ntfy: ServiceReceiver, app: object, smtp: SmtpServer
) -> None:
    ups = await add_ups(await add_server(), "ups1")
    channel = await shared(client, admin, ntfy)
    await client.post(
        RULES,
        token=admin.token,
        json={"name": "r", "events": ["on_battery", "low_battery"], "channels": [channel]},
    )
    now = utcnow() - timedelta(minutes=1)
    status, window, _ = await client.post(
        "/api/maintenance-windows",
        token=admin.token,
        json={
            "ups_id": ups.id,
            "days": [now.weekday()],
            "start": f"{now:%H:%M}",
            "minutes": 30,
            "reason": "battery swap",
        },
    )
    assert status == 201 and window["openUntil"] is not None
    await make_event(ups, "on_battery")
    await make_event(ups, "low_battery", "On Battery", "Low Battery")
    await deliver_events(app.ctx.settings, smtp)  # type: ignore[attr-defined]
    assert [r.body["title"] for r in ntfy.requests] == ["🔋 UPS Low Battery Warning"]
    logs = await NotificationLog.all().order_by("id").values_list("kind", "suppressed")
    assert list(logs) == [("on_battery", "muted"), ("low_battery", None)]
    for body, field in [
        ({"days": [7], "start": "01:00", "minutes": 5}, "days"),
        ({"days": [1], "start": "25:00", "minutes": 5}, "start"),
        ({"days": [1], "start": "01:00", "minutes": 5, "timezone": "Mars/Olympus"}, "timezone"),
    ]:
        status, answer, _ = await client.post(
            "/api/maintenance-windows", token=admin.token, json=body
        )
        assert status == 400 and answer["field"] == field, answer


async def test_mute_all_and_unmute(client: Client, admin: Account, member: Account) -> None:
    server = await add_server()
    a, b = await add_ups(server, "ups1"), await add_ups(server, "ups2")
    status, _, _ = await client.post(
        "/api/ups-systems/mute", token=member.token, json={"minutes": 5}
    )
    assert status == 403
    status, body, _ = await client.post(
        "/api/ups-systems/mute", token=admin.token, json={"minutes": 0}
    )
    assert status == 400 and body["field"] == "minutes"
    status, body, _ = await client.post(
        "/api/ups-systems/mute", token=admin.token, json={"minutes": 60, "reason": "move"}
    )
    assert status == 200 and body["count"] == 2
    _, listed, _ = await client.get("/api/ups-systems", token=member.token)
    assert {u["id"]: u["muteReason"] for u in listed} == {a.id: "move", b.id: "move"}
    await client.delete(f"/api/ups-systems/{a.id}/mute", token=admin.token)
    _, one, _ = await client.get(f"/api/ups-systems/{a.id}", token=member.token)
    assert one["mutedUntil"] is None
    _, body, _ = await client.delete("/api/ups-systems/mute", token=admin.token)
    assert body["count"] == 1
