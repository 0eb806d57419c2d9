"""Who is told about an event, and on which channels.

`wants()` and `channels_for()` are pure rules over one `user_settings` row; `recipients_for()`
applies them to every existing user. Settings belong to users through a cascading foreign key,
so a deleted user's settings are gone and can never be notified (the original kept them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from powerpulse.db.models import UserSettings

# Event kind → the per-type switch that gates it. Kinds not listed follow the master switch only.
KIND_SWITCHES = {
    "on_battery": "battery_notifications",
    "online": "battery_notifications",
    "low_battery": "low_battery_notifications",
    "fsd": "low_battery_notifications",
    # Battery tests are deliberate: only those who opt in hear about them.
    "self_test": "self_test_notifications",
}
# The per-user notification switches of `user_settings` (0/1 in the seed's settings object).
NOTIFICATION_FLAGS = (
    "notifications_enabled",
    "battery_notifications",
    "low_battery_notifications",
    "email_notifications",
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


def channels_for(settings: UserSettings) -> list[tuple[str, str]]:
    """(channel, target) pairs this user has configured. Unparseable recipients are skipped."""
    channels: list[tuple[str, str]] = []
    if settings.discord_webhook_url:
        channels.append(("discord", settings.discord_webhook_url))
    if settings.slack_webhook_url:
        channels.append(("slack", settings.slack_webhook_url))
    if settings.email_notifications:
        try:
            addresses = parse_email_recipients(settings.email_recipients or "")
        except RecipientError:
            addresses = []
        if addresses:
            channels.append(("email", ",".join(addresses)))
    return channels


@dataclass(frozen=True)
class Recipient:
    user_id: int
    channels: list[tuple[str, str]]


async def recipients_for(kind: str) -> list[Recipient]:
    """Every user who wants `kind` and has at least one channel, in user-id order."""
    rows = await UserSettings.filter(notifications_enabled=True).order_by("user_id")
    found: list[Recipient] = []
    for row in rows:
        if not wants(row, kind):
            continue
        channels = channels_for(row)
        if channels:
            found.append(Recipient(int(row.user_id), channels))  # type: ignore[attr-defined]
    return found
