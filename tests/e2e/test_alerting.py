"""Alerting end to end in Chromium: personal and shared channels added through their forms and
tested against a real ntfy-like server, a rule drawn in the rules form and rehearsed with a fire
drill, a mute that really keeps a real outage quiet, and an acknowledgement everyone told hears
about. Every check looks at the page and at what the receiver really got."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, admin_token, login, shot, wait_ups_polled
from tests.e2e.ui_stack import ui_stack
from tests.support.nut_server import NutServer
from tests.support.services import NTFY_TOKEN, Received, ServiceReceiver
from tests.support.stack import Stack

MEMBER = ("member", "member-pass-1")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# The poller sees a .dev edit within about a second; the dispatcher sends right after.
EVENT_TIMEOUT = 20_000

Alerting = tuple[Stack, NutServer]


@pytest.fixture(scope="module")
def alerting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Alerting]:
    """A set-up PowerPulse that may post to 127.0.0.1 (the receivers), with a normal user."""
    data = tmp_path_factory.mktemp("pp-alerting")
    with ui_stack(data, env={"WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"}) as (stack, nut):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        token = admin_token(stack)
        wait_ups_polled(stack, token, len(nut.ups_names))
        body = {"username": MEMBER[0], "password": MEMBER[1], "role": "user"}
        status, out = stack.request("POST", "/api/auth/register", body, token=token)
        assert status in (200, 201), out
        yield stack, nut


@pytest.fixture(autouse=True)
def clean_alerting(alerting: Alerting) -> Iterator[None]:
    """Each test starts with no rule, no channel and no mute (the stack is shared)."""
    yield
    stack, _ = alerting
    token = admin_token(stack)
    for rule in api(stack, "GET", "/api/alert-rules", token=token):
        api(stack, "DELETE", f"/api/alert-rules/{rule['id']}", token=token)
    member = login_token(stack, *MEMBER)
    for who, scope in ((token, "shared"), (token, "personal"), (member, "personal")):
        for channel in api(stack, "GET", f"/api/notification-channels?scope={scope}", token=who):
            if channel.get("slot") is None:
                api(stack, "DELETE", f"/api/notification-channels/{channel['id']}", token=who)
    api(stack, "DELETE", "/api/ups-systems/mute", token=token)


def login_token(stack: Stack, username: str, password: str) -> str:
    creds = {"username": username, "password": password}
    status, body = stack.request("POST", "/api/auth/login", creds)
    assert status == 200, body
    return str(body["token"])


def api(stack: Stack, method: str, path: str, body: Any = None, *, token: str) -> Any:
    status, out = stack.request(method, path, body, token=token)
    assert 200 <= status < 300, (method, path, status, out)
    return out


def ups_id(stack: Stack, name: str) -> int:
    ups = api(stack, "GET", "/api/ups-systems", token=admin_token(stack))
    return int(next(u["id"] for u in ups if u["name"] == name))


def shared_ntfy_rule(stack: Stack, receiver: ServiceReceiver, topic: str) -> None:
    """Setup through the API (the forms have their own test): a shared ntfy channel and a rule
    sending on battery and back online of every UPS to it."""
    token = admin_token(stack)
    channel = api(
        stack,
        "POST",
        "/api/notification-channels",
        {
            "kind": "ntfy",
            "name": "Ops ntfy",
            "config": {"server": receiver.base_url, "topic": topic},
            "enabled": True,
            "shared": True,
        },
        token=token,
    )
    rule = {
        "name": "Power to ops",
        "enabled": True,
        "ups": "all",
        "events": ["on_battery", "online"],
        "channels": [channel["id"]],
        "repeat_every": None,
        "mute_critical": False,
    }
    api(stack, "POST", "/api/alert-rules", rule, token=token)


def titles(requests: list[Received]) -> list[str]:
    return [r.body.get("title", "") for r in requests if isinstance(r.body, dict)]


def wait_for(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)
    return found


SIDEWAYS = """() => {
  const w = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= w) return [];
  return [...document.querySelectorAll('body *')]
    .filter((el) => el.getBoundingClientRect().right > w + 1)
    .slice(0, 8)
    .map((el) => `${el.tagName}.${el.className}: ${el.getBoundingClientRect().right}`);
}"""


def overflow(page: Page) -> list[str]:
    """When the page is wider than the viewport (a phone user would scroll sideways): what
    sticks out, and to where. A wide table scrolling inside its own box does not count."""
    return list(page.evaluate(SIDEWAYS))


PHONE_OVERFLOW: dict[str, list[str]] = {}


def screens(page: Page, name: str) -> tuple[Path, Path]:
    """The screen as it is at a desktop size and at a phone's (390x844), whole page."""
    # From the top: a sticky header is drawn where the page was scrolled to.
    page.evaluate("window.scrollTo(0, 0)")
    desktop = shot(page, f"alerting-{name}", full_page=True)
    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(200)  # a layout pass at the new width (a screenshot, not a check)
    phone = shot(page, f"alerting-{name}-phone", full_page=True)
    PHONE_OVERFLOW[name] = overflow(page)
    page.set_viewport_size(DESKTOP)
    return desktop, phone


