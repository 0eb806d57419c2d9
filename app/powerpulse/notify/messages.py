"""What a notification says, per event kind, rendered for Discord, Slack and email.

Pure: no I/O, no database. `Notice` is the channel-neutral content (built from an `Event` row
by the dispatcher, or from an API body); `discord_payload`, `slack_payload` and `email_parts`
turn it into what each channel posts. Titles keep the original PowerPulse's emoji style.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from powerpulse.nut.test_result import normalise_test_result
from powerpulse.timeutil import iso

USERNAME = "PowerPulse"
FOOTER = "PowerPulse UPS Monitoring System"
EMAIL_FOOTER = "This is an automated notification from PowerPulse UPS Monitoring System."

# Severity → colours. Discord wants an integer, Slack a named colour or hex.
COLOURS = {"critical": 0xFF0000, "warning": 0xFFA500, "ok": 0x00FF00, "info": 0x7289DA}
SLACK_COLOURS = {"critical": "danger", "warning": "warning", "ok": "good", "info": "#7289DA"}

# Discord's documented limits; a longer embed is rejected with 400 (a permanent failure).
_DISCORD_TITLE_MAX = 256
_DISCORD_DESC_MAX = 4096
_DISCORD_FIELD_MAX = 1024


@dataclass(frozen=True)
class Template:
    title: str
    severity: str
    # `{name}` is replaced by the UPS name, set in bold by the channel's own markup.
    sentence: str


TEMPLATES: dict[str, Template] = {
    "on_battery": Template(
        "⚡ UPS On Battery", "warning", "{name} is now running on battery power."
    ),
    "low_battery": Template("🔋 UPS Low Battery Warning", "critical", "{name} has a low battery."),
    "online": Template("✅ UPS Back Online", "ok", "{name} is now back online."),
    "fsd": Template(
        "🛑 UPS Forced Shutdown", "critical", "{name} is being shut down (forced shutdown)."
    ),
    "replace_battery": Template(
        "🪫 UPS Battery Needs Replacement", "warning", "The battery of {name} needs replacing."
    ),
    "overload": Template("⚠️ UPS Overload", "critical", "{name} is overloaded."),
    "bypass": Template(
        "↪️ UPS On Bypass", "warning", "{name} is on bypass: the load is not protected."
    ),
    "off": Template("⭕ UPS Off", "critical", "{name} is off: its outlets are not powered."),
    "comm_lost": Template(
        "📡 UPS Communication Lost", "warning", "PowerPulse lost contact with {name}."
    ),
    "comm_restored": Template(
        "🔌 UPS Communication Restored", "ok", "PowerPulse is in contact with {name} again."
    ),
    "self_test": Template(
        "🧪 UPS Battery Test",
        "info",
        "{name} is running a battery test (on battery on purpose: not a power failure).",
    ),
    "ups_added": Template("🔎 UPS Found", "info", "{name} was found on its NUT server."),
    "ups_removed": Template(
        "❓ UPS Gone", "warning", "{name} is no longer listed by its NUT server."
    ),
    "status_change": Template("🔄 UPS Status Change", "info", "{name} status changed to {status}."),
}
# A finished test says so and how it went (`details.phase` "ended").
SELF_TEST_ENDED = Template(
    "🧪 UPS Battery Test Finished", "info", "{name} finished its battery test."
)
SELF_TEST_FAILED = Template(
    "🧪 UPS Battery Test Failed", "warning", "{name} failed its battery test."
)
TEST_TEMPLATE = Template(
    "🔔 PowerPulse Test Notification",
    "info",
    "This is a test notification from PowerPulse UPS Monitoring System.",
)
EVENT_KINDS = tuple(k for k in TEMPLATES if k != "status_change")
# Not a UPS event: no live poller takes a site's NUT servers (powerpulse.poller.site_watch).
# `ups_name` carries the site's label.
POLLER_MISSING = "poller_missing"
POLLER_MISSING_TEMPLATE = Template(
    "🛰️ No Poller For Site",
    "critical",
    "No PowerPulse poller is running for {name}: its UPS are not being watched.",
)

# Seed display strings → event kind, for the API paths that take a status string.
_STATUS_KINDS = {
    "on battery": "on_battery",
    "low battery": "low_battery",
    "online": "online",
    "forced shutdown": "fsd",
    "replace battery": "replace_battery",
    "overload": "overload",
    "bypass": "bypass",
    "off": "off",
}


def kind_for_status(status: str) -> str:
    """The event kind a seed status string stands for ("On Battery" → `on_battery`)."""
    return _STATUS_KINDS.get(status.strip().lower(), "status_change")


@dataclass(frozen=True)
class Notice:
    """Channel-neutral content of one notification."""

    kind: str
    ups_name: str
    status: str
    previous_status: str
    occurred_at: datetime
    charge: float | None = None
    runtime_seconds: float | None = None
    load: float | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def template(self) -> Template:
        if self.kind == "test":
            return TEST_TEMPLATE
        if self.kind == POLLER_MISSING:
            return POLLER_MISSING_TEMPLATE
        if self.kind == "self_test" and self.extra.get("phase") == "ended":
            failed = normalise_test_result(self.extra.get("result")) == "failed"
            return SELF_TEST_FAILED if failed else SELF_TEST_ENDED
        return TEMPLATES.get(self.kind, TEMPLATES["status_change"])

    @property
    def severity(self) -> str:
        return self.template.severity


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def extra_from_details(kind: str, details: Mapping[str, Any] | None) -> dict[str, str]:
    """The kind-specific facts of an event (a battery test's phase and result)."""
    d = details or {}
    if kind != "self_test":
        return {}
    return {key: str(d[key]) for key in ("phase", "mode", "result") if d.get(key) is not None}


def readings_from_details(details: Mapping[str, Any] | None) -> dict[str, float | None]:
    """Charge %, runtime in seconds and load % from an event's `details`, whatever its keys.

    The poller may store NUT names (`battery.runtime`, seconds) or the seed's names
    (`runtimeRemaining`, minutes); both are read, and missing stays None (never 0).
    """
    d = details or {}
    runtime = _number(d.get("runtime", d.get("battery.runtime")))
    if runtime is None and (minutes := _number(d.get("runtimeRemaining"))) is not None:
        runtime = minutes * 60
    return {
        "charge": _number(d.get("charge", d.get("batteryCharge", d.get("battery.charge")))),
        "runtime_seconds": runtime,
        "load": _number(d.get("load", d.get("ups.load"))),
    }


def notice_for_test(now: datetime) -> Notice:
    return Notice("test", "", "Test", "", now)


def format_percent(value: float | None) -> str:
    return "unknown" if value is None else f"{value:g} %"


def format_runtime(seconds: float | None) -> str:
    if seconds is None:
        return "unknown"
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)} s"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def readings(notice: Notice) -> list[tuple[str, str]]:
    """The labelled facts every channel shows (UPS, status, charge, runtime, load)."""
    if notice.kind == "test":
        return []
    if notice.kind == POLLER_MISSING:
        return [("Site", notice.ups_name), ("Status", notice.status)]
    facts = [
        ("UPS", notice.ups_name),
        ("Status", notice.status or "Unknown"),
        ("Battery charge", format_percent(notice.charge)),
        ("Runtime", format_runtime(notice.runtime_seconds)),
        ("Load", format_percent(notice.load)),
    ]
    if notice.kind == "self_test" and notice.extra.get("phase") == "ended":
        facts.append(("Test result", notice.extra.get("result") or "not reported"))
    return facts


