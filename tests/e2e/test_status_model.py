"""The web UI shows the API's status model, against the real api/poller and a real upsd:
the headline is the power state (`OL RB` is Online with a Replace Battery chip, `OL TEST ALARM`
is Self Test), the summary counts each UPS once, and data that is not live is never shown as
live (killing the driver or upsd shows the last known state, dated and marked as old)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import ADMIN, admin_token, login, shot, wait_ups_polled
from tests.e2e.ui_stack import UPS_VARS, ui_stack
from tests.support.nut_server import NutServer
from tests.support.stack import Stack

UPS: dict[str, dict[str, str]] = {
    "rack-a": dict(UPS_VARS["rack-a"]),  # OL CHRG
    "old-battery": {**UPS_VARS["rack-b"], "ups.status": "OL RB"},
    "testing": {
        **UPS_VARS["rack-b"],
        "ups.status": "OL TEST ALARM",
        "device.serial": "TST-0042",
        "ups.serial": "TST-0042",
    },
    "closet": dict(UPS_VARS["closet"]),  # OB DISCHRG, 64 %
}
BUCKETS = ("online", "onBattery", "alarm", "unknown")


@pytest.fixture(scope="module")
def stack_4(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, NutServer]]:
    with ui_stack(tmp_path_factory.mktemp("pp-status"), ups=UPS) as (stack, nut):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        wait_ups_polled(stack, admin_token(stack), len(UPS))
        yield stack, nut


def card(page: Page, name: str) -> Locator:
    return page.locator('[data-testid="ups-card"]', has_text=name)


def headline(locator: Locator) -> Locator:
    return locator.get_by_test_id("status").locator(".status-label")


def api_list(stack: Stack) -> list[dict[str, Any]]:
    status, body = stack.request("GET", "/api/ups-systems", token=admin_token(stack))
    assert status == 200, body
    return list(body)


def summary_counts(page: Page) -> dict[str, int]:
    return {
        code: int(page.get_by_test_id(f"summary-{code}").locator(".summary-n").inner_text())
        for code in BUCKETS
    }


def test_headline_is_the_power_state_and_the_summary_counts_each_ups_once(
    page: Page, browser: Browser, stack_4: tuple[Stack, NutServer]
) -> None:
    stack, nut = stack_4
    login(page, stack)
    expect(page.get_by_test_id("ups-card")).to_have_count(4)

    old = card(page, "old-battery")
    expect(headline(old)).to_have_text("Online")
    expect(old.get_by_test_id("condition")).to_have_text(["⚠ Replace Battery"])
    expect(old.get_by_test_id("status")).to_have_attribute("data-tone", "warning")

    testing = card(page, "testing")
    expect(headline(testing)).to_have_text("Self Test")
    expect(testing.get_by_test_id("condition")).to_contain_text(["Alarm"])

    expect(headline(card(page, "closet"))).to_have_text("On Battery")
    expect(headline(card(page, "rack-a"))).to_have_text("Online")
    expect(card(page, "rack-a").get_by_test_id("condition")).to_contain_text(["Charging"])

    # Each UPS in exactly one box: 4 UPS, 4 counted, in the buckets the API says.
    want = Counter(u["summaryBucket"] for u in api_list(stack))
    expect(page.get_by_test_id("summary-alarm")).to_contain_text("Needs attention")
    got = summary_counts(page)
    assert got == {code: want.get(code, 0) for code in BUCKETS}, (got, want)
    assert sum(got.values()) == 4
    assert got == {"online": 1, "onBattery": 1, "alarm": 2, "unknown": 0}

    # The UPS list and the UPS page say the same; admins see the serial and the NUT server.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="UPS systems").click()
    row = page.get_by_role("row").filter(has_text="testing")
    expect(row.get_by_test_id("status").locator(".status-label")).to_have_text("Self Test")
    row.get_by_role("link", name="testing").click()
    expect(page.get_by_test_id("ups-title")).to_have_text("testing")
    expect(page.locator(".page-head").get_by_test_id("status")).to_contain_text("Self Test")
    expect(page.get_by_test_id("ups-serial")).to_have_text("S/N TST-0042")
    expect(page.get_by_test_id("ups-server")).to_have_text(f"NUT {nut.host}:{nut.port}")

    # The kiosk: the same headline, and neither serial nor server.
    kiosk = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        kiosk.goto(stack.url("/kiosk?multi=true"))
        tile = kiosk.locator('[data-testid="kiosk-ups"]', has_text="testing")
        expect(headline(tile)).to_have_text("Self Test")
        expect(kiosk.get_by_test_id("kiosk-ups")).to_have_count(4)
        expect(kiosk.locator(".kiosk-counts")).to_have_text(
            "1 online · 1 on battery · 2 needs attention · 0 unknown"
        )
        text = kiosk.locator("body").inner_text()
        assert "TST-0042" not in text and "NUT " not in text
    finally:
        kiosk.close()


def test_a_stopped_driver_or_upsd_shows_the_last_known_state_as_old(
    page: Page, browser: Browser, stack_4: tuple[Stack, NutServer]
) -> None:
    stack, nut = stack_4
    login(page, stack)
    closet = card(page, "closet")
    expect(headline(closet)).to_have_text("On Battery")
    expect(closet.get_by_test_id("last-known")).to_have_count(0)

    nut.kill_driver("closet")  # upsd answers, but has no fresh data for this UPS
    try:
        expect(headline(closet)).to_have_text("No fresh data", timeout=20_000)
        last = closet.get_by_test_id("last-known")
        # When upsd flags the data stale within 5 s of the last good poll, its age still reads
        # "just now" (the UI's wording under 5 s); "not live" is the styling checked below.
        old_state = re.compile(r"^Last known: On Battery · 64% · (just now|.+ ago)\s*Discharging")
        expect(last).to_have_text(old_state)
        # Marked as old: the card is styled as not live, and no reading is shown as live.
        expect(closet).to_have_class(re.compile(r"\bis-stale\b"))
        expect(last).to_have_css("font-style", "italic")
        expect(closet.get_by_role("progressbar")).not_to_have_attribute("aria-valuenow", "64")
        expect(closet.locator(".ups-card-metrics")).not_to_contain_text("47%")
        expect(page.get_by_test_id("summary-unknown")).to_contain_text("1")
        expect(page.get_by_test_id("summary-onBattery")).to_contain_text("0")
        # The other UPS are untouched.
        expect(headline(card(page, "testing"))).to_have_text("Self Test")
        page.wait_for_timeout(300)
        shot(page, "dashboard-status-model")
    finally:
        nut.start_driver("closet")
    expect(headline(closet)).to_have_text("On Battery", timeout=20_000)
    expect(closet.get_by_test_id("last-known")).to_have_count(0)
    expect(closet).not_to_have_class(re.compile(r"\bis-stale\b"))

    kiosk = browser.new_page(viewport={"width": 1920, "height": 1080})
    nut.stop_upsd()
    try:
        kiosk.goto(stack.url("/kiosk?multi=true"))
        expect(headline(card(page, "old-battery"))).to_have_text("Unreachable", timeout=20_000)
        expect(page.get_by_test_id("summary-unknown")).to_contain_text("4", timeout=20_000)
        old = card(page, "old-battery")
        expect(old.get_by_test_id("last-known")).to_contain_text("Last known: Online · 100%")
        expect(old.get_by_test_id("last-known")).to_contain_text("Replace Battery")
        expect(old.get_by_test_id("condition")).to_have_count(0)  # no live chip from old data
        tile = kiosk.locator('[data-testid="kiosk-ups"]', has_text="closet")
        expect(headline(tile)).to_have_text("Unreachable", timeout=20_000)
        expect(tile.get_by_test_id("last-known")).to_contain_text("Last known: On Battery · 64%")
        page.wait_for_timeout(300)
        shot(page, "dashboard-unreachable-last-known")
        shot(kiosk, "kiosk-unreachable-last-known")
    finally:
        nut.start_upsd()
        kiosk.close()
    expect(page.get_by_test_id("summary-unknown")).to_contain_text("0", timeout=30_000)
    expect(headline(card(page, "old-battery"))).to_have_text("Online")
