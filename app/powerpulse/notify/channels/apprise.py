"""Apprise: any of the 100+ services an Apprise URL can name (`tgram://…`, `ntfys://…`,
`json://…`), in plain text; admins only, since an Apprise URL may reach any host.

Apprise is blocking, so each send runs in a thread. It reports failures only as log lines,
which `notify()` hands back per call (its result's `logs()`, captured through a context
variable, so concurrent sends never read each other's); the warnings, with every piece of the
URL taken out, become the recorded reason. Apprise does not say whether a failure is
permanent, so every failure is retried.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

import apprise

from powerpulse.notify.channels.base import (
    ChannelKind,
    ConfigError,
    ConfigField,
    Context,
    DeliveryResult,
    Transport,
)
from powerpulse.notify.messages import PLAIN, Notice, Text

NOT_UNDERSTOOD = "not an Apprise URL Apprise understands"
NOTIFY_TYPES = {
    "critical": apprise.NotifyType.FAILURE,
    "warning": apprise.NotifyType.WARNING,
    "ok": apprise.NotifyType.SUCCESS,
    "info": apprise.NotifyType.INFO,
}
_REPORTED_LEVELS = ("WARNING", "ERROR", "CRITICAL")
_ANY_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_URL_SEPARATORS = re.compile(r"[/:@?&=#,;+]+")
_MAX_REASON = 300
# Apprise's own log lines name hosts, topics and whole URLs (secrets): keep them out of the
# process's log. Failures reach the delivery record through `result.logs()`, redacted.
logging.getLogger("apprise").propagate = False
logging.getLogger("apprise").addHandler(logging.NullHandler())


def scheme(url: str) -> str:
    name, sep, _ = url.partition("://")
    return name.lower() if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", name) else ""


def redact(message: str, url: str) -> str:
    """`message` without any URL and without any piece of `url` (host, path, token, key)
    longer than three characters: Apprise's warnings name hosts, topics, even whole URLs."""
    message = _ANY_URL.sub("…", message)
    rest = url.partition("://")[2]
    pieces = {p for raw in _URL_SEPARATORS.split(rest) for p in (raw, unquote(raw)) if len(p) > 3}
    for piece in sorted(pieces, key=len, reverse=True):
        message = message.replace(piece, "…")
    return message


def plain_body(text: Text) -> str:
    facts = [f"{name}: {value}" for name, value in text.facts]
    return "\n".join([text.body, *(["", *facts] if facts else [])])


def _notify(url: str, payload: Mapping[str, Any], timeout: float) -> DeliveryResult:
    """One blocking Apprise call (run in a worker thread)."""
    client = apprise.Apprise()
    if not client.add(url):
        return DeliveryResult.fail(f"URL is {NOT_UNDERSTOOD}")
    notify_type = NOTIFY_TYPES.get(str(payload.get("severity")), apprise.NotifyType.INFO)
    result = client.notify(
        body=str(payload.get("body") or ""),
        title=str(payload.get("title") or ""),
        notify_type=notify_type,
        body_format=apprise.NotifyFormat.TEXT,
        timeout=timeout,
    )
    if result:
        return DeliveryResult.success()
    warnings = [e.message for e in result.logs() if e.level in _REPORTED_LEVELS]
    reason = " ".join(redact(" ".join(warnings), url).split())[:_MAX_REASON]
    return DeliveryResult.retry(reason or f"Apprise could not deliver ({result.status.name})")


class Apprise(ChannelKind):
    kind = "apprise"
    label = "Apprise"
    fields = (
        ConfigField(
            "url",
            "Apprise URL",
            "secret",
            help="Any URL of the Apprise wiki (github.com/caronc/apprise/wiki), e.g. "
            "tgram://bottoken/chatid or ntfys://ntfy.example.org/topic",
            placeholder="ntfys://ntfy.example.org/ups-alerts",
        ),
    )
    admin_only = True
    self_hosted = True
    markup = PLAIN

    def validate(self, config: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
        out = self.check_fields(config)
        if not apprise.Apprise().add(out["url"]):
            raise ConfigError("url", f"Apprise URL is {NOT_UNDERSTOOD}")
        return out

    def summary(self, config: Mapping[str, Any]) -> str:
        name = scheme(str(config.get("url", "")))
        return f"{name}://…" if name else "Apprise"

    def render(self, notice: Notice, text: Text) -> dict[str, Any]:
        return {"title": text.title, "body": plain_body(text), "severity": notice.severity}

    async def send(
        self, payload: Mapping[str, Any], config: Mapping[str, Any], transport: Transport
    ) -> DeliveryResult:
        return await asyncio.to_thread(_notify, str(config["url"]), payload, transport.timeout)
