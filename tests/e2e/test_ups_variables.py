"""The UPS page in a browser: every NUT variable with its unit and human form, the raw value
and upsd's description on hover, and a power failure's duration and lowest charge in the
events (a real OB → OL on dummy-ups, through the real poller)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import ADMIN, UI, admin_token, login, shot, wait_ups_polled
from tests.e2e.ui_stack import ui_stack

VARS = {
    "device.mfr": "APC",
    "device.model": "Smart-UPS 1500",
    "ups.mfr": "APC",
    "ups.model": "Smart-UPS 1500",
    "ups.status": "OL",
    "battery.charge": "100",
    "battery.runtime": "440",
    "battery.date": "garbage!",
    "battery.mfr.date": "2019/05/14",
    "ups.mfr.date": "05/14/19",
    "ups.load": "30",
    "input.voltage": "230.1",
    "input.frequency": "4.6e251",
    "output.voltage": "230.0",
    "ups.beeper.status": "enabled",
    "ups.delay.shutdown": "20",
    "ups.realpower.nominal": "900",
}


@pytest.fixture(scope="module")
def one_ups(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UI]:
    with ui_stack(tmp_path_factory.mktemp("pp-e2e-vars"), ups={"ups1": VARS}) as (stack, nut):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        wait_ups_polled(stack, admin_token(stack), 1)
        yield stack, nut


def row(page: Page, name: str) -> Locator:
    return page.locator(f'tr[data-var="{name}"]')


def _ups_id(one_ups: UI) -> Any:
    stack, _ = one_ups
    status, body = stack.request("GET", "/api/ups-systems", token=admin_token(stack))
    assert status == 200, body
    return body[0]["id"]


def test_variables_with_units_raw_values_and_descriptions(page: Page, one_ups: UI) -> None:
    stack, _ = one_ups
    login(page, stack)
    page.goto(stack.url(f"/ups-systems/{_ups_id(one_ups)}"))
    runtime = row(page, "battery.runtime")
    expect(runtime.locator("td")).to_have_text("7 min 20 sec")
    expect(runtime.locator("td")).to_have_attribute("title", "440")  # the raw value on hover
    # upsd's description (its cmdvartab) is the name's tooltip; fetched lazily, so it may
    # arrive with a later refetch.
    expect(runtime.locator("th")).to_have_attribute(
        "title", "Battery runtime (seconds)", timeout=15_000
    )
    expect(row(page, "input.voltage").locator("td")).to_have_text("230.1 V")
    expect(row(page, "input.voltage").locator("td")).to_have_attribute("title", "230.1")
    expect(row(page, "ups.delay.shutdown").locator("td")).to_have_text("20 sec")
    expect(row(page, "ups.load").locator("td")).to_have_text("30%")
    expect(row(page, "ups.realpower.nominal").locator("td")).to_have_text("900 W")
    expect(row(page, "ups.beeper.status").locator("td")).to_have_text("Enabled")
    expect(row(page, "battery.mfr.date").locator("td")).to_have_text("May 14, 2019")
    expect(row(page, "ups.mfr.date").locator("td")).to_have_text("May 14, 2019")
    # What cannot be read is shown as sent, never as a made-up value.
    expect(row(page, "battery.date").locator("td")).to_have_text("garbage!")
    expect(row(page, "input.frequency").locator("td")).to_have_text("4.6e251")
    expect(page.locator('details[data-group="battery"] h3')).to_have_text("Battery")
    shot(page, "ups-variables", full_page=True)


def test_a_power_failure_reads_as_its_duration_and_lowest_charge(page: Page, one_ups: UI) -> None:
    stack, nut = one_ups
    login(page, stack)
    page.goto(stack.url(f"/ups-systems/{_ups_id(one_ups)}"))
    events = page.get_by_test_id("events")
    nut.set_status("ups1", "OB DISCHRG", battery_charge="80")
    expect(events).to_contain_text("Power failure", timeout=10_000)
    time.sleep(1.1)  # dummy-ups notices a .dev edit by its mtime, in whole seconds
    nut.set_status("ups1", "OB DISCHRG", battery_charge="61")
    time.sleep(2.5)  # a history sample a second: one of them sees 61 %
    nut.set_status("ups1", "OL CHRG", battery_charge="70")
    outage = events.get_by_test_id("outage")
    expect(outage).to_have_count(1, timeout=15_000)
    expect(outage).to_contain_text("On battery for ")
    expect(outage).to_contain_text(", lowest charge 61%")
    restored = events.locator("li", has=page.get_by_test_id("outage"))
    expect(restored).to_contain_text("Power restored")
    expect(restored).to_contain_text("On Battery → Online")
    # The table follows the live stream, not only its own (30 s) refetch.
    expect(row(page, "battery.charge").locator("td")).to_have_text("70%", timeout=8_000)
    expect(row(page, "ups.status").locator("td")).to_have_text("OL CHRG")
    shot(page, "ups-outage")
