"""What a notification says, per event kind, before any service's format.

Pure: no I/O, no database. `Notice` is the channel-neutral content (built from an `Event` row
by the dispatcher, or from an API body); `compose` turns it into a `Text` (title, body in one
service's markup, labelled facts), from the built-in wording or an admin's template
(`notify.templating`); each channel module (`notify/channels/`) renders the `Text` into what its
service posts. Titles keep the original PowerPulse's emoji style.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from powerpulse.nut.test_result import normalise_test_result

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
    # A test PowerPulse started failed (`selftest.runner`): sent to everyone, not only to those
    # who opted in to battery-test notices — the battery may not hold the load.
    "self_test_failed": Template(
        "🧪 UPS Battery Test Failed",
        "warning",
        "{name} failed its battery test: the battery may not hold the load in an outage.",
    ),
    "ups_added": Template("🔎 UPS Found", "info", "{name} was found on its NUT server."),
    "ups_removed": Template(
        "❓ UPS Gone", "warning", "{name} is no longer listed by its NUT server."
    ),
    "status_change": Template("🔄 UPS Status Change", "info", "{name} status changed to {status}."),
    # Shutdown plans (`shutdown.engine`): tied to the UPS that triggered the run; `{plan}` and
    # `{detail}` come from the event's details.
    "shutdown_started": Template(
        "🛑 Shutdown plan started", "critical", "{name} started the shutdown plan {plan}: {detail}."
    ),
    "shutdown_step_failed": Template(
        "⚠️ Shutdown step failed",
        "warning",
        "{name}: a step of the shutdown plan {plan} failed: {detail}.",
    ),
    "shutdown_finished": Template(
        "🏁 Shutdown plan finished", "ok", "{name}: the shutdown plan {plan} ended ({detail})."
    ),
    # Battery lifecycle (`battery.watch`): once per battery, when it reaches its expected life.
    "battery_age": Template(
        "🔋 Battery Due For Replacement",
        "warning",
        "The battery of {name}, installed on {installedOn}, is {ageMonths} months old"
        " (expected life {expectedLifeMonths} months): plan its replacement.",
    ),
}
SHUTDOWN_KINDS = ("shutdown_started", "shutdown_step_failed", "shutdown_finished")
# Protection coverage (`shutdown.coverage`): a protected host's upsmon stopped (or started
# again) listening to the UPS; `{host}` is the operator's label, else the host as written.
HOST_TEMPLATES: dict[str, Template] = {
    "host_unprotected": Template(
        "🔌 Host No Longer Protected", "warning", "Host {host} no longer listens to {name}."
    ),
    "host_protected": Template(
        "🔌 Host Protected Again", "ok", "Host {host} listens to {name} again."
    ),
}
TEMPLATES.update(HOST_TEMPLATES)
# A host that was never seen attached since it became protected.
HOST_NEVER_ATTACHED = Template(
    "🔌 Host Not Protected",
    "warning",
    "Host {host} does not listen to {name}: it was never seen attached.",
)
HOST_NOW_ATTACHED = Template("🔌 Host Protected", "ok", "Host {host} now listens to {name}.")
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
# Threshold events (`poller.thresholds`): one wording when the condition starts, one when it
# clears (`extra.phase`); `{limit}` and `{value}` come from the event's details.
THRESHOLD_TEMPLATES: dict[str, tuple[Template, Template]] = {
    "load_high": (
        Template("📈 UPS Load High", "warning", "The load of {name} is {limit} ({value})."),
        Template("📉 UPS Load Normal", "ok", "The load of {name} is back to normal ({value})."),
    ),
    "runtime_low": (
        Template("⏳ UPS Runtime Low", "warning", "The runtime of {name} is {limit} ({value})."),
        Template("⏳ UPS Runtime Normal", "ok", "The runtime of {name} is back ({value})."),
    ),
    "charge_low": (
        Template("🔋 UPS Charge Low", "warning", "The charge of {name} is {limit} ({value})."),
        Template("🔋 UPS Charge Normal", "ok", "The charge of {name} is back ({value})."),
    ),
    "input_voltage": (
        Template(
            "⚡ UPS Input Voltage Out Of Range",
            "warning",
            "The input voltage of {name} is {limit} ({value}).",
        ),
        Template(
            "⚡ UPS Input Voltage Normal",
            "ok",
            "The input voltage of {name} is back in range ({value}).",
        ),
    ),
    "temperature_high": (
        Template(
            "🌡️ UPS Temperature High", "warning", "The temperature of {name} is {limit} ({value})."
        ),
        Template("🌡️ UPS Temperature Normal", "ok", "The temperature of {name} is back ({value})."),
    ),
}
EVENT_KINDS = (*(k for k in TEMPLATES if k != "status_change"), *THRESHOLD_TEMPLATES)
# Not a UPS event: no live poller takes a site's NUT servers (powerpulse.poller.site_watch).
# `ups_name` carries the site's label.
POLLER_MISSING = "poller_missing"
POLLER_MISSING_TEMPLATE = Template(
    "🛰️ No Poller For Site",
    "critical",
    "No PowerPulse poller is running for {name}: its UPS are not being watched.",
)
# Not a UPS event either: a scheduled report (`powerpulse.digest`). `ups_name` carries the
# schedule's name, `extra` the report's `title` and plain `text` (the whole body).
DIGEST = "digest"

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
    # A rehearsal (`POST /api/ups-systems/:id/drill`): every message says so.
    drill: bool = False
    # One more plain line under the body: "Still on battery (repeat 2)", "Acknowledged by …".
    note: str = ""
    ups_id: int | None = None
    # Set on the message that tells everyone an alert was acknowledged.
    acknowledged_by: str = ""

    @property
    def template(self) -> Template:
        if self.kind == "test":
            return TEST_TEMPLATE
        if self.kind == POLLER_MISSING:
            return POLLER_MISSING_TEMPLATE
        if self.kind == DIGEST:
            return Template(self.extra.get("title") or "📊 PowerPulse Report", "info", "")
        if self.kind == "self_test" and self.extra.get("phase") == "ended":
            failed = normalise_test_result(self.extra.get("result")) == "failed"
            return SELF_TEST_FAILED if failed else SELF_TEST_ENDED
        if self.kind in HOST_TEMPLATES and self.extra.get("neverAttached") == "True":
            return HOST_NEVER_ATTACHED if self.kind == "host_unprotected" else HOST_NOW_ATTACHED
        if self.kind in THRESHOLD_TEMPLATES:
            started, cleared = THRESHOLD_TEMPLATES[self.kind]
            return cleared if self.extra.get("phase") == "cleared" else started
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
    if kind in THRESHOLD_TEMPLATES:
        keys: tuple[str, ...] = ("phase", "limit", "value", "metric", "thresholdName")
    elif kind in ("self_test", "self_test_failed"):
        keys = ("phase", "mode", "result")
    elif kind in SHUTDOWN_KINDS:
        keys = ("plan", "detail", "run", "state", "step", "error", "reason")
    elif kind in HOST_TEMPLATES:
        keys = ("host", "hostLabel", "shownAs", "neverAttached")
    elif kind == "battery_age":
        keys = ("installedOn", "expectedLifeMonths", "ageMonths")
    else:
        return {}
    return {key: str(d[key]) for key in keys if d.get(key) is not None}


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
    if notice.kind in ("test", DIGEST):
        return []
    if notice.kind == POLLER_MISSING:
        return [("Site", notice.ups_name), ("Status", notice.status)]
    if notice.kind in HOST_TEMPLATES:
        host, shown = notice.extra.get("host", ""), notice.extra.get("shownAs", "")
        return [
            ("UPS", notice.ups_name),
            ("Host", f"{shown} ({host})" if shown and host and shown != host else host or shown),
            ("Upsmon", notice.status or "Unknown"),
        ]
    facts = [
        ("UPS", notice.ups_name),
        ("Status", notice.status or "Unknown"),
        ("Battery charge", format_percent(notice.charge)),
        ("Runtime", format_runtime(notice.runtime_seconds)),
        ("Load", format_percent(notice.load)),
    ]
    if notice.kind in ("self_test", "self_test_failed") and notice.extra.get("phase") == "ended":
        facts.append(("Test result", notice.extra.get("result") or "not reported"))
    return facts


def _reading_text(notice: Notice) -> str:
    from powerpulse.poller.thresholds import METRICS  # the metric's unit, defined once there

    value = _number(notice.extra.get("value"))
    metric = METRICS.get(notice.extra.get("metric", ""))
    if value is None:
        return "not reported"
    return f"{value:g} {metric.quantity.unit}" if metric else f"{value:g}"


def describe(notice: Notice, bold: Callable[[str], str], escape: Callable[[str], str]) -> str:
    """The message body in a channel's markup: one sentence, then the previous status."""
    sentence = notice.template.sentence
    if notice.kind == "test":
        return escape(sentence)
    if notice.kind == DIGEST:
        return escape(notice.extra.get("text", ""))
    before, _, after = sentence.partition("{name}")
    after = after.replace("{status}", notice.status or "Unknown")
    after = after.replace("{limit}", notice.extra.get("limit", "past its limit"))
    after = after.replace("{value}", _reading_text(notice))
    after = after.replace("{plan}", notice.extra.get("plan", "?"))
    after = after.replace("{detail}", notice.extra.get("detail", ""))
    for key in ("installedOn", "ageMonths", "expectedLifeMonths"):  # battery_age
        after = after.replace("{" + key + "}", notice.extra.get(key, "?"))
    host = notice.extra.get("shownAs") or notice.extra.get("host") or "?"
    before = before.replace("{host}", host)  # a host's sentence names it before the UPS
    text = escape(before) + bold(escape(notice.ups_name)) + escape(after)
    if notice.previous_status:
        text += "\n" + escape(f"Previous status: {notice.previous_status}")
    return text


