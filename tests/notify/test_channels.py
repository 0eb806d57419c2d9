"""Each channel against a real local server: what arrives, and how failures are classified."""

from __future__ import annotations

import ssl
import time
from pathlib import Path
from typing import Any

import aiohttp

from powerpulse.config import Settings
from powerpulse.notify.channels import KINDS, DeliveryResult, Transport
from powerpulse.notify.channels.email import NOT_CONFIGURED
from powerpulse.notify.messages import Notice
from powerpulse.timeutil import utcnow
from tests.conftest import make_settings
from tests.support.receivers import WebhookReceiver
from tests.support.smtp import SMTP_FROM, SmtpServer

NOTICE = Notice("on_battery", "Rack <1>", "On Battery", "Online", utcnow(), 90, 1200, 25)


class Sender:
    """One channel kind with one config, sending over a fresh HTTP session each time."""

    def __init__(
        self,
        kind: str,
        config: dict[str, Any],
        settings: Settings,
        *,
        timeout: float = 10.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.kind, self.config, self.settings = KINDS[kind], config, settings
        self.timeout, self.tls_context = timeout, tls_context

    async def send(self, payload: dict[str, Any]) -> DeliveryResult:
        async with aiohttp.ClientSession() as session:
            transport = Transport(session, self.settings, self.timeout, self.tls_context)
            return await self.kind.send(payload, self.config, transport)


def make_channel(kind: str, target: str, settings: Settings, **options: Any) -> Sender:
    """A webhook URL or comma-joined recipients, as the seed's fields hold them."""
    key = "recipients" if kind == "email" else "url"
    return Sender(kind, {key: target}, settings, **options)


def render(kind: str, notice: Notice) -> dict[str, Any]:
    return KINDS[kind].payload(notice)


async def test_discord_success_posts_the_embed_once(
    discord_hook: WebhookReceiver, settings: Settings
) -> None:
    result = await make_channel("discord", discord_hook.url, settings).send(
        render("discord", NOTICE)
    )
    assert result.ok and result.status == 204
    [body] = discord_hook.delivered
    assert body["embeds"][0]["title"] == "⚡ UPS On Battery"
    assert len(discord_hook.requests) == 1


async def test_discord_failures_are_classified(
    discord_hook: WebhookReceiver, settings: Settings
) -> None:
    discord_hook.script("429:2.5", "500", "404", "401")
    channel = make_channel("discord", discord_hook.url, settings)
    limited = await channel.send(render("discord", NOTICE))
    assert (limited.ok, limited.permanent, limited.retry_after) == (False, False, 2.5)
    assert limited.error == "HTTP 429: You are being rate limited."
    server_error = await channel.send(render("discord", NOTICE))
    assert (server_error.permanent, server_error.retry_after) == (False, None)
    gone = await channel.send(render("discord", NOTICE))
    assert gone.permanent and gone.error == "HTTP 404: Unknown Webhook"
    bad_token = await channel.send(render("discord", NOTICE))
    assert bad_token.permanent and bad_token.error == "HTTP 401: Invalid Webhook Token"
    assert discord_hook.delivered == []


async def test_a_hanging_webhook_times_out_as_retryable(
    discord_hook: WebhookReceiver, settings: Settings
) -> None:
    discord_hook.script("hang")
    started = time.monotonic()
    result = await make_channel("discord", discord_hook.url, settings, timeout=0.5).send({})
    assert time.monotonic() - started < 2
    assert not result.ok and not result.permanent
    assert result.error == "timed out after 0.5 s"


async def test_unreachable_webhook_is_retryable_and_reason_hides_url(settings: Settings) -> None:
    hook = WebhookReceiver("discord")  # never started: nothing listens on its port
    result = await make_channel("discord", hook.url, settings).send({})
    assert not result.ok and not result.permanent
    assert "test-token" not in (result.error or "")
    assert result.error and result.error.startswith("connection failed")


async def test_slack_success_and_permanent_error_word(
    slack_hook: WebhookReceiver, settings: Settings
) -> None:
    slack_hook.script("404")
    channel = make_channel("slack", slack_hook.url, settings)
    gone = await channel.send(render("slack", NOTICE))
    assert gone.permanent and gone.error == "HTTP 404: no_service"
    slack_hook.script("429:1")
    limited = await channel.send(render("slack", NOTICE))
    assert limited.retry_after == 1.0 and not limited.permanent
    ok = await channel.send(render("slack", NOTICE))
    assert ok.ok and ok.status == 200
    assert len(slack_hook.delivered) == 1
    assert slack_hook.delivered[0]["attachments"][0]["text"].startswith("*Rack &lt;1&gt;*")


async def test_email_over_starttls_with_auth(smtp: SmtpServer, settings: Settings) -> None:
    channel = make_channel(
        "email", "ops@example.com,boss@example.com", settings, tls_context=smtp.client_context()
    )
    result = await channel.send(render("email", NOTICE))
    assert result.ok, result.error
    [mail] = smtp.wait_messages(1)
    assert mail.tls and mail.login == "mailer"
    assert mail.rcpt_tos == ["ops@example.com", "boss@example.com"]
    assert mail.mail_from == SMTP_FROM
    assert mail.subject == "⚡ UPS On Battery: Rack <1>"
    assert "Rack <1> is now running on battery power." in mail.part("plain")
    assert "<strong>Rack &lt;1&gt;</strong>" in mail.part("html")


async def test_email_over_implicit_tls(tmp_path: Path) -> None:
    with SmtpServer("tls") as server:
        settings = make_settings(tmp_path, **server.env())
        channel = make_channel(
            "email", "ops@example.com", settings, tls_context=server.client_context()
        )
        assert (await channel.send(render("email", NOTICE))).ok
        [mail] = server.wait_messages(1)
        assert mail.tls and mail.login == "mailer"


async def test_email_wrong_password_is_permanent(smtp: SmtpServer, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, **smtp.env(SMTP_PASSWORD="wrong"))
    channel = make_channel("email", "a@example.com", settings, tls_context=smtp.client_context())
    result = await channel.send(render("email", NOTICE))
    assert result.permanent and result.error == "SMTP authentication failed (535)"
    assert smtp.messages == [] and smtp.auth_failures >= 1


async def test_email_untrusted_certificate_is_refused(smtp: SmtpServer, settings: Settings) -> None:
    # No tls_context: the system trust store does not know the self-signed certificate.
    result = await make_channel("email", "a@example.com", settings).send(render("email", NOTICE))
    assert result.permanent and "certificate" in (result.error or "")
    assert smtp.messages == []


async def test_email_without_smtp_configured_says_so(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    result = await make_channel("email", "a@example.com", settings).send(render("email", NOTICE))
    assert not result.ok and result.permanent
    assert result.error == NOT_CONFIGURED
    assert result.error.startswith("SMTP is not configured: set the email server in Settings")


async def test_email_to_a_dead_server_is_retryable(tmp_path: Path) -> None:
    from tests.support.nut_server import free_port

    settings = make_settings(tmp_path, SMTP_HOST="127.0.0.1", SMTP_PORT=str(free_port()))
    result = await make_channel("email", "a@example.com", settings).send(render("email", NOTICE))
    assert not result.ok and not result.permanent
