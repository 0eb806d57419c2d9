"""The battery lifecycle and self-tests in Chromium against the real api, poller and upsd: an
admin opens a UPS's Battery tab, sets the install date and sees the age; a self-test on a UPS
on battery is refused with the reason in words; the dashboard warns about a battery past its
expected life; a self-test schedule is created in the settings; a member sees it all read-only.
Screenshots: the Battery tab at 1920 px (light) and 375 px (dark)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Browser, Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.conftest import UI, admin_token, login, shot

SCHEDULE = "Sunday quick test"


def _ups_id(stack_and_nut: UI, name: str) -> int:
    stack, _ = stack_and_nut
    status, body = stack.request("GET", "/api/ups-systems", token=admin_token(stack))
    assert status == 200, body
    return int(next(u["id"] for u in body if u["upsName"] == name))


def _lifecycle(stack_and_nut: UI, ups_id: int) -> dict[str, Any]:
    stack, _ = stack_and_nut
    path = f"/api/ups-systems/{ups_id}/battery/lifecycle"
    status, body = stack.request("GET", path, token=admin_token(stack))
    assert status == 200, body
    return dict(body)


def _battery_tab(page: Page) -> None:
    page.get_by_role("navigation", name="UPS sections").get_by_role("link", name="Battery").click()
    expect(page.get_by_test_id("battery-tab")).to_be_visible()


def _no_horizontal_overflow(page: Page, width: int = 375) -> None:
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(
            f"() => document.documentElement.scrollWidth <= {width}", timeout=3000
        )
    wide = page.evaluate(
        f"""() => [...document.querySelectorAll('main *')]
            .filter((e) => e.getBoundingClientRect().right > {width + 1})
            .slice(0, 5)
            .map((e) => `${{e.tagName}}.${{e.className}} ${{e.getBoundingClientRect().right}}`)"""
    )
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, wide


def test_admin_sets_the_install_date_and_sees_the_age(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    ups_id = _ups_id(stack_and_nut, "rack-a")
    login(page, stack)
    page.get_by_role("link", name="Details of rack-a").click()
    _battery_tab(page)
    life = page.get_by_test_id("battery-lifecycle")
    # The test upsd reports battery.type PbAc and no date: lead-acid's 36 months, date unknown.
    expect(life.get_by_test_id("battery-installed")).to_have_text("Not known")
    expect(life).to_contain_text("36 months")
    expect(page.get_by_test_id("health-reason")).to_contain_text("Unknown:")

    # A bad date is refused at its field (the server's words), then a good one is saved.
    installed = (datetime.now(UTC) - timedelta(days=400)).date()
    life.get_by_role("button", name="Set install date").click()
    form = life.get_by_role("form", name="Battery details")
    form.get_by_label("Installed", exact=True).fill("1989-12-31")
    form.get_by_role("button", name="Save").click()
    expect(form.get_by_role("alert")).to_contain_text("installedOn must be a date")
    expect(form.get_by_label("Installed", exact=True)).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Installed", exact=True).fill(installed.isoformat())
    form.get_by_label("Expected life (months)", exact=True).fill("48")
    form.get_by_role("button", name="Save").click()
    expect(form).to_have_count(0)
    current = _lifecycle(stack_and_nut, ups_id)["current"]
    assert current["installedOn"] == installed.isoformat(), current
    assert current["source"] == "admin" and current["expectedLifeMonths"] == 48, current
    age = f"{current['ageMonths']:.1f} months of 48 months"
    expect(life.get_by_test_id("battery-age")).to_have_text(age)
    expect(life.get_by_test_id("battery-installed")).to_contain_text("set by an admin")
    expect(life.get_by_role("progressbar", name="Expected life used")).to_be_visible()
    # Kept over a reload (the tab is in the URL).
    page.reload()
    expect(page.get_by_test_id("battery-age")).to_have_text(age)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(300)
    shot(page, "ups-battery", full_page=True)


def test_a_health_estimate_is_drawn(page: Page, stack_and_nut: UI) -> None:
    # A real estimate needs months of discharges: the lifecycle answer's health is replaced by a
    # degrading one (the API's own shape), the rest is the real answer.
    stack, _ = stack_and_nut
    start = datetime.now(UTC) - timedelta(days=300)
    points = [
        {"at": (start + timedelta(days=30 * i)).isoformat(), "ratio": round(1 - 0.03 * i, 3)}
        for i in range(10)
    ]
    health = {
        "state": "fair",
        "score": 73,
        "reason": None,
        "confidence": "medium",
        "runtimeRatio": 0.73,
        "referenceLoad": 31.0,
        "trendPerYear": -0.365,
        "replaceBy": (datetime.now(UTC) + timedelta(days=130)).date().isoformat(),
        "points": points,
    }

    def patch(route: Route) -> None:
        answer = route.fetch()
        route.fulfill(response=answer, json={**answer.json(), "health": health})

    page.route("**/battery/lifecycle", patch)
    login(page, stack)
    page.get_by_role("link", name="Details of rack-a").click()
    _battery_tab(page)
    panel = page.get_by_test_id("battery-health")
    expect(panel.get_by_text("Fair", exact=True)).to_be_visible()
    expect(panel).to_contain_text("73 / 100")
    expect(panel).to_contain_text("losing 37% a year")
    expect(panel.get_by_role("img", name="Chart of the runtime ratio over time")).to_be_visible()
    expect(panel.locator("canvas")).to_have_count(1)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(300)
    shot(page, "ups-battery-health", full_page=True)


def test_a_self_test_on_battery_power_is_refused_in_words(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.get_by_role("link", name="Details of closet").click()
    _battery_tab(page)
    tests = page.get_by_test_id("self-tests")
    expect(tests).to_contain_text("No self-tests yet.")
    tests.get_by_role("button", name="Run self-test now").click()
    expect(tests.get_by_test_id("self-test-blocked")).to_have_text(
        "Not started: the UPS is not on line power."
    )


def test_the_dashboard_warns_about_a_battery_past_its_life(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    ups_id = _ups_id(stack_and_nut, "rack-b")
    login(page, stack)
    expect(page.get_by_test_id("ups-card")).to_have_count(3)
    for w in page.get_by_test_id("battery-warning").all():
        assert "rack-b" not in (w.text_content() or ""), "no warning before the date is set"
    old = (datetime.now(UTC) - timedelta(days=4 * 365)).date().isoformat()
    path = f"/api/ups-systems/{ups_id}/battery/lifecycle"
    status, body = stack.request("PUT", path, {"installedOn": old}, token=admin_token(stack))
    assert status == 200 and body["current"]["due"], body
    page.reload()
    warning = page.get_by_test_id("battery-warning").filter(has_text="rack-b")
    expect(warning).to_contain_text("battery due since")
    warning.get_by_role("link").click()
    expect(page.get_by_test_id("battery-due")).to_be_visible()


def test_admin_creates_a_self_test_schedule(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    login(page, stack)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Self-tests").click()
    section = page.get_by_test_id("self-test-schedules")
    expect(section.get_by_role("heading", name="Self-test schedules")).to_be_visible()
    section.get_by_role("button", name="Add schedule").click()
    form = section.get_by_role("form", name="New self-test schedule")
    form.get_by_label("Name", exact=True).fill(SCHEDULE)
    form.get_by_label("Repeats", exact=True).select_option("weekly")
    form.get_by_label("Day of the week", exact=True).select_option(label="Sunday")
    form.get_by_label("Time", exact=True).fill("03:00")
    form.get_by_label("Time zone", exact=True).fill("Mars/Olympus")
    form.get_by_role("button", name="Create schedule").click()
    expect(form.get_by_role("alert")).to_contain_text("Unknown time zone")
    expect(form.get_by_label("Time zone", exact=True)).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Time zone", exact=True).fill("Europe/Berlin")
    form.get_by_role("button", name="Create schedule").click()
    item = section.get_by_test_id("self-test-schedule").filter(has_text=SCHEDULE)
    expect(item).to_contain_text("Every Sunday at 03:00 (Europe/Berlin)")
    expect(item.get_by_test_id("schedule-next-run")).not_to_contain_text("none")
    status, body = stack.request("GET", "/api/self-test-schedules", token=admin_token(stack))
    assert status == 200, body
    saved = next(s for s in body if s["name"] == SCHEDULE)
    assert (saved["frequency"], saved["weekday"], saved["timeOfDay"]) == ("weekly", 6, "03:00")

    # Edited to monthly (the member test below reads it).
    item.get_by_role("button", name=f"Edit {SCHEDULE}").click()
    edit = section.get_by_role("form", name=f"Edit schedule {SCHEDULE}")
    edit.get_by_label("Repeats", exact=True).select_option("monthly")
    edit.get_by_label("Day of the month", exact=True).fill("2")
    edit.get_by_role("button", name="Save").click()
    expect(item).to_contain_text("Monthly on day 2 at 03:00 (Europe/Berlin)")


def test_a_member_sees_the_battery_read_only(browser: Browser, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    status, body = stack.request(
        "POST",
        "/api/auth/register",
        {"username": "battery-viewer", "password": "viewer-pass-1", "role": "user"},
        token=admin_token(stack),
    )
    assert status in (200, 201), body
    # The phone-sized, dark screenshot is a member's view of the tab set up above.
    ctx = browser.new_context(
        viewport={"width": 375, "height": 800}, color_scheme="dark", locale="en-US"
    )
    ctx.set_default_timeout(10_000)
    page = ctx.new_page()
    try:
        login(page, stack, "battery-viewer", "viewer-pass-1")
        ups_id = _ups_id(stack_and_nut, "rack-a")
        page.goto(stack.url(f"/ups-systems/{ups_id}?tab=battery"))
        expect(page.get_by_test_id("battery-age")).to_contain_text("of 48 months")
        expect(page.get_by_test_id("battery-tab").get_by_role("button")).to_have_count(0)
        expect(page.get_by_test_id("battery-tab").locator("form")).to_have_count(0)
        _no_horizontal_overflow(page)
        page.wait_for_timeout(300)
        shot(page, "ups-battery-mobile-dark", full_page=True)
        page.goto(stack.url("/settings/self-tests"))
        item = page.get_by_test_id("self-test-schedule").filter(has_text=SCHEDULE)
        expect(item).to_be_visible()
        expect(page.get_by_role("button", name="Add schedule")).to_have_count(0)
        expect(item.get_by_role("button")).to_have_count(0)
    finally:
        ctx.close()
