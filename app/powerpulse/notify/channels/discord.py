"""Discord webhooks: 204 on success, 429 with `retry_after` (seconds) in the JSON body."""

from __future__ import annotations

from powerpulse.notify.channels.base import WebhookChannel


class DiscordChannel(WebhookChannel):
    """Posts `messages.discord_payload` bodies. Discord answers 404 "Unknown Webhook" for a
    deleted webhook and 401 for a wrong token: both permanent (see `base.classify_http`)."""

    name = "discord"
