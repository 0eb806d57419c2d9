"""The dashboard, UPS page and kiosk against a running PowerPulse: live changes without reload,
nickname editing, the phone layout. Also writes the README screenshots."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import UI, login, shot

RENDER_COUNTS = "Object.fromEntries(window.__powerpulseRenderCounts)"
ACTIVE_NAME = (
    "document.activeElement.getAttribute('aria-label') || document.activeElement.textContent || ''"
)


def card(page: Page, name: str) -> Locator:
    return page.locator('[data-testid="ups-card"]', has_text=name)


def test_dashboard_shows_every_ups_and_a_power_cut_arrives_live(
    page: Page, browser: Browser, stack_and_nut: UI
) -> None:
    stack, nut = stack_and_nut
    login(page, stack)
    expect(page.get_by_test_id("ups-card")).to_have_count(3)
    rack_b = card(page, "rack-b")
    expect(rack_b.get_by_test_id("status")).to_contain_text("Online")
    expect(rack_b).to_contain_text("0%")  # a load of 0 is a value, not a hidden tile
    expect(page.get_by_test_id("live-indicator")).to_have_text("Live", timeout=10_000)

    kiosk = browser.new_page(viewport={"width": 1920, "height": 1080})
    kiosk.goto(stack.url("/kiosk?multi=true"))
    expect(kiosk.get_by_test_id("kiosk-ups")).to_have_count(3)
    kiosk_b = kiosk.locator('[data-testid="kiosk-ups"]', has_text="rack-b")
    expect(kiosk_b).to_contain_text("Online")

    # Mark the page so a reload would be noticed.
    page.evaluate("window.__noReload = true")
    ids = {u["name"]: u["id"] for u in stack.request("GET", "/api/ups-systems/kiosk")[1]}
    renders_before = page.evaluate(RENDER_COUNTS)
    kiosk.evaluate("window.__noReload = true")
    nut.set_status("rack-b", "OB DISCHRG", battery_charge="71")

    expect(rack_b.get_by_test_id("status")).to_contain_text("On Battery", timeout=6_000)
    expect(rack_b.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "71")
    expect(page.get_by_test_id("summary-onBattery")).to_contain_text("2")
    expect(kiosk_b).to_contain_text("On Battery", timeout=6_000)
    assert page.evaluate("window.__noReload") is True
    assert kiosk.evaluate("window.__noReload") is True
    # Only the card of the UPS that changed was rendered again.
    renders_after = page.evaluate(RENDER_COUNTS)
    for name in ("rack-a", "closet"):
        assert renders_after[str(ids[name])] == renders_before[str(ids[name])], name
    assert renders_after[str(ids["rack-b"])] > renders_before[str(ids["rack-b"])]

    time.sleep(1.1)  # dummy-ups notices a .dev edit by its mtime, in whole seconds
    nut.set_status("rack-b", "OB LB", battery_charge="9")
    expect(rack_b.get_by_test_id("status")).to_contain_text("Low Battery", timeout=6_000)
    expect(rack_b.get_by_test_id("status")).to_have_attribute("data-tone", "critical")
    time.sleep(1.1)
    nut.set_status("rack-b", "OL", battery_charge="100")
    expect(rack_b.get_by_test_id("status")).to_contain_text("Online", timeout=6_000)
    kiosk.close()


def test_detail_panel_charts_and_screenshots(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    card(page, "rack-b").get_by_role("button", name="rack-b").click()
    panel = page.locator("section.detail")
    expect(panel.get_by_role("heading", name="rack-b")).to_be_visible()
    expect(panel).to_contain_text("5P 1550")
    expect(panel).to_contain_text("55 min")  # battery.runtime 3300 s
    expect(panel).to_contain_text("25.5 °C")
    expect(panel.get_by_role("img", name="Battery charge chart")).to_be_visible(timeout=10_000)
    panel.get_by_role("button", name="1 h", exact=True).click()
    expect(panel.get_by_role("button", name="1 h", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(panel.get_by_role("img", name="Load chart")).to_be_visible()
    # Cards chosen for the kiosk go into its link.
    kiosk_id = page.locator('[data-testid="ups-card"]', has_text="rack-a").get_attribute(
        "data-ups-id"
    )
    card(page, "rack-a").get_by_label("Kiosk").check()
    link = page.get_by_role("link", name="Open multi-view (1 selected)")
    expect(link).to_have_attribute("href", f"/kiosk?multi=true&ups={kiosk_id}")
    card(page, "rack-a").get_by_label("Kiosk").uncheck()
    expect(page.get_by_role("link", name="Open kiosk", exact=True)).to_have_attribute(
        "href", "/kiosk"
    )
    page.wait_for_timeout(300)
    shot(page, "dashboard-light")
    page.get_by_role("button", name="Switch to dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")  # remembered
    expect(page.get_by_test_id("ups-card")).to_have_count(3)
    page.wait_for_timeout(500)
    shot(page, "dashboard-dark")
    page.get_by_role("button", name="Switch to light theme").click()


def test_ups_page_variables_events_and_nickname(page: Page, stack_and_nut: UI) -> None:
    stack, nut = stack_and_nut
    login(page, stack)
    page.get_by_role("link", name="Details of closet").click()
    expect(page.get_by_test_id("ups-title")).to_have_text("closet")
    expect(page.get_by_role("heading", name="Battery")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"battery\.charge\s+64"))).to_be_visible()
    expect(page.get_by_role("heading", name="Device")).to_be_visible()
    expect(page.get_by_text("CP1500PFCLCD").first).to_be_visible()

    # An event appears in the list as it happens.
    nut.set_status("closet", "OL CHRG", battery_charge="65")
    expect(page.get_by_test_id("events")).to_contain_text("On Battery → Online", timeout=10_000)

    page.get_by_role("button", name="Edit nickname of closet").click()
    page.get_by_label("Nickname").fill("Network closet")
    page.get_by_label("Nickname").press("Enter")
    expect(page.get_by_test_id("ups-title")).to_have_text("Network closet")
    page.reload()
    expect(page.get_by_test_id("ups-title")).to_have_text("Network closet")
    page.wait_for_timeout(300)
    shot(page, "ups-page")
    page.get_by_role("link", name="Dashboard").click()
    expect(card(page, "Network closet")).to_have_count(1)


def test_phone_layout(browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme="dark"
    )
    page = ctx.new_page()
    try:
        login(page, stack)
        expect(page.get_by_test_id("ups-card")).to_have_count(3)
        # No theme chosen yet: the system's (dark here) applies.
        expect(page.locator("html")).to_have_attribute("data-theme", "dark")
        # Nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        nav = page.get_by_role("navigation", name="Main")
        expect(nav).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        expect(nav).to_be_visible()
        nav.get_by_role("link", name="NUT servers").click()
        expect(page.get_by_role("heading", name="NUT servers")).to_be_visible()
        expect(nav).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        nav.get_by_role("link", name="Dashboard").click()
        expect(page.get_by_test_id("ups-card")).to_have_count(3)
        shot(page, "dashboard-phone")
    finally:
        ctx.close()


def test_keyboard_reaches_the_cards(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    focused: list[str] = []
    for _ in range(25):
        page.keyboard.press("Tab")
        focused.append(page.evaluate(ACTIVE_NAME))
    assert "Skip to content" in focused[0]
    assert any("rack-a" in f for f in focused), focused
    # Every control has a name.
    unnamed = page.evaluate(
        """[...document.querySelectorAll('button, input, select, a')].filter(e => {
            const label = e.getAttribute('aria-label') || e.textContent.trim()
                || (e.labels && e.labels.length);
            return !label;
        }).length"""
    )
    assert unnamed == 0


def test_unreachable_and_stale_are_shown_plainly(page: Page, stack_and_nut: UI) -> None:
    stack, nut = stack_and_nut
    login(page, stack)
    rack_a = card(page, "rack-a")
    status = rack_a.get_by_test_id("status")
    expect(status.locator(".status-label")).to_have_text("Online")
    nut.kill_driver("rack-a")  # upsd answers, but has no fresh data for this UPS
    # Old data is never shown as live: the headline says so, the last state is apart and dated.
    expect(status.locator(".status-label")).to_have_text("No fresh data", timeout=15_000)
    expect(status).to_have_attribute("data-freshness", "stale")
    expect(rack_a.get_by_test_id("last-known")).to_contain_text("Last known: Online · 96%")
    expect(rack_a).not_to_contain_text("41 min")  # the old runtime is not a live reading
    nut.start_driver("rack-a")
    expect(status.locator(".status-label")).to_have_text("Online", timeout=15_000)
    expect(rack_a.get_by_test_id("last-known")).to_have_count(0)

    nut.stop_upsd()
    try:
        expect(page.get_by_test_id("summary-unknown")).to_contain_text("3", timeout=15_000)
        expect(status.locator(".status-label")).to_have_text("Unreachable")
        expect(rack_a.get_by_test_id("last-known")).to_contain_text("Last known: Online · 96%")
        shot(page, "dashboard-unreachable")
    finally:
        nut.start_upsd()
    expect(page.get_by_test_id("summary-unknown")).to_contain_text("0", timeout=30_000)
    expect(status.locator(".status-label")).to_have_text("Online")
