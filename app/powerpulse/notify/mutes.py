"""When a UPS is muted: an explicit mute until a time, or a weekly maintenance window.

Muted events are recorded in the notification history (`suppressed` "muted"), not sent. Low
battery, forced shutdown and shutdown plans are never muted, except by a rule that says so
(`mute_critical`): a maintenance window must not hide that the batteries are about to run out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from powerpulse.db.models import MaintenanceWindow, UpsSystem
from powerpulse.notify.messages import SHUTDOWN_KINDS

# Shutdown plans too: a maintenance window must not hide that hosts are being switched off.
NEVER_MUTED = frozenset({"low_battery", "fsd", *SHUTDOWN_KINDS})
MAX_MUTE_MINUTES = 60 * 24 * 30  # a month; longer is "remove the UPS", not a mute


@dataclass(frozen=True)
class Window:
    """A weekly window: `days` (0 = Monday), `start` "HH:MM" and `minutes` in `timezone`."""

    days: tuple[int, ...]
    start: str
    minutes: int
    timezone: str = "UTC"
    ups_id: int | None = None
    reason: str = ""

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")

    def end_if_open(self, at: datetime) -> datetime | None:
        """When the occurrence of this window that contains `at` ends, or None."""
        local = at.astimezone(self.zone())
        hour, minute = (int(p) for p in self.start.split(":"))
        # An occurrence that started yesterday (or up to a week ago) may still be open.
        for days_back in range(0, 8):
            day = local.date() - timedelta(days=days_back)
            if day.weekday() not in self.days:
                continue
            begins = datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.zone())
            ends = begins + timedelta(minutes=self.minutes)
            if begins <= local < ends:
                return ends.astimezone(at.tzinfo)
        return None


def window_of(row: MaintenanceWindow) -> Window:
    return Window(
        tuple(int(d) for d in row.days or ()),
        row.start,
        int(row.minutes),
        row.timezone or "UTC",
        row.ups_id,  # type: ignore[attr-defined]
        row.reason or "",
    )


def muted_until(
    ups_id: int,
    explicit_until: datetime | None,
    windows: Iterable[Window],
    at: datetime,
) -> datetime | None:
    """Until when notifications of this UPS are muted at `at` (None: not muted)."""
    ends = [explicit_until] if explicit_until is not None and explicit_until > at else []
    for window in windows:
        if window.ups_id in (None, ups_id) and (end := window.end_if_open(at)) is not None:
            ends.append(end)
    return max(ends) if ends else None


def mute_applies(kind: str, *, mute_critical: bool = False) -> bool:
    """Whether a mute silences `kind` (low battery and FSD only when a rule says so)."""
    return mute_critical or kind not in NEVER_MUTED


async def load_windows() -> list[Window]:
    return [window_of(row) for row in await MaintenanceWindow.all()]


async def muted_until_now(ups: UpsSystem, at: datetime) -> datetime | None:
    return muted_until(ups.id, ups.muted_until, await load_windows(), at)
