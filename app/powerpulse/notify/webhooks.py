"""The seed's webhook URL check for `discord_webhook_url` / `slack_webhook_url`, with its
wording ("Invalid Discord webhook URL format"), on the channel kinds' own host rule
(`notify.channels.hosts`): the real services' hosts and paths, plus `WEBHOOK_ALLOWED_HOSTS`.
"""

from __future__ import annotations

from powerpulse.config import Settings
from powerpulse.notify.channels import KINDS, ConfigError, Context

MAX_URL_LENGTH = 512  # the seed's limit for these fields

_LABELS = {"discord": "Discord", "slack": "Slack"}


class WebhookUrlError(ValueError):
    """The URL is not one PowerPulse posts to; the message is the seed's wording."""


def validate_webhook_url(kind: str, url: str, settings: Settings) -> str:
    """Return `url` (stripped) when PowerPulse may post `kind` notifications to it.

    Raises `WebhookUrlError("Invalid Discord webhook URL format")` (or Slack) otherwise.
    """
    if kind not in _LABELS:
        raise ValueError(f"unknown webhook kind {kind!r}")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise WebhookUrlError(f"Invalid {_LABELS[kind]} webhook URL format")
    try:
        return str(KINDS[kind].validate({"url": url}, Context(settings))["url"])
    except ConfigError:
        raise WebhookUrlError(f"Invalid {_LABELS[kind]} webhook URL format") from None


def mask(url: str) -> str:
    """The seed's masking of a stored webhook URL."""
    return "Configured" if url else "Not configured"