def open_ups(page: Page, stack: Stack, name: str) -> None:
    page.goto(stack.url(f"/ups-systems/{ups_id(stack, name)}"))
    expect(page.locator(".breadcrumb")).to_contain_text(name)


# --- 1. a personal channel ---------------------------------------------------------------------


def test_member_adds_an_ntfy_channel_tests_it_and_sees_the_services_error(
    page: Page, alerting: Alerting
) -> None:
    stack, _ = alerting
    with ServiceReceiver("ntfy", ntfy_token=NTFY_TOKEN) as ntfy:
        login(page, stack, *MEMBER)
        page.goto(stack.url("/settings/notifications"))
        mine = page.get_by_test_id("channels-personal")
        mine.get_by_role("button", name="Add channel").click()
        mine.get_by_label("Kind").select_option(label="ntfy")
        form = mine.get_by_role("form", name="New ntfy channel")
        form.get_by_label("Name").fill("My phone")
        form.get_by_label("Server (optional)").fill(ntfy.base_url)
        form.get_by_label("Topic").fill("pp-member-phone")
        form.get_by_label("Access token (optional)").fill(NTFY_TOKEN)
        screens(page, "add-channel")
        form.get_by_role("button", name="Add channel").click()
        expect(mine.get_by_role("status").filter(has_text="Channel My phone added")).to_be_visible()

        row = mine.get_by_role("listitem", name="My phone (ntfy)")
        expect(row).to_contain_text("127.0.0.1 · topic pp-member-phone")
        expect(row).to_contain_text("Nothing sent yet")
        row.get_by_role("button", name="Send test to My phone").click()
        expect(row.get_by_role("status").filter(has_text="Test sent to My phone")).to_be_visible()
        expect(row.get_by_test_id("last-delivery")).to_contain_text("Last delivery: delivered")
        [test] = ntfy.wait_requests(1)
        assert test.behaviour == "ok", test.reason
        assert test.body["topic"] == "pp-member-phone"
        assert test.body["title"] == "🔔 PowerPulse Test Notification"
        assert test.headers["authorization"] == f"Bearer {NTFY_TOKEN}"
        screens(page, "channel-tested")

        # The service refuses the token: its own words are on the page.
        ntfy.script("401")
        row.get_by_role("button", name="Send test to My phone").click()
        expect(row.get_by_role("alert")).to_contain_text("Test failed")
        expect(row.get_by_role("alert")).to_contain_text("unauthorized")
        expect(row.get_by_test_id("last-delivery")).to_contain_text("Last delivery: failed")
        expect(row.get_by_test_id("last-delivery")).to_contain_text("unauthorized")
        assert [r.behaviour for r in ntfy.wait_requests(2)] == ["ok", "unauthorized"]
        assert len(ntfy.requests) == 2
        screens(page, "channel-test-failed")

        # The token is write-only: not in the page, not in the API, blank in the edit form.
        page.reload()
        row.get_by_role("button", name="Edit My phone").click()
        edit = row.get_by_role("form", name="Edit ntfy channel")
        token_input = edit.get_by_label("Access token (optional)")
        expect(token_input).to_have_value("")
        expect(token_input).to_have_attribute("placeholder", "saved — leave blank to keep")
        expect(edit).to_contain_text("Saved — leave blank to keep.")
        expect(edit.get_by_label("Topic")).to_have_value("pp-member-phone")
        assert NTFY_TOKEN not in page.content()
        channels = api(
            stack,
            "GET",
            "/api/notification-channels?scope=personal",
            token=login_token(stack, *MEMBER),
        )
        assert NTFY_TOKEN not in str(channels)
        # Saved without typing it again: the stored token still signs the next test.
        edit.get_by_role("button", name="Save channel").click()
        expect(edit).to_have_count(0)
        row.get_by_role("button", name="Send test to My phone").click()
        expect(row.get_by_role("status").filter(has_text="Test sent to My phone")).to_be_visible()
        third = ntfy.wait_requests(3)[2]
        assert third.behaviour == "ok", third.reason
        assert third.headers["authorization"] == f"Bearer {NTFY_TOKEN}"


