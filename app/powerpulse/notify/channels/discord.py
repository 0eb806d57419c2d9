"""Discord webhooks: one embed per notice; 204 on success, 429 with `retry_after` (seconds) in
the JSON body. Discord answers 404 "Unknown Webhook" for a deleted webhook and 401 for a wrong
token: both permanent (see `base.classify_http`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from powerpulse.notify.channels.base import (
    ChannelKind,
    ConfigField,
    Context,
    DeliveryResult,
    Transport,
    http_request,
)
from powerpulse.notify.channels.hosts import check_url
from powerpulse.notify.messages import COLOURS, FOOTER, USERNAME, Markup, Notice, Text, cut
from powerpulse.timeutil import iso

HOSTS = ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com")
PATH = "/api/webhooks/"
# Discord's documented limits; a longer embed is rejected with 400 (a permanent failure).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_MAX = 1024
_SPECIAL = re.compile(r"([\\*_~`|>\[\]()])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


class Discord(ChannelKind):
    kind = "discord"
    label = "Discord"
    fields = (
        ConfigField(
            "url",
            "Webhook URL",
            "secret",
            help="Server Settings → Integrations → Webhooks → Copy Webhook URL",
            placeholder="https://discord.com/api/webhooks/…",
        ),
    )
    markup = Markup(escape, lambda s: f"**{s}**")

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        out["url"] = check_url(
            "url", "Webhook URL", out["url"], ctx, official=HOSTS, path_prefix=PATH
        )
        return out

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        """A webhook body with one embed. No avatar URL: the appliance may have no internet."""
        embed: dict[str, Any] = {
            "title": cut(text.title, TITLE_MAX),
            "description": cut(text.body, DESCRIPTION_MAX),
            "color": COLOURS[notice.severity],
            "timestamp": iso(notice.occurred_at),
            "footer": {"text": FOOTER},
        }
        fields = [
            {"name": name, "value": cut(value or "-", FIELD_MAX), "inline": True}
            for name, value in text.facts
        ]
        if fields:
            embed["fields"] = fields
        return {"username": USERNAME, "embeds": [embed], "allowed_mentions": {"parse": []}}

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        return await http_request(transport, "POST", config["url"], json_body=dict(payload))