def describe(notice: Notice, bold: Callable[[str], str], escape: Callable[[str], str]) -> str:
    """The message body in a channel's markup: one sentence, then the previous status."""
    sentence = notice.template.sentence
    if notice.kind == "test":
        return escape(sentence)
    before, _, after = sentence.partition("{name}")
    after = after.replace("{status}", notice.status or "Unknown")
    text = escape(before) + bold(escape(notice.ups_name)) + escape(after)
    if notice.previous_status:
        text += "\n" + escape(f"Previous status: {notice.previous_status}")
    return text


# --- Discord ---------------------------------------------------------------------------------

_DISCORD_SPECIAL = re.compile(r"([\\*_~`|>\[\]()])")


def _discord_escape(text: str) -> str:
    return _DISCORD_SPECIAL.sub(r"\\\1", text)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def discord_payload(notice: Notice) -> dict[str, Any]:
    """A webhook body with one embed. No avatar URL: the appliance may have no internet."""
    embed: dict[str, Any] = {
        "title": _cut(notice.template.title, _DISCORD_TITLE_MAX),
        "description": _cut(
            describe(notice, lambda s: f"**{s}**", _discord_escape), _DISCORD_DESC_MAX
        ),
        "color": COLOURS[notice.severity],
        "timestamp": iso(notice.occurred_at),
        "footer": {"text": FOOTER},
    }
    fields = [
        {"name": name, "value": _cut(value or "-", _DISCORD_FIELD_MAX), "inline": True}
        for name, value in readings(notice)
    ]
    if fields:
        embed["fields"] = fields
    return {"username": USERNAME, "embeds": [embed], "allowed_mentions": {"parse": []}}


