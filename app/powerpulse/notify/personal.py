"""The seed's per-user channel fields, kept on the user's personal channels.

`discord_webhook_url`, `slack_webhook_url`, `email_notifications` and `email_recipients` read
from and write to the personal channel in the matching `slot` ("discord", "slack", "email"):
a URL set creates or updates that channel, "" deletes it; the email switch is its `enabled`,
its recipients its config. The user's other personal channels (made through
`/api/notification-channels`) are not touched. Validation stays the seed's, in the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from powerpulse.db.models import NotificationChannel

SEED_FIELDS = (
    "discord_webhook_url",
    "slack_webhook_url",
    "email_notifications",
    "email_recipients",
)
_URL_SLOTS = {"discord_webhook_url": "discord", "slack_webhook_url": "slack"}
_NAMES = {"discord": "Discord", "slack": "Slack", "email": "Email"}


def seed_view(channels: list[NotificationChannel]) -> dict[str, Any]:
    """The seed's four fields from a user's slot channels (defaults when absent)."""
    by_slot = {c.slot: c for c in channels if c.slot}
    email = by_slot.get("email")
    return {
        "discord_webhook_url": str((by_slot["discord"].config or {}).get("url", ""))
        if "discord" in by_slot
        else "",
        "slack_webhook_url": str((by_slot["slack"].config or {}).get("url", ""))
        if "slack" in by_slot
        else "",
        "email_notifications": bool(email and email.enabled),
        "email_recipients": str((email.config or {}).get("recipients", "")) if email else "",
    }


async def seed_fields(user_id: int) -> dict[str, Any]:
    return seed_view(await NotificationChannel.filter(owner_id=user_id, slot__not_isnull=True))


async def write_seed_fields(user_id: int, changes: Mapping[str, Any]) -> None:
    """Apply validated seed field values (in the caller's transaction)."""
    for field, slot in _URL_SLOTS.items():
        if field not in changes:
            continue
        url = changes[field]
        row = await NotificationChannel.get_or_none(owner_id=user_id, slot=slot)
        if not url:
            if row is not None:
                await row.delete()
        elif row is None:
            await NotificationChannel.create(
                kind=slot, name=_NAMES[slot], config={"url": url}, owner_id=user_id, slot=slot
            )
        else:
            row.config = {**(row.config or {}), "url": url}
            await row.save()
    if "email_notifications" in changes or "email_recipients" in changes:
        row = await NotificationChannel.get_or_none(owner_id=user_id, slot="email")
        if row is None:
            row = NotificationChannel(
                kind="email",
                name=_NAMES["email"],
                config={"recipients": ""},
                owner_id=user_id,
                slot="email",
                enabled=False,
            )
        if "email_notifications" in changes:
            row.enabled = bool(changes["email_notifications"])
        if "email_recipients" in changes:
            row.config = {**(row.config or {}), "recipients": changes["email_recipients"]}
        await row.save()


async def slot_channels(user_id: int) -> list[NotificationChannel]:
    """The usable channels behind the seed's fields, in the seed's order (discord, slack,
    email): what the seed's debug endpoints send to."""
    from powerpulse.notify.recipients import usable

    rows = await NotificationChannel.filter(owner_id=user_id, slot__not_isnull=True)
    order = {"discord": 0, "slack": 1, "email": 2}
    return sorted((c for c in rows if usable(c)), key=lambda c: order.get(c.slot or "", 9))
