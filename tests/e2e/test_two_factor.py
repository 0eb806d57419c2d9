"""Two-factor sign-in in the browser (issue 14, section 4): set up from Settings → Account with
the secret an authenticator app would read, recovery codes shown, sign-in asking for a real
TOTP code; and the policy that puts the set-up before every other page."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Page, expect

from tests.e2e.conftest import UI, admin_token
from tests.support.stack import Stack

PASSWORD = "long-enough-pass-1"


def _register(stack: Stack, token: str, username: str, role: str) -> None:
    body = {"username": username, "password": PASSWORD, "role": role}
    status, answer = stack.request("POST", "/api/auth/register", body, token=token)
    assert status == 201, answer


def _sign_in(page: Page, stack: Stack, username: str) -> None:
    page.goto(stack.url("/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_set_up_then_sign_in_with_a_code(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    _register(stack, admin_token(stack), "tina", "user")
    _sign_in(page, stack, "tina")
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto(stack.url("/settings/account"))
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    app = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text().strip())
    page.get_by_label("Code from the app").fill(app.now())
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    expect(page.get_by_test_id("two-factor-on")).to_contain_text("10 recovery codes left")
    page.get_by_role("button", name="Sign out").click()
    # The password alone now only asks for the code.
    _sign_in(page, stack, "tina")
    code_field = page.get_by_label("Authentication code")
    expect(code_field).to_be_visible()
    expect(page.get_by_text("Enter the code from your authenticator app.")).to_be_visible()
    code_field.fill(str(app.at(time.time() + 30)))  # the next step: the current one was used
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def test_the_policy_puts_the_set_up_first(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    token = admin_token(stack)
    status, body = stack.request(
        "PUT", "/api/system/security", {"totpRequiredFrom": "operator"}, token=token
    )
    assert status == 200, body
    try:
        _register(stack, token, "oscar", "operator")
        _sign_in(page, stack, "oscar")
        page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
        expect(page.get_by_text("required for your role")).to_be_visible()
        page.goto(stack.url("/servers"))  # any other page shows the set-up instead
        page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
        page.get_by_role("button", name="Set up two-factor sign-in").click()
        app = pyotp.TOTP(page.get_by_test_id("totp-secret").inner_text().strip())
        page.get_by_label("Code from the app").fill(app.now())
        page.get_by_role("button", name="Turn on").click()
        expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
        page.get_by_role("button", name="Continue").click()  # the codes stay until then
        expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_have_count(0)
        page.goto(stack.url("/"))
        page.get_by_role("heading", name="Dashboard").wait_for()
    finally:
        stack.request("PUT", "/api/system/security", {"totpRequiredFrom": None}, token=token)
