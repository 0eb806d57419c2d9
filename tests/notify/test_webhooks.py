"""Which webhook URLs are accepted: the real services by default, extra hosts by configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerpulse.notify.webhooks import WebhookUrlError, mask, validate_webhook_url
from tests.conftest import make_settings

DEFAULT = make_settings(Path("/nonexistent"))
LOCAL = make_settings(Path("/nonexistent"), WEBHOOK_ALLOWED_HOSTS="127.0.0.1:8099,chat.lan")


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("discord", "https://discord.com/api/webhooks/123/abc-DEF_ghi"),
        ("discord", "https://discordapp.com/api/webhooks/123/abc"),
        ("slack", "https://hooks.slack.com/services/T000/B000/XXXX"),
    ],
)
def test_real_service_urls_are_accepted(kind: str, url: str) -> None:
    assert validate_webhook_url(kind, f"  {url} ", DEFAULT) == url


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("discord", "http://discord.com/api/webhooks/123/abc"),  # not https
        ("discord", "https://discord.com.evil.net/api/webhooks/1/a"),
        ("discord", "https://evil.net/discord.com/api/webhooks/1/a"),
        ("discord", "https://discord.com/api/webhooks/"),  # no id
        ("discord", "https://discord.com/oauth2/authorize"),
        ("discord", "https://user:pw@discord.com/api/webhooks/1/a"),
        ("discord", "https://discord.com:8443/api/webhooks/1/a"),
        ("discord", "https://hooks.slack.com/services/T/B/X"),  # a Slack URL as Discord
        ("slack", "https://discord.com/api/webhooks/1/a"),
        ("slack", "https://hooks.slack.com/other/T/B/X"),
        ("slack", "ftp://hooks.slack.com/services/T/B/X"),
        ("slack", "hooks.slack.com/services/T/B/X"),
        ("slack", "https://hooks.slack.com/services/T/B/X\nHost: evil"),
        ("discord", "http://127.0.0.1:8099/api/webhooks/1/a"),  # not allowed by default
        ("discord", "https://discord.com/api/webhooks/" + "a" * 600),
        ("discord", "https://discord.com:notaport/api/webhooks/1/a"),
    ],
)
def test_other_urls_are_refused_with_the_seed_message(kind: str, url: str) -> None:
    label = "Discord" if kind == "discord" else "Slack"
    with pytest.raises(WebhookUrlError, match=f"^Invalid {label} webhook URL format$"):
        validate_webhook_url(kind, url, DEFAULT)


def test_allowed_hosts_open_exactly_the_listed_hosts_and_ports() -> None:
    assert validate_webhook_url("discord", "http://127.0.0.1:8099/anything", LOCAL)
    assert validate_webhook_url("slack", "https://chat.lan/hooks/xyz", LOCAL)
    assert validate_webhook_url("slack", "http://chat.lan:9000/hooks/xyz", LOCAL)  # any port
    with pytest.raises(WebhookUrlError):
        validate_webhook_url("discord", "http://127.0.0.1:8100/x", LOCAL)  # other port
    with pytest.raises(WebhookUrlError):
        validate_webhook_url("discord", "http://localhost:8099/x", LOCAL)
    with pytest.raises(WebhookUrlError):
        validate_webhook_url("discord", "gopher://chat.lan/x", LOCAL)
    # The real services stay allowed alongside.
    assert validate_webhook_url("discord", "https://discord.com/api/webhooks/1/a", LOCAL)


def test_masking_never_shows_the_url() -> None:
    assert mask("https://discord.com/api/webhooks/1/secret") == "Configured"
    assert mask("") == "Not configured"
