"""A real upsd reporting a self-test or calibration, the real poller, real webhook receivers:
a battery test is never "power lost", is recorded as `self_test` with its result, reaches only
those who opted in, and a low battery during a test still alerts everyone."""

from __future__ import annotations

import asyncio

from powerpulse.api.serializers import ups_to_dict
from powerpulse.config import Settings
from powerpulse.db.models import Event, UpsLiveState, UpsSystem
from powerpulse.timeutil import utcnow
from tests.notify.conftest import make_user
from tests.notify.test_end_to_end import ENV, polled_online, titles, wait_for
from tests.poller.conftest import add_nut
from tests.support.engines import stack_env
from tests.support.nut_server import NutServer as RealNut
from tests.support.receivers import WebhookReceiver
from tests.support.stack import Stack


async def headline(ups_id: int) -> str:
    """The UPS's `status` exactly as the API builds it from the poller's live row."""
    ups = await UpsSystem.get(id=ups_id)
    live = await UpsLiveState.get(ups_id=ups_id)
    return str(ups_to_dict(ups, live, now=utcnow(), poll_interval=0.3)["status"])


async def wait_tokens(ups_id: int, tokens: str) -> None:
    async def seen() -> bool:
        row = await UpsLiveState.get_or_none(ups_id=ups_id)
        return row is not None and row.status_tokens == tokens

    await wait_for(seen)


async def events_of(ups_id: int) -> list[tuple[str, str | None]]:
    rows = await Event.filter(ups_id=ups_id).order_by("id")
    return [(e.kind, (e.details or {}).get("phase")) for e in rows]


async def test_calibration_and_self_test_are_not_power_failures(
    db: Settings, nut: RealNut, discord_hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    ups = ids["ups1"]
    await make_user("alice", discord_webhook_url=discord_hook.url)  # default: no test notices
    with WebhookReceiver("discord") as opted_in:
        await make_user("bob", discord_webhook_url=opted_in.url, self_test_notifications=True)
        with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
            stack.start_poller()
            await polled_online(ups)
            nut.set_status("ups1", "OB DISCHRG CAL", battery_charge="97")
            await wait_tokens(ups, "OB DISCHRG CAL")
            assert await headline(ups) == "Calibration"
            nut.set_status("ups1", "OL CHRG", ups_test_result="Done and passed")
            await opted_in.await_delivered(2, timeout=10)
            nut.set_status("ups1", "OB TEST")
            await wait_tokens(ups, "OB TEST")
            assert await headline(ups) == "Self Test"
            nut.set_status("ups1", "OL", ups_test_result="Done and error")
            await opted_in.await_delivered(4, timeout=10)
            await asyncio.sleep(1.5)  # time for a wrong "power lost/restored" to show up
        assert discord_hook.requests == []  # alice heard nothing: nothing happened to the mains
        assert titles(opted_in) == [
            "🧪 UPS Battery Test",
            "🧪 UPS Battery Test Finished",
            "🧪 UPS Battery Test",
            "🧪 UPS Battery Test Failed",
        ]
        fields = {f["name"]: f["value"] for f in opted_in.delivered[1]["embeds"][0]["fields"]}
        assert fields["Test result"] == "Done and passed"
    assert await events_of(ups) == [
        ("self_test", "started"),
        ("self_test", "ended"),
        ("self_test", "started"),
        ("self_test", "ended"),
    ]
    ended = await Event.filter(ups_id=ups, kind="self_test").order_by("-id").first()
    assert ended is not None and ended.details["result"] == "Done and error"
    assert (ended.previous_status, ended.new_status) == ("Self Test", "Online")


async def test_low_battery_during_a_test_alerts_and_a_real_outage_after_it_too(
    db: Settings, nut: RealNut, discord_hook: WebhookReceiver
) -> None:
    ids = await add_nut(nut)
    ups = ids["ups1"]
    await make_user("alice", discord_webhook_url=discord_hook.url)
    with Stack(db.data_dir, env=ENV | stack_env(db)) as stack:
        stack.start_poller()
        await polled_online(ups)
        nut.set_status("ups1", "OB TEST")
        await wait_tokens(ups, "OB TEST")
        nut.set_status("ups1", "OB TEST LB", battery_charge="9")
        [low] = await discord_hook.await_delivered(1, timeout=10)
        assert low["embeds"][0]["title"] == "🔋 UPS Low Battery Warning"
        assert await headline(ups) == "Low Battery"
        # The test flag goes, the UPS stays on battery: that is a real power failure.
        nut.set_status("ups1", "OB DISCHRG", battery_charge="8")
        delivered = await discord_hook.await_delivered(2, timeout=10)
        assert delivered[1]["embeds"][0]["title"] == "⚡ UPS On Battery"
        assert await headline(ups) == "On Battery"
        nut.set_status("ups1", "OL CHRG")
        delivered = await discord_hook.await_delivered(3, timeout=10)
        assert delivered[2]["embeds"][0]["title"] == "✅ UPS Back Online"
        await asyncio.sleep(1.0)
    assert titles(discord_hook) == [
        "🔋 UPS Low Battery Warning",
        "⚡ UPS On Battery",
        "✅ UPS Back Online",
    ]
    assert await events_of(ups) == [
        ("self_test", "started"),
        ("low_battery", None),
        ("self_test", "ended"),
        ("on_battery", None),
        ("online", None),
    ]