# --- Slack -----------------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn needs only these three escaped; `*` inside a name is harmless enough.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(notice: Notice) -> dict[str, Any]:
    """An incoming-webhook body: fallback text plus one coloured attachment in Slack mrkdwn."""
    title = notice.template.title
    attachment: dict[str, Any] = {
        "color": SLACK_COLOURS[notice.severity],
        "title": title,
        "text": describe(notice, lambda s: f"*{s}*", _slack_escape),
        "fields": [
            {"title": name, "value": _slack_escape(value), "short": True}
            for name, value in readings(notice)
        ],
        "footer": FOOTER,
        "ts": int(notice.occurred_at.timestamp()),
        "mrkdwn_in": ["text"],
    }
    fallback = title if notice.kind == "test" else f"{title}: {notice.ups_name}"
    return {"username": USERNAME, "text": _slack_escape(fallback), "attachments": [attachment]}


# --- Email -----------------------------------------------------------------------------------


def email_parts(notice: Notice) -> dict[str, str]:
    """`subject`, `text` and `html` (every interpolated value escaped)."""
    title = notice.template.title
    subject = title if notice.kind == "test" else f"{title}: {notice.ups_name}"
    facts = [*readings(notice), ("Time", iso(notice.occurred_at) or "")]
    text_body = "\n".join(
        [
            describe(notice, str, str),
            "",
            *(f"{name}: {value}" for name, value in facts),
            "",
            EMAIL_FOOTER,
        ]
    )
    esc = html.escape
    rows = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0">{esc(name)}</th>'
        f"<td>{esc(value)}</td></tr>"
        for name, value in facts
    )
    body_html = describe(notice, lambda s: f"<strong>{s}</strong>", esc).replace("\n", "<br>")
    colour = f"#{COLOURS[notice.severity]:06X}"
    html_body = (
        '<!doctype html><html><body style="font-family:sans-serif">'
        f'<div style="border-left:6px solid {colour};padding:8px 16px">'
        f"<h2>{esc(title)}</h2><p>{body_html}</p><table>{rows}</table></div>"
        f'<hr><p style="color:#666;font-size:12px">{esc(EMAIL_FOOTER)}</p></body></html>'
    )
    return {
        "subject": subject.replace("\n", " ").replace("\r", " "),
        "text": text_body,
        "html": html_body,
    }


RENDERERS: dict[str, Callable[[Notice], dict[str, Any]]] = {
    "discord": discord_payload,
    "slack": slack_payload,
    "email": email_parts,
}


def render(channel: str, notice: Notice) -> dict[str, Any]:
    """The payload `channel` sends for `notice` (what the outbox stores)."""
    return RENDERERS[channel](notice)