# --- composing for one service ---------------------------------------------------------------

DRILL_PREFIX = "[DRILL] "
ACK_PREFIX = "☑️ Acknowledged: "
DRILL_LINE = "This is a fire drill: no power event happened."


@dataclass(frozen=True)
class Markup:
    """How one service's body text escapes interpolated values and sets bold."""

    escape: Callable[[str], str]
    bold: Callable[[str], str]


PLAIN = Markup(str, str)


@dataclass(frozen=True)
class Text:
    """A notice worded for one service: `title` plain, `body` in its markup, `facts` plain."""

    title: str
    body: str
    facts: list[tuple[str, str]]


@dataclass(frozen=True)
class Override:
    """An admin's wording for one event kind (Jinja2 sources; "" keeps the built-in part)."""

    title: str = ""
    body: str = ""


def compose(notice: Notice, markup: Markup, override: Override | None = None) -> Text:
    """The title, body and facts of `notice` for a service with `markup`; a template override
    replaces the built-in title or body (values escaped in the service's markup)."""
    from powerpulse.notify.templating import TemplateInvalid, render_template

    title = notice.template.title
    body = describe(notice, markup.bold, markup.escape)
    try:
        if override is not None and override.title:
            title = render_template(override.title, notice, PLAIN).replace("\n", " ").strip()
        if override is not None and override.body:
            body = render_template(override.body, notice, markup)
    except TemplateInvalid:
        title, body = notice.template.title, describe(notice, markup.bold, markup.escape)
    if notice.note:
        body += "\n" + markup.escape(notice.note)
    if notice.acknowledged_by:
        title = ACK_PREFIX + title
    if notice.drill:
        title = DRILL_PREFIX + title
        body = markup.escape(DRILL_LINE) + "\n" + body
    return Text(title=title, body=body, facts=readings(notice))


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
