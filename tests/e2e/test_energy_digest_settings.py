"""Settings → Energy and Settings → Reports, through the browser against the real stack: the
tariff typed in the UI kept across a reload, and a digest schedule made in the UI whose "Send
now" delivers the report to a real local webhook receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import ADMIN, admin_token, login, shot, wait_ups_polled
from tests.e2e.ui_stack import ui_stack
from tests.support.receivers import WebhookReceiver
from tests.support.stack import Stack

UPS = {"rack-a": {"ups.status": "OL", "battery.charge": "90", "ups.load": "20"}}
ZONE = "Europe/Berlin"  # not the machine's: the form must take the browser's


class Env:
    def __init__(self, stack: Stack, hook: WebhookReceiver, channel_id: int) -> None:
        self.stack, self.hook, self.channel_id = stack, hook, channel_id


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """One UPS, no energy variables set (so every field is the UI's), and a shared webhook
    channel pointing at a real receiver."""
    unset = {"POWER_FACTOR": "", "ENERGY_PRICE_PER_KWH": "", "ENERGY_CURRENCY": ""}
    with (
        WebhookReceiver("slack") as hook,
        ui_stack(tmp_path_factory.mktemp("pp-digests"), UPS, env=unset) as (stack, nut),
    ):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        token = admin_token(stack)
        wait_ups_polled(stack, token, 1)
        status, channel = stack.request(
            "POST",
            "/api/notification-channels",
            {"kind": "webhook", "name": "Ops webhook", "config": {"url": hook.url}, "shared": True},
            token=token,
        )
        assert status == 201, channel
        yield Env(stack, hook, int(channel["id"]))


@pytest.fixture
def berlin(browser: Browser) -> Iterator[BrowserContext]:
    """The README size, light, in a browser whose time zone is Berlin."""
    ctx = browser.new_context(
        viewport={"width": 1920, "height": 1080},
        color_scheme="light",
        locale="en-US",
        timezone_id=ZONE,
    )
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def test_the_tariff_set_in_the_ui_is_kept(page: Page, env: Env) -> None:
    login(page, env.stack)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Energy").click()
    form = page.get_by_role("form", name="Energy settings")
    expect(form.get_by_label("Power factor")).to_have_value("0.8")
    expect(form.get_by_label("Price per kWh")).to_have_value("")
    form.get_by_label("Price per kWh").fill("0,27")
    form.get_by_label("Currency").fill("chf")
    form.get_by_role("button", name="Save energy settings").click()
    expect(page.get_by_text("Energy settings saved.")).to_be_visible()

    page.reload()
    form = page.get_by_role("form", name="Energy settings")
    expect(form.get_by_label("Price per kWh")).to_have_value("0.27")
    expect(form.get_by_label("Currency")).to_have_value("CHF")
    status, body = env.stack.request("GET", "/api/system/energy", token=admin_token(env.stack))
    assert (status, body["tariff"]) == (200, {"pricePerKwh": 0.27, "currency": "CHF"})

    # Out of bounds: refused in the form, nothing saved.
    form.get_by_label("Power factor").fill("1.5")
    form.get_by_role("button", name="Save energy settings").click()
    expect(form.get_by_text("Enter a power factor between 0.3 and 1.")).to_be_visible()
    _, body = env.stack.request("GET", "/api/system/energy", token=admin_token(env.stack))
    assert body["powerFactor"] == 0.8


def test_a_report_made_in_the_ui_is_sent_now_to_the_webhook(
    berlin: BrowserContext, env: Env
) -> None:
    page = berlin.new_page()
    login(page, env.stack)
    page.goto(env.stack.url("/settings/digests"))
    expect(page.get_by_text("No reports are scheduled.")).to_be_visible()
    page.get_by_role("button", name="Add report").click()
    form = page.get_by_role("form", name="New report")
    expect(form.get_by_label("Time zone")).to_have_value(ZONE)
    form.get_by_label("Name").fill("Daily for ops")
    form.get_by_label("Period").select_option("daily")
    form.get_by_label("Send at").select_option("07:00")
    form.get_by_label("Ops webhook").check()
    form.get_by_role("button", name="Add report").click()
    expect(page.get_by_text("Report “Daily for ops” added.")).to_be_visible()
    row = page.get_by_role("listitem", name="Report Daily for ops")
    expect(row).to_contain_text(f"Daily at 07:00 ({ZONE}) to Ops webhook")

    token = admin_token(env.stack)
    status, schedules = env.stack.request("GET", "/api/digest-schedules", token=token)
    assert status == 200
    [made] = schedules
    assert (made["period"], made["hour"], made["timezone"], made["channels"]) == (
        "daily",
        7,
        ZONE,
        [env.channel_id],
    )

    row.get_by_role("button", name="Send report Daily for ops now").click()
    result = row.get_by_test_id("digest-sent")
    expect(result).to_contain_text("sent.")
    expect(result).to_contain_text("Ops webhook: delivered")
    [report] = env.hook.wait_delivered(1)
    assert "daily report" in report["title"], report
    assert report["message"], report
    period = result.inner_text().split("Report for ", 1)[1].split(" sent", 1)[0]
    assert period in report["title"], (period, report["title"])
    shot(page, "settings-digests")
