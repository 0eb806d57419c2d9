"""The real poller process against a real upsd: a `.dev` edit becomes a Discord message, once —
also when the poller is killed with SIGKILL in the middle of delivering it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from powerpulse.api.notifications import history_dict
from powerpulse.config import Settings
from powerpulse.db.models import NotificationDelivery, NotificationLog, UpsLiveState, UpsSystem
from powerpulse.notify.dispatcher import ATTEMPT_TIMEOUT, CLAIM_MARGIN
from tests.notify.conftest import make_user
from tests.poller.conftest import add_nut
from tests.support.engines import stack_env
from tests.support.nut_server import NutServer as RealNut
from tests.support.receivers import WebhookReceiver
from tests.support.smtp import SmtpServer
from tests.support.stack import Stack

ENV = {"POLL_INTERVAL": "0.3", "LOG_LEVEL": "INFO", "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}


async def wait_for(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.1)


async def polled_online(ups_id: int) -> None:
    async def online() -> bool:
        row = await UpsLiveState.get_or_none(ups_id=ups_id)
        return row is not None and row.status_tokens == "OL"

    await wait_for(online)


async def test_power_loss_and_restore_reach_discord_exactly_once(
    db: Settings, nut: RealNut, discord_hook: WebhookReceiver, slack_hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    await UpsSystem.filter(id=ids["ups1"]).update(nickname="Rack A")
    await make_user("alice", discord_webhook_url=discord_hook.url, slack_webhook_url=slack_hook.url)
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups1"])
        nut.set_status("ups1", "OB DISCHRG", battery_charge="91")
        await asyncio.to_thread(nut.wait_var, "ups1", "ups.status", "OB DISCHRG")
        [lost] = await discord_hook.await_delivered(1, timeout=10)
        embed = lost["embeds"][0]
        assert embed["title"] == "⚡ UPS On Battery"
        assert "**Rack A** is now running on battery power." in embed["description"]
        assert {"name": "Battery charge", "value": "91 %", "inline": True} in embed["fields"]
        nut.set_status("ups1", "OL CHRG")
        delivered = await discord_hook.await_delivered(2, timeout=10)
        assert delivered[1]["embeds"][0]["title"] == "✅ UPS Back Online"
        await slack_hook.await_delivered(2, timeout=5)
        await asyncio.sleep(1.0)  # time for any duplicate to show up
    assert len(discord_hook.requests) == 2 and len(slack_hook.requests) == 2
    logs = await NotificationLog.all().order_by("id").prefetch_related("deliveries")
    assert [(log.kind, log.ups_id) for log in logs] == [  # type: ignore[attr-defined]
        ("on_battery", ids["ups1"]),
        ("online", ids["ups1"]),
    ]
    assert {d.state for log in logs for d in log.deliveries} == {"delivered"}  # type: ignore[attr-defined]


def titles(hook: WebhookReceiver) -> list[str]:
    return [body["embeds"][0]["title"] for body in hook.delivered]


async def test_a_power_cut_story_reaches_discord_and_email_in_order_and_once(
    db: Settings, nut: RealNut, discord_hook: WebhookReceiver, smtp: SmtpServer
) -> None:
    ids = await add_nut(nut)
    await make_user(
        "alice",
        discord_webhook_url=discord_hook.url,
        email_notifications=True,
        email_recipients="ops@example.com",
    )
    env = {
        **ENV,
        **smtp.env(),
        "COMM_GRACE_SECONDS": "1",
        "SSL_CERT_FILE": str(smtp.cert),  # the poller verifies the test server's certificate
    }
    with Stack(db.data_dir, env=env | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups1"])
        nut.set_status("ups1", "OB DISCHRG")
        await discord_hook.await_delivered(1)
        nut.set_status("ups1", "OB DISCHRG LB", battery_charge="8")
        await discord_hook.await_delivered(2)
        nut.set_status("ups1", "OL CHRG", battery_charge="9")
        await discord_hook.await_delivered(3)
        # upsd restarting (WAIT, then the same OL) must not say anything.
        await asyncio.to_thread(nut.restart_upsd)
        await asyncio.sleep(2.0)
        assert len(discord_hook.requests) == 3
        await asyncio.to_thread(nut.kill_driver, "ups1")
        await discord_hook.await_delivered(4)
        await asyncio.to_thread(nut.start_driver, "ups1")
        await discord_hook.await_delivered(5)
        nut.set_status("ups1", "OL RB")
        await discord_hook.await_delivered(6)
        await asyncio.to_thread(smtp.wait_messages, 6)
        await asyncio.sleep(1.0)
    expected = [
        "⚡ UPS On Battery",
        "🔋 UPS Low Battery Warning",
        "✅ UPS Back Online",
        "📡 UPS Communication Lost",
        "🔌 UPS Communication Restored",
        "🪫 UPS Battery Needs Replacement",
    ]
    assert titles(discord_hook) == expected
    assert len(discord_hook.requests) == 6
    name = (await UpsSystem.get(id=ids["ups1"])).name
    assert [m.subject for m in smtp.messages] == [f"{t}: {name}" for t in expected]
    assert all(m.tls and m.rcpt_tos == ["ops@example.com"] for m in smtp.messages)


async def test_kill_9_mid_delivery_resends_once_after_restart(
    db: Settings, nut: RealNut, discord_hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    await make_user("alice", discord_webhook_url=discord_hook.url)
    discord_hook.script("hang")  # the first attempt never gets an answer
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups1"])
        nut.set_status("ups1", "OB")
        await discord_hook.await_requests(1, timeout=10)
        stack.kill("poller")  # SIGKILL while the POST is in flight
        row = await NotificationDelivery.get()
        assert (row.state, row.attempts, row.delivered_at) == ("pending", 1, None)
        assert row.claimed_until is not None
        killed_at = time.monotonic()

        stack.start_poller()
        lease = ATTEMPT_TIMEOUT + CLAIM_MARGIN
        [body] = await discord_hook.await_delivered(1, timeout=lease + 10)
        # Re-sent only once the dead poller's claim had lapsed, not twice in parallel.
        assert time.monotonic() - killed_at > lease - 2
        assert body["embeds"][0]["title"] == "⚡ UPS On Battery"
        await asyncio.sleep(1.0)
    assert len(discord_hook.requests) == 2 and len(discord_hook.delivered) == 1
    row = await NotificationDelivery.get()
    assert (row.state, row.attempts, row.last_error) == ("delivered", 2, None)
    # The history the API serves shows the outcome of both attempts as one delivery.
    [log] = await NotificationLog.all().prefetch_related("deliveries")  # fanned out once
    [delivery] = history_dict(log)["deliveries"]
    assert (delivery["channel"], delivery["state"], delivery["attempts"]) == (
        "discord",
        "delivered",
        2,
    )
    assert delivery["deliveredAt"].endswith("Z") and delivery["lastError"] is None
