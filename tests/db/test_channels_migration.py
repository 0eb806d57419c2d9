"""Migration 0005 on an installation with users: every Discord/Slack/email setting becomes a
personal channel, served unchanged through the seed's fields, and a delivery waiting in the
outbox is still sent to the same place — on both engines."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from powerpulse.db import dialect
from powerpulse.db.models import NotificationChannel, NotificationDelivery
from powerpulse.db.setup import close_db, init_db, run_migrations
from powerpulse.notify.personal import seed_fields
from tests.db.conftest import database_before

BEFORE_CHANNELS = "models.0004_ups_tags"
HOOK = "https://discord.com/api/webhooks/1/abc"
SLACK = "https://hooks.slack.com/services/T/B/x"


async def _user(name: str, discord: str, slack: str, email_on: bool, recipients: str) -> None:
    await dialect.execute(
        "INSERT INTO users (username, password_hash, role, token_version, created_at)"
        " VALUES (?, 'x', 'user', 0, CURRENT_TIMESTAMP)",
        [name],
    )
    [row] = await dialect.fetch("SELECT id FROM users WHERE username = ?", [name])
    await dialect.execute(
        "INSERT INTO user_settings (user_id, inactivity_timeout, discord_webhook_url,"
        " slack_webhook_url, notifications_enabled, battery_notifications,"
        " low_battery_notifications, email_notifications, email_recipients, poll_interval,"
        " self_test_notifications, created_at, updated_at) VALUES (?, 30, ?, ?, ?, ?, ?, ?, ?,"
        " 30, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        [row["id"], discord, slack, True, True, True, email_on, recipients, False],
    )


async def test_seed_fields_move_into_personal_channels_without_loss(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = await database_before(engine, tmp_path, request, "channels", BEFORE_CHANNELS)
    try:  # rows as 2.1 wrote them
        await _user("alice", HOOK, SLACK, True, "ops@example.com, night@example.com")
        await _user("bob", "", "", False, "saved@example.com")  # switch off, list kept
        await _user("carol", "", "", False, "")  # nothing: no channel at all
        await dialect.execute(
            "INSERT INTO notification_logs (user_id, ups_name, status, previous_status, kind,"
            " created_at) VALUES (1, 'ups', 'On Battery', 'Online', 'on_battery',"
            " CURRENT_TIMESTAMP)"
        )
        for channel, target, state in (
            ("discord", HOOK, "retry"),
            ("email", "ops@example.com", "pending"),
            ("slack", SLACK, "delivered"),
        ):
            await dialect.execute(
                "INSERT INTO notification_deliveries (log_id, channel, target, payload, state,"
                " attempts, created_at, updated_at) VALUES (1, ?, ?, '{}', ?, 1,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
                [channel, target, state],
            )
    finally:
        await close_db()
    await run_migrations(settings)
    await init_db(settings)
    try:
        assert await seed_fields(1) == {
            "discord_webhook_url": HOOK,
            "slack_webhook_url": SLACK,
            "email_notifications": True,
            "email_recipients": "ops@example.com, night@example.com",
        }
        assert await seed_fields(2) == {
            "discord_webhook_url": "",
            "slack_webhook_url": "",
            "email_notifications": False,
            "email_recipients": "saved@example.com",
        }
        assert await NotificationChannel.filter(owner_id=3).count() == 0
        kinds = (
            await NotificationChannel.filter(owner_id=1)
            .order_by("id")
            .values_list("kind", "slot", "enabled")
        )
        assert list(kinds) == [
            ("discord", "discord", True),
            ("slack", "slack", True),
            ("email", "email", True),
        ]
        # Open deliveries keep their destination as an ad-hoc config; closed ones are left.
        targets = {d.channel: d.target for d in await NotificationDelivery.all().order_by("id")}
        assert orjson.loads(targets["discord"]) == {"url": HOOK}
        assert orjson.loads(targets["email"]) == {"recipients": "ops@example.com"}
        assert targets["slack"] == SLACK
    finally:
        await close_db()
