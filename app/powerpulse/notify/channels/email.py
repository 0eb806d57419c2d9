"""Email through the operator's SMTP server (aiosmtplib), with one place classifying failures.

`SMTP_SECURITY` picks the transport: `starttls` (upgrade required, port 587), `tls` (implicit
TLS, port 465) or `none`. Certificates are verified against the system trust store, or the
`tls_context` given (tests pass one that trusts their self-signed certificate).
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

import aiosmtplib

from powerpulse.config import Settings
from powerpulse.notify.channels.base import DEFAULT_TIMEOUT, DeliveryResult

NOT_CONFIGURED = (
    "SMTP is not configured: set SMTP_HOST (and SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, "
    "SMTP_SECURITY) in the environment"
)
SENDER_NAME = "PowerPulse UPS Monitor"


def build_email(message: Mapping[str, Any], sender: str, recipients: Sequence[str]) -> EmailMessage:
    """A multipart/alternative mail (plain text + HTML) from `messages.email_parts` output."""
    mail = EmailMessage()
    mail["From"] = formataddr((SENDER_NAME, sender))
    mail["To"] = ", ".join(recipients)
    mail["Subject"] = str(message.get("subject", "PowerPulse notification"))
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "powerpulse.local")
    mail.set_content(str(message.get("text", "")))
    if message.get("html"):
        mail.add_alternative(str(message["html"]), subtype="html")
    return mail


def classify_smtp_error(err: BaseException, timeout: float) -> DeliveryResult:
    """Authentication, refused addresses and missing server features are permanent (asking
    again changes nothing); 4xx replies, timeouts and dropped connections are retried."""
    if isinstance(err, aiosmtplib.SMTPAuthenticationError):
        return DeliveryResult.fail(f"SMTP authentication failed ({err.code})")
    if isinstance(err, aiosmtplib.SMTPRecipientsRefused):
        codes = sorted({e.code for e in err.recipients})
        if all(400 <= c < 500 for c in codes):
            return DeliveryResult.retry(f"SMTP recipients temporarily refused ({codes})")
        return DeliveryResult.fail(f"SMTP server refused the recipients ({codes})")
    if isinstance(err, aiosmtplib.SMTPNotSupported):
        return DeliveryResult.fail(f"SMTP server does not support this: {err.message}")
    if isinstance(err, aiosmtplib.SMTPTimeoutError | asyncio.TimeoutError | TimeoutError):
        return DeliveryResult.retry(f"SMTP timed out after {timeout:g} s")
    if isinstance(err, aiosmtplib.SMTPResponseException):
        text = f"SMTP error {err.code}: {' '.join(err.message.split())[:160]}"
        if 400 <= err.code < 500:
            return DeliveryResult.retry(text)
        return DeliveryResult.fail(text)
    if isinstance(err, ssl.SSLCertVerificationError):
        return DeliveryResult.fail(f"SMTP TLS certificate rejected ({err.verify_message})")
    if isinstance(err, aiosmtplib.SMTPConnectError):
        return DeliveryResult.retry("SMTP connection failed")
    if isinstance(err, aiosmtplib.SMTPServerDisconnected):
        return DeliveryResult.retry("SMTP server closed the connection")
    return DeliveryResult.retry(f"SMTP send failed ({type(err).__name__})")


class EmailChannel:
    name = "email"

    def __init__(
        self,
        recipients: Sequence[str],
        settings: Settings,
        *,
        tls_context: ssl.SSLContext | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.recipients = list(recipients)
        self.settings = settings
        self.tls_context = tls_context
        self.timeout = timeout

    async def send(self, message: Mapping[str, Any]) -> DeliveryResult:
        s = self.settings
        if not s.smtp_host:
            return DeliveryResult.fail(NOT_CONFIGURED)
        if not self.recipients:
            return DeliveryResult.fail("No email recipients")
        mail = build_email(message, s.smtp_from, self.recipients)
        context = self.tls_context or ssl.create_default_context()
        try:
            await aiosmtplib.send(
                mail,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_user or None,
                password=s.smtp_password if s.smtp_user else None,
                use_tls=s.smtp_security == "tls",
                start_tls=s.smtp_security == "starttls",
                tls_context=context if s.smtp_security != "none" else None,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            cause = err.__cause__ or err.__context__
            if isinstance(cause, ssl.SSLCertVerificationError):
                return classify_smtp_error(cause, self.timeout)
            return classify_smtp_error(err, self.timeout)
        return DeliveryResult.success()
