"""/api/user-settings: seed defaults, 0/1 and booleans both stored, ranges, webhook checks."""

from __future__ import annotations

import dataclasses

from sanic import Sanic

from powerpulse.db import counters
from powerpulse.db.models import User, UserSettings
from powerpulse.notify.personal import seed_fields
from tests.api.conftest import ANY, Account, Client

DEFAULTS = {
    "inactivity_timeout": 30,
    "discord_webhook_url": "",
    "slack_webhook_url": "",
    "notifications_enabled": 1,
    "battery_notifications": 1,
    "low_battery_notifications": 1,
    "self_test_notifications": 0,
    "email_notifications": 0,
    "email_recipients": "",
    "poll_interval": 30,
}
DISCORD = "https://discord.com/api/webhooks/123/abc"
SLACK = "https://hooks.slack.com/services/T0/B0/xyz"


async def test_requires_login(client: Client) -> None:
    assert (await client.get("/api/user-settings"))[0] == 401
    assert (await client.post("/api/user-settings", json={"poll_interval": 5}))[0] == 401


async def test_defaults_without_a_row(client: Client, member: Account) -> None:
    await UserSettings.filter(user_id=member.id).delete()
    assert await client.get("/api/user-settings", token=member.token) == (200, DEFAULTS, ANY)
    status, body, _ = await client.post(
        "/api/user-settings", json={"poll_interval": 10}, token=member.token
    )
    assert status == 200
    assert body == {"message": "User settings updated", **DEFAULTS, "poll_interval": 10}
    assert (await UserSettings.get(user_id=member.id)).poll_interval == 10


async def test_full_update_as_in_the_seed(client: Client, member: Account) -> None:
    before = await counters.read(counters.CONFIG)
    request = {
        "inactivity_timeout": 60,
        "discord_webhook_url": DISCORD,
        "slack_webhook_url": SLACK,
        "notifications_enabled": True,
        "battery_notifications": True,
        "low_battery_notifications": True,
        "email_notifications": False,
        "email_recipients": "ops@example.com, boss@example.com",
        "poll_interval": 60,
    }
    status, body, _ = await client.post("/api/user-settings", json=request, token=member.token)
    assert status == 200
    assert body == {
        "message": "User settings updated",
        "inactivity_timeout": 60,
        "discord_webhook_url": DISCORD,
        "slack_webhook_url": SLACK,
        "notifications_enabled": 1,
        "battery_notifications": 1,
        "low_battery_notifications": 1,
        "self_test_notifications": 0,
        "email_notifications": 0,
        "email_recipients": "ops@example.com, boss@example.com",
        "poll_interval": 60,
    }
    row = await UserSettings.get(user_id=member.id)
    seed = await seed_fields(member.id)
    assert (row.inactivity_timeout, seed["discord_webhook_url"], row.poll_interval) == (
        60,
        DISCORD,
        60,
    )
    assert await counters.read(counters.CONFIG) == before + 1
    got = await client.get("/api/user-settings", token=member.token)
    assert got[1] == {k: v for k, v in body.items() if k != "message"}


async def test_flags_switch_off_with_zero_and_false(client: Client, member: Account) -> None:
    """The original UI sent 0/1 and the original server never stored a 0 for them."""
    off = {"notifications_enabled": 0, "battery_notifications": False, "email_notifications": 1}
    status, body, _ = await client.post("/api/user-settings", json=off, token=member.token)
    assert status == 200
    assert (body["notifications_enabled"], body["battery_notifications"]) == (0, 0)
    assert body["email_notifications"] == 1 and body["low_battery_notifications"] == 1
    row = await UserSettings.get(user_id=member.id)
    assert row.notifications_enabled is False and row.battery_notifications is False
    assert (await seed_fields(member.id))["email_notifications"] is True
    assert row.low_battery_notifications is True
    on = {"notifications_enabled": True}
    await client.post("/api/user-settings", json=on, token=member.token)
    assert (await UserSettings.get(user_id=member.id)).notifications_enabled is True


async def test_settings_are_per_user(client: Client, admin: Account, member: Account) -> None:
    await client.post("/api/user-settings", json={"poll_interval": 99}, token=member.token)
    assert (await client.get("/api/user-settings", token=admin.token))[1]["poll_interval"] == 30
    assert (await UserSettings.get(user_id=admin.id)).poll_interval == 30


async def test_bad_values_name_the_field(client: Client, member: Account) -> None:
    cases = [
        ({"inactivity_timeout": 0}, "inactivity_timeout"),
        ({"inactivity_timeout": 1441}, "inactivity_timeout"),
        ({"inactivity_timeout": "abc"}, "inactivity_timeout"),
        ({"poll_interval": 0}, "poll_interval"),
        ({"poll_interval": 3601}, "poll_interval"),
        ({"poll_interval": "abc"}, "poll_interval"),
        ({"poll_interval": 2.5}, "poll_interval"),
        ({"notifications_enabled": 2}, "notifications_enabled"),
        ({"notifications_enabled": "yes"}, "notifications_enabled"),
        ({"discord_webhook_url": "https://evil.example/api/webhooks/1/a"}, "discord_webhook_url"),
        ({"discord_webhook_url": "http://discord.com/api/webhooks/1/a"}, "discord_webhook_url"),
        ({"slack_webhook_url": "https://hooks.slack.com.evil.io/services/x"}, "slack_webhook_url"),
        ({"slack_webhook_url": 5}, "slack_webhook_url"),
        ({"email_recipients": "not an address"}, "email_recipients"),
    ]
    for body, field in cases:
        status, err, _ = await client.post("/api/user-settings", json=body, token=member.token)
        assert status == 400, (body, err)
        assert err["field"] == field, (body, err)
    status, err, _ = await client.post(
        "/api/user-settings", json={"inactivity_timeout": 0}, token=member.token
    )
    assert err["message"] == "Invalid inactivity timeout. Must be between 1 and 1440 minutes."
    status, err, _ = await client.post(
        "/api/user-settings", json={"discord_webhook_url": "https://x.io/"}, token=member.token
    )
    assert err["message"] == "Invalid Discord webhook URL format"
    status, err, _ = await client.post("/api/user-settings", json={}, token=member.token)
    assert (status, err["message"]) == (400, "No settings provided to update")
    assert await client.get("/api/user-settings", token=member.token) == (200, DEFAULTS, ANY)


async def test_allowed_webhook_host_and_clearing(
    client: Client, app: Sanic, member: Account
) -> None:
    test_url = "http://127.0.0.1:8999/hook"
    status, _err, _ = await client.post(
        "/api/user-settings", json={"slack_webhook_url": test_url}, token=member.token
    )
    assert status == 400
    app.ctx.settings = dataclasses.replace(
        app.ctx.settings, webhook_allowed_hosts=("127.0.0.1:8999",)
    )
    status, body, _ = await client.post(
        "/api/user-settings", json={"slack_webhook_url": test_url}, token=member.token
    )
    assert status == 200 and body["slack_webhook_url"] == test_url
    status, body, _ = await client.post(
        "/api/user-settings", json={"slack_webhook_url": ""}, token=member.token
    )
    assert status == 200 and body["slack_webhook_url"] == ""
    assert (await seed_fields(member.id))["slack_webhook_url"] == ""


async def test_deleted_user_settings_go_with_them(client: Client, member: Account) -> None:
    await User.filter(id=member.id).delete()
    assert not await UserSettings.filter(user_id=member.id).exists()
