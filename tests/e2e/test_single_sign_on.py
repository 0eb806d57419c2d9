"""Single sign-on in the browser (issue 14, section 3), against a real OpenID provider (the
`oidc-provider` package) on loopback: the admin sets it up in Settings → System, the login page
offers the button, the provider's own login and consent pages, and back in PowerPulse with the
role the groups give; a refusal explained on the login page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import UI, login, shot
from tests.support.oidc_provider import OidcProvider

ACCOUNTS = {"ada": {"groups": ["pp-admins"]}, "vera": {"groups": ["helpdesk"]}}


@pytest.fixture(scope="module")
def provider(stack_and_nut: UI) -> Iterator[OidcProvider]:
    stack, _ = stack_and_nut
    with OidcProvider(stack.url("/api/auth/oidc/callback"), accounts=ACCOUNTS) as op:
        yield op


def _at_provider(page: Page, account: str) -> None:
    """The provider's development login form, then its consent page."""
    page.locator("input[name=login]").fill(account)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()


def test_set_up_then_sign_in_through_the_provider(
    page: Page, stack_and_nut: UI, provider: OidcProvider
) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.goto(stack.url("/settings/system"))
    form = page.get_by_role("form", name="Single sign-on (OpenID Connect)")
    expect(form.get_by_test_id("sso-redirect-uri")).to_have_text(
        stack.url("/api/auth/oidc/callback")
    )
    form.get_by_role("switch", name="Offer single sign-on on the login page").check()
    form.get_by_label("Issuer URL").fill(provider.issuer)
    form.get_by_label("Client id").fill(provider.client_id)
    form.get_by_label("Client secret").fill(provider.client_secret)
    form.get_by_label("Button text").fill("Sign in with the test provider")
    form.get_by_label("Groups for admin").fill("pp-admins")
    form.get_by_label("Groups for viewer").fill("helpdesk")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_text("Saved.")).to_be_visible()
    expect(form.get_by_text("Stored. Leave empty to keep it.")).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})  # the form fits a phone
    form.scroll_into_view_if_needed()
    shot(page, "settings-single-sign-on-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="Sign out").click()

    # Going to a page first: the sign-on comes back to it.
    page.goto(stack.url("/servers"))
    button = page.get_by_role("link", name="Sign in with the test provider")
    expect(button).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "login-single-sign-on-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    button.click()
    page.wait_for_url(f"{provider.issuer}/**")
    _at_provider(page, "ada")
    page.get_by_role("heading", name="Servers").wait_for()
    assert "#" not in page.url and "sso" not in page.url  # the token is not left in the URL
    page.goto(stack.url("/settings/account"))
    expect(page.get_by_text("You sign in with single sign-on")).to_be_visible()
    expect(page.get_by_role("button", name="Set up two-factor sign-in")).to_have_count(0)
    page.goto(stack.url("/settings/users"))
    row = page.locator('[data-testid="user-row"][data-username="ada"]')
    expect(row).to_contain_text("single sign-on")
    expect(row.get_by_role("combobox")).to_have_value("admin")


def test_a_viewer_gets_in_and_someone_in_no_group_is_told_why(
    page: Page, stack_and_nut: UI, provider: OidcProvider
) -> None:
    stack, _ = stack_and_nut
    page.goto(stack.url("/login"))
    page.get_by_role("link", name="Sign in with the test provider").click()
    _at_provider(page, "vera")
    page.get_by_role("heading", name="Dashboard").wait_for()
    page.goto(stack.url("/settings/account"))
    expect(page.locator("dd", has_text="viewer")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.context.clear_cookies()  # signed out at the provider too: another person signs in
    page.goto(stack.url("/login"))
    page.get_by_role("link", name="Sign in with the test provider").click()
    _at_provider(page, "stranger")
    expect(page.get_by_text("in no group that has access to PowerPulse")).to_be_visible()
    expect(page.get_by_label("Username")).to_be_visible()  # the password form is still there
