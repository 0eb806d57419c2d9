"""`/api/notifications/*` end to end: real app, real database, real receivers and SMTP."""

from __future__ import annotations

import json

import pytest

from powerpulse.api import notifications
from powerpulse.api.notifications import SENDS_PER_MINUTE
from powerpulse.db.models import NotificationDelivery, NotificationLog, UserSettings
from powerpulse.notify.dispatcher import Dispatcher
from powerpulse.notify.personal import seed_fields
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.notify.conftest import make_event, set_prefs
from tests.support.receivers import WebhookReceiver
from tests.support.smtp import SmtpServer

ENDPOINTS = [
    ("GET", "/api/notifications/settings"),
    ("POST", "/api/notifications/settings"),
    ("POST", "/api/notifications/test"),
    ("POST", "/api/notifications/test-slack"),
    ("POST", "/api/notifications/test-email"),
    ("GET", "/api/notifications/history"),
    ("POST", "/api/notifications/ups-status"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_every_endpoint_needs_a_login(client: Client, method: str, path: str) -> None:
    status, body, _ = await client.request(method, path, json={})
    assert status == 401 and body["error"] == "no_token"
    status, body, _ = await client.request(method, path, json={}, token="not-a-jwt")
    assert status == 401


async def test_settings_defaults_are_booleans(client: Client, member: Account) -> None:
    status, body, _ = await client.get("/api/notifications/settings", token=member.token)
    assert status == 200
    assert body == {
        "discord_webhook_url": "",
        "slack_webhook_url": "",
        "notifications_enabled": True,
        "battery_notifications": True,
        "low_battery_notifications": True,
        "email_notifications": False,
        "self_test_notifications": False,
        "email_recipients": "",
    }


async def test_settings_accept_booleans_and_0_1_and_store_them(
    client: Client, member: Account, discord_hook: WebhookReceiver
) -> None:
    status, body, _ = await client.post(
        "/api/notifications/settings",
        token=member.token,
        json={
            "notifications_enabled": 0,
            "battery_notifications": False,
            "email_notifications": 1,
            "email_recipients": "ops@example.com; night@example.com",
            "discord_webhook_url": discord_hook.url,
        },
    )
    assert status == 200, body
    assert body["message"] == "Notification settings updated"
    assert body["notifications_enabled"] is False and body["email_notifications"] is True
    assert body["low_battery_notifications"] is True  # not sent: kept
    row = await UserSettings.get(user_id=member.id)
    seed = await seed_fields(member.id)
    assert (row.notifications_enabled, row.battery_notifications, seed["email_notifications"]) == (
        False,
        False,
        True,
    )
    assert seed["email_recipients"] == "ops@example.com, night@example.com"
    assert seed["discord_webhook_url"] == discord_hook.url
    # And switched back on with `true`, which the original UI could never do the other way.
    status, body, _ = await client.post(
        "/api/notifications/settings", token=member.token, json={"notifications_enabled": True}
    )
    assert status == 200 and (await UserSettings.get(user_id=member.id)).notifications_enabled


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"notifications_enabled": "yes"}, "notifications_enabled", "must be true or false"),
        ({"battery_notifications": 2}, "battery_notifications", "must be true or false"),
        (
            {"discord_webhook_url": "https://evil.example/api/webhooks/1/a"},
            "discord_webhook_url",
            "Invalid Discord webhook URL format",
        ),
        (
            {"slack_webhook_url": "http://hooks.slack.com/services/T/B/X"},
            "slack_webhook_url",
            "Invalid Slack webhook URL format",
        ),
        ({"slack_webhook_url": 42}, "slack_webhook_url", "must be a string"),
        (
            {"email_recipients": "ops@example.com, not-an-address"},
            "email_recipients",
            "Invalid email",
        ),
        ({}, None, "No settings provided to update"),
    ],
)
async def test_settings_bad_input_is_a_400_naming_the_field(
    client: Client, member: Account, payload: dict, field: str | None, message: str
) -> None:
    status, body, _ = await client.post(
        "/api/notifications/settings", token=member.token, json=payload
    )
    assert status == 400
    assert body.get("field") == field and message in body["message"]
    row = await UserSettings.get(user_id=member.id)
    assert row.notifications_enabled  # nothing stored
    assert (await seed_fields(member.id))["discord_webhook_url"] == ""


