"""Rules, thresholds, repeats, mutes, acknowledgements and drills, driven by a real upsd through
the real poller process, delivered to a real ntfy-like receiver through the API's channels."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import Alert, Event, NotificationLog, UpsLiveState
from powerpulse.timeutil import utcnow
from tests.api.conftest import Account, Client
from tests.notify.test_end_to_end import ENV, polled_online, wait_for
from tests.poller.conftest import add_nut
from tests.support.engines import stack_env
from tests.support.nut_server import NutServer as RealNut
from tests.support.services import ServiceReceiver
from tests.support.stack import Stack


@pytest.fixture
def ntfy() -> Iterator[ServiceReceiver]:
    with ServiceReceiver("ntfy") as rx:
        yield rx


async def shared_ntfy(client: Client, admin: Account, rx: ServiceReceiver, topic: str) -> int:
    status, body, _ = await client.post(
        "/api/notification-channels",
        token=admin.token,
        json={
            "kind": "ntfy",
            "name": f"ntfy {topic}",
            "shared": True,
            "config": {"server": rx.base_url, "topic": topic},
        },
    )
    assert status == 201, body
    return int(body["id"])


async def make_rule(client: Client, admin: Account, **rule: Any) -> dict[str, Any]:
    status, body, _ = await client.post("/api/alert-rules", token=admin.token, json=rule)
    assert status == 201, body
    return body


def titles(rx: ServiceReceiver, topic: str | None = None) -> list[str]:
    return [b["title"] for b in rx.delivered if topic is None or b["topic"] == topic]


async def test_a_rule_for_one_ups_does_not_fire_for_another(
    db: Settings, nut: RealNut, client: Client, admin: Account, ntfy: ServiceReceiver
) -> None:
    ids = await add_nut(nut)
    channel = await shared_ntfy(client, admin, ntfy, "rack-a")
    rule = await make_rule(
        client,
        admin,
        name="Rack A power",
        ups=[ids["ups1"]],
        events=["on_battery", "online"],
        channels=[channel],
    )
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups2"])
        nut.set_status("ups2", "OB DISCHRG")
        await wait_for(lambda: Event.filter(ups_id=ids["ups2"], kind="on_battery").exists())
        nut.set_status("ups1", "OB DISCHRG")
        await ntfy.await_requests(1)
        await asyncio.sleep(1.0)  # time for a wrong message about ups2 to show up
    assert titles(ntfy) == ["⚡ UPS On Battery"]
    assert "ups1" in ntfy.delivered[0]["message"]
    _, log, _ = await client.get("/api/notifications/log", token=admin.token)
    assert [(row["kind"], row["rule"]) for row in log] == [
        ("on_battery", {"id": rule["id"], "name": "Rack A power"})
    ]
    assert log[0]["deliveries"][0]["channelName"] == "ntfy rack-a"


async def test_a_threshold_fires_after_its_hold_and_clears_past_its_hysteresis_once(
    db: Settings, nut: RealNut, client: Client, admin: Account, ntfy: ServiceReceiver
) -> None:
    ids = await add_nut(nut)
    channel = await shared_ntfy(client, admin, ntfy, "load")
    status, threshold, _ = await client.post(
        "/api/thresholds",
        token=admin.token,
        json={"metric": "load", "above": 60, "hold": 1, "hysteresis": 10, "ups": [ids["ups1"]]},
    )
    assert status == 201, threshold
    await make_rule(client, admin, name="Load", events=["load_high"], channels=[channel])
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups1"])
        nut.set_vars("ups1", {"ups.load": "75"})
        [started] = await ntfy.await_requests(1, timeout=10)
        assert started.body["title"] == "📈 UPS Load High"
        assert "above 60 %" in started.body["message"] and "75 %" in started.body["message"]
        nut.set_vars("ups1", {"ups.load": "55"})  # below the limit, not by the hysteresis
        await asyncio.sleep(2.0)
        assert len(ntfy.requests) == 1
        nut.set_vars("ups1", {"ups.load": "45"})
        cleared = await ntfy.await_requests(2, timeout=10)
        await asyncio.sleep(1.0)
    assert [r.body["title"] for r in cleared] == ["📈 UPS Load High", "📉 UPS Load Normal"]
    assert len(ntfy.requests) == 2
    assert await Alert.filter(ups_id=ids["ups1"], cleared_at__isnull=True).count() == 0


async def test_a_reminder_repeats_while_on_battery_until_acknowledged(
    db: Settings,
    nut: RealNut,
    client: Client,
    admin: Account,
    member: Account,
    ntfy: ServiceReceiver,
) -> None:
    ids = await add_nut(nut)
    channel = await shared_ntfy(client, admin, ntfy, "ops")
    rule = await make_rule(
        client, admin, name="Outage", events=["on_battery"], channels=[channel], repeat_every=600
    )
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups1"])
        nut.set_status("ups1", "OB DISCHRG")
        await ntfy.await_requests(1)
        # Ten minutes pass (the alert's start is moved back instead of waiting).
        alert = await Alert.get(ups_id=ids["ups1"], kind="on_battery")
        await Alert.filter(id=alert.id).update(started_at=utcnow() - timedelta(seconds=601))
        [_, reminder] = await ntfy.await_requests(2, timeout=15)
        assert reminder.body["title"] == "⚡ UPS On Battery"
        assert "Reminder 1: still going on after 10 min." in reminder.body["message"]
        _, alerts, _ = await client.get("/api/alerts", token=member.token)
        assert [(a["id"], a["kind"], a["acknowledged"]) for a in alerts] == [
            (alert.id, "on_battery", None)
        ]
        status, acked, _ = await client.post(
            f"/api/alerts/{alert.id}/acknowledge", token=member.token, json={"note": "on it"}
        )
        assert status == 200, acked
        assert acked["alert"]["acknowledged"]["by"] == member.user.username and acked["told"] == 1
        [*_, told] = await ntfy.await_requests(3)
        assert told.body["title"] == "☑️ Acknowledged: ⚡ UPS On Battery"
        assert f"Acknowledged by {member.user.username}: on it" in told.body["message"]
        # Another ten minutes: no reminder after the acknowledgement.
        long_ago = (utcnow() - timedelta(seconds=700)).timestamp()
        await Alert.filter(id=alert.id).update(repeats={str(rule["id"]): [1, long_ago]})
        await asyncio.sleep(6.0)  # past the dispatcher's alert sweep (every 5 s)
        assert len(ntfy.requests) == 3
        status, body, _ = await client.post(
            f"/api/alerts/{alert.id}/acknowledge", token=admin.token, json={}
        )
        assert (status, body["error"]) == (409, "already_acknowledged")
        nut.set_status("ups1", "OL CHRG")
        await wait_for(
            lambda: Alert.filter(id=alert.id, cleared_at__not_isnull=True).exists(), timeout=15
        )


async def test_a_muted_ups_records_but_does_not_send_except_low_battery(
    db: Settings, nut: RealNut, client: Client, admin: Account, ntfy: ServiceReceiver
) -> None:
    ids = await add_nut(nut)
    channel = await shared_ntfy(client, admin, ntfy, "ops")
    await make_rule(
        client, admin, name="All", events=["on_battery", "low_battery"], channels=[channel]
    )
    status, muted, _ = await client.post(
        f"/api/ups-systems/{ids['ups1']}/mute",
        token=admin.token,
        json={"minutes": 30, "reason": "battery swap"},
    )
    assert status == 200 and muted["muteReason"] == "battery swap"
    _, ups, _ = await client.get(f"/api/ups-systems/{ids['ups1']}", token=admin.token)
    assert ups["mutedUntil"] == muted["mutedUntil"] and ups["muteReason"] == "battery swap"
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups1"])
        nut.set_status("ups1", "OB DISCHRG")
        await wait_for(lambda: NotificationLog.filter(kind="on_battery").exists())
        nut.set_status("ups1", "OB DISCHRG LB")
        [request] = await ntfy.await_requests(1)
        await asyncio.sleep(1.0)
    assert request.body["title"] == "🔋 UPS Low Battery Warning"
    assert len(ntfy.requests) == 1
    _, log, _ = await client.get("/api/notifications/log", token=admin.token)
    assert sorted((row["kind"], row["suppressed"]) for row in log) == [
        ("low_battery", None),
        ("on_battery", "muted"),
    ]


async def test_a_drill_sends_marked_messages_and_leaves_no_event(
    db: Settings, nut: RealNut, client: Client, admin: Account, ntfy: ServiceReceiver
) -> None:
    ids = await add_nut(nut)
    channel = await shared_ntfy(client, admin, ntfy, "ops")
    await make_rule(
        client, admin, name="Power", events=["on_battery", "online"], channels=[channel]
    )
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ids["ups1"])
        before = await UpsLiveState.get(ups_id=ids["ups1"])
        status, drill, _ = await client.post(
            f"/api/ups-systems/{ids['ups1']}/drill", token=admin.token, json={"restore_after": 2}
        )
        assert status == 201, drill
        assert [d["phase"] for d in drill["deliveries"]] == ["power_lost", "power_restored"]
        lost, restored = await ntfy.await_requests(2, timeout=15)
        assert lost.body["title"] == "[DRILL] ⚡ UPS On Battery"
        assert restored.body["title"] == "[DRILL] ✅ UPS Back Online"
        assert "fire drill" in lost.body["message"]
        assert restored.at - lost.at >= 1.5

        async def done() -> bool:
            _, report, _ = await client.get(f"/api/drills/{drill['id']}", token=admin.token)
            return bool(report["done"])

        await wait_for(done)
        after = await UpsLiveState.get(ups_id=ids["ups1"])
    _, report, _ = await client.get(f"/api/drills/{drill['id']}", token=admin.token)
    assert [(d["phase"], d["state"], d["channelName"]) for d in report["deliveries"]] == [
        ("power_lost", "delivered", "ntfy ops"),
        ("power_restored", "delivered", "ntfy ops"),
    ]
    assert await Event.all().count() == 0 and await Alert.all().count() == 0
    assert after.event_state["power"] == before.event_state["power"] == "OL"
    _, member_view, _ = await client.get(f"/api/drills/{drill['id']}", token=admin.token)
    assert member_view["startedBy"] == admin.user.username
