"""The access screens as a user sees them: API tokens in the account settings, the users list with
its four roles, and the audit log, in Chromium against the real api, poller and upsd. Each
screen is looked at on a phone, a laptop and a TV, in the light and the dark theme, and in
German: nothing wider than the window, the screen's key element in view.

Screenshots go to /tmp/shots/<screen>-<size>-<theme>[-de].png, for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.e2e.conftest import UI, admin_token, login
from tests.support.stack import Stack

SHOTS = Path("/tmp/shots")  # outside the repo: for a person to look at, never committed
SIZES = {"phone": (390, 844), "laptop": (1280, 800), "tv": (1920, 1080)}
THEMES = ("light", "dark")
ROLES = ["viewer", "user", "operator", "admin"]
OLGA = {"username": "olga", "password": "long-enough-pass-1", "role": "operator"}
TOKEN_NAME = "homepage"

# The innermost elements that reach past the window's right edge: where an overflow comes from.
WIDEST = """() => {
  const w = window.innerWidth + 1 - window.scrollX;
  const past = (e) => e.getBoundingClientRect().right > w;
  const out = [...document.body.querySelectorAll('*')].filter(
    (e) => e.getBoundingClientRect().width > 0 && past(e) && ![...e.children].some(past));
  const cls = (e) => typeof e.className === 'string' && e.className.trim()
    ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + cls(e)
    + ' ' + Math.round(e.getBoundingClientRect().right + window.scrollX) + 'px';
  return out.slice(0, 4).map(name);
}"""


def _ensure_olga(stack: Stack, token: str) -> None:
    """A second user, an operator, registered by the admin through the API (once per module)."""
    status, users = stack.request("GET", "/api/users", token=token)
    if status == 200 and any(u.get("username") == OLGA["username"] for u in _listed(users)):
        return
    status, body = stack.request("POST", "/api/auth/register", OLGA, token=token)
    assert status in (200, 201), body
    assert body["user"]["role"] == "operator", body


def _listed(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        body = body.get("users", [])
    return list(body) if isinstance(body, list) else []


def _ensure_token(stack: Stack, token: str) -> None:
    """The "homepage" read token, in case the account test did not run first."""
    status, body = stack.request("GET", "/api/auth/tokens", token=token)
    assert status == 200, body
    if any(t.get("name") == TOKEN_NAME for t in _listed(body)):
        return
    status, body = stack.request(
        "POST", "/api/auth/tokens", {"name": TOKEN_NAME, "scope": "read"}, token=token
    )
    assert status in (200, 201), body


def _set_language(page: Page, language: str | None) -> None:
    if language:
        page.evaluate("l => localStorage.setItem('powerpulse.language', l)", language)
    else:
        page.evaluate("() => localStorage.removeItem('powerpulse.language')")


def _look(
    page: Page, stack: Stack, screen: str, path: str, key: Locator, language: str = "en"
) -> list[str]:
    """The screen at every size and theme (and, in German, at every size in light): each shot
    saved; returns what overflowed or was not visible, so that one run reports them all."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    themes = THEMES if language == "en" else ("light",)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        for theme in themes:
            page.evaluate("t => localStorage.setItem('powerpulse.theme', t)", theme)
            page.goto(stack.url(path))
            expect(page.locator("html")).to_have_attribute("data-theme", theme)
            expect(page.locator("html")).to_have_attribute("lang", language)
            label = f"{screen}-{size}-{theme}" + ("" if language == "en" else f"-{language}")
            problems += _check(page, label, key)
    return problems


def _check(page: Page, label: str, key: Locator) -> list[str]:
    """One look: the key element visible, nothing wider than the window; the shot saved."""
    problems = []
    try:
        expect(key).to_be_visible()
    except AssertionError as err:
        problems.append(f"{label}: key element not visible ({err})")
    page.evaluate("() => document.fonts.ready")
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    inner = page.evaluate("() => window.innerWidth")
    if scroll > inner + 1:
        culprits = ", ".join(page.evaluate(WIDEST))
        problems.append(f"{label}: page {scroll} px wide in a {inner} px window ({culprits})")
    page.screenshot(path=str(SHOTS / f"{label}.png"), full_page=True)
    return problems


@pytest.fixture
def admin_page(context: BrowserContext, stack_and_nut: UI) -> Page:
    stack, _ = stack_and_nut
    page = context.new_page()
    login(page, stack)
    return page


def test_an_api_token_is_made_and_listed(admin_page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    page = admin_page
    page.goto(stack.url("/settings/account"))
    panel = page.locator('section[aria-labelledby="tokens-title"]')
    expect(panel.get_by_role("heading", name="API tokens")).to_be_visible()
    panel.get_by_label("Name", exact=True).fill(TOKEN_NAME)
    panel.get_by_label("Scope", exact=True).select_option("read")
    panel.get_by_role("button", name="Create token").click()
    secret = panel.get_by_test_id("new-token")
    expect(secret).to_have_text(re.compile(r"^pp_\S{16,}$"))
    row = panel.locator(f'[data-testid="api-token"][data-name="{TOKEN_NAME}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("read only")

    # The secret is shown this once, in the page's state: looked at without a reload, the
    # theme switched with the header's button.
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for theme in THEMES:
        if page.locator("html").get_attribute("data-theme") != theme:
            page.get_by_role("button", name=f"Switch to {theme} theme").click()
        expect(page.locator("html")).to_have_attribute("data-theme", theme)
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            problems += _check(page, f"token-{size}-{theme}", secret)

    key = panel.get_by_test_id("api-token").first
    problems += _look(page, stack, "account", "/settings/account", key)
    _set_language(page, "de")
    problems += _look(page, stack, "account", "/settings/account", key, language="de")
    expect(page.get_by_role("heading", name="API-Tokens")).to_be_visible()
    _set_language(page, None)
    assert not problems, "\n".join(problems)


def test_users_offer_four_roles(admin_page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    page = admin_page
    _ensure_olga(stack, admin_token(stack))
    page.goto(stack.url("/settings/users"))
    olga = page.locator('[data-testid="user-row"][data-username="olga"]')
    expect(olga).to_be_visible()
    select = olga.get_by_label("Role of olga")
    expect(select).to_have_value("operator")
    values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert values == ROLES, values
    expect(page.get_by_test_id("user-row")).to_have_count(2)

    problems = _look(page, stack, "users", "/settings/users", olga)
    _set_language(page, "de")
    problems += _look(page, stack, "users", "/settings/users", olga, language="de")
    expect(page.get_by_role("heading", name="Benutzer", exact=True)).to_be_visible()
    _set_language(page, None)
    assert not problems, "\n".join(problems)


def test_the_audit_log_lists_the_token_and_the_registration(
    admin_page: Page, stack_and_nut: UI
) -> None:
    stack, _ = stack_and_nut
    page = admin_page
    token = admin_token(stack)
    _ensure_token(stack, token)
    _ensure_olga(stack, token)
    page.goto(stack.url("/settings/audit"))
    table = page.get_by_test_id("audit-table")
    expect(table).to_be_visible()
    rows = page.get_by_test_id("audit-row")
    expect(rows.filter(has_text="access.create_token").first).to_be_visible()
    expect(rows.filter(has_text="auth.register").first).to_be_visible()

    problems = _look(page, stack, "audit", "/settings/audit", table)
    _set_language(page, "de")
    problems += _look(page, stack, "audit", "/settings/audit", table, language="de")
    expect(page.get_by_role("heading", name="Audit-Protokoll", level=2)).to_be_visible()
    _set_language(page, None)
    assert not problems, "\n".join(problems)