# --- 2. a shared channel, a rule and a fire drill ----------------------------------------------


def test_admin_builds_a_rule_in_the_forms_and_a_fire_drill_reaches_it(
    page: Page, alerting: Alerting
) -> None:
    stack, _ = alerting
    with ServiceReceiver("ntfy") as ntfy:
        login(page, stack)
        page.goto(stack.url("/settings/alerting"))
        expect(page).to_have_url(stack.url("/settings/alerting/channels"))
        shared = page.get_by_test_id("channels-shared")
        expect(shared).to_contain_text("No shared channels yet")
        screens(page, "shared-channels-empty")
        shared.get_by_role("button", name="Add shared channel").click()
        shared.get_by_label("Kind").select_option(label="ntfy")
        form = shared.get_by_role("form", name="New ntfy channel")
        form.get_by_label("Name").fill("Ops room")
        form.get_by_label("Server (optional)").fill(ntfy.base_url)
        form.get_by_label("Topic").fill("pp-ops")
        form.get_by_role("button", name="Add channel").click()
        expect(shared.get_by_role("listitem", name="Ops room (ntfy)")).to_be_visible()
        screens(page, "shared-channels")

        page.get_by_role("navigation", name="Alerting sections").get_by_role(
            "link", name="Rules"
        ).click()
        expect(page.get_by_text("No rules yet.")).to_be_visible()
        page.get_by_role("button", name="Add rule").click()
        rule_form = page.get_by_role("form", name="New alert rule")
        rule_form.get_by_label("Rule name").fill("Power to ops")
        expect(rule_form.get_by_role("radio", name="Every UPS")).to_be_checked()
        rule_form.get_by_role("checkbox", name="⚡ UPS On Battery").check()
        rule_form.get_by_role("checkbox", name="✅ UPS Back Online").check()
        rule_form.get_by_role("checkbox", name="Ops room").check()
        screens(page, "rule-form")
        rule_form.get_by_role("button", name="Add rule").click()
        expect(
            page.get_by_role("status").filter(has_text="Rule Power to ops added.")
        ).to_be_visible()
        expect(page.locator(".rule-rows")).to_contain_text("Power to ops")
        screens(page, "rules")
        [rule] = api(stack, "GET", "/api/alert-rules", token=admin_token(stack))
        assert (rule["ups"], rule["events"]) == ("all", ["on_battery", "online"])

        open_ups(page, stack, "rack-b")
        drill = page.get_by_role("region", name="Fire drill")
        drill.get_by_label("Power restored after (seconds)").fill("2")
        drill.get_by_role("button", name="Start fire drill").click()
        report = drill.get_by_test_id("drill-report")
        expect(report).to_contain_text("“power restored” 2 s after “power lost”")
        expect(report).to_have_attribute("data-done", "true", timeout=EVENT_TIMEOUT)
        expect(report).to_contain_text("Drill finished: 2 of 2 deliveries arrived.")
        rows = report.get_by_test_id("drill-deliveries").locator("tbody tr")
        expect(rows).to_have_count(2)
        for i, phase in enumerate(("Power lost", "Power restored")):
            expect(rows.nth(i)).to_contain_text(phase)
            expect(rows.nth(i)).to_contain_text("Rule Power to ops")
            expect(rows.nth(i)).to_contain_text("Ops room (ntfy)")
            expect(rows.nth(i)).to_contain_text("delivered")
        screens(page, "fire-drill")

        requests = ntfy.wait_requests(2)
        assert titles(requests) == ["[DRILL] ⚡ UPS On Battery", "[DRILL] ✅ UPS Back Online"]
        assert all(r.behaviour == "ok" and r.body["topic"] == "pp-ops" for r in requests)
        assert "This is a fire drill" in requests[0].body["message"]
        # The restore came the asked-for time after the loss (not at once, not much later).
        assert 1.5 <= requests[1].at - requests[0].at <= 10


# --- 3. a mute ---------------------------------------------------------------------------------


