"""The poller worker's battery task: every few minutes, follow the install dates the UPS
report and write each battery's age alert once it is due.

It reads what the poller stored (`UpsLiveState.variables`), never NUT. A failing round is
logged and the next one runs as usual: battery bookkeeping must never stop the polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from powerpulse.battery import store
from powerpulse.db.models import BatteryInstall, UpsLiveState
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

INTERVAL = 300.0


@dataclass
class Round:
    """What one round did (tests and logs)."""

    created: int = 0
    replaced: int = 0
    alerted: int = 0


class BatteryWatch:
    def __init__(
        self,
        interval: float = INTERVAL,
        *,
        on_events: Callable[[], None] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.interval = interval
        self.on_events = on_events  # the dispatcher's wake: alerts go out at once
        self.clock = clock

    async def run_once(self, now: datetime | None = None) -> Round:
        """One round over every UPS the poller has a live row of."""
        now = now or self.clock()
        done = Round()
        lives = {r.ups_id: r for r in await UpsLiveState.all()}
        for ups_id, live in lives.items():
            variables = live.variables if isinstance(live.variables, dict) else {}
            change = await store.sync_device_date(ups_id, variables, now.date(), now)
            done.created += change == "created"
            done.replaced += change == "replaced"
        for install in await BatteryInstall.filter(
            current_ups_id__isnull=False, age_alerted_at__isnull=True
        ):
            found = lives.get(install.ups_id)
            variables = (
                found.variables if found is not None and isinstance(found.variables, dict) else {}
            )
            battery_type = store.battery_type_of(variables)
            if await store.alert_age(install, battery_type, store.display_of(found), now):
                done.alerted += 1
        if done.alerted and self.on_events is not None:
            self.on_events()
        if done.created or done.replaced or done.alerted:
            log.info(
                "battery dates: %d new, %d replaced; %d age alerts",
                done.created,
                done.replaced,
                done.alerted,
            )
        return done

    async def run(self, stop: asyncio.Event) -> None:
        """Rounds until `stop` is set; returns within moments of it."""
        while not stop.is_set():
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("battery watch round failed; trying again in %gs", self.interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)
