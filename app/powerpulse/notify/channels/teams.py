"""Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is
received"): one Adaptive Card per notice in the documented Workflows message shape.

The workflow answers 202 Accepted (200 from some templates). Its errors are Logic Apps JSON,
`{"error": {"code": "…", "message": "…"}}`. The URL carries its signature (`sig=`): a secret.
Workflows URLs live on per-region and per-environment subdomains of two Microsoft hosts.
"""

from __future__ import annotations

import re
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
from powerpulse.notify.messages import Markup, Notice, Text, cut

HOSTS = (".logic.azure.com", ".api.powerplatform.com")
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"  # what Teams renders everywhere (desktop, web, mobile)
COLOURS = {"critical": "attention", "warning": "warning", "ok": "good", "info": "accent"}
TEXT_MAX = 4000
# TextBlock and Fact text is a markdown subset (bold, italic, lists, links); a backslash keeps
# these from starting any of it.
_SPECIAL = re.compile(r"([\\*_~`\[\]()#])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


MARKDOWN = Markup(escape, lambda s: f"**{s}**")


def card(notice: Notice, text: Text) -> dict[str, Any]:
    """An Adaptive Card: the title coloured by severity, the body, the facts as a FactSet."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": escape(text.title),
            "weight": "bolder",
            "size": "medium",
            "color": COLOURS[notice.severity],
            "wrap": True,
        },
        # A single newline is not a line break in card markdown; a blank line is.
        {"type": "TextBlock", "text": cut(text.body.replace("\n", "\n\n"), TEXT_MAX), "wrap": True},
    ]
    if text.facts:
        facts = [{"title": escape(name), "value": escape(value)} for name, value in text.facts]
        body.append({"type": "FactSet", "facts": facts})
    return {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION, "body": body}


def classify(status: int, text: str, body: Any, headers: Mapping[str, str]) -> DeliveryResult:
    error = body.get("error") if isinstance(body, dict) else None
    detail = text
    if isinstance(error, dict) and (error.get("code") or error.get("message")):
        detail = ": ".join(str(part) for part in (error.get("code"), error.get("message")) if part)
    return classify_http(status, detail, None, headers)


class Teams(ChannelKind):
    kind = "teams"
    label = "Microsoft Teams"
    fields = (
        ConfigField(
            "url",
            "Workflows webhook URL",
            "secret",
            help='In the channel: ⋯ → Workflows → "Post to a channel when a webhook request is '
            'received" → copy the URL',
            placeholder="https://….logic.azure.com:443/workflows/…",
        ),
    )
    markup = MARKDOWN

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        out["url"] = check_url("url", "Workflows webhook URL", out["url"], ctx, official=HOSTS)
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        return f"Teams workflow at {urlsplit(str(config.get('url', ''))).hostname or '?'}"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        attachment = {
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": card(notice, text),
        }
        return {"type": "message", "attachments": [attachment]}

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        return await http_request(
            transport, "POST", config["url"], json_body=dict(payload), classify=classify
        )