def test_a_muted_ups_stays_quiet_through_a_real_outage(page: Page, alerting: Alerting) -> None:
    stack, nut = alerting
    with ServiceReceiver("ntfy") as ntfy:
        shared_ntfy_rule(stack, ntfy, "pp-mute")
        login(page, stack)
        open_ups(page, stack, "rack-a")
        mute = page.get_by_test_id("mute-control")
        form = mute.get_by_role("form", name="Mute rack-a")
        form.get_by_label("For").select_option(label="1 hour")
        form.get_by_label("Reason").fill("battery swap")
        form.get_by_role("button", name="Mute rack-a").click()
        notice = mute.get_by_test_id("muted")
        expect(notice).to_contain_text("Muted until")
        expect(notice).to_contain_text("(battery swap)")
        expect(mute.get_by_role("button", name="Unmute rack-a")).to_be_visible()
        screens(page, "ups-muted")
        page.reload()
        expect(notice).to_contain_text("(battery swap)")  # the API has it, not just the page

        nut.set_status("rack-a", "OB DISCHRG", battery_charge="85")
        events = page.get_by_test_id("events")
        expect(events).to_contain_text("On Battery", timeout=EVENT_TIMEOUT)
        token = admin_token(stack)

        def muted_row() -> Any:
            log = api(stack, "GET", "/api/notifications/log", token=token)
            items = log["items"] if isinstance(log, dict) else log
            return [n for n in items if n["ups_name"] == "rack-a" and n.get("suppressed")]

        [row] = wait_for(muted_row, "the muted notification in the log")
        assert row["suppressed"] == "muted" and not row.get("deliveries"), row

        page.goto(stack.url("/settings/alerting/log"))
        history = page.get_by_test_id("notification-history")
        logged = history.get_by_test_id("history-row").filter(has_text="rack-a")
        expect(logged).to_have_count(1)
        expect(logged.get_by_test_id("muted-badge")).to_have_text("muted")
        expect(logged).to_contain_text("Rule Power to ops")
        expect(logged).to_contain_text("Not sent (muted)")
        screens(page, "notification-log")
        # Recorded, never sent: nothing reached the receiver (and no delivery row exists).
        assert ntfy.requests == []

        open_ups(page, stack, "rack-a")
        mute.get_by_role("button", name="Unmute rack-a").click()
        expect(mute.get_by_test_id("muted")).to_have_count(0)
        expect(mute.get_by_role("form", name="Mute rack-a")).to_be_visible()
        page.reload()
        expect(mute.get_by_role("form", name="Mute rack-a")).to_be_visible()
        expect(page.get_by_test_id("muted")).to_have_count(0)
        ups = api(stack, "GET", f"/api/ups-systems/{ups_id(stack, 'rack-a')}", token=token)
        assert ups["mutedUntil"] is None
        assert ntfy.requests == []


# --- 4. an acknowledgement ---------------------------------------------------------------------


def test_acknowledging_an_open_alert_tells_the_channel_who(page: Page, alerting: Alerting) -> None:
    stack, nut = alerting
    with ServiceReceiver("ntfy") as ntfy:
        shared_ntfy_rule(stack, ntfy, "pp-ack")
        login(page, stack)
        nut.set_status("rack-b", "OB DISCHRG", battery_charge="70")
        [first] = ntfy.wait_requests(1, timeout=EVENT_TIMEOUT / 1000)
        assert titles([first]) == ["⚡ UPS On Battery"]

        open_ups(page, stack, "rack-b")
        alerts = page.get_by_test_id("ups-alerts")
        alert = alerts.get_by_test_id("alert-row").filter(has_text="⚡ UPS On Battery")
        expect(alert).to_have_count(1)
        expect(alert).to_contain_text("Warning")
        screens(page, "ups-open-alert")
        alert.get_by_role("button", name="Acknowledge ⚡ UPS On Battery").click()
        ack = alert.get_by_role("form", name="Acknowledge ⚡ UPS On Battery")
        ack.get_by_label("Note (optional)").fill("on my way")
        ack.get_by_role("button", name="Confirm acknowledge").click()
        done = alert.get_by_test_id("acknowledged")
        expect(done).to_contain_text("Acknowledged by admin")
        expect(done).to_contain_text("“on my way”")
        expect(alert.get_by_role("button", name="Acknowledge ⚡ UPS On Battery")).to_have_count(0)
        screens(page, "ups-acknowledged")
        page.reload()
        expect(done).to_contain_text("Acknowledged by admin")

        second = ntfy.wait_requests(2)[1]
        assert second.behaviour == "ok", second.reason
        assert titles([second]) == ["☑️ Acknowledged: ⚡ UPS On Battery"]
        assert "Acknowledged by admin: on my way" in second.body["message"]
        assert second.body["topic"] == "pp-ack"
        # Power back: the alert is over (and nothing is left in flight for this receiver).
        nut.set_status("rack-b", "OL", battery_charge="70")
        assert (
            titles(ntfy.wait_requests(3, timeout=EVENT_TIMEOUT / 1000))[2] == "✅ UPS Back Online"
        )
        expect(alerts).to_have_count(0, timeout=EVENT_TIMEOUT)


