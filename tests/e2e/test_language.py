"""The UI's language against a running PowerPulse: chosen in the account settings (kept across a
reload, `<html lang>` with it, numbers in its format), or taken from the browser's locale."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, UI, login, shot

# A battery voltage such as 24.6 V: a decimal point in English, a decimal comma in German.
ENGLISH_VOLTS = re.compile(r"\d+\.\d V")
GERMAN_VOLTS = re.compile(r"\d+,\d V")


def test_german_chosen_in_the_account_settings_stays_after_a_reload(
    page: Page, stack_and_nut: UI
) -> None:
    stack, _ = stack_and_nut
    login(page, stack)  # an en-US browser: English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    detail = page.locator("section.detail")
    expect(detail.locator(".metric", has_text="Battery voltage")).to_contain_text(ENGLISH_VOLTS)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Account").click()
    page.get_by_label("Language of the interface").select_option("de")

    expect(page.locator("html")).to_have_attribute("lang", "de")
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    expect(nav.get_by_role("link", name="Einstellungen")).to_be_visible()
    expect(nav.get_by_role("link", name="USV-Anlagen")).to_be_visible()
    expect(page.get_by_role("heading", name="Passwort ändern")).to_be_visible()
    assert page.evaluate("localStorage.getItem('powerpulse.language')") == "de"

    nav.get_by_role("link", name="Übersicht").click()
    expect(page.get_by_role("heading", name="Übersicht", exact=True)).to_be_visible()
    # The German decimal comma, and the API's summary buckets in German words.
    expect(detail.locator(".metric", has_text="Batteriespannung")).to_contain_text(GERMAN_VOLTS)
    expect(page.get_by_test_id("summary-onBattery")).to_contain_text("Batteriebetrieb")

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Übersicht", exact=True)).to_be_visible()
    expect(detail.locator(".metric", has_text="Batteriespannung")).to_contain_text(GERMAN_VOLTS)
    shot(page, "dashboard-de")

    # "Browser default" forgets the choice: English again, as the browser says.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Einstellungen"
    ).click()
    page.get_by_role("link", name="Konto").click()
    page.get_by_label("Sprache der Oberfläche").select_option("")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.evaluate("localStorage.getItem('powerpulse.language')") is None


def test_a_german_browser_gets_german_without_choosing(browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="de-DE")
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    try:
        page.goto(stack.url("/login"))
        expect(page.locator("html")).to_have_attribute("lang", "de")
        page.get_by_label("Benutzername").fill(ADMIN[0])
        page.get_by_label("Passwort").fill(ADMIN[1])
        page.get_by_role("button", name="Anmelden").click()
        expect(page.get_by_role("heading", name="Übersicht", exact=True)).to_be_visible()
        nav = page.get_by_role("navigation", name="Hauptnavigation")
        expect(nav.get_by_role("link", name="NUT-Server")).to_be_visible()
        detail = page.locator("section.detail")
        expect(detail.locator(".metric", has_text="Batteriespannung")).to_contain_text(GERMAN_VOLTS)
        assert page.evaluate("localStorage.getItem('powerpulse.language')") is None
    finally:
        ctx.close()
