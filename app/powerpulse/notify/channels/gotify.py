"""Gotify (always self-hosted): `POST {server}/message` with the application token in the
`X-Gotify-Key` header, the message in markdown.

Gotify answers errors as `{"error": "Unauthorized", "errorCode": 401, "errorDescription": "…"}`;
both texts become the recorded reason. No host is allowed for everyone: a non-admin may only use
the hosts of `WEBHOOK_ALLOWED_HOSTS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from powerpulse.notify.channels.base import (
    ChannelKind,
    ConfigField,
    Context,
    DeliveryResult,
    Transport,
    classify_http,
    http_request,
)
from powerpulse.notify.channels.hosts import check_url
from powerpulse.notify.channels.ntfy import MARKDOWN, markdown_message
from powerpulse.notify.messages import Notice, Text

# Gotify's scale is 0-10; its Android app makes a sound from 4 and pops up from 8.
PRIORITIES = {"critical": 8, "warning": 5, "ok": 2, "info": 2}


def classify(status: int, text: str, body: Any, headers: Mapping[str, str]) -> DeliveryResult:
    detail = text
    if isinstance(body, dict) and (body.get("error") or body.get("errorDescription")):
        parts = (body.get("error"), body.get("errorDescription"))
        detail = ": ".join(str(part) for part in parts if part)
    return classify_http(status, detail, None, headers)


class Gotify(ChannelKind):
    kind = "gotify"
    label = "Gotify"
    fields = (
        ConfigField(
            "server",
            "Server",
            "url",
            help="Your Gotify server's address (only an admin may use a host not allowed "
            "in WEBHOOK_ALLOWED_HOSTS)",
            placeholder="https://gotify.example.lan",
        ),
        ConfigField(
            "token",
            "Application token",
            "secret",
            help="Gotify → Apps → Create Application → its token",
        ),
    )
    self_hosted = True
    markup = MARKDOWN

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        out["server"] = check_url("server", "Server", out["server"], ctx, self_hosted=True)
        out["server"] = out["server"].rstrip("/")
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        return f"Gotify at {urlsplit(str(config.get('server', ''))).hostname or '?'}"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        return {
            "title": text.title,
            "message": markdown_message(text),
            "priority": PRIORITIES[notice.severity],
            "extras": {"client::display": {"contentType": "text/markdown"}},
        }

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        return await http_request(
            transport,
            "POST",
            f"{str(config['server']).rstrip('/')}/message",
            json_body=dict(payload),
            headers={"X-Gotify-Key": str(config["token"])},
            classify=classify,
        )