def test_the_log_of_a_deleted_rule_names_no_null_user(page: Page, alerting: Alerting) -> None:
    stack, _ = alerting
    token = admin_token(stack)
    with ServiceReceiver("ntfy") as ntfy:
        shared_ntfy_rule(stack, ntfy, "pp-gone")
        path = f"/api/ups-systems/{ups_id(stack, 'closet')}/drill"
        api(stack, "POST", path, {"restore_after": 0}, token=token)
        assert len(ntfy.wait_requests(2)) == 2
    [rule] = api(stack, "GET", "/api/alert-rules", token=token)
    api(stack, "DELETE", f"/api/alert-rules/{rule['id']}", token=token)
    login(page, stack)
    page.goto(stack.url("/settings/alerting/log"))
    rows = page.get_by_test_id("history-row").filter(has_text="closet")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i).get_by_test_id("drill-badge")).to_be_visible()
        expect(rows.nth(i)).to_contain_text("Deleted rule")
        expect(rows.nth(i)).not_to_contain_text("#null")


# --- the other new screens, and what a phone makes of them -------------------------------------


def test_alerting_settings_fit_a_phone(page: Page, alerting: Alerting) -> None:
    """Every Alerting tab (and Your channels) at a desktop and a phone size: nothing makes the
    page scroll sideways on the phone (a wide table scrolls inside its own box)."""
    stack, _ = alerting
    login(page, stack)
    page.goto(stack.url("/settings/alerting/templates"))
    editor = page.get_by_test_id("template-editor").filter(has_text="UPS On Battery").first
    editor.get_by_role("button", name="Preview").click()
    expect(editor.get_by_test_id("template-preview")).to_contain_text("is now running on battery")
    screens(page, "templates")
    page.get_by_role("link", name="Thresholds").click()
    page.get_by_role("button", name="Add threshold").click()
    expect(page.get_by_role("form", name="New threshold")).to_be_visible()
    screens(page, "threshold-form")
    page.get_by_role("link", name="Maintenance & mutes").click()
    page.get_by_role("button", name="Add window").click()
    expect(page.get_by_role("form", name="New maintenance window")).to_be_visible()
    expect(page.get_by_test_id("mute-all")).to_be_visible()
    screens(page, "maintenance")
    page.get_by_role("link", name="Email server").click()
    expect(page.get_by_role("form", name="Email server")).to_be_visible()
    screens(page, "email-server")
    page.get_by_role("link", name="Notification log").click()
    expect(page.get_by_role("heading", name="Notification log")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Loading")).to_have_count(0)
    screens(page, "notification-log-any")
    page.goto(stack.url("/settings/notifications"))
    expect(page.get_by_test_id("channels-personal")).to_contain_text("No channels yet.")
    screens(page, "your-channels")
    settings_screens = {
        name: found
        for name, found in PHONE_OVERFLOW.items()
        if not name.startswith(("ups-", "fire-drill"))
    }
    assert settings_screens and not any(settings_screens.values()), settings_screens


def test_fire_drill_report_fits_a_phone(browser: Browser, alerting: Alerting) -> None:
    stack, _ = alerting
    with ServiceReceiver("ntfy") as ntfy:
        shared_ntfy_rule(stack, ntfy, "pp-phone")
        phone = browser.new_context(viewport=PHONE, color_scheme="light")
        phone.set_default_timeout(10_000)
        try:
            page = phone.new_page()
            login(page, stack)
            open_ups(page, stack, "rack-b")
            expect(page.get_by_test_id("mute-control")).to_be_visible()
            assert overflow(page) == []  # the page as it opens fits
            drill = page.get_by_role("region", name="Fire drill")
            drill.get_by_label("Power restored after (seconds)").fill("1")
            drill.get_by_role("button", name="Start fire drill").click()
            report = drill.get_by_test_id("drill-report")
            expect(report).to_have_attribute("data-done", "true", timeout=EVENT_TIMEOUT)
            page.evaluate("window.scrollTo(0, 0)")
            shot(page, "alerting-fire-drill-fresh-phone", full_page=True)
            assert ntfy.wait_requests(2)
            assert overflow(page) == [], "the page scrolls sideways on a phone"
        finally:
            phone.close()
