"""The public kiosk: URL parameters, rotation, themes, and recovery after the api restarts."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import ADMIN, UI, admin_token, shot, wait_ups_polled
from tests.e2e.ui_stack import ui_stack
from tests.support.stack import Stack


def ids_by_name(stack: Stack) -> dict[str, int]:
    return {u["name"]: u["id"] for u in stack.request("GET", "/api/ups-systems/kiosk")[1]}


def test_kiosk_parameters(browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    ids = ids_by_name(stack)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        # ups= picks and orders; multi=true shows a grid; theme=dark wins over the system.
        page.goto(stack.url(f"/kiosk?multi=true&ups={ids['rack-b']},{ids['rack-a']}&theme=dark"))
        tiles = page.get_by_test_id("kiosk-ups")
        expect(tiles).to_have_count(2)
        expect(tiles.nth(0)).to_contain_text("rack-b")
        expect(tiles.nth(1)).to_contain_text("rack-a")
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        expect(page.get_by_test_id("kiosk")).to_have_attribute("data-mode", "multi")
        page.goto(stack.url("/kiosk?multi=true&theme=dark"))
        expect(tiles).to_have_count(3)
        page.wait_for_timeout(300)
        shot(page, "kiosk-grid-dark")

        # Single view rotates every `rotate` seconds (minimum 3).
        page.goto(stack.url(f"/kiosk?ups={ids['rack-a']},{ids['rack-b']}&rotate=3&theme=light"))
        single = page.get_by_test_id("kiosk-ups")
        expect(single).to_have_count(1)
        expect(single).to_contain_text("rack-a")
        expect(page.locator("html")).to_have_attribute("data-theme", "light")
        font = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.kiosk-big')).fontSize)"
        )
        assert font >= 120, font  # the charge reads across a room at 1920x1080
        page.wait_for_timeout(200)
        shot(page, "kiosk-single-light")
        expect(single).to_contain_text("rack-b", timeout=5_000)
        # The toggle switches to the grid and rewrites the URL.
        page.get_by_role("button", name="Show all UPS in a grid").click()
        expect(page).to_have_url(
            stack.url(f"/kiosk?multi=true&ups={ids['rack-a']},{ids['rack-b']}&rotate=3&theme=light")
        )
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(2)
    finally:
        page.close()

    portrait = browser.new_page(viewport={"width": 1080, "height": 1920})
    try:
        portrait.goto(stack.url("/kiosk?theme=dark"))
        expect(portrait.get_by_test_id("kiosk-ups")).to_be_visible()
        assert portrait.evaluate("document.documentElement.scrollWidth") <= 1080
        shot(portrait, "kiosk-portrait-dark")
    finally:
        portrait.close()


def test_kiosk_keeps_data_and_recovers_when_the_api_restarts(
    browser: Browser, tmp_path: Path
) -> None:
    with ui_stack(tmp_path / "data") as (stack, nut):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        wait_ups_polled(stack, admin_token(stack), 3)
        page = browser.new_page(viewport={"width": 1600, "height": 900})
        page.goto(stack.url("/kiosk?multi=true"))
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(3)
        page.evaluate("window.__noReload = true")

        stack.stop("api")
        # The last data stays on screen, marked stale; no error screen.
        expect(page.get_by_test_id("kiosk-stale")).to_be_visible(timeout=40_000)
        expect(page.get_by_test_id("kiosk-ups")).to_have_count(3)
        shot(page, "kiosk-stale")

        nut.set_status("rack-b", "OB DISCHRG", battery_charge="55")
        stack.start_api()
        expect(page.get_by_test_id("kiosk-stale")).to_be_hidden(timeout=40_000)
        expect(page.locator('[data-testid="kiosk-ups"]', has_text="rack-b")).to_contain_text(
            "On Battery", timeout=10_000
        )
        assert page.evaluate("window.__noReload") is True
        page.close()
