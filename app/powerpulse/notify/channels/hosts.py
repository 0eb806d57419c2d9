"""Which hosts a channel may reach: one rule for every kind.

A URL is allowed when it is https to one of the kind's official hosts (by default the only
ones), or when an admin configured a self-hosted kind (ntfy, Gotify, Matrix, the generic webhook,
Apprise: any http(s) host, since those servers live on the operator's own network), or when its
host is in `WEBHOOK_ALLOWED_HOSTS` (an operator's extra hosts, and the tests' receivers). The rule
is checked when a channel is saved and again before every send, so narrowing the setting stops
deliveries to hosts it no longer allows.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from powerpulse.notify.channels.base import ConfigError, Context

MAX_URL_LENGTH = 2000


def _allowed_extra(host: str, port: int | None, allowed: Iterable[str]) -> bool:
    # An entry without a port allows the host on any port; `host:port` only that port.
    allowed = tuple(allowed)
    return host in allowed or (port is not None and f"{host}:{port}" in allowed)


def _official(host: str, official: Iterable[str]) -> bool:
    # ".example.com" allows every subdomain (Teams Workflows URLs live under per-tenant hosts).
    for entry in official:
        if entry.startswith(".") and host.endswith(entry) and len(host) > len(entry):
            return True
        if host == entry:
            return True
    return False


def check_url(
    field: str,
    label: str,
    url: str,
    ctx: Context,
    *,
    official: Iterable[str] = (),
    self_hosted: bool = False,
    path_prefix: str = "",
) -> str:
    """`url` (stripped) when the channel may post there, else ConfigError naming `field`."""
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH or any(c.isspace() or ord(c) < 32 for c in url):
        raise ConfigError(field, f"{label} is not a valid URL")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a garbage port
    except ValueError:
        raise ConfigError(field, f"{label} is not a valid URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(field, f"{label} must be an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(field, f"{label} must not carry a user name or password")
    if _allowed_extra(host, port, ctx.settings.webhook_allowed_hosts):
        return url
    if self_hosted and ctx.admin:
        return url
    if (
        parts.scheme == "https"
        and _official(host, official)
        and port in (None, 443)
        and parts.path.startswith(path_prefix)
        and (len(parts.path) > len(path_prefix) if path_prefix else True)
    ):
        return url
    if self_hosted:
        raise ConfigError(
            field,
            f"{label}: only an admin may point this channel at {host}"
            + (f" (allowed for everyone: {', '.join(official)})" if official else ""),
        )
    raise ConfigError(field, f"{label}: {host} is not an allowed host for this channel")
