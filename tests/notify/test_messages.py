"""Message building is pure: every event kind, every channel, checked on the payload itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from powerpulse.notify.channels import KINDS
from powerpulse.notify.messages import (
    EVENT_KINDS,
    Notice,
    kind_for_status,
    notice_for_test,
    readings_from_details,
)

discord_payload = KINDS["discord"].payload
slack_payload = KINDS["slack"].payload
email_parts = KINDS["email"].payload

AT = datetime(2025, 2, 27, 12, 0, 5, 250000, tzinfo=UTC)


def notice(kind: str = "on_battery", name: str = "Server Room UPS", **kw: object) -> Notice:
    values: dict[str, object] = {
        "status": "On Battery",
        "previous_status": "Online",
        "charge": 85.0,
        "runtime_seconds": 1500.0,
        "load": 30.0,
    }
    values.update(kw)
    return Notice(kind, name, occurred_at=AT, **values)  # type: ignore[arg-type]


EXPECTED_TITLES = {
    "on_battery": ("⚡ UPS On Battery", 0xFFA500),
    "low_battery": ("🔋 UPS Low Battery Warning", 0xFF0000),
    "online": ("✅ UPS Back Online", 0x00FF00),
    "fsd": ("🛑 UPS Forced Shutdown", 0xFF0000),
    "replace_battery": ("🪫 UPS Battery Needs Replacement", 0xFFA500),
    "overload": ("⚠️ UPS Overload", 0xFF0000),
    "bypass": ("↪️ UPS On Bypass", 0xFFA500),
    "off": ("⭕ UPS Off", 0xFF0000),
    "comm_lost": ("📡 UPS Communication Lost", 0xFFA500),
    "comm_restored": ("🔌 UPS Communication Restored", 0x00FF00),
    "self_test": ("🧪 UPS Battery Test", 0x7289DA),
    "ups_added": ("🔎 UPS Found", 0x7289DA),
    "ups_removed": ("❓ UPS Gone", 0xFFA500),
    # Thresholds (as they start; their clearing is checked in tests/notify/test_thresholds.py).
    "load_high": ("📈 UPS Load High", 0xFFA500),
    "runtime_low": ("⏳ UPS Runtime Low", 0xFFA500),
    "charge_low": ("🔋 UPS Charge Low", 0xFFA500),
    "input_voltage": ("⚡ UPS Input Voltage Out Of Range", 0xFFA500),
    "temperature_high": ("🌡️ UPS Temperature High", 0xFFA500),
    # Shutdown plans (tests/shutdown/test_end_to_end*.py sends them for real).
    "shutdown_started": ("🛑 Shutdown plan started", 0xFF0000),
    "shutdown_step_failed": ("⚠️ Shutdown step failed", 0xFFA500),
    "shutdown_finished": ("🏁 Shutdown plan finished", 0x00FF00),
    # Protection coverage (tests/shutdown/test_coverage.py, tests/api/test_protection.py).
    "host_unprotected": ("🔌 Host No Longer Protected", 0xFFA500),
    "host_protected": ("🔌 Host Protected Again", 0x00FF00),
    # Battery lifecycle (tests/battery/test_watch.py, tests/selftest/test_runner.py).
    "battery_age": ("🔋 Battery Due For Replacement", 0xFFA500),
    "self_test_failed": ("🧪 UPS Battery Test Failed", 0xFFA500),
}


def test_every_event_kind_has_its_own_title_and_colour() -> None:
    assert set(EVENT_KINDS) == set(EXPECTED_TITLES)
    for kind, (title, colour) in EXPECTED_TITLES.items():
        embed = discord_payload(notice(kind))["embeds"][0]
        assert (embed["title"], embed["color"]) == (title, colour), kind
        assert "**Server Room UPS**" in embed["description"], kind
        assert embed["description"].endswith("Previous status: Online")


def test_discord_embed_carries_readings_timestamp_and_no_external_avatar() -> None:
    payload = discord_payload(notice())
    assert payload["username"] == "PowerPulse"
    assert "avatar_url" not in payload
    assert "http" not in json.dumps(payload)  # nothing fetched from the internet
    embed = payload["embeds"][0]
    assert embed["timestamp"] == "2025-02-27T12:00:05.250Z"
    assert embed["description"] == (
        "**Server Room UPS** is now running on battery power.\nPrevious status: Online"
    )
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {
        "UPS": "Server Room UPS",
        "Status": "On Battery",
        "Battery charge": "85 %",
        "Runtime": "25 min",
        "Load": "30 %",
    }


def test_missing_readings_say_unknown_never_zero() -> None:
    fields = discord_payload(notice(charge=None, runtime_seconds=None, load=None))["embeds"][0]
    values = {f["name"]: f["value"] for f in fields["fields"]}
    assert values["Battery charge"] == values["Runtime"] == values["Load"] == "unknown"


def test_discord_markdown_in_a_name_is_escaped_and_mentions_disabled() -> None:
    payload = discord_payload(notice(name="*rack* @everyone"))
    assert payload["embeds"][0]["description"].startswith("**\\*rack\\* @everyone**")
    assert payload["allowed_mentions"] == {"parse": []}


def test_slack_uses_slack_markup_not_discords() -> None:
    payload = slack_payload(notice(name="Rack <A> & B"))
    attachment = payload["attachments"][0]
    assert "**" not in json.dumps(payload)
    assert attachment["text"].startswith("*Rack &lt;A&gt; &amp; B* is now running")
    assert attachment["color"] == "warning"
    assert attachment["title"] == "⚡ UPS On Battery"
    assert payload["text"] == "⚡ UPS On Battery: Rack &lt;A&gt; &amp; B"
    assert attachment["ts"] == int(AT.timestamp())
    assert {f["title"] for f in attachment["fields"]} >= {"UPS", "Battery charge", "Runtime"}
    assert slack_payload(notice("low_battery"))["attachments"][0]["color"] == "danger"
    assert slack_payload(notice("online"))["attachments"][0]["color"] == "good"


def test_email_names_ups_and_event_and_escapes_html() -> None:
    parts = email_parts(notice(name="<script>alert(1)</script>"))
    assert parts["subject"] == "⚡ UPS On Battery: <script>alert(1)</script>"
    assert "<script>" not in parts["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in parts["html"]
    assert parts["text"].startswith("<script>alert(1)</script> is now running on battery power.")
    assert "Battery charge: 85 %" in parts["text"]
    assert "Runtime: 25 min" in parts["text"]
    assert "**" not in parts["text"]


def test_email_subject_cannot_inject_headers() -> None:
    assert "\n" not in email_parts(notice(name="x\nBcc: evil@example.com"))["subject"]


@pytest.mark.parametrize("render", [discord_payload, slack_payload, email_parts])
def test_test_message_for_each_channel(render: object) -> None:
    out = json.dumps(render(notice_for_test(AT)), ensure_ascii=False)  # type: ignore[operator]
    assert "🔔 PowerPulse Test Notification" in out
    assert "This is a test notification from PowerPulse UPS Monitoring System." in out


def test_status_strings_map_to_kinds() -> None:
    assert kind_for_status("On Battery") == "on_battery"
    assert kind_for_status("low battery") == "low_battery"
    assert kind_for_status("Online") == "online"
    assert kind_for_status("Calibration") == "status_change"
    title = discord_payload(notice("status_change", status="Calibration"))["embeds"][0]
    assert title["title"] == "🔄 UPS Status Change"
    assert "status changed to Calibration." in title["description"]


def test_readings_from_event_details_accept_nut_and_seed_names() -> None:
    assert readings_from_details({"charge": 50, "runtime": 600, "load": 20}) == {
        "charge": 50.0, "runtime_seconds": 600.0, "load": 20.0,
    }  # fmt: skip
    assert readings_from_details({"battery.charge": "40", "runtimeRemaining": 3}) == {
        "charge": 40.0, "runtime_seconds": 180.0, "load": None,
    }  # fmt: skip
    assert readings_from_details({"charge": "n/a", "load": True}) == {
        "charge": None, "runtime_seconds": None, "load": None,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("result", "title", "colour"),
    [
        ("Done and passed", "🧪 UPS Battery Test Finished", 0x7289DA),
        ("Done and warning", "🧪 UPS Battery Test Finished", 0x7289DA),
        ("Failed", "🧪 UPS Battery Test Failed", 0xFFA500),
        ("Done and error (failed)", "🧪 UPS Battery Test Failed", 0xFFA500),
    ],
)
def test_finished_battery_test_says_how_it_went(result: str, title: str, colour: int) -> None:
    ended = notice(
        "self_test",
        status="Online",
        previous_status="Self Test",
        extra={"phase": "ended", "result": result},
    )
    embed = discord_payload(ended)["embeds"][0]
    assert (embed["title"], embed["color"]) == (title, colour)
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Test result"] == result
    assert "power failure" not in embed["description"]
    assert "Test result: " + result in email_parts(ended)["text"]