async def test_not_json_is_a_400(client: Client, member: Account) -> None:
    status, body, _ = await client.post(
        "/api/notifications/settings",
        token=member.token,
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert status == 400 and body["error"] == "invalid_json"


async def test_discord_test_reaches_the_receiver_and_history(
    client: Client, member: Account, discord_hook: WebhookReceiver
) -> None:
    status, body, _ = await client.post(
        "/api/notifications/test",
        token=member.token,
        json={"discord_webhook_url": discord_hook.url},
    )
    assert (status, body) == (200, {"message": "Test notification sent successfully"})
    [payload] = discord_hook.delivered
    assert payload["embeds"][0]["title"] == "🔔 PowerPulse Test Notification"
    assert len(discord_hook.requests) == 1
    status, history, _ = await client.get("/api/notifications/history", token=member.token)
    assert status == 200
    assert history[0]["kind"] == "test" and history[0]["ups_id"] is None
    assert history[0]["deliveries"] == [
        {
            "channel": "discord",
            "channelId": None,  # an ad-hoc test of a URL, not a saved channel
            "channelName": None,
            "nextAttemptAt": None,
            "state": "delivered",
            "attempts": 1,
            "lastError": None,
            "deliveredAt": history[0]["deliveries"][0]["deliveredAt"],
        }
    ]
    assert history[0]["deliveries"][0]["deliveredAt"].endswith("Z")


async def test_test_falls_back_to_the_saved_url(
    client: Client, member: Account, slack_hook: WebhookReceiver
) -> None:
    await set_prefs(member.id, slack_webhook_url=slack_hook.url)
    status, body, _ = await client.post("/api/notifications/test-slack", token=member.token)
    assert (status, body) == (200, {"message": "Test notification sent successfully to Slack"})
    assert slack_hook.delivered[0]["attachments"][0]["title"] == "🔔 PowerPulse Test Notification"


async def test_failed_test_answers_502_with_the_reason(
    client: Client, member: Account, discord_hook: WebhookReceiver
) -> None:
    discord_hook.script("404")
    status, body, _ = await client.post(
        "/api/notifications/test",
        token=member.token,
        json={"discord_webhook_url": discord_hook.url},
    )
    assert status == 502
    assert body["error"] == "delivery_failed"
    assert body["reason"] == "HTTP 404: Unknown Webhook"
    assert "HTTP 404: Unknown Webhook" in body["message"]
    row = await NotificationDelivery.get()
    assert (row.state, row.last_error) == ("failed", "HTTP 404: Unknown Webhook")


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        ("/api/notifications/test", "discord_webhook_url", "Discord webhook URL is required"),
        ("/api/notifications/test-slack", "slack_webhook_url", "Slack webhook URL is required"),
        ("/api/notifications/test-email", "email_recipients", "Email recipients are required"),
    ],
)
async def test_test_without_a_target_is_a_400(
    client: Client, member: Account, path: str, field: str, message: str
) -> None:
    status, body, _ = await client.post(path, token=member.token, json={})
    assert status == 400 and body["field"] == field and body["message"] == message


async def test_test_refuses_urls_outside_the_allow_list(client: Client, member: Account) -> None:
    for url in (
        "http://10.0.0.1/api/webhooks/1/a",
        "https://discord.com.evil.net/api/webhooks/1/a",
    ):
        status, body, _ = await client.post(
            "/api/notifications/test", token=member.token, json={"discord_webhook_url": url}
        )
        assert status == 400 and body["message"] == "Invalid Discord webhook URL format"
    assert await NotificationLog.all().count() == 0


