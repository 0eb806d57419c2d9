"""The notification channels, one module each, registered in one mapping."""

from __future__ import annotations

import ssl

import aiohttp

from powerpulse.config import Settings
from powerpulse.notify.channels.base import DEFAULT_TIMEOUT, Channel, DeliveryResult
from powerpulse.notify.channels.discord import DiscordChannel
from powerpulse.notify.channels.email import EmailChannel
from powerpulse.notify.channels.slack import SlackChannel

CHANNEL_NAMES = ("discord", "slack", "email")

__all__ = [
    "CHANNEL_NAMES",
    "Channel",
    "DeliveryResult",
    "DiscordChannel",
    "EmailChannel",
    "SlackChannel",
    "make_channel",
]


def make_channel(
    name: str,
    target: str,
    settings: Settings,
    *,
    session: aiohttp.ClientSession | None = None,
    tls_context: ssl.SSLContext | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Channel:
    """The channel that delivers to `target` (a webhook URL, or comma-joined addresses)."""
    if name == "discord":
        return DiscordChannel(target, session=session, timeout=timeout)
    if name == "slack":
        return SlackChannel(target, session=session, timeout=timeout)
    if name == "email":
        recipients = [a for a in target.split(",") if a]
        return EmailChannel(recipients, settings, tls_context=tls_context, timeout=timeout)
    raise ValueError(f"unknown channel {name!r}")
