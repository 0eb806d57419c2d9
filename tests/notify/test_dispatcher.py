"""The dispatcher's step functions against a real database, receivers and SMTP server."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime, timedelta

from powerpulse.config import Settings
from powerpulse.db.models import Alert, Drill, Event, NotificationDelivery, NotificationLog, User
from powerpulse.notify import outbox
from powerpulse.notify.dispatcher import Dispatcher
from powerpulse.notify.messages import notice_for_test
from powerpulse.notify.outbox import Destination
from powerpulse.timeutil import utcnow
from tests.notify.conftest import make_event, make_ups, make_user
from tests.support.receivers import WebhookReceiver
from tests.support.smtp import SmtpServer


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def dispatcher(settings: Settings, smtp: SmtpServer, **kw: object) -> Dispatcher:
    return Dispatcher(settings, tls_context=smtp.client_context(), **kw)  # type: ignore[arg-type]


async def states() -> dict[str, tuple[str, int]]:
    return {d.channel: (d.state, d.attempts) for d in await NotificationDelivery.all()}


async def test_fan_out_writes_history_and_one_delivery_per_channel(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver, slack_hook: WebhookReceiver
) -> None:
    alice, _ = await make_user(
        "alice",
        discord_webhook_url=discord_hook.url,
        slack_webhook_url=slack_hook.url,
        email_notifications=True,
        email_recipients="ops@example.com",
    )
    ups = await make_ups("ups1", nickname="Server Room")
    event = await make_event(ups)
    async with dispatcher(db, smtp) as d:
        assert await d.fan_out_once() == 1
        assert await d.fan_out_once() == 0
    assert (await Event.get(id=event.id)).dispatched
    [log] = await NotificationLog.all()
    assert (log.user_id, log.ups_id, log.event_id) == (alice.id, ups.id, event.id)  # type: ignore[attr-defined]
    assert (log.ups_name, log.status, log.previous_status) == (
        "Server Room",
        "On Battery",
        "Online",
    )
    assert await states() == {
        "discord": ("pending", 0),
        "slack": ("pending", 0),
        "email": ("pending", 0),
    }
    # Nothing is sent by the fan-out itself.
    assert discord_hook.requests == [] and slack_hook.requests == [] and smtp.messages == []


async def test_gating_rules_decide_who_is_told(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    url = discord_hook.url
    users = {
        "all": await make_user("all", discord_webhook_url=url),
        "muted": await make_user("muted", discord_webhook_url=url, notifications_enabled=False),
        "no_battery": await make_user(
            "no_battery", discord_webhook_url=url, battery_notifications=False
        ),
        "no_low": await make_user(
            "no_low", discord_webhook_url=url, low_battery_notifications=False
        ),
        "no_channel": await make_user("no_channel"),
        "email_off": await make_user("email_off", email_recipients="a@example.com"),
    }
    ups = await make_ups()
    expected = {
        "on_battery": {"all", "no_low"},
        "online": {"all", "no_low"},
        "low_battery": {"all", "no_battery"},
        "fsd": {"all", "no_battery"},
        "comm_lost": {"all", "no_battery", "no_low"},
        "comm_restored": {"all", "no_battery", "no_low"},
        "replace_battery": {"all", "no_battery", "no_low"},
        "overload": {"all", "no_battery", "no_low"},
        "bypass": {"all", "no_battery", "no_low"},
        "off": {"all", "no_battery", "no_low"},
    }
    names = {u.id: name for name, (u, _) in users.items()}
    async with dispatcher(db, smtp) as d:
        for kind, who in expected.items():
            event = await make_event(ups, kind)
            await d.fan_out_once()
            logs = await NotificationLog.filter(event_id=event.id)
            assert {names[log.user_id] for log in logs} == who, kind  # type: ignore[attr-defined]


async def test_deleted_users_are_never_notified(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    gone, _ = await make_user("gone", discord_webhook_url=discord_hook.url)
    await gone.delete()
    await make_event(await make_ups())
    async with dispatcher(db, smtp) as d:
        assert await d.fan_out_once() == 1
        assert await d.deliver_due_once() == 0
    assert await NotificationLog.all().count() == 0
    assert discord_hook.requests == []


async def test_two_dispatchers_never_fan_out_the_same_event_twice(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    ups = await make_ups()
    for _ in range(10):
        await make_event(ups)
    async with dispatcher(db, smtp) as a, dispatcher(db, smtp) as b:
        counts = await asyncio.gather(a.fan_out_once(), b.fan_out_once(), a.fan_out_once())
        assert sum(counts) == 10
        delivered = await asyncio.gather(a.deliver_due_once(), b.deliver_due_once())
        assert sum(delivered) == 10
    assert await NotificationLog.all().count() == 10
    assert len(discord_hook.wait_delivered(10)) == 10
    await asyncio.sleep(0.2)
    assert len(discord_hook.requests) == 10  # exactly once each


async def test_every_channel_receives_exactly_once_and_outcome_is_recorded(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver, slack_hook: WebhookReceiver
) -> None:
    await make_user(
        "alice",
        discord_webhook_url=discord_hook.url,
        slack_webhook_url=slack_hook.url,
        email_notifications=True,
        email_recipients="ops@example.com, night@example.com",
    )
    await make_event(await make_ups("ups1"), "low_battery", "On Battery", "Low Battery", charge=12)
    async with dispatcher(db, smtp) as d:
        await d.fan_out_once()
        assert await d.deliver_due_once() == 3
        assert await d.deliver_due_once() == 0
    assert discord_hook.delivered[0]["embeds"][0]["title"] == "🔋 UPS Low Battery Warning"
    assert slack_hook.delivered[0]["attachments"][0]["color"] == "danger"
    [mail] = smtp.wait_messages(1)
    assert mail.subject == "🔋 UPS Low Battery Warning: ups1"
    assert mail.rcpt_tos == ["ops@example.com", "night@example.com"]
    assert (len(discord_hook.requests), len(slack_hook.requests), len(smtp.messages)) == (1, 1, 1)
    for row in await NotificationDelivery.all():
        assert (row.state, row.attempts, row.last_error) == ("delivered", 1, None)
        assert row.delivered_at is not None and row.duration_ms is not None
        assert row.claimed_until is None


async def test_server_errors_are_retried_with_back_off(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    await make_event(await make_ups())
    discord_hook.script("500")
    clock = Clock()
    async with dispatcher(db, smtp, clock=clock) as d:
        await d.fan_out_once()
        await d.deliver_due_once()
        row = await NotificationDelivery.get()
        assert (row.state, row.attempts) == ("retry", 1)
        assert row.last_error == "HTTP 500: Internal Server Error"
        assert row.next_attempt_at == clock.now + timedelta(seconds=5)
        clock.advance(4.9)
        assert await d.deliver_due_once() == 0  # not due yet
        clock.advance(0.2)
        assert await d.deliver_due_once() == 1
    row = await NotificationDelivery.get()
    assert (row.state, row.attempts, row.last_error) == ("delivered", 2, None)
    assert len(discord_hook.delivered) == 1 and len(discord_hook.requests) == 2


async def test_discord_429_retry_after_is_honoured(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    await make_event(await make_ups())
    discord_hook.script("429:0.4")
    async with dispatcher(db, smtp) as d:
        await d.fan_out_once()
        await d.deliver_due_once()
        row = await NotificationDelivery.get()
        assert row.state == "retry"
        assert row.next_attempt_at is not None
        wait = (row.next_attempt_at - row.updated_at).total_seconds()
        assert 0.35 <= wait <= 0.45  # the service's 0.4 s, not the 5 s back-off
        assert await d.deliver_due_once() == 0
        await asyncio.sleep(0.45)
        assert await d.deliver_due_once() == 1
    assert len(discord_hook.delivered) == 1


async def test_permanent_failures_stop_at_once(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    await make_event(await make_ups())
    discord_hook.script("404")
    clock = Clock()
    async with dispatcher(db, smtp, clock=clock) as d:
        await d.fan_out_once()
        await d.deliver_due_once()
        clock.advance(3600)
        assert await d.deliver_due_once() == 0
    row = await NotificationDelivery.get()
    assert (row.state, row.attempts, row.last_error) == ("failed", 1, "HTTP 404: Unknown Webhook")
    assert len(discord_hook.requests) == 1


async def test_retries_give_up_after_the_last_attempt(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    await make_event(await make_ups())
    discord_hook.script(*["500"] * outbox.MAX_ATTEMPTS)
    clock = Clock()
    gaps = []
    async with dispatcher(db, smtp, clock=clock) as d:
        await d.fan_out_once()
        for _ in range(outbox.MAX_ATTEMPTS):
            assert await d.deliver_due_once() == 1
            row = await NotificationDelivery.get()
            if row.next_attempt_at:
                gaps.append((row.next_attempt_at - clock.now).total_seconds())
            clock.advance(3600)
        assert await d.deliver_due_once() == 0
    assert gaps == list(outbox.BACKOFF_SECONDS)
    row = await NotificationDelivery.get()
    assert (row.state, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert len(discord_hook.requests) == outbox.MAX_ATTEMPTS and discord_hook.delivered == []


async def test_a_hanging_channel_delays_no_other_channel_or_user(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver, slack_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url, slack_webhook_url=slack_hook.url)
    await make_user("bob", slack_webhook_url=slack_hook.url)
    await make_event(await make_ups())
    discord_hook.script("hang")
    async with dispatcher(db, smtp, attempt_timeout=1.5) as d:
        await d.fan_out_once()
        started = time.monotonic()
        step = asyncio.create_task(d.deliver_due_once())
        await slack_hook.await_delivered(2, timeout=5)
        assert time.monotonic() - started < 0.8  # Slack (both users) did not wait for Discord
        assert not step.done()
        assert await step == 3
    assert await states() == {"discord": ("retry", 1), "slack": ("delivered", 1)}
    row = await NotificationDelivery.get(channel="discord")
    assert row.last_error == "timed out after 1.5 s"


async def test_a_claim_abandoned_by_a_dead_sender_is_sent_again_once(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    await make_event(await make_ups())
    clock = Clock()
    async with dispatcher(db, smtp, clock=clock, attempt_timeout=2) as d:
        await d.fan_out_once()
        # A sender claims the delivery and dies before recording anything.
        [claimed] = await outbox.claim_due(clock(), d.lease, 10)
        assert claimed.attempts == 1
        assert await d.deliver_due_once() == 0  # the claim is still live
        clock.advance(d.lease + 0.1)
        assert await d.deliver_due_once() == 1
        assert await d.deliver_due_once() == 0
    assert len(discord_hook.delivered) == 1
    row = await NotificationDelivery.get()
    assert (row.state, row.attempts) == ("delivered", 2)


async def test_run_loop_delivers_new_events_and_stops(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    ups = await make_ups()
    stop = asyncio.Event()
    d = dispatcher(db, smtp, tick=0.1)
    runner = asyncio.create_task(d.run(stop))
    await make_event(ups, "on_battery")
    await discord_hook.await_delivered(1, timeout=5)
    await make_event(ups, "online", "On Battery", "Online")
    d.wake()
    delivered = await discord_hook.await_delivered(2, timeout=5)
    stop.set()
    await asyncio.wait_for(runner, 5)
    assert [b["embeds"][0]["title"] for b in delivered] == [
        "⚡ UPS On Battery",
        "✅ UPS Back Online",
    ]
    assert await Event.filter(dispatched=False).count() == 0


async def test_send_now_records_a_test_notification_without_retry(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver, slack_hook: WebhookReceiver
) -> None:
    user = await User.create(username="tester", password_hash="x")
    slack_hook.script("500")
    async with dispatcher(db, smtp) as d:
        outcomes = await d.send_now(
            user.id,
            notice_for_test(utcnow()),
            [
                Destination("discord", config={"url": discord_hook.url}),
                Destination("slack", config={"url": slack_hook.url}),
            ],
        )
        assert await d.deliver_due_once() == 0  # the failed test is not retried later
    assert [(o.channel, o.ok, o.error) for o in outcomes] == [
        ("discord", True, None),
        ("slack", False, "HTTP 500: internal_error"),
    ]
    [log] = await NotificationLog.all()
    assert (log.kind, log.ups_id) == ("test", None)  # type: ignore[attr-defined]
    assert await states() == {"discord": ("delivered", 1), "slack": ("failed", 1)}


async def test_a_stored_url_no_longer_allowed_is_not_posted_to(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    await make_event(await make_ups())
    narrowed = dataclasses.replace(db, webhook_allowed_hosts=())
    async with dispatcher(narrowed, smtp) as d:
        await d.fan_out_once()
        await d.deliver_due_once()
    row = await NotificationDelivery.get()
    assert row.state == "failed"
    assert row.last_error == (
        "channel config is no longer allowed: "
        "Webhook URL: 127.0.0.1 is not an allowed host for this channel"
    )
    assert discord_hook.requests == []


async def test_email_without_smtp_fails_visibly_in_history(db: Settings, smtp: SmtpServer) -> None:
    await make_user("alice", email_notifications=True, email_recipients="ops@example.com")
    await make_event(await make_ups())
    async with dispatcher(dataclasses.replace(db, smtp_host=""), smtp) as d:
        await d.fan_out_once()
        await d.deliver_due_once()
    row = await NotificationDelivery.get()
    assert row.state == "failed" and row.attempts == 1
    assert (row.last_error or "").startswith(
        "SMTP is not configured: set the email server in Settings"
    )
    assert smtp.messages == []


async def test_old_closed_history_is_pruned_open_deliveries_are_kept(
    db: Settings, smtp: SmtpServer, discord_hook: WebhookReceiver
) -> None:
    await make_user("alice", discord_webhook_url=discord_hook.url)
    ups = await make_ups()
    discord_hook.script("500")  # the first event's delivery stays open (retry)
    clock = Clock()
    async with dispatcher(db, smtp, clock=clock) as d:
        for _ in range(2):
            await make_event(ups)
            await d.fan_out_once()
            await d.deliver_due_once()
        await NotificationLog.all().update(created_at=clock.now - timedelta(days=31))
        await make_event(ups)
        await d.fan_out_once()
        assert await d.prune_once() == 1  # only the old one whose delivery is closed
    kept = await NotificationLog.all().prefetch_related("deliveries")
    assert len(kept) == 2
    assert sorted(d.state for log in kept for d in log.deliveries) == ["pending", "retry"]  # type: ignore[attr-defined]


async def test_alerts_that_ended_and_old_drills_are_pruned_with_the_history(
    db: Settings, smtp: SmtpServer
) -> None:
    ups = await make_ups()
    clock = Clock()
    old = clock.now - timedelta(days=31)
    await Alert.create(
        ups=ups, kind="on_battery", condition="power:OB", started_at=old, cleared_at=old
    )
    ongoing = await Alert.create(ups=ups, kind="overload", condition="flag:OVER", started_at=old)
    await Drill.create(ups=ups, restore_after=30, started_at=old)
    recent = await Drill.create(ups=ups, restore_after=30, started_at=clock.now)
    async with dispatcher(db, smtp, clock=clock) as d:
        await d.prune_once()
    assert [a.id for a in await Alert.all()] == [ongoing.id]  # an ongoing alert stays
    assert [x.id for x in await Drill.all()] == [recent.id]