async def test_email_test_arrives_over_starttls(
    client: Client, member: Account, smtp: SmtpServer
) -> None:
    # A user tests only their saved recipients (tests/review/test_red_team_mail.py).
    await set_prefs(member.id, email_recipients="ops@example.com, night@example.com")
    status, body, _ = await client.post(
        "/api/notifications/test-email",
        token=member.token,
        json={"email_recipients": "ops@example.com,night@example.com"},
    )
    assert (status, body) == (
        200,
        {"message": "Test notification sent successfully to email recipients"},
    )
    [mail] = smtp.wait_messages(1)
    assert mail.subject == "🔔 PowerPulse Test Notification"
    assert mail.rcpt_tos == ["ops@example.com", "night@example.com"] and mail.tls


async def test_email_test_without_smtp_is_a_clear_error(client: Client, member: Account) -> None:
    import dataclasses

    client.app.ctx.settings = dataclasses.replace(client.app.ctx.settings, smtp_host="")
    await set_prefs(member.id, email_recipients="a@example.com")
    status, body, _ = await client.post(
        "/api/notifications/test-email",
        token=member.token,
        json={"email_recipients": "a@example.com"},
    )
    assert status == 502
    assert body["reason"].startswith("SMTP is not configured: set the email server in Settings")


async def test_history_is_per_user_newest_first_paged_and_hides_urls(
    client: Client, member: Account, admin: Account, discord_hook: WebhookReceiver
) -> None:
    for _ in range(3):
        await client.post(
            "/api/notifications/test",
            token=member.token,
            json={"discord_webhook_url": discord_hook.url},
        )
    await client.post(
        "/api/notifications/test", token=admin.token, json={"discord_webhook_url": discord_hook.url}
    )
    status, rows, resp = await client.get("/api/notifications/history", token=member.token)
    assert status == 200 and len(rows) == 3 and resp.headers["X-Total-Count"] == "3"
    assert {r["user_id"] for r in rows} == {member.id}
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert discord_hook.url not in json.dumps(rows) and "test-token" not in json.dumps(rows)
    status, page, _ = await client.get(
        "/api/notifications/history?limit=2&offset=2", token=member.token
    )
    assert [r["id"] for r in page] == [rows[2]["id"]]
    status, body, _ = await client.get("/api/notifications/history?limit=0", token=member.token)
    assert status == 400 and body["field"] == "limit"
    status, body, _ = await client.get("/api/notifications/history?offset=x", token=member.token)
    assert status == 400 and body["field"] == "offset"


async def test_ups_status_sends_to_the_given_channels(
    client: Client,
    member: Account,
    discord_hook: WebhookReceiver,
    slack_hook: WebhookReceiver,
    smtp: SmtpServer,
) -> None:
    ups = await add_ups(await add_server(), "ups1", nickname="Server Room UPS")
    await write_live(ups, {"ups.status": "OB", "battery.charge": "88", "battery.runtime": "1200"})
    await set_prefs(member.id, email_recipients="ops@example.com")
    status, body, _ = await client.post(
        "/api/notifications/ups-status",
        token=member.token,
        json={
            "ups_id": ups.id,
            "ups_name": "Server Room UPS",
            "status": "On Battery",
            "previous_status": "Online",
            "discord_webhook_url": discord_hook.url,
            "slack_webhook_url": slack_hook.url,
            "email_notifications": True,
            "email_recipients": "ops@example.com",
        },
    )
    assert status == 200 and body["message"] == "Notifications sent successfully"
    assert body["results"] == {
        "discord": {"success": True},
        "slack": {"success": True},
        "email": {"success": True},
    }
    embed = discord_hook.delivered[0]["embeds"][0]
    assert embed["title"] == "⚡ UPS On Battery"
    assert {"name": "Battery charge", "value": "88 %", "inline": True} in embed["fields"]
    assert smtp.wait_messages(1)[0].subject == "⚡ UPS On Battery: Server Room UPS"
    [log] = await NotificationLog.all()
    assert (log.ups_id, log.status, log.previous_status) == (ups.id, "On Battery", "Online")  # type: ignore[attr-defined]


