"""Which webhook URLs PowerPulse will post to.

By default only the real services: `https://discord.com/api/webhooks/…` (and the older
`discordapp.com`) and `https://hooks.slack.com/services/…`. `WEBHOOK_ALLOWED_HOSTS` lets an
operator add hosts (a self-hosted Slack-compatible chat, or a test receiver on 127.0.0.1); those
may use http or https and any path. Nothing else is reachable, so a user cannot point the server
at an arbitrary internal address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from powerpulse.config import Settings

MAX_URL_LENGTH = 512  # the column size in user_settings

DISCORD_HOSTS = frozenset(
    {"discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"}
)
SLACK_HOSTS = frozenset({"hooks.slack.com"})
_DEFAULTS = {
    "discord": (DISCORD_HOSTS, "/api/webhooks/"),
    "slack": (SLACK_HOSTS, "/services/"),
}
_LABELS = {"discord": "Discord", "slack": "Slack"}


class WebhookUrlError(ValueError):
    """The URL is not one PowerPulse posts to; the message is the seed's wording."""


def _allowed_extra(host: str, port: int | None, allowed: tuple[str, ...]) -> bool:
    # An entry without a port allows the host on any port; `host:port` only that port.
    return host in allowed or (port is not None and f"{host}:{port}" in allowed)


def validate_webhook_url(kind: str, url: str, settings: Settings) -> str:
    """Return `url` (stripped) when PowerPulse may post `kind` notifications to it.

    Raises `WebhookUrlError("Invalid Discord webhook URL format")` (or Slack) otherwise.
    """
    if kind not in _DEFAULTS:
        raise ValueError(f"unknown webhook kind {kind!r}")
    error = WebhookUrlError(f"Invalid {_LABELS[kind]} webhook URL format")
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise error
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a garbage port
    except ValueError:
        raise error from None
    host = (parts.hostname or "").lower()
    if not host or parts.username is not None or parts.password is not None:
        raise error
    if parts.scheme in ("http", "https") and _allowed_extra(
        host, port, settings.webhook_allowed_hosts
    ):
        return url
    hosts, prefix = _DEFAULTS[kind]
    if (
        parts.scheme == "https"
        and host in hosts
        and port in (None, 443)
        and parts.path.startswith(prefix)
        and len(parts.path) > len(prefix)
    ):
        return url
    raise error


def mask(url: str) -> str:
    """The seed's masking of a stored webhook URL."""
    return "Configured" if url else "Not configured"
