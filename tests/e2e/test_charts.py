"""The history charts in a browser, against the real api/poller and a real upsd: the default
range, presets and a custom range, drag to zoom and double-click to reset (all in the URL, so a
reload shows the same view), units and the latest values in the legends without hovering, an
outage band from a real OB → OL, and the CSV download of what is shown."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import ADMIN, admin_token, login, shot, wait_ups_polled
from tests.e2e.ui_stack import ui_stack
from tests.support.nut_server import NutServer
from tests.support.stack import Stack

UPS = {
    "charted": {
        "ups.status": "OL",
        "battery.charge": "96",
        "battery.runtime": "2460",
        "ups.load": "31",
        "input.voltage": "231.2",
        "output.voltage": "230.0",
        "battery.voltage": "27.1",
        "ups.temperature": "29.5",
        "input.frequency": "49.98",
        "ups.realpower": "410",
    }
}
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def charted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, NutServer, int]]:
    with ui_stack(tmp_path_factory.mktemp("pp-charts"), ups=UPS) as (stack, nut):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        [ups] = wait_ups_polled(stack, admin_token(stack), 1)
        yield stack, nut, int(ups["id"])


@pytest.fixture
def berlin_page(browser: Browser) -> Iterator[Page]:
    # Not UTC: the custom range's inputs are local time, the URL is UTC.
    ctx = browser.new_context(
        viewport={"width": 1440, "height": 900}, timezone_id="Europe/Berlin", locale="en-GB"
    )
    ctx.set_default_timeout(10_000)
    yield ctx.new_page()
    ctx.close()


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def params(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def chart(page: Page, title: str) -> Locator:
    return page.locator("figure.chart", has=page.locator("figcaption", has_text=title))


def open_ups(page: Page, stack: Stack, ups_id: int, query: str = "") -> None:
    page.goto(stack.url(f"/ups-systems/{ups_id}{query}"))
    expect(chart(page, "Battery charge")).to_be_visible(timeout=15_000)


def events(stack: Stack, ups_id: int) -> list[dict[str, Any]]:
    path = f"/api/ups-systems/{ups_id}/events"
    status, body = stack.request("GET", path, token=admin_token(stack))
    assert status == 200, body
    return list(body["events"])


def drag(page: Page, target: Locator, start: float, end: float) -> None:
    """Drag across `target` from `start` to `end` (fractions of its width)."""
    target.scroll_into_view_if_needed()
    box = target.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * end, y, steps=8)
    page.mouse.up()


def test_default_range_presets_units_and_latest_values(
    page: Page, charted: tuple[Stack, NutServer, int]
) -> None:
    stack, _, ups_id = charted
    login(page, stack)
    open_ups(page, stack, ups_id)
    ranges = page.get_by_role("group", name="History range")
    # A new install: the oldest sample is seconds old, so the last hour.
    expect(ranges.get_by_role("button", name="1 h")).to_have_attribute("aria-pressed", "true")
    assert "range" not in params(page)

    # Every sampled metric has a chart with its unit, and each legend shows the latest value
    # without anyone hovering (it used to read "--").
    for title, unit in (
        ("Battery charge", "%"),
        ("Runtime remaining", "min"),
        ("Load", "%"),
        ("Voltages", "V"),
        ("Temperature", "°C"),
        ("Input frequency", "Hz"),
        ("Real power", "W"),
    ):
        expect(chart(page, title).locator("figcaption")).to_have_text(f"{title} ({unit})")
    volts = chart(page, "Voltages").get_by_test_id("chart-legend")
    expect(volts).to_contain_text("Latest")
    expect(volts).to_contain_text("Input 231.2 V")
    expect(volts).to_contain_text("Battery 27.1 V")
    expect(chart(page, "Input frequency").get_by_test_id("chart-legend")).to_contain_text(
        "49.98 Hz"
    )
    expect(chart(page, "Real power").get_by_test_id("chart-legend")).to_contain_text("410 W")
    expect(chart(page, "Runtime remaining").get_by_test_id("chart-legend")).to_contain_text(
        "41 min"
    )
    expect(chart(page, "Battery charge").get_by_test_id("chart-legend")).to_contain_text("96%")
    # Hovering shows the hovered bucket instead (its time, not "Latest").
    plot = chart(page, "Load").locator(".u-over")
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    expect(chart(page, "Load").locator(".chart-legend-time")).not_to_contain_text("Latest")
    page.mouse.move(0, 0)
    expect(chart(page, "Load").locator(".chart-legend-time")).to_contain_text("Latest")
    shot(page, "history-charts")

    # A preset goes into the URL and survives a reload.
    ranges.get_by_role("button", name="7 d").click()
    expect(ranges.get_by_role("button", name="7 d")).to_have_attribute("aria-pressed", "true")
    assert params(page)["range"] == ["7d"]
    page.reload()
    expect(ranges.get_by_role("button", name="7 d")).to_have_attribute("aria-pressed", "true")
    expect(chart(page, "Voltages").get_by_test_id("chart-legend")).to_contain_text("231.2 V")


def test_custom_range_in_local_time(
    berlin_page: Page, charted: tuple[Stack, NutServer, int]
) -> None:
    page = berlin_page
    stack, _, ups_id = charted
    login(page, stack)
    open_ups(page, stack, ups_id)
    now = datetime.now(BERLIN).replace(second=0, microsecond=0)
    start, end = now - timedelta(minutes=30), now + timedelta(minutes=2)
    page.get_by_role("button", name="Custom").click()
    page.get_by_label("From", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("To", exact=True).fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Show").click()
    utc = "%Y-%m-%dT%H:%M:%SZ"
    want = f"{start.astimezone(UTC).strftime(utc)}/{end.astimezone(UTC).strftime(utc)}"
    expect(page).to_have_url(re.compile(r"range="))
    assert params(page)["range"] == [want]
    ranges = page.get_by_role("group", name="History range")
    expect(ranges.get_by_role("button", name="Custom")).to_have_attribute("aria-pressed", "true")
    expect(chart(page, "Real power").get_by_test_id("chart-legend")).to_contain_text("410 W")
    # A shared link shows the same range.
    page.reload()
    expect(ranges.get_by_role("button", name="Custom")).to_have_attribute("aria-pressed", "true")
    expect(chart(page, "Real power").get_by_test_id("chart-legend")).to_contain_text("410 W")
    # A reversed range is refused with a message, the URL unchanged.
    page.get_by_role("button", name="Custom").click()
    page.get_by_label("From", exact=True).fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("To", exact=True).fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("alert")).to_have_text("The start must be before the end.")
    assert params(page)["range"] == [want]


def test_drag_zoom_is_in_the_url_and_a_double_click_resets_it(
    page: Page, charted: tuple[Stack, NutServer, int]
) -> None:
    stack, _, ups_id = charted
    login(page, stack)
    # Two minutes ending 20 s from now: the right half has samples (one a second).
    now = datetime.now(UTC).replace(microsecond=0)
    window = f"{iso(now - timedelta(seconds=100))}/{iso(now + timedelta(seconds=20))}"
    open_ups(page, stack, ups_id, f"?range={window}")
    plot = chart(page, "Load").locator(".u-over")
    drag(page, plot, 0.5, 0.8)
    expect(page).to_have_url(re.compile(r"zoom="))
    q = params(page)
    assert q["range"] == [window]
    frm, to = (datetime.fromisoformat(s) for s in q["zoom"][0].split("/"))
    # 30 % of two minutes, give or take the pixels at both ends.
    assert timedelta(seconds=32) <= to - frm <= timedelta(seconds=40), (frm, to)
    assert abs((frm - (now - timedelta(seconds=40))).total_seconds()) <= 2, frm
    reset = page.get_by_role("button", name="Reset zoom")
    expect(reset).to_be_visible()
    expect(chart(page, "Load").get_by_test_id("chart-legend")).to_contain_text("31%")
    page.reload()  # the zoom survives a reload
    expect(reset).to_be_visible()
    assert params(page)["zoom"] == q["zoom"]
    chart(page, "Voltages").locator(".u-over").dblclick()
    expect(reset).to_be_hidden()
    assert "zoom" not in params(page) and params(page)["range"] == [window]
    # The button resets too.
    drag(page, plot, 0.55, 0.8)
    expect(reset).to_be_visible()
    reset.click()
    expect(page).not_to_have_url(re.compile(r"zoom="))


def test_an_outage_is_a_band_and_the_csv_holds_what_is_shown(
    page: Page, charted: tuple[Stack, NutServer, int]
) -> None:
    stack, nut, ups_id = charted
    time.sleep(2)  # some samples before the outage
    nut.set_status("charted", "OB DISCHRG", input_voltage="0")
    deadline = time.monotonic() + 15
    while "on_battery" not in [e["kind"] for e in events(stack, ups_id)]:
        assert time.monotonic() < deadline, events(stack, ups_id)
        time.sleep(0.2)
    time.sleep(4)
    nut.set_status("charted", "OL", input_voltage="231.2")
    while "online" not in [e["kind"] for e in events(stack, ups_id)]:
        assert time.monotonic() < deadline + 15, events(stack, ups_id)
        time.sleep(0.2)
    by_kind = {e["kind"]: datetime.fromisoformat(e["occurredAt"]) for e in events(stack, ups_id)}
    lost, back = by_kind["on_battery"], by_kind["online"]
    # Then a self-test (OL TEST, a few seconds): its own kind of band.
    nut.set_status("charted", "OL TEST")
    time.sleep(3)
    nut.set_status("charted", "OL")

    def test_ended() -> bool:
        return any(
            e["kind"] == "self_test" and e["details"].get("phase") == "ended"
            for e in events(stack, ups_id)
        )

    while not test_ended():
        assert time.monotonic() < deadline + 30, events(stack, ups_id)
        time.sleep(0.2)

    now = datetime.now(UTC).replace(microsecond=0)
    window = (now - timedelta(minutes=2), now + timedelta(seconds=30))
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    login(page, stack)
    open_ups(page, stack, ups_id, f"?range={window[0].strftime(fmt)}/{window[1].strftime(fmt)}")
    band = chart(page, "Voltages").locator(".chart-band-outage")
    expect(band).to_have_count(1)
    expect(page.locator(".history-key")).to_contain_text("Outage")
    expect(page.locator(".history-key")).to_contain_text("Self-test")
    test_band = chart(page, "Voltages").locator(".chart-band-selftest")
    expect(test_band).to_have_count(1)
    assert "Self-test" in (test_band.get_attribute("title") or "")
    assert "Outage" in (band.get_attribute("title") or "")
    # Where it is: from on battery to back on mains, on the chart's time axis.
    plot_box = chart(page, "Voltages").locator(".u-over").bounding_box()
    box = band.bounding_box()
    assert plot_box is not None and box is not None
    span = (window[1] - window[0]).total_seconds()

    def x_at(t: datetime) -> float:
        return plot_box["x"] + plot_box["width"] * (t - window[0]).total_seconds() / span

    assert abs(box["x"] - x_at(lost)) < 4, (box, x_at(lost))
    assert abs(box["x"] + box["width"] - x_at(back)) < 4, (box, x_at(back))
    # The gap-free voltage line went to 0 V during the outage: a reading, shown as one.
    shot(page, "history-outage")

    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert re.fullmatch(
        rf"powerpulse-charted-{window[0].strftime('%Y%m%dT%H%M%SZ')}-"
        rf"{window[1].strftime('%Y%m%dT%H%M%SZ')}\.csv",
        download.suggested_filename,
    ), download.suggested_filename
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows, "no rows"
    assert {"inputVoltage [V]", "inputFrequency [Hz]", "realPower [W]", "temperature [°C]"} <= set(
        rows[0]
    )
    times = [datetime.fromisoformat(r["time"]) for r in rows]
    assert window[0] <= min(times) and max(times) < window[1]
    voltages = {float(r["inputVoltage [V]"]) for r in rows if r["inputVoltage [V]"]}
    assert 0.0 in voltages and 231.2 in voltages  # the outage is in the file too
    assert {r["realPower [W]"] for r in rows} == {"410.0"}