async def test_ups_status_answers_honestly_when_every_channel_failed(
    client: Client, member: Account, discord_hook: WebhookReceiver, slack_hook: WebhookReceiver
) -> None:
    ups = await add_ups(await add_server(), "ups1")
    discord_hook.script("500")
    slack_hook.script("404")
    body_in = {
        "ups_id": ups.id,
        "ups_name": "ups1",
        "status": "On Battery",
        "previous_status": "Online",
        "discord_webhook_url": discord_hook.url,
        "slack_webhook_url": slack_hook.url,
    }
    status, body, _ = await client.post(
        "/api/notifications/ups-status", token=member.token, json=body_in
    )
    assert status == 502 and body["message"] == "Notifications could not be sent"
    assert body["results"]["discord"] == {
        "success": False,
        "error": "HTTP 500: Internal Server Error",
    }
    assert body["results"]["slack"] == {"success": False, "error": "HTTP 404: no_service"}
    slack_hook.script("404")
    status, body, _ = await client.post(
        "/api/notifications/ups-status", token=member.token, json=body_in
    )
    assert status == 200 and body["message"] == "Some notifications could not be sent"


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"status": "On Battery"}, 400, "ups_id"),
        ({"ups_id": "one", "status": "On Battery"}, 400, "ups_id"),
        ({"ups_id": 1}, 400, "status"),
        ({"ups_id": 1, "status": ["On Battery"]}, 400, "status"),
        ({"ups_id": 1, "status": "On Battery"}, 400, None),  # no channel given
        (
            {"ups_id": 1, "status": "On Battery", "discord_webhook_url": "https://x.y/z"},
            400,
            "discord_webhook_url",
        ),
        ({"ups_id": 999, "status": "On Battery", "discord_webhook_url": ""}, 404, None),
    ],
)
async def test_ups_status_bad_input(
    client: Client, member: Account, payload: dict, status: int, field: str | None
) -> None:
    await add_ups(await add_server(), "ups1")
    got, body, _ = await client.post(
        "/api/notifications/ups-status", token=member.token, json=payload
    )
    assert got == status, body
    assert body.get("field") == field
    assert await NotificationLog.all().count() == 0


async def test_sends_are_rate_limited_per_user(
    client: Client,
    member: Account,
    admin: Account,
    discord_hook: WebhookReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stricter test-send limit has its own test (tests/review/test_red_team_mail.py).
    monkeypatch.setattr(notifications, "TEST_SENDS_LIMIT", 1000)
    body = {"discord_webhook_url": discord_hook.url}
    for _ in range(SENDS_PER_MINUTE):
        status, _, _ = await client.post("/api/notifications/test", token=member.token, json=body)
        assert status == 200
    status, reply, resp = await client.post(
        "/api/notifications/test", token=member.token, json=body
    )
    assert status == 429 and reply["error"] == "rate_limited"
    assert int(resp.headers["Retry-After"]) >= 1
    assert len(discord_hook.requests) == SENDS_PER_MINUTE  # the refused one was not sent
    # Another user is not affected.
    status, _, _ = await client.post("/api/notifications/test", token=admin.token, json=body)
    assert status == 200


async def test_history_shows_event_notifications_with_retry_state(
    client: Client, member: Account, discord_hook: WebhookReceiver, smtp: SmtpServer
) -> None:
    await set_prefs(
        member.id,
        discord_webhook_url=discord_hook.url,
        email_notifications=True,
        email_recipients="ops@example.com",
    )
    ups = await add_ups(await add_server(), "ups1", nickname="Rack B")
    await make_event(ups, "comm_lost", "Online", "Unknown")
    discord_hook.script("500")
    async with Dispatcher(client.app.ctx.settings, tls_context=smtp.client_context()) as d:
        await d.fan_out_once()
        await d.deliver_due_once()
    status, [row], _ = await client.get("/api/notifications/history", token=member.token)
    assert status == 200
    assert (row["ups_id"], row["ups_name"], row["kind"]) == (ups.id, "Rack B", "comm_lost")
    assert (row["status"], row["previous_status"]) == ("Unknown", "Online")
    by_channel = {d["channel"]: d for d in row["deliveries"]}
    assert by_channel["discord"]["state"] == "retry"
    assert by_channel["discord"]["lastError"] == "HTTP 500: Internal Server Error"
    assert by_channel["discord"]["deliveredAt"] is None
    assert by_channel["email"]["state"] == "delivered" and by_channel["email"]["attempts"] == 1
    assert "ops@example.com" not in str(row)
