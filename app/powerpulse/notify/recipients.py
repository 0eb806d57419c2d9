"""The default rule of personal channels: who is told about an event on their own channels.

`wants()` is the seed's per-user switches over one `user_settings` row; `usable()` says
whether a personal channel can deliver; `recipients_for()` applies both to every user. Settings
and channels belong to users through cascading foreign keys, so a deleted user can never be
notified (the original kept their settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from powerpulse.db.models import NotificationChannel, UserSettings
from powerpulse.notify.messages import SHUTDOWN_KINDS

# Event kind → the per-type switch that gates it. Kinds not listed follow the master switch only.
KIND_SWITCHES = {
    "on_battery": "battery_notifications",
    "online": "battery_notifications",
    "low_battery": "low_battery_notifications",
    "fsd": "low_battery_notifications",
    # Shutdown plans switching hosts off are as urgent as the battery running out.
    **dict.fromkeys(SHUTDOWN_KINDS, "low_battery_notifications"),
    # Battery tests are deliberate: only those who opt in hear about them.
    "self_test": "self_test_notifications",
}
# The per-user notification switches of `user_settings` (0/1 in the seed's settings object).
# The seed's `email_notifications` is the email slot channel's `enabled` (`notify.personal`).
NOTIFICATION_FLAGS = (
    "notifications_enabled",
    "battery_notifications",
    "low_battery_notifications",
    "self_test_notifications",
)
# Kinds recorded in the UPS's events but never sent (rediscovery's bookkeeping).
SILENT_KINDS = frozenset({"ups_added", "ups_removed"})

MAX_RECIPIENTS = 20
_ADDRESS = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class RecipientError(ValueError):
    """An email recipient list PowerPulse will not send to; the message names the bad address."""


def parse_email_recipients(text: str) -> list[str]:
    """Split a comma/semicolon/space separated list and check each address; [] for blank."""
    addresses = [a for a in re.split(r"[,;\s]+", text.strip()) if a]
    if len(addresses) > MAX_RECIPIENTS:
        raise RecipientError(f"At most {MAX_RECIPIENTS} email recipients are allowed")
    for address in addresses:
        if len(address) > 254 or not _ADDRESS.match(address):
            raise RecipientError(f"Invalid email address: {address[:100]}")
    return list(dict.fromkeys(addresses))


def wants(settings: UserSettings, kind: str) -> bool:
    """Does this user want to hear about `kind`? The master switch gates everything."""
    if not settings.notifications_enabled or kind in SILENT_KINDS:
        return False
    switch = KIND_SWITCHES.get(kind)
    return switch is None or bool(getattr(settings, switch))


def usable(channel: NotificationChannel) -> bool:
    """An enabled channel with somewhere to deliver (the seed let an email switch be on with no
    recipients saved: that channel is skipped, not failed)."""
    from powerpulse.notify.channels import KINDS  # here: the email kind imports this module

    if not channel.enabled or channel.kind not in KINDS:  # a kind since removed is skipped
        return False
    if channel.kind == "email":
        try:
            return bool(parse_email_recipients(str((channel.config or {}).get("recipients", ""))))
        except RecipientError:
            return False
    return True


@dataclass(frozen=True)
class Recipient:
    user_id: int
    channels: list[NotificationChannel]


async def personal_channels(user_id: int) -> list[NotificationChannel]:
    rows = await NotificationChannel.filter(owner_id=user_id).order_by("id")
    return [c for c in rows if usable(c)]


async def recipients_for(kind: str) -> list[Recipient]:
    """Every user who wants `kind` and has at least one usable channel, in user-id order."""
    rows = await UserSettings.filter(notifications_enabled=True).order_by("user_id")
    wanting = [int(r.user_id) for r in rows if wants(r, kind)]  # type: ignore[attr-defined]
    if not wanting:
        return []
    channels: dict[int, list[NotificationChannel]] = {}
    for channel in await NotificationChannel.filter(owner_id__in=wanting).order_by("id"):
        if usable(channel):
            channels.setdefault(int(channel.owner_id), []).append(channel)  # type: ignore[attr-defined]
    return [Recipient(uid, channels[uid]) for uid in wanting if uid in channels]
