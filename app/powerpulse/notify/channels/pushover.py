"""Pushover: `POST {api_url}/1/messages.json` (JSON) with the application token and user key,
the message in Pushover's HTML subset.

A critical notice is sent at emergency priority (2): Pushover repeats it every `retry` seconds
until acknowledged or `expire` seconds pass, and refuses priority 2 without both. Errors are
`{"status": 0, "errors": ["application token is invalid"], …}` with a 4xx (permanent); 429 means
the application is over its monthly quota.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from powerpulse.notify.channels.base import (
    ChannelKind,
    ConfigError,
    ConfigField,
    Context,
    DeliveryResult,
    Transport,
    classify_http,
    http_request,
)
from powerpulse.notify.channels.hosts import check_url
from powerpulse.notify.channels.telegram import cut_html
from powerpulse.notify.messages import Markup, Notice, Text, cut

DEFAULT_API_URL = "https://api.pushover.net"
HOSTS = ("api.pushover.net",)
# Pushover's documented format for application tokens and user/group keys.
KEY = re.compile(r"^[A-Za-z0-9]{30}$")
TITLE_MAX = 250
MESSAGE_MAX = 1024
EMERGENCY = 2
PRIORITIES = {"critical": EMERGENCY, "warning": 1, "ok": 0, "info": -1}
# Emergency: repeat every minute (Pushover's minimum is 30 s) for at most an hour.
EMERGENCY_RETRY = 60
EMERGENCY_EXPIRE = 3600


def escape(text: str) -> str:
    return html.escape(text, quote=False)


HTML = Markup(escape, lambda s: f"<b>{s}</b>")


def classify(status: int, text: str, body: Any, headers: Mapping[str, str]) -> DeliveryResult:
    errors = body.get("errors") if isinstance(body, dict) else None
    detail = "; ".join(str(e) for e in errors) if isinstance(errors, list) and errors else text
    return classify_http(status, detail, None, headers)


class Pushover(ChannelKind):
    kind = "pushover"
    label = "Pushover"
    fields = (
        ConfigField(
            "token",
            "Application token",
            "secret",
            help="pushover.net → Your Applications → Create an Application → API Token",
        ),
        ConfigField(
            "user",
            "User or group key",
            "secret",
            help="Your user key (pushover.net dashboard) or a delivery group's key",
        ),
        ConfigField(
            "api_url",
            "API server",
            "url",
            required=False,
            default=DEFAULT_API_URL,
            help="Leave as is (only changed for a test receiver)",
            placeholder=DEFAULT_API_URL,
        ),
    )
    markup = HTML

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        for key, label in (("token", "Application token"), ("user", "User or group key")):
            if not KEY.match(out[key]):
                raise ConfigError(key, f"{label} must be 30 letters and digits")
        out["api_url"] = check_url(
            "api_url", "API server", out["api_url"], ctx, official=HOSTS
        ).rstrip("/")
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        host = urlsplit(str(config.get("api_url") or DEFAULT_API_URL)).hostname
        return "Pushover" if host in HOSTS else f"Pushover via {host}"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        facts = [f"<b>{escape(name)}:</b> {escape(value)}" for name, value in text.facts]
        message = "\n".join([text.body, *(["", *facts] if facts else [])])
        payload: dict[str, Any] = {
            "title": cut(text.title, TITLE_MAX),
            "message": cut_html(message, MESSAGE_MAX),
            "html": 1,
            "priority": PRIORITIES[notice.severity],
            "timestamp": int(notice.occurred_at.timestamp()),
        }
        if payload["priority"] == EMERGENCY:
            payload |= {"retry": EMERGENCY_RETRY, "expire": EMERGENCY_EXPIRE}
        return payload

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        api_url = str(config.get("api_url") or DEFAULT_API_URL).rstrip("/")
        return await http_request(
            transport,
            "POST",
            f"{api_url}/1/messages.json",
            json_body={"token": config["token"], "user": config["user"], **payload},
            classify=classify,
        )
