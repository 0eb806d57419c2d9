"""Reports in Chromium against the real api, poller and upsd: a real power failure of rack-b
(OB, then OL on the dummy UPS) becomes an outage record; the Reports page lists it, the fleet
timeline shows its events, energy shows its coverage, and the CSV export downloads a file with
the outage in it (fetched with the session's token)."""

from __future__ import annotations

import csv
import io
import re
import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.conftest import UI, admin_token, login, shot


def _wait_outage(stack_and_nut: UI, ups_name: str, timeout: float = 40) -> dict[str, Any]:
    stack, _ = stack_and_nut
    token = admin_token(stack)
    deadline = time.monotonic() + timeout
    while True:
        status, body = stack.request("GET", "/api/outages", token=token)
        assert status == 200, body
        done = [o for o in body["outages"] if o["upsName"] == ups_name and o["endedAt"]]
        if done:
            return done[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no closed outage of {ups_name}: {body}")
        time.sleep(0.5)


def _power_failure(stack_and_nut: UI) -> dict[str, Any]:
    """rack-b on battery for a few seconds, then back: the recorder writes its outage. With a
    nominal real power its load gives an estimated power, so there is energy to report."""
    _, nut = stack_and_nut
    nut.set_vars("rack-b", {"ups.realpower.nominal": "900", "ups.load": "40"})
    time.sleep(2)
    nut.set_status("rack-b", "OB DISCHRG", battery_charge="71", battery_runtime="900")
    time.sleep(3)
    nut.set_status("rack-b", "OL", battery_charge="100", battery_runtime="3300")
    return _wait_outage(stack_and_nut, "rack-b")


def test_an_outage_is_listed_on_the_timeline_and_exported(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    outage = _power_failure(stack_and_nut)
    assert outage["minCharge"] == 71, outage

    login(page, stack)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    row = page.get_by_test_id("outage-row").filter(has_text="rack-b")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("71%")
    expect(row.locator("td").nth(2)).not_to_have_text("Ongoing")

    # Filtered to another UPS, the row goes; back to all, it returns.
    page.get_by_label("UPS", exact=True).select_option(label="rack-a")
    expect(page.get_by_test_id("outage-row").filter(has_text="rack-b")).to_have_count(0)
    page.get_by_label("UPS", exact=True).select_option(label="rack-b")
    expect(row).to_have_count(1)

    # The CSV export: a real file, with the header row and this outage.
    with page.expect_download() as info:
        page.get_by_role("button", name="Export outages as CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("powerpulse-outages"), download
    assert download.suggested_filename.endswith(".csv"), download
    path = download.path()
    text = path.read_text(encoding="utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in records] == [str(outage["id"])], text
    assert records[0]["upsName"] == "rack-b" and records[0]["minCharge"] in ("71", "71.0"), text

    # JSON too, same filter.
    with page.expect_download() as info:
        page.get_by_role("button", name="Export outages as JSON").click()
    assert info.value.suggested_filename.endswith(".json")
    assert f'"id":{outage["id"]}' in info.value.path().read_text().replace(" ", "")

    # The fleet timeline has the failure and the restore, newest first.
    page.get_by_role("tab", name="Fleet timeline").click()
    events = page.get_by_test_id("timeline-event").filter(has_text="rack-b")
    expect(events.first).to_contain_text("Power restored")
    expect(events.nth(1)).to_contain_text("Power failure")
    page.set_viewport_size({"width": 1920, "height": 1080})
    shot(page, "reports-timeline")

    # Energy by UPS: its coverage is said in words, whatever was measured.
    page.get_by_label("UPS", exact=True).select_option(label="All UPS")
    page.get_by_role("tab", name="Energy").click()
    energy = page.get_by_test_id("energy-row").filter(has_text="rack-b")
    expect(energy).to_contain_text("kWh")
    coverage = re.compile(r"\d+% of the period measured; \d+% estimated from load")
    expect(energy).to_contain_text(coverage)
    expect(page.get_by_test_id("energy-row").filter(has_text="rack-a")).to_contain_text(
        "No power readings"
    )
    expect(page.get_by_test_id("energy-coverage")).to_contain_text("estimated from load")
    shot(page, "reports-energy")

    page.get_by_role("tab", name="Outages").click()
    expect(row).to_be_visible()
    shot(page, "reports")

    # The UPS page's own energy: the same estimate, per day, with its coverage.
    page.goto(stack.url(f"/ups-systems/{outage['upsId']}"))
    panel = page.get_by_test_id("ups-energy")
    expect(panel.get_by_test_id("energy-total")).to_contain_text("kWh")
    expect(panel.get_by_test_id("energy-coverage")).to_contain_text("estimated from load")


def test_reports_at_phone_width_in_dark(page: Page, stack_and_nut: UI) -> None:
    stack, _ = stack_and_nut
    _wait_outage(stack_and_nut, "rack-b")
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 375, "height": 812})
    login(page, stack)
    page.goto(stack.url("/reports"))
    expect(page.get_by_test_id("outage-row").filter(has_text="rack-b")).to_have_count(1)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, f"/reports is {width} px wide at 375 px"
    shot(page, "reports-375-dark", full_page=True)
