"""Email (config `{recipients}`) through the operator's SMTP server (aiosmtplib), with one
place classifying failures.

`SMTP_SECURITY` picks the transport: `starttls` (upgrade required, port 587), `tls` (implicit
TLS, port 465) or `none`. Certificates are verified against the system trust store, or the
`tls_context` given (tests pass one that trusts their self-signed certificate).
"""

from __future__ import annotations

import asyncio
import html
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

import aiosmtplib

from powerpulse.notify import smtp
from powerpulse.notify.channels.base import (
    ChannelKind,
    ConfigError,
    ConfigField,
    Context,
    DeliveryResult,
    Transport,
)
from powerpulse.notify.messages import (
    COLOURS,
    EMAIL_FOOTER,
    PLAIN,
    Markup,
    Notice,
    Override,
    Text,
    compose,
)
from powerpulse.notify.recipients import RecipientError, parse_email_recipients
from powerpulse.timeutil import iso

NOT_CONFIGURED = (
    "SMTP is not configured: set the email server in Settings → Alerting, or SMTP_HOST (and "
    "SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_FROM, SMTP_SECURITY) in the environment"
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


HTML = Markup(html.escape, lambda s: f"<strong>{s}</strong>")


def email_parts(notice: Notice, plain: Text, rich: Text) -> dict[str, str]:
    """`subject`, `text` and `html` (every interpolated value escaped in the HTML)."""
    subject = plain.title if notice.kind == "test" else f"{plain.title}: {notice.ups_name}"
    facts = [*plain.facts, ("Time", iso(notice.occurred_at) or "")]
    text_body = "\n".join(
        [plain.body, "", *(f"{name}: {value}" for name, value in facts), "", EMAIL_FOOTER]
    )
    esc = html.escape
    rows = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{esc(name)}</th>'
        f"<td>{esc(value)}</td></tr>"
        for name, value in facts
    )
    body_html = rich.body.replace("\n", "<br>")
    colour = f"#{COLOURS[notice.severity]:06X}"
    html_body = (
        '<!doctype html><html><body style="font-family:sans-serif">'
        f'<div style="border-left:6px solid {colour};padding:8px 16px">'
        f"<h2>{esc(rich.title)}</h2><p>{body_html}</p><table>{rows}</table></div>"
        f'<hr><p style="color:#666;font-size:12px">{esc(EMAIL_FOOTER)}</p></body></html>'
    )
    return {
        "subject": subject.replace("\n", " ").replace("\r", " "),
        "text": text_body,
        "html": html_body,
    }


class Email(ChannelKind):
    kind = "email"
    label = "Email"
    fields = (
        ConfigField(
            "recipients",
            "Recipients",
            "emails",
            help="Comma-separated addresses; mail goes through the SMTP server in the settings",
            placeholder="ops@example.com, oncall@example.com",
        ),
    )
    markup = HTML

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        try:
            out["recipients"] = ", ".join(parse_email_recipients(out["recipients"]))
        except RecipientError as err:
            raise ConfigError("recipients", str(err)) from None
        if not out["recipients"]:
            raise ConfigError("recipients", "Recipients is required")
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        return str(config.get("recipients") or "no recipients")

    def payload(self, notice: Notice, override: Override | None = None) -> dict[str, Any]:
        return email_parts(
            notice, compose(notice, PLAIN, override), compose(notice, HTML, override)
        )

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        return email_parts(notice, text, text)

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        s = transport.smtp or smtp.from_settings(transport.settings)
        if not s.configured:
            return DeliveryResult.fail(NOT_CONFIGURED)
        try:
            recipients = parse_email_recipients(str(config.get("recipients") or ""))
        except RecipientError as err:
            return DeliveryResult.fail(str(err))
        if not recipients:
            return DeliveryResult.fail("No email recipients")
        mail = build_email(payload, s.sender, recipients)
        context = transport.tls_context or ssl.create_default_context()
        try:
            await aiosmtplib.send(
                mail,
                hostname=s.host,
                port=s.port,
                username=s.user or None,
                password=s.password if s.user else None,
                use_tls=s.security == "tls",
                start_tls=s.security == "starttls",
                tls_context=context if s.security != "none" else None,
                timeout=transport.timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            cause = err.__cause__ or err.__context__
            if isinstance(cause, ssl.SSLCertVerificationError):
                return classify_smtp_error(cause, transport.timeout)
            return classify_smtp_error(err, transport.timeout)
        return DeliveryResult.success()
