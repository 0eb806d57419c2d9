"""ntfy (ntfy.sh or a self-hosted server): one JSON publish per notice to `POST {server}/`.

ntfy answers errors as JSON `{"code": 40101, "http": 401, "error": "unauthorized", "link": …}`;
the `error` text becomes the recorded reason. The topic is added at send time from the config,
so the stored payload does not name it (on ntfy.sh a topic is as good as a password).
"""

from __future__ import annotations

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
from powerpulse.notify.messages import Markup, Notice, Text, cut

DEFAULT_SERVER = "https://ntfy.sh"
HOSTS = ("ntfy.sh",)
TOPIC = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
# ntfy turns a message over 4096 bytes into an attachment; stay under it.
MESSAGE_MAX = 4000
PRIORITIES = {"critical": 5, "warning": 4, "ok": 3, "info": 3}
TAGS = {
    "critical": ["rotating_light"],
    "warning": ["warning"],
    "ok": ["white_check_mark"],
    "info": ["information_source"],
}
# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that start
# markup mid-line (emphasis, code, links, raw HTML, entities, strike-through, tables).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~&])")


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


MARKDOWN = Markup(escape_markdown, lambda s: f"**{s}**")


def markdown_message(text: Text) -> str:
    """The body, a blank line, then one `**Name:** value` line per fact (values escaped).
    Lines end in two spaces: a bare newline is only a space in markdown."""
    lines = [f"**{escape_markdown(name)}:** {escape_markdown(value)}" for name, value in text.facts]
    body = text.body.replace("\n", "  \n")
    return "\n\n".join(part for part in (body, "  \n".join(lines)) if part)


def classify(status: int, text: str, body: Any, headers: Mapping[str, str]) -> DeliveryResult:
    detail = body.get("error") if isinstance(body, dict) else None
    return classify_http(status, str(detail) if detail else text, None, headers)


class Ntfy(ChannelKind):
    kind = "ntfy"
    label = "ntfy"
    fields = (
        ConfigField(
            "server",
            "Server",
            "url",
            required=False,
            default=DEFAULT_SERVER,
            help="ntfy.sh, or your own ntfy server (only an admin may use another host)",
            placeholder=DEFAULT_SERVER,
        ),
        ConfigField(
            "topic",
            "Topic",
            help="Letters, digits, - and _ (up to 64); on ntfy.sh pick one nobody can guess",
            placeholder="ups-alerts",
        ),
        ConfigField(
            "token",
            "Access token",
            "secret",
            required=False,
            help="Only for a protected topic: an access token (tk_…)",
        ),
    )
    self_hosted = True
    markup = MARKDOWN

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        out["server"] = check_url(
            "server", "Server", out["server"], ctx, official=HOSTS, self_hosted=True
        ).rstrip("/")
        if not TOPIC.match(out["topic"]):
            raise ConfigError("topic", "Topic may only have letters, digits, - and _ (1 to 64)")
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        host = urlsplit(str(config.get("server") or DEFAULT_SERVER)).hostname or "ntfy"
        return f"{host} · topic {config.get('topic', '')}"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        return {
            "title": text.title,
            "message": cut(markdown_message(text), MESSAGE_MAX),
            "priority": PRIORITIES[notice.severity],
            "tags": TAGS[notice.severity],
            "markdown": True,
        }

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        headers = {"Authorization": f"Bearer {config['token']}"} if config.get("token") else {}
        server = str(config.get("server") or DEFAULT_SERVER).rstrip("/")
        return await http_request(
            transport,
            "POST",
            f"{server}/",
            json_body={"topic": config["topic"], **payload},
            headers=headers,
            classify=classify,
        )
