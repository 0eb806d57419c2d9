"""`/api/debug/*`: admin only, allow-listed tables, masked settings, real sends."""

from __future__ import annotations

import pytest

from powerpulse.db.models import NotificationLog, Sample, User
from tests.api.conftest import Account, Client, add_server, add_ups, make_user, write_live
from tests.notify.conftest import set_prefs
from tests.support.receivers import WebhookReceiver

ENDPOINTS = [
    ("POST", "/api/debug/record-battery/1/50"),
    ("GET", "/api/debug/tables"),
    ("GET", "/api/debug/schema/users"),
    ("POST", "/api/debug/test-ups-monitoring"),
    ("POST", "/api/debug/force-status-change"),
    ("GET", "/api/debug/ups-status-raw"),
    ("GET", "/api/debug/count/users"),
    ("GET", "/api/debug/notification-settings"),
    ("POST", "/api/debug/raw-notification-test"),
    ("POST", "/api/debug/test-notification"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_debug_is_admin_only(client: Client, member: Account, method: str, path: str) -> None:
    await add_ups(await add_server(), "ups1")
    status, body, _ = await client.request(method, path, json={})
    assert status == 401
    status, body, _ = await client.request(method, path, json={}, token=member.token)
    assert (status, body["error"]) == (403, "forbidden")
    assert await Sample.all().count() == 0 and await NotificationLog.all().count() == 0


async def test_tables_lists_only_the_apps_tables(client: Client, admin: Account) -> None:
    status, body, _ = await client.get("/api/debug/tables", token=admin.token)
    names = {t["name"] for t in body}
    assert status == 200
    assert {"users", "nut_servers", "ups_systems", "user_settings", "notification_logs"} <= names
    assert not any(n.startswith("sqlite_") for n in names)


async def test_schema_and_count_of_an_allowed_table(client: Client, admin: Account) -> None:
    status, columns, _ = await client.get("/api/debug/schema/users", token=admin.token)
    assert status == 200
    by_name = {c["name"]: c for c in columns}
    assert by_name["id"]["pk"] == 1 and by_name["username"]["notnull"] == 1
    assert set(columns[0]) == {"cid", "name", "type", "notnull", "dflt_value", "pk"}
    await make_user("bob")
    status, body, _ = await client.get("/api/debug/count/users", token=admin.token)
    assert (status, body) == (200, {"count": 2})


@pytest.mark.parametrize(
    "table",
    [
        "sqlite_master",
        "nope",
        "users%20UNION%20SELECT%20password_hash%20FROM%20users",
        "users)%3B%20DROP%20TABLE%20users%3B--",
        '"users"',
        "USERS",
    ],
)
async def test_other_table_names_are_not_found_and_nothing_runs(
    client: Client, admin: Account, table: str
) -> None:
    for kind in ("schema", "count"):
        status, body, _ = await client.get(f"/api/debug/{kind}/{table}", token=admin.token)
        assert (status, body["message"]) == (404, "Table not found")
        assert "password" not in str(body)
    assert await User.all().count() == 1  # the users table is still there


async def test_record_and_read_battery_history(client: Client, admin: Account) -> None:
    ups = await add_ups(await add_server(), "ups1")
    status, body, _ = await client.post(f"/api/debug/record-battery/{ups.id}/98", token=admin.token)
    assert status == 201
    assert body["message"] == "Battery charge recorded"
    assert (body["upsId"], body["chargePercent"]) == (ups.id, 98)
    assert body["timestamp"].endswith("Z")
    status, rows, _ = await client.get(f"/api/debug/battery-history/{ups.id}", token=admin.token)
    assert status == 200
    assert rows == [
        {"id": body["id"], "ups_id": ups.id, "charge_percent": 98, "timestamp": body["timestamp"]}
    ]
    for bad in ("101", "-1", "abc", "nan"):
        status, body, _ = await client.post(
            f"/api/debug/record-battery/{ups.id}/{bad}", token=admin.token
        )
        assert (status, body["message"]) == (400, "Invalid charge percentage")
    for path in ("/api/debug/record-battery/999/50", "/api/debug/battery-history/999"):
        method = "POST" if "record" in path else "GET"
        status, body, _ = await client.request(method, path, token=admin.token)
        assert (status, body["message"]) == (404, "UPS system not found")
    status, body, _ = await client.get(
        f"/api/debug/battery-history/{ups.id}?days=zero", token=admin.token
    )
    assert status == 400 and body["field"] == "days"
    assert await Sample.all().count() == 1


async def test_ups_status_raw_reads_live_state_without_secrets(
    client: Client, admin: Account
) -> None:
    server = await add_server(port=3499, username="monuser", password="hunter2-secret")
    ups = await add_ups(server, "ups1", nickname="Rack")
    await write_live(ups, {"ups.status": "OB LB", "battery.charge": "9"})
    status, body, _ = await client.get("/api/debug/ups-status-raw", token=admin.token)
    assert status == 200
    [item] = body
    assert (item["id"], item["displayName"], item["status"], item["raw_status"]) == (
        ups.id, "Rack", "Low Battery", "OB LB",
    )  # fmt: skip
    assert item["batteryCharge"] == 9
    assert item["server"] == {"id": server.id, "host": "127.0.0.1", "port": 3499}
    assert "hunter2-secret" not in str(body)


async def test_notification_settings_are_masked(
    client: Client, admin: Account, discord_hook: WebhookReceiver
) -> None:
    await set_prefs(admin.id, discord_webhook_url=discord_hook.url)
    status, body, _ = await client.get("/api/debug/notification-settings", token=admin.token)
    assert status == 200
    assert body == {
        "notifications_enabled": True,
        "battery_notifications": True,
        "low_battery_notifications": True,
        "discord_webhook_url": "Configured",
        "slack_webhook_url": "Not configured",
        "email_notifications": False,
        "email_recipients": "None",
    }


async def test_raw_notification_test_translates_and_sends(
    client: Client, admin: Account, slack_hook: WebhookReceiver
) -> None:
    status, body, _ = await client.post(
        "/api/debug/raw-notification-test",
        token=admin.token,
        json={"status": "OB LB", "webhook_url": slack_hook.url, "webhook_type": "slack"},
    )
    assert status == 200, body
    assert body == {
        "message": "Raw notification test sent successfully",
        "status": "OB LB",
        "translated_status": "Low Battery",
        "webhook_type": "slack",
        "result": "Success",
    }
    assert slack_hook.delivered[0]["attachments"][0]["title"] == "🔋 UPS Low Battery Warning"
    status, body, _ = await client.post(
        "/api/debug/raw-notification-test",
        token=admin.token,
        json={"webhook_url": slack_hook.url, "webhook_type": "teams"},
    )
    assert (status, body["message"]) == (400, "Invalid webhook type or missing webhook URL")
    status, body, _ = await client.post(
        "/api/debug/raw-notification-test", token=admin.token, json={"webhook_type": "discord"}
    )
    assert (status, body["message"]) == (400, "Invalid webhook type or missing webhook URL")
    slack_hook.script("500")
    status, body, _ = await client.post(
        "/api/debug/raw-notification-test",
        token=admin.token,
        json={"status": "OB", "webhook_url": slack_hook.url, "webhook_type": "slack"},
    )
    assert status == 502 and body["reason"] == "HTTP 500: internal_error"


async def test_test_notification_uses_current_user_settings(
    client: Client, admin: Account, discord_hook: WebhookReceiver
) -> None:
    status, body, _ = await client.post("/api/debug/test-notification", token=admin.token, json={})
    assert (status, body["error"]) == (400, "no_channels")
    await set_prefs(admin.id, discord_webhook_url=discord_hook.url)
    status, body, _ = await client.post(
        "/api/debug/test-notification", token=admin.token, json={"ups_name": "Debug <UPS>"}
    )
    assert status == 200, body
    assert body["message"] == "Debug notification sent successfully"
    assert body["settings"]["discord_webhook_url"] == "Configured"
    assert body["response"] == {"message": "Notifications sent successfully"}
    embed = discord_hook.delivered[0]["embeds"][0]
    assert embed["title"] == "⚡ UPS On Battery" and "Debug <UPS>" in embed["fields"][0]["value"]


async def test_force_status_change_reaches_every_user_who_wants_it(
    client: Client, admin: Account, discord_hook: WebhookReceiver, slack_hook: WebhookReceiver
) -> None:
    ups = await add_ups(await add_server(), "ups1", nickname="Rack A")
    bob = await make_user("bob")
    carol = await make_user("carol")
    dave = await make_user("dave")
    await set_prefs(bob.id, discord_webhook_url=discord_hook.url)
    await set_prefs(carol.id, slack_webhook_url=slack_hook.url, battery_notifications=False)
    await set_prefs(dave.id, discord_webhook_url=discord_hook.url, notifications_enabled=False)
    status, body, _ = await client.post(
        "/api/debug/force-status-change", token=admin.token, json={"ups_id": ups.id}
    )
    assert status == 200
    assert body["message"] == "Forced status change notifications processed"
    assert (body["old_status"], body["new_status"], body["ups_id"]) == (
        "Online",
        "On Battery",
        ups.id,
    )
    assert body["results"] == [
        {
            "user_id": bob.id,
            "success": True,
            "results": {"discord": {"success": True}, "slack": None, "email": None},
        }
    ]
    assert len(discord_hook.requests) == 1 and slack_hook.requests == []
    assert "Rack A" in discord_hook.delivered[0]["embeds"][0]["description"]
    status, body, _ = await client.post(
        "/api/debug/force-status-change", token=admin.token, json={"ups_id": 999}
    )
    assert status == 404
    status, body, _ = await client.post(
        "/api/debug/force-status-change", token=admin.token, json={"ups_id": "x"}
    )
    assert status == 400 and body["field"] == "ups_id"


async def test_ups_monitoring_test_reports_per_channel(
    client: Client, admin: Account, discord_hook: WebhookReceiver
) -> None:
    await set_prefs(admin.id, discord_webhook_url=discord_hook.url)
    status, body, _ = await client.post(
        "/api/debug/test-ups-monitoring", token=admin.token, json={"ups_name": "Server Room UPS"}
    )
    assert status == 200
    assert body == {
        "message": "UPS monitoring test completed",
        "result": {
            "success": True,
            "notifications": {"discord": True, "slack": False, "email": False},
        },
    }
    assert len(discord_hook.delivered) == 1
    # Battery events switched off: nothing is sent and the result says so.
    await set_prefs(admin.id, battery_notifications=False)
    status, body, _ = await client.post(
        "/api/debug/test-ups-monitoring", token=admin.token, json={}
    )
    assert body["result"]["success"] is False and "reason" in body["result"]
    assert len(discord_hook.requests) == 1
