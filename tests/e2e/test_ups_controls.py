"""UPS page → Controls, in Chromium against the real api, poller and upsd (dummy-ups): what a
NUT server without credentials answers, then a confirmed command and a setting that really
changes in upsd once the server has a NUT user."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.e2e.conftest import UI, admin_token, login
from tests.support.nut_server import NUT_PASSWORD, NUT_USER


def _open_controls(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.get_by_role("link", name="Details of closet").click()
    page.get_by_text("Controls", exact=True).click()
    expect(page.get_by_test_id("ups-commands")).to_contain_text("load.off")


def test_controls_run_a_confirmed_command_and_change_a_setting(
    page: Page, stack_and_nut: UI
) -> None:
    stack, nut = stack_and_nut
    _open_controls(page, stack_and_nut)
    # The NUT server was added without a user: the panel says so, and upsd's refusal shows.
    expect(page.get_by_text("This NUT server has no username set")).to_be_visible()
    page.get_by_role("button", name="Run load.off").click()
    expect(page.get_by_text("everything plugged into the UPS. Are you sure?")).to_be_visible()
    page.get_by_role("button", name="Run load.off").click()
    expect(page.get_by_test_id("ups-commands")).to_contain_text("upsd.users")

    token = admin_token(stack)
    status, servers = stack.request("GET", "/api/nut-servers", token=token)
    server = servers[0] if isinstance(servers, list) else servers["servers"][0]
    status, body = stack.request(
        "PUT",
        f"/api/nut-servers/{server['id']}",
        {"host": nut.host, "port": nut.port, "username": NUT_USER, "password": NUT_PASSWORD},
        token=token,
    )
    assert status == 200, body

    page.reload()
    page.get_by_text("Controls", exact=True).click()
    page.get_by_role("button", name="Run load.off").click()
    page.get_by_role("button", name="Run load.off").click()
    expect(page.get_by_text("load.off sent to closet")).to_be_visible()

    runtime = page.get_by_role("spinbutton", name="battery.runtime Battery")
    runtime.fill("900")
    runtime.locator("xpath=..").get_by_role("button", name="Save").click()
    expect(page.get_by_text("battery.runtime set on closet")).to_be_visible()
    deadline = time.monotonic() + 5
    while nut.get_var("closet", "battery.runtime") != "900":
        assert time.monotonic() < deadline, "upsd never got the new value"
        time.sleep(0.1)


def test_a_member_sees_no_controls(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    token = admin_token(stack)
    status, body = stack.request(
        "POST",
        "/api/auth/register",
        {"username": "viewer", "password": "viewer-pass-1", "role": "user"},
        token=token,
    )
    assert status in (200, 201), body
    login(page, stack, "viewer", "viewer-pass-1")
    page.get_by_role("link", name="Details of closet").click()
    expect(page.get_by_role("heading", name="Battery")).to_be_visible()
    expect(page.get_by_text("Controls", exact=True)).to_have_count(0)
