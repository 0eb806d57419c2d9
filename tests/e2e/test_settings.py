"""Settings, NUT servers and users through the browser; every change checked after a reload and
through the API (what the poller and dispatcher actually read)."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import UI, admin_token, login, shot
from tests.support.nut_server import NutServer
from tests.support.stack import Stack


def settings_of(stack: Stack) -> dict[str, object]:
    status, body = stack.request("GET", "/api/user-settings", token=admin_token(stack))
    assert status == 200, body
    return dict(body)


def test_notification_switches_survive_a_reload_and_really_switch_off(
    page: Page, stack_and_nut: UI
) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.goto(stack.url("/settings/notifications"))
    master = page.get_by_role("switch", name="Enable notifications")
    expect(master).to_be_checked()
    master.uncheck()
    page.get_by_role("switch", name="Low battery").uncheck()
    tests_switch = page.get_by_role("switch", name="Battery tests")
    expect(tests_switch).not_to_be_checked()  # a self-test is not a power failure: opt-in
    tests_switch.check()
    page.get_by_role("switch", name="Send email").check()
    page.get_by_label("Email recipients").fill("ops@example.com, boss@example.com")
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_role("switch", name="Enable notifications")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Low battery")).not_to_be_checked()
    expect(page.get_by_role("switch", name="Power events")).to_be_checked()
    expect(page.get_by_role("switch", name="Battery tests")).to_be_checked()
    expect(page.get_by_role("switch", name="Send email")).to_be_checked()
    expect(page.get_by_label("Email recipients")).to_have_value("ops@example.com, boss@example.com")
    saved = settings_of(stack)
    assert saved["notifications_enabled"] in (0, False)
    assert saved["low_battery_notifications"] in (0, False)
    assert saved["email_notifications"] in (1, True)
    assert saved["self_test_notifications"] in (1, True)
    shot(page, "settings-notifications", full_page=True)

    page.get_by_role("switch", name="Enable notifications").check()
    page.get_by_role("switch", name="Low battery").check()
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.get_by_text("Notification settings saved.")).to_be_visible()
    assert settings_of(stack)["notifications_enabled"] in (1, True)


def test_channel_test_shows_the_channels_error(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.goto(stack.url("/settings/notifications"))
    page.get_by_label("Discord webhook URL").fill("http://127.0.0.1:1/api/webhooks/1/x")
    page.get_by_role("button", name="Send a test to Discord").click()
    expect(page.get_by_test_id("test-discord").get_by_role("alert")).to_contain_text("Test failed")


def test_general_and_account_settings_survive_a_reload(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.goto(stack.url("/settings/general"))
    page.get_by_label("Dashboard refresh interval (seconds)").fill("45")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Sign out after inactivity (minutes)").fill("120")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_label("Sign out after inactivity (minutes)")).to_have_value("120")
    page.get_by_role("link", name="General").click()
    expect(page.get_by_label("Dashboard refresh interval (seconds)")).to_have_value("45")
    saved = settings_of(stack)
    assert (saved["poll_interval"], saved["inactivity_timeout"]) == (45, 120)
    page.get_by_role("link", name="About").click()
    status, body = stack.request("GET", "/api/system/version", token=admin_token(stack))
    assert status == 200, body
    expect(page.get_by_test_id("version")).to_have_text(body["version"])
    # Outside a container self-update is impossible, and the page says why.
    update = page.get_by_test_id("update-panel")
    assert body["selfUpdate"]["possible"] is False
    expect(update).to_contain_text("Self-update is not available here")
    if body["selfUpdate"].get("reason"):
        expect(update).to_contain_text(body["selfUpdate"]["reason"])
    expect(update.get_by_role("button", name="Check for updates")).to_be_disabled()


def test_nut_servers_add_test_delete(
    page: Page, stack_and_nut: UI, nut_factory: Callable[..., NutServer]
) -> None:
    stack, nut = stack_and_nut
    second = nut_factory(["garage"])
    login(page, stack)
    page.get_by_role("link", name="NUT servers").click()
    first = page.get_by_role("listitem", name=f"NUT server {nut.host}:{nut.port}")
    expect(first.get_by_test_id("reachability")).to_contain_text("Reachable")
    first.get_by_role("button", name="Test connection").click()
    expect(first.get_by_test_id("test-result")).to_contain_text("UPS found: closet, rack-a, rack-b")

    page.get_by_role("button", name="Add NUT server").click()
    form = page.get_by_role("form", name="Add a NUT server")
    form.get_by_label("Host").fill(second.host)
    form.get_by_label("Port").fill(str(second.port))
    form.get_by_role("button", name="Test connection").click()
    expect(form.get_by_test_id("test-result")).to_contain_text("UPS found: garage")
    form.get_by_role("button", name="Add server").click()
    expect(page.get_by_role("status").filter(has_text="NUT server created")).to_be_visible()
    row = page.get_by_role("listitem", name=f"NUT server {second.host}:{second.port}")
    expect(row).to_be_visible()
    expect(row.get_by_test_id("reachability")).to_contain_text("Reachable", timeout=10_000)
    shot(page, "nut-servers")

    # Credentials are write-only: a blank password on edit keeps the stored one.
    def stored() -> dict[str, object]:
        servers = stack.request("GET", "/api/nut-servers", token=admin_token(stack))[1]
        return next(s for s in servers if s["port"] == second.port)

    row.get_by_role("button", name=f"Edit {second.host}:{second.port}").click()
    edit = page.get_by_role("form", name=f"Edit {second.host}:{second.port}")
    expect(edit.get_by_label("Password")).to_have_value("")
    edit.get_by_label("Username (optional)").fill("monuser")
    edit.get_by_label("Password").fill("s3cret-pass")
    edit.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="NUT server updated")).to_be_visible()
    assert (stored()["username"], stored()["hasPassword"]) == ("monuser", True)
    expect(row).to_contain_text("Signs in as monuser (password stored)")
    row.get_by_role("button", name=f"Edit {second.host}:{second.port}").click()
    edit.get_by_label("Username (optional)").fill("monitor")
    edit.get_by_role("button", name="Save changes").click()
    expect(row).to_contain_text("Signs in as monitor (password stored)")
    assert (stored()["username"], stored()["hasPassword"]) == ("monitor", True)

    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator('[data-testid="ups-card"]', has_text="garage")).to_be_visible()

    page.get_by_role("link", name="NUT servers").click()
    row.get_by_role("button", name=f"Delete {second.host}:{second.port}").click()
    row.get_by_role("button", name=f"Delete {second.host}:{second.port} and its UPS").click()
    expect(row).to_have_count(0)
    token = admin_token(stack)
    servers = stack.request("GET", "/api/nut-servers", token=token)[1]
    assert [s["port"] for s in servers] == [nut.port]
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("ups-card")).to_have_count(3)


def test_user_management(page: Page, browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.goto(stack.url("/settings/users"))
    # The last admin cannot be removed: the API's own words are shown.
    admin_row = page.locator('[data-testid="user-row"][data-username="admin"]')
    admin_row.get_by_role("button", name="Delete admin").click()
    admin_row.get_by_role("button", name="Delete admin").click()
    expect(admin_row.get_by_role("alert")).to_contain_text("admin")
    expect(admin_row).to_be_visible()

    page.get_by_role("button", name="Add user").click()
    page.get_by_label("Username", exact=True).fill("operator")
    page.get_by_label("Email (optional)").fill("op@example.com")
    page.get_by_label("Password", exact=True).fill("operator-pass-1")
    page.get_by_role("button", name="Add user").click()
    row = page.locator('[data-testid="user-row"][data-username="operator"]')
    expect(row).to_be_visible()
    expect(row.get_by_label("Role of operator")).to_have_value("user")

    row.get_by_role("button", name="Reset password of operator").click()
    row.get_by_label("New password for operator").fill("operator-pass-2")
    row.get_by_role("button", name="Set password").click()
    expect(row).to_contain_text("Password updated")
    shot(page, "settings-users")

    # The operator signs in with the new password and sees no admin controls.
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    op = other.new_page()
    login(op, stack, "operator", "operator-pass-2")
    op.get_by_role("link", name="Settings").click()
    expect(op.get_by_role("link", name="Users")).to_have_count(0)
    op.get_by_role("link", name="NUT servers").click()
    expect(op.get_by_text("Only administrators can add")).to_be_visible()
    expect(op.get_by_role("button", name="Add NUT server")).to_have_count(0)

    # The operator changes their own password and stays signed in (the API hands a new token).
    op.get_by_role("link", name="Settings").click()
    op.get_by_role("link", name="Account").click()
    op.get_by_label("Current password").fill("operator-pass-2")
    op.get_by_label("New password", exact=True).fill("operator-pass-3")
    op.get_by_label("Confirm new password").fill("operator-pass-3")
    op.get_by_role("button", name="Change password").click()
    expect(op.get_by_text("Password changed")).to_be_visible()
    op.get_by_role("link", name="Dashboard").click()
    expect(op.get_by_test_id("ups-card")).to_have_count(3)
    op.get_by_role("button", name="Sign out").click()
    login(op, stack, "operator", "operator-pass-3")
    other.close()

    row.get_by_label("Role of operator").select_option("admin")
    expect(row).to_contain_text("operator is now admin")
    page.reload()
    expect(row.get_by_label("Role of operator")).to_have_value("admin")
    row.get_by_role("button", name="Delete operator").click()
    row.get_by_role("button", name="Delete operator").click()
    expect(row).to_have_count(0)
    users = stack.request("GET", "/api/users", token=admin_token(stack))[1]
    assert [u["username"] for u in users] == ["admin"]


def test_login_errors_and_sign_out(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    page.goto(stack.url("/"))
    expect(page).to_have_url(stack.url("/login"))
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("wrong-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Invalid username or password")

    # Guessing is rate limited, and the page says for how long.
    for _ in range(5):
        creds = {"username": "mallory", "password": "guess-guess"}
        assert stack.request("POST", "/api/auth/login", creds)[0] == 401
    page.get_by_label("Username").fill("mallory")
    page.get_by_label("Password").fill("guess-again")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many login attempts")
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Try again in \d+ s"))
    expect(page.get_by_role("button", name="Sign in")).to_be_disabled()

    login(page, stack)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(stack.url("/login"))
    page.goto(stack.url("/settings"))
    expect(page).to_have_url(stack.url("/login"))
    # A token the server no longer accepts sends the browser to the login page.
    login(page, stack)
    page.evaluate("localStorage.setItem('powerpulse.token', 'garbage')")
    page.goto(stack.url("/servers"))
    expect(page).to_have_url(stack.url("/login"), timeout=10_000)
