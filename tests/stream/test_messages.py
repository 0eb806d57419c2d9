"""What a connected dashboard or kiosk receives: snapshot, changes, removals, power events."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from powerpulse.api import live_watcher
from powerpulse.db import counters
from powerpulse.db.models import Event, UpsLiveState, UpsSystem
from powerpulse.timeutil import utcnow
from tests.stream.conftest import Api, make_ups, make_user, write_live
from tests.stream.sse import SseClient


async def _open(api: Api) -> SseClient:
    _, token = await make_user()
    return SseClient(api.session, f"{api.url}/api/stream?ticket={await api.ticket(token)}")


async def _event(ups: UpsSystem, kind: str, old: str, new: str) -> Event:
    return await Event.create(
        ups=ups,
        kind=kind,
        previous_status=old,
        new_status=new,
        occurred_at=utcnow(),
        details={"batteryCharge": 97, "runtimeRemaining": 25, "load": 30},
    )


async def test_snapshot_then_each_change_as_it_happens(api: Api) -> None:
    rack = await make_ups("rack")
    closet = await make_ups("closet")
    await write_live(rack, "OL")
    await api.caught_up()
    async with await _open(api) as client:
        snapshot = (await client.next("snapshot")).data
        assert [(u["name"], u["status"]) for u in snapshot] == [
            ("rack", "Online"),
            ("closet", "Unknown"),
        ]
        assert snapshot[0]["driverDetails"] is not None  # the full object, as the REST API
        await write_live(closet, "OB DISCHRG LB", **{"battery.charge": "12"})
        msg = await client.next("ups")
        assert (msg.data["id"], msg.data["status"], msg.data["batteryCharge"]) == (
            closet.id,
            "Low Battery",
            12,
        )
        assert msg.data["statusTokens"] == ["OB", "DISCHRG", "LB"]


async def test_rename_add_and_remove_reach_the_client(api: Api) -> None:
    rack = await make_ups("rack")
    await api.caught_up()  # else the watcher may send rack's arrival after the snapshot
    async with await _open(api) as client:
        await client.next("snapshot")
        await UpsSystem.filter(id=rack.id).update(nickname="Core rack")
        await counters.bump(counters.CONFIG)
        renamed = await client.next("ups")
        assert (renamed.data["id"], renamed.data["displayName"]) == (rack.id, "Core rack")

        added = await make_ups("new-one")
        msg = await client.next("ups")
        assert (msg.data["id"], msg.data["name"]) == (added.id, "new-one")

        await UpsSystem.filter(id=rack.id).delete()
        await counters.bump(counters.CONFIG)
        assert (await client.next("removed")).data == {"id": rack.id}


async def test_power_events_are_sent_with_their_id(api: Api) -> None:
    rack = await make_ups("rack")
    await api.caught_up()  # else the event may name a UPS the watcher has not read yet
    async with await _open(api) as client:
        await client.next("snapshot")
        event = await _event(rack, "on_battery", "Online", "On Battery")
        msg = await client.next("event")
        assert msg.id == str(event.id)
        assert msg.data == {
            "id": event.id,
            "upsId": rack.id,
            "upsName": "rack",
            "kind": "on_battery",
            "previousStatus": "Online",
            "newStatus": "On Battery",
            "occurredAt": msg.data["occurredAt"],
            "details": {"batteryCharge": 97, "runtimeRemaining": 25, "load": 30},
        }
        assert msg.data["occurredAt"].endswith("Z")


async def test_reconnect_with_last_event_id_replays_missed_events(api: Api) -> None:
    rack = await make_ups("rack")
    seen = await _event(rack, "on_battery", "Online", "On Battery")
    missed = [
        await _event(rack, "low_battery", "On Battery", "Low Battery"),
        await _event(rack, "online", "Low Battery", "Online"),
    ]
    await api.caught_up()
    while api.watcher.event_id < missed[-1].id:
        await asyncio.sleep(0.02)
    _, token = await make_user()

    async def stream_url() -> str:  # a ticket opens one stream
        return f"{api.url}/api/stream?ticket={await api.ticket(token)}"

    url = await stream_url()
    async with SseClient(api.session, url, {"Last-Event-ID": str(seen.id)}) as client:
        snapshot = await client.next("snapshot")
        assert snapshot.id == str(missed[-1].id)
        replay = [await client.next("event"), await client.next("event")]
        assert [m.data["kind"] for m in replay] == ["low_battery", "online"]
    async with SseClient(api.session, f"{await stream_url()}&lastEventId={missed[0].id}") as client:
        await client.next("snapshot")
        assert (await client.next("event")).data["kind"] == "online"  # a new EventSource
    async with SseClient(api.session, await stream_url()) as client:  # a first connect: no replay
        await client.next("snapshot")
        with pytest.raises(TimeoutError):
            await client.next("event", timeout=0.6)


async def test_kiosk_gets_public_objects_and_no_events(api: Api) -> None:
    rack = await make_ups("rack")
    await write_live(rack, "OL", **{"driver.name": "usbhid-ups", "device.serial": "SECRET1"})
    await api.caught_up()
    async with SseClient(api.session, f"{api.url}/api/stream/kiosk") as kiosk:
        snapshot = (await kiosk.next("snapshot")).data
        assert snapshot[0]["status"] == "Online"
        assert "driverDetails" not in snapshot[0]
        assert "SECRET1" not in str(snapshot)
        await _event(rack, "on_battery", "Online", "On Battery")
        await write_live(rack, "OB DISCHRG", **{"device.serial": "SECRET1"})
        msg = await kiosk.next("ups")
        assert msg.data["status"] == "On Battery"
        assert "SECRET1" not in str(msg.data) and "driverDetails" not in msg.data
        with pytest.raises(TimeoutError):
            await kiosk.next("event", timeout=0.6)


async def test_stale_is_published_when_the_poller_stops_writing(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.watcher.refresh = 0.2
    rack = await make_ups("rack")
    await write_live(rack, "OL")
    await api.caught_up()
    async with await _open(api) as client:
        assert (await client.next("snapshot")).data[0]["stale"] is False
        # The poller died a minute ago: freshness is old, no new version is written.
        await UpsLiveState.filter(ups_id=rack.id).update(
            last_success_at=utcnow() - timedelta(minutes=1)
        )
        msg = await client.next("ups", timeout=3)
        assert (msg.data["id"], msg.data["stale"]) == (rack.id, True)
    assert live_watcher.REFRESH_INTERVAL == 5.0
