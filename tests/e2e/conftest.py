"""Browser tests: real Chromium (Debian's, via Playwright's executable_path), real api and
poller workers, real upsd + dummy-ups. Never `playwright install` (it downloads a browser)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.e2e.ui_stack import WEBUI_DIST, dist_ready, ui_stack
from tests.support.nut_server import NutServer
from tests.support.stack import Stack

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # The UI follows the browser's language: every context not given a locale is English.
    "--lang=en-US",
]
ADMIN = ("admin", "admin-pass-1")
UI = tuple[Stack, NutServer]
# The README's screenshots are refreshed only when asked (UPDATE_SCREENSHOTS=1): a normal test
# run must not rewrite tracked files. Otherwise they go to a temp dir, still taken and viewable.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "powerpulse-screenshots"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# Module scope: Playwright's sync API runs its own event loop; it must be gone before the
# asyncio tests of other directories run.
@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    if not dist_ready():
        pytest.fail(f"web UI not built ({WEBUI_DIST}): run `make webui`")
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium missing: apt-get install chromium")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    b = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        viewport={"width": 1440, "height": 900}, color_scheme="light", locale="en-US"
    )
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="module")
def stack_and_nut(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UI]:
    """A set-up PowerPulse (admin + the test upsd) shared by one test module."""
    with ui_stack(tmp_path_factory.mktemp("pp-e2e")) as (stack, nut):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        wait_ups_polled(stack, admin_token(stack), len(nut.ups_names))
        yield stack, nut


def admin_token(stack: Stack) -> str:
    creds = {"username": ADMIN[0], "password": ADMIN[1]}
    status, body = stack.request("POST", "/api/auth/login", creds)
    assert status == 200, body
    return str(body["token"])


def wait_ups_polled(
    stack: Stack, token: str, count: int, timeout: float = 20
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        status, body = stack.request("GET", "/api/ups-systems", token=token)
        if status == 200 and len(body) == count and all(u.get("lastUpdated") for u in body):
            return list(body)
        if time.monotonic() > deadline:
            raise AssertionError(f"UPS never polled: {status} {body}")
        time.sleep(0.2)


def login(page: Page, stack: Stack, username: str = ADMIN[0], password: str = ADMIN[1]) -> None:
    page.goto(stack.url("/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Dashboard").wait_for()


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
