"""Slack incoming webhooks (and Slack-compatible services): 200 `ok` on success. Slack reports
errors as short words in the body (`invalid_token`, `channel_not_found`, `no_service`) with a
4xx status: permanent, and the word becomes the recorded reason (see `base.classify_http`)."""

from __future__ import annotations

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
from powerpulse.notify.messages import FOOTER, USERNAME, Markup, Notice, Text

HOSTS = ("hooks.slack.com",)
PATH = "/services/"
COLOURS = {"critical": "danger", "warning": "warning", "ok": "good", "info": "#7289DA"}


def escape(text: str) -> str:
    # Slack's mrkdwn needs only these three escaped; `*` inside a name is harmless enough.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Slack(ChannelKind):
    kind = "slack"
    label = "Slack"
    fields = (
        ConfigField(
            "url",
            "Webhook URL",
            "secret",
            help="A Slack app's Incoming Webhooks page → Add New Webhook",
            placeholder="https://hooks.slack.com/services/…",
        ),
    )
    markup = Markup(escape, lambda s: f"*{s}*")

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        out["url"] = check_url(
            "url", "Webhook URL", out["url"], ctx, official=HOSTS, path_prefix=PATH
        )
        return out

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        """Fallback text plus one coloured attachment in Slack mrkdwn."""
        attachment: dict[str, Any] = {
            "color": COLOURS[notice.severity],
            "title": text.title,
            "text": text.body,
            "fields": [
                {"title": name, "value": escape(value), "short": True} for name, value in text.facts
            ],
            "footer": FOOTER,
            "ts": int(notice.occurred_at.timestamp()),
            "mrkdwn_in": ["text"],
        }
        fallback = text.title if notice.kind == "test" else f"{text.title}: {notice.ups_name}"
        return {"username": USERNAME, "text": escape(fallback), "attachments": [attachment]}

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        return await http_request(transport, "POST", config["url"], json_body=dict(payload))
