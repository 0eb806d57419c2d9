"""A real power failure (upsd + dummy-ups, the real poller, restarted while on battery) gives an
`online` event whose outage says how long it lasted and how low the battery got."""

from __future__ import annotations

from dataclasses import replace

from powerpulse.api.history import event_to_dict
from powerpulse.api.outages import outages
from powerpulse.config import Settings
from powerpulse.db.models import Event, Sample
from powerpulse.poller.loop import Poller
from tests.poller.conftest import add_nut, kinds, live, sweep_until
from tests.support.nut_server import NutServer as RealNut


async def test_outage_duration_and_lowest_charge_across_a_poller_restart(
    nut: RealNut, db: Settings
) -> None:
    settings = replace(db, history_interval=1.0)
    poller = Poller(settings)
    try:
        ids = await add_nut(nut)
        u = ids["ups1"]
        await poller.sweep_once()
        nut.set_status("ups1", "OB DISCHRG", battery_charge="80")

        async def on_battery() -> bool:
            return await kinds(u) == ["on_battery"]

        await sweep_until(poller, on_battery, interval=0.3)
        nut.set_status("ups1", "OB DISCHRG", battery_charge="61")

        async def sampled_low() -> bool:
            return await Sample.filter(ups_id=u, charge=61).exists()

        await sweep_until(poller, sampled_low, timeout=15, interval=0.3)
    finally:
        await poller.close()
    # The poller restarts while the UPS is still on battery; the charge recovers a little.
    nut.set_status("ups1", "OB DISCHRG", battery_charge="66")
    poller = Poller(settings)
    try:

        async def seen_66() -> bool:
            return (await live(u)).variables.get("battery.charge") == "66"

        await sweep_until(poller, seen_66, interval=0.3)
        nut.set_status("ups1", "OL CHRG", battery_charge="70")

        async def restored() -> bool:
            return "online" in await kinds(u)

        await sweep_until(poller, restored, timeout=20, interval=0.3)
    finally:
        await poller.close()
    events = await Event.filter(ups_id=u).order_by("-id")
    assert [e.kind for e in events] == ["online", "on_battery"]  # the restart fired nothing
    end, start = events
    found = await outages(u, events)
    assert set(found) == {end.id}
    shown = event_to_dict(end, found[end.id])["outage"]
    expected = round((end.occurred_at - start.occurred_at).total_seconds())
    assert shown["durationSeconds"] == expected >= 2
    assert shown["lowestCharge"] == 61  # only a sample saw it: the events carried 80 and 70
    assert event_to_dict(start)["outage"] is None
    # Samples gone (retention): what the events carried.
    await Sample.filter(ups_id=u).delete()
    assert (await outages(u, events))[end.id]["lowestCharge"] == 70
    # Only the end on this page (the start is on the next one): still found.
    assert (await outages(u, events[:1]))[end.id]["durationSeconds"] == expected
    assert await outages(ids["ups2"], []) == {}
