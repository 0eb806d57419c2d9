"""Matrix: one `m.room.message` per notice, `PUT …/rooms/{room}/send/m.room.message/{txn}` on the
homeserver's client-server API, with the bot account's access token.

The transaction id is drawn once, in `render`, and stored with the payload: a retried delivery
reuses it and the homeserver de-duplicates it instead of posting the message twice. A room alias
(`#ups:example.org`) is resolved to its room id (`GET …/directory/room/{alias}`) at each send.
Errors are `{"errcode": "M_FORBIDDEN", "error": "…"}`; a 429 says `retry_after_ms`.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

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

DEFAULT_HOMESERVER = "https://matrix-client.matrix.org"
HOSTS = ("matrix-client.matrix.org", "matrix.org")
API = "/_matrix/client/v3"
TXN_KEY = "txn_id"
_SERVER = r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?"
# Room ids of room version 12 have no server part ("!opaque"); older ones do ("!x:server").
ROOM_ID = re.compile(rf"^![^\s:/]{{1,200}}(:({_SERVER}))?$")
ALIAS = re.compile(rf"^#[^\s:/]{{1,200}}:({_SERVER})$")
_TAG = re.compile(r"<[^>]+>")


def escape(text: str) -> str:
    return html.escape(text)


HTML = Markup(escape, lambda s: f"<b>{s}</b>")


def plain(markup: str) -> str:
    """The plain-text twin of our HTML (tags dropped, entities read back)."""
    return html.unescape(_TAG.sub("", markup))


def classify(status: int, text: str, body: Any, headers: Mapping[str, str]) -> DeliveryResult:
    detail = text
    if isinstance(body, dict) and (body.get("errcode") or body.get("error")):
        detail = ": ".join(str(part) for part in (body.get("errcode"), body.get("error")) if part)
    result = classify_http(status, detail, None, headers)
    wait_ms = body.get("retry_after_ms") if isinstance(body, dict) else None
    if status == 429 and isinstance(wait_ms, int | float) and not isinstance(wait_ms, bool):
        result = replace(result, retry_after=max(0.0, wait_ms / 1000))
    return result


class Matrix(ChannelKind):
    kind = "matrix"
    label = "Matrix"
    fields = (
        ConfigField(
            "homeserver",
            "Homeserver",
            "url",
            required=False,
            default=DEFAULT_HOMESERVER,
            help="The client API address of the bot account's homeserver (only an admin may "
            "use a homeserver other than matrix.org)",
            placeholder=DEFAULT_HOMESERVER,
        ),
        ConfigField(
            "token",
            "Access token",
            "secret",
            help="The bot account's access token (Element: Settings → Help & About → Advanced)",
        ),
        ConfigField(
            "room",
            "Room",
            help="A room id (!abc…:example.org) or alias (#ups:example.org) the bot has joined",
            placeholder="#ups-alerts:matrix.org",
        ),
    )
    self_hosted = True
    markup = HTML

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        out["homeserver"] = check_url(
            "homeserver", "Homeserver", out["homeserver"], ctx, official=HOSTS, self_hosted=True
        ).rstrip("/")
        if not (ROOM_ID.match(out["room"]) or ALIAS.match(out["room"])):
            raise ConfigError("room", "Room must be a room id (!…) or an alias (#name:server)")
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        host = urlsplit(str(config.get("homeserver") or DEFAULT_HOMESERVER)).hostname
        return f"{config.get('room', '')} on {host}"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        facts = [f"<b>{escape(name)}:</b> {escape(value)}" for name, value in text.facts]
        formatted = "<br>".join(
            [
                f"<b>{escape(text.title)}</b>",
                *text.body.split("\n"),
                *(["", *facts] if facts else []),
            ]
        )
        return {
            "msgtype": "m.text",
            "body": plain(formatted.replace("<br>", "\n")),
            "format": "org.matrix.custom.html",
            "formatted_body": formatted,
            TXN_KEY: uuid.uuid4().hex,
        }

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        homeserver = str(config.get("homeserver") or DEFAULT_HOMESERVER).rstrip("/")
        auth = {"Authorization": f"Bearer {config['token']}"}
        room = str(config["room"])
        if room.startswith("#"):
            found: dict[str, str] = {}
            looked_up = await http_request(
                transport,
                "GET",
                f"{homeserver}{API}/directory/room/{quote(room, safe='')}",
                headers=auth,
                classify=_remember_room(found),
            )
            if not looked_up.ok:
                return looked_up
            room = found["room_id"]
        content = {key: value for key, value in payload.items() if key != TXN_KEY}
        # An old payload without one still goes out, once, under a fresh id.
        txn = str(payload.get(TXN_KEY) or uuid.uuid4().hex)
        return await http_request(
            transport,
            "PUT",
            f"{homeserver}{API}/rooms/{quote(room, safe='')}/send/m.room.message/"
            f"{quote(txn, safe='')}",
            json_body=content,
            headers=auth,
            classify=classify,
        )


def _remember_room(found: dict[str, str]) -> Any:
    """A `classify` for the alias lookup that also keeps the room id it answered."""

    def classify_lookup(
        status: int, text: str, body: Any, headers: Mapping[str, str]
    ) -> DeliveryResult:
        result = classify(status, text, body, headers)
        room_id = body.get("room_id") if isinstance(body, dict) else None
        if result.ok and not (isinstance(room_id, str) and ROOM_ID.match(room_id)):
            return DeliveryResult.retry(
                "room alias lookup answered without a room id", status=status
            )
        if result.ok:
            found["room_id"] = str(room_id)
        return result

    return classify_lookup
