"""Telegram bots: `POST {api_url}/bot{token}/sendMessage` with a Telegram-HTML text.

Telegram answers `{"ok": false, "error_code": N, "description": "…"}`; a 429 carries
`parameters.retry_after` (seconds). The token is part of the URL, so it is added at send time and
never appears in a stored payload or a recorded reason (`base.http_request` never names URLs).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import replace
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
from powerpulse.notify.messages import Markup, Notice, Text

DEFAULT_API_URL = "https://api.telegram.org"
HOSTS = ("api.telegram.org",)
TEXT_MAX = 4096
# "123456789:AA…" from @BotFather; a chat is a number (groups are negative) or "@channel".
TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")
CHAT_ID = re.compile(r"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*>")
# Room left for the closing tags `cut_html` adds (ours are only ever <b> and <strong>).
_CLOSERS_RESERVE = 32


def escape(text: str) -> str:
    # Telegram HTML wants exactly these three escaped; quotes only matter inside attributes.
    return html.escape(text, quote=False)


HTML = Markup(escape, lambda s: f"<b>{s}</b>")


def cut_html(text: str, limit: int) -> str:
    """`text` at most `limit` characters without cutting a tag or an entity in half and with
    every tag still open closed again (Telegram refuses a text its HTML parser cannot read)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1 - _CLOSERS_RESERVE]
    if head.rfind("<") > head.rfind(">"):
        head = head[: head.rfind("<")]
    if head.rfind("&") > head.rfind(";"):
        head = head[: head.rfind("&")]
    still_open: list[str] = []
    for match in _TAG.finditer(head):
        name = match[2].lower()
        if not match[1]:
            still_open.append(name)
        elif still_open and still_open[-1] == name:
            still_open.pop()
    return head + "…" + "".join(f"</{name}>" for name in reversed(still_open))


def telegram_text(text: Text) -> str:
    """The title in bold, the body, then one `Name: value` line per fact."""
    facts = [f"<b>{escape(name)}:</b> {escape(value)}" for name, value in text.facts]
    lines = [f"<b>{escape(text.title)}</b>", text.body, *(["", *facts] if facts else [])]
    return cut_html("\n".join(lines), TEXT_MAX)


def classify(status: int, text: str, body: Any, headers: Mapping[str, str]) -> DeliveryResult:
    detail = body.get("description") if isinstance(body, dict) else None
    result = classify_http(status, str(detail) if detail else text, None, headers)
    parameters = body.get("parameters") if isinstance(body, dict) else None
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if status == 429 and isinstance(retry_after, int | float) and not isinstance(retry_after, bool):
        result = replace(result, retry_after=max(0.0, float(retry_after)))
    return result


class Telegram(ChannelKind):
    kind = "telegram"
    label = "Telegram"
    fields = (
        ConfigField(
            "token",
            "Bot token",
            "secret",
            help="From @BotFather (/newbot); add the bot to the chat first",
            placeholder="123456789:AA…",
        ),
        ConfigField(
            "chat_id",
            "Chat ID",
            help="A numeric chat ID (groups and channels are negative, -100…) or @channelname",
            placeholder="-1001234567890",
        ),
        ConfigField(
            "api_url",
            "Bot API server",
            "url",
            required=False,
            default=DEFAULT_API_URL,
            help="Leave as is unless you run your own Bot API server",
            placeholder=DEFAULT_API_URL,
        ),
    )
    markup = HTML

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        if not TOKEN.match(out["token"]):
            raise ConfigError("token", "Bot token is not a Telegram bot token (digits:letters)")
        if not CHAT_ID.match(out["chat_id"]):
            raise ConfigError("chat_id", "Chat ID must be a number or @channelname")
        out["api_url"] = check_url(
            "api_url", "Bot API server", out["api_url"], ctx, official=HOSTS
        ).rstrip("/")
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        host = urlsplit(str(config.get("api_url") or DEFAULT_API_URL)).hostname
        where = "" if host in HOSTS else f" via {host}"
        return f"Telegram chat {config.get('chat_id', '')}{where}"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        return {"text": telegram_text(text), "parse_mode": "HTML", "disable_web_page_preview": True}

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        api_url = str(config.get("api_url") or DEFAULT_API_URL).rstrip("/")
        return await http_request(
            transport,
            "POST",
            f"{api_url}/bot{config['token']}/sendMessage",
            json_body={"chat_id": config["chat_id"], **payload},
            classify=classify,
        )
