"""Digest reports: the numbers of a period delivered to a real local webhook receiver through
the outbox and the dispatcher, each period once even with two senders, the schedules API and
"send now"."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.config import Settings
from powerpulse.db.models import (
    BatteryInstall,
    DigestSchedule,
    NotificationChannel,
    NotificationDelivery,
    NotificationLog,
    SelfTest,
)
from powerpulse.digest import periods, sender
from powerpulse.energy.query import energy_summary
from powerpulse.history import build_sample, write_samples
from powerpulse.notify.dispatcher import Dispatcher
from powerpulse.timeutil import iso, utcnow
from tests.api.conftest import Account, Client
from tests.reports.rows import outage, ups
from tests.support.receivers import WebhookReceiver

DAY_START = datetime(2026, 12, 2, 23, tzinfo=UTC)  # 3 December 2026, 00:00 in Berlin
SEND = datetime(2026, 12, 4, 7, 30, tzinfo=UTC)  # 08:30 in Berlin, the day after


async def fleet_day() -> tuple[int, int]:
    """Two UPS and what happened to them on 3 December (Berlin), plus noise outside it."""
    a = await ups("ups-a", nickname="Rack A")
    b = await ups("ups-b")
    await outage(a.id, DAY_START + timedelta(hours=10), 300, min_charge=60.0)
    await outage(a.id, DAY_START + timedelta(hours=13), 120)
    await outage(b.id, DAY_START + timedelta(hours=20), None)  # still on battery
    await outage(b.id, DAY_START - timedelta(hours=2), 999)  # the day before: not in it
    for ups_id, state in ((a.id, "passed"), (b.id, "failed")):
        await SelfTest.create(
            ups_id=ups_id, state=state, requested_at=DAY_START + timedelta(hours=3)
        )
    await BatteryInstall.create(
        ups_id=a.id, installed_on=date(2022, 1, 1), expected_life_months=36, current_ups_id=a.id
    )
    for minute in range(61):  # one hour at 500 W on ups-a
        at = DAY_START + timedelta(hours=6, minutes=minute)
        sample = build_sample(a.id, {"ups.status": "OL", "ups.realpower": "500"}, ("OL",), at)
        async with in_transaction() as conn:
            await write_samples([sample], conn)
    return a.id, b.id


async def webhook_channel(hook: WebhookReceiver) -> NotificationChannel:
    return await NotificationChannel.create(kind="webhook", name="ops", config={"url": hook.url})


async def test_a_daily_digest_is_delivered_once_with_the_right_numbers(
    db: Settings, slack_hook: WebhookReceiver
) -> None:
    await fleet_day()
    channel = await webhook_channel(slack_hook)
    schedule = await DigestSchedule.create(
        name="Ops daily", period="daily", hour=8, timezone="Europe/Berlin", channels=[channel.id]
    )
    assert await sender.send_due_once(SEND - timedelta(hours=1)) == 0  # 07:30: not yet
    # Two pollers at once: one report.
    sent = await asyncio.gather(sender.send_due_once(SEND), sender.send_due_once(SEND))
    assert sum(sent) == 1
    assert await sender.send_due_once(SEND + timedelta(hours=3)) == 0
    logs = await NotificationLog.filter(kind="digest")
    assert len(logs) == 1 and logs[0].status == "2026-12-03" and logs[0].event_id is None  # type: ignore[attr-defined]
    row = await DigestSchedule.get(id=schedule.id)
    assert row.last_period == "2026-12-03" and row.last_sent_at == SEND

    async with Dispatcher(db) as dispatcher:
        assert await dispatcher.deliver_due_once() == 1
    (body,) = await slack_hook.await_delivered(1)
    assert body["title"] == "📊 PowerPulse daily report: 2026-12-03"
    text = body["message"]
    assert "Ops daily: daily report for Thursday 3 December 2026 (Europe/Berlin)" in text
    assert "Outages: 3, 7 min on battery in total, longest 5 min" in text
    assert "  Rack A: 2 (7 min)" in text
    assert "  ups-b: 1 (0 s), 1 still on battery" in text
    assert "Self-tests: 2 (1 passed, 1 failed)" in text
    assert "Battery warnings: 2" in text
    assert "  Rack A: battery past its expected life (due 2025-01-01)" in text
    assert "  ups-b: self-test failed" in text
    energy = await energy_summary(
        DAY_START, DAY_START + timedelta(days=1), "ups", tz="Europe/Berlin"
    )
    kwh = energy["total"]["kwh"]
    assert kwh is not None and abs(kwh - 0.5) < 0.01  # 500 W for an hour
    assert f"Energy: {kwh:.2f} kWh" in text
    delivery = await NotificationDelivery.get(log_id=logs[0].id)
    assert delivery.state == "delivered" and delivery.channel == "webhook"

    # The next day's report goes out the next morning, once.
    assert await sender.send_due_once(SEND + timedelta(days=1)) == 1
    assert await NotificationLog.filter(kind="digest", status="2026-12-04").count() == 1


async def test_a_failed_delivery_is_retried_by_the_outbox(
    db: Settings, slack_hook: WebhookReceiver
) -> None:
    channel = await webhook_channel(slack_hook)
    await DigestSchedule.create(name="w", period="weekly", hour=6, channels=[channel.id])
    assert await sender.send_due_once(datetime(2026, 12, 7, 7, tzinfo=UTC)) == 1  # Monday
    slack_hook.script("500")
    async with Dispatcher(db) as dispatcher:
        await dispatcher.deliver_due_once()
        delivery = await NotificationDelivery.get()
        assert delivery.state == "retry"
        await NotificationDelivery.filter(id=delivery.id).update(next_attempt_at=None)
        await dispatcher.deliver_due_once()
    (body,) = await slack_hook.await_delivered(1)
    assert body["title"] == "📊 PowerPulse weekly report: 2026-W49"
    assert "Outages: none" in body["message"] and "Energy: no power readings" in body["message"]
    assert (await NotificationDelivery.get()).state == "delivered"


async def test_schedules_api_and_send_now(
    client: Client, admin: Account, member: Account, slack_hook: WebhookReceiver
) -> None:
    channel = await webhook_channel(slack_hook)
    personal = await NotificationChannel.create(
        kind="webhook", name="mine", config={"url": slack_hook.url}, owner_id=member.id
    )
    body = {
        "name": "Monthly",
        "period": "monthly",
        "hour": 7,
        "timezone": "Europe/Berlin",
        "channels": [channel.id],
    }
    status, _, _ = await client.post("/api/digest-schedules", json=body, token=member.token)
    assert status == 403
    status, _, _ = await client.post("/api/digest-schedules", json=body)
    assert status == 401
    status, made, resp = await client.post("/api/digest-schedules", json=body, token=admin.token)
    assert status == 201, made
    schemas.validator(schemas.DigestSchedule).validate_json(resp.content, strict=True)
    assert made["period"] == "monthly" and made["channels"] == [channel.id]
    # The month already due when it was made is not sent behind the admin's back.
    berlin = ZoneInfo("Europe/Berlin")
    month = periods.just_ended("monthly", utcnow(), berlin)
    following = periods.containing("monthly", month.next_day, berlin)
    if periods.due("monthly", 7, berlin, utcnow()) is not None:
        assert made["lastPeriod"] == month.key
        assert made["nextSendAt"] == iso(periods.send_time(following, 7, berlin))
    else:  # made on the 1st before 07:00: this month's report is still to come
        assert made["lastPeriod"] is None
    row = await DigestSchedule.get(id=made["id"])
    assert row.timezone == "Europe/Berlin" and row.hour == 7
    for bad, field in (
        ({"period": "hourly"}, "period"),
        ({"hour": 24}, "hour"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"channels": []}, "channels"),
        ({"channels": [personal.id]}, "channels"),
        ({"channels": ["x"]}, "channels"),
        ({"name": ""}, "name"),
    ):
        status, err, _ = await client.put(
            f"/api/digest-schedules/{made['id']}", json=bad, token=admin.token
        )
        assert status == 400 and err["field"] == field, (bad, err)
    status, changed, _ = await client.put(
        f"/api/digest-schedules/{made['id']}", json={"enabled": False}, token=admin.token
    )
    assert status == 200 and changed["enabled"] is False and changed["nextSendAt"] is None
    status, listed, resp = await client.get("/api/digest-schedules", token=member.token)
    assert status == 200 and [s["id"] for s in listed] == [made["id"]]
    schemas.validator(list[schemas.DigestSchedule]).validate_json(resp.content, strict=True)

    status, sent, resp = await client.post(
        f"/api/digest-schedules/{made['id']}/send", token=admin.token
    )
    assert status == 200, sent
    schemas.validator(schemas.DigestSent).validate_json(resp.content, strict=True)
    assert sent["period"] == month.key and sent["deliveries"][0]["state"] == "delivered"
    (hook_body,) = slack_hook.wait_delivered(1)
    assert hook_body["title"] == f"📊 PowerPulse monthly report: {month.key}"
    assert hook_body["message"] == sent["text"] and month.label in sent["text"]
    assert (await DigestSchedule.get(id=made["id"])).last_sent_at is None  # not the schedule's
    status, _, _ = await client.post(f"/api/digest-schedules/{made['id']}/send", token=member.token)
    assert status == 403
    status, _, _ = await client.post("/api/digest-schedules/999/send", token=admin.token)
    assert status == 404
    status, _, _ = await client.delete(f"/api/digest-schedules/{made['id']}", token=admin.token)
    assert status == 200 and not await DigestSchedule.exists()
    status, _, _ = await client.delete(f"/api/digest-schedules/{made['id']}", token=admin.token)
    assert status == 404
