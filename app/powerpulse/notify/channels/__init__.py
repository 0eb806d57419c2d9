"""The notification channel kinds: one module each, registered here in one line each.

Everything else derives from `KINDS`: the dispatcher sends through it, the API validates and
describes configs with it (`GET /api/notification-channels/kinds`, which the UI draws its forms
from), `/metrics` labels deliveries by its keys. Adding a service: `docs/adding-a-channel.md`.
"""

from __future__ import annotations

from powerpulse.notify.channels.apprise import Apprise
from powerpulse.notify.channels.base import (
    ChannelKind,
    ConfigError,
    ConfigField,
    Context,
    DeliveryResult,
    Transport,
)
from powerpulse.notify.channels.discord import Discord
from powerpulse.notify.channels.email import Email
from powerpulse.notify.channels.gotify import Gotify
from powerpulse.notify.channels.matrix import Matrix
from powerpulse.notify.channels.ntfy import Ntfy
from powerpulse.notify.channels.pushover import Pushover
from powerpulse.notify.channels.slack import Slack
from powerpulse.notify.channels.teams import Teams
from powerpulse.notify.channels.telegram import Telegram
from powerpulse.notify.channels.webhook import Webhook

KINDS: dict[str, ChannelKind] = {
    kind.kind: kind
    for kind in (
        Discord(),
        Slack(),
        Email(),
        Ntfy(),
        Telegram(),
        Gotify(),
        Pushover(),
        Teams(),
        Matrix(),
        Webhook(),
        Apprise(),
    )
}

__all__ = [
    "KINDS",
    "ChannelKind",
    "ConfigError",
    "ConfigField",
    "Context",
    "DeliveryResult",
    "Transport",
    "kind_of",
]


def kind_of(name: str) -> ChannelKind:
    """The registered kind `name` (KeyError for one that is not, e.g. a removed service)."""
    return KINDS[name]
