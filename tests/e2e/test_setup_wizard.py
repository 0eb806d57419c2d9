"""First-time setup in the browser: admin account, NUT server with "Test connection", then the
dashboard showing the UPS that upsd serves."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN
from tests.e2e.ui_stack import ui_stack


def test_setup_wizard_leads_to_a_live_dashboard(page: Page, tmp_path: Path) -> None:
    with ui_stack(tmp_path / "data") as (stack, nut):
        # Any page of a fresh install leads to the wizard.
        page.goto(stack.url("/servers"))
        expect(page).to_have_url(stack.url("/setup"))
        expect(page.get_by_text("First-time setup, step 1 of 2")).to_be_visible()

        page.get_by_label("Admin username").fill(ADMIN[0])
        page.get_by_label("Password", exact=True).fill("short")
        page.get_by_label("Confirm password").fill("short")
        page.get_by_role("button", name="Next: NUT server").click()
        expect(page.get_by_role("alert")).to_contain_text("at least 8 characters")

        page.get_by_label("Password", exact=True).fill(ADMIN[1])
        page.get_by_label("Confirm password").fill(ADMIN[1])
        page.get_by_role("button", name="Next: NUT server").click()

        page.get_by_label("NUT server host").fill(nut.host)
        page.get_by_label("Port").fill("1")  # nothing listens there
        page.get_by_role("button", name="Test connection").click()
        expect(page.get_by_test_id("test-result")).to_contain_text("Connection failed")

        page.get_by_label("Port").fill(str(nut.port))
        page.get_by_role("button", name="Test connection").click()
        result = page.get_by_test_id("test-result")
        expect(result).to_contain_text("UPS found: closet, rack-a, rack-b")

        page.get_by_role("button", name="Finish setup").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        expect(page.get_by_test_id("ups-card")).to_have_count(3)
        closet = page.locator('[data-testid="ups-card"]', has_text="closet")
        expect(closet.get_by_test_id("status")).to_contain_text("On Battery", timeout=15_000)
        expect(page.get_by_test_id("summary-onBattery")).to_contain_text("1")

        # The setup really happened server-side: setup is closed, login works.
        assert stack.request("GET", "/api/auth/check-setup")[1] == {"isFirstTimeSetup": False}
        page.goto(stack.url("/setup"))
        expect(page).not_to_have_url(stack.url("/setup"))
