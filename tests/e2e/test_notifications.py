"""Notifications end to end in the browser: a real Discord-like receiver, the test button, a power
event delivered and shown in the history with its outcome, and the master switch really off."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN, admin_token, login, wait_ups_polled
from tests.e2e.ui_stack import ui_stack
from tests.support.receivers import WebhookReceiver


def test_discord_test_delivery_history_and_master_switch(page: Page, tmp_path: Path) -> None:
    with (
        WebhookReceiver("discord") as hook,
        ui_stack(tmp_path / "data", env={"WEBHOOK_ALLOWED_HOSTS": hook.host}) as (stack, nut),
    ):
        stack.setup_admin(nut.host, nut.port, *ADMIN)
        wait_ups_polled(stack, admin_token(stack), 3)
        login(page, stack)
        page.goto(stack.url("/settings/notifications"))
        page.get_by_label("Discord webhook URL").fill(hook.url)
        page.get_by_role("button", name="Send a test to Discord").click()
        expect(page.get_by_test_id("test-discord").get_by_role("status")).to_contain_text(
            "successfully"
        )
        assert len(hook.wait_delivered(1)) == 1
        page.get_by_role("button", name="Save notification settings").click()
        expect(page.get_by_text("Notification settings saved.")).to_be_visible()

        nut.set_status("rack-a", "OB DISCHRG", battery_charge="80")
        history = page.get_by_test_id("notification-history")
        row = history.get_by_role("row").filter(has_text="Online → On Battery")
        expect(row).to_contain_text("Discord (discord): delivered", timeout=20_000)
        assert len(hook.wait_delivered(2)) == 2

        # Master switch off: the next power event reaches nobody.
        page.get_by_role("switch", name="Enable notifications").uncheck()
        page.get_by_role("button", name="Save notification settings").click()
        expect(page.get_by_text("Notification settings saved.")).to_be_visible()
        time.sleep(1.1)  # dummy-ups notices .dev edits by whole-second mtime
        nut.set_status("rack-a", "OL", battery_charge="80")
        token = admin_token(stack)
        ids = {u["name"]: u["id"] for u in stack.request("GET", "/api/ups-systems", token=token)[1]}
        events_path = f"/api/ups-systems/{ids['rack-a']}/events"
        deadline = time.monotonic() + 20
        while True:
            events = stack.request("GET", events_path, token=token)[1]
            if any(e["kind"] == "online" for e in events["events"]):
                break
            assert time.monotonic() < deadline, events
            time.sleep(0.2)
        time.sleep(3)  # the dispatcher runs right after events are stored
        assert len(hook.requests) == 2
        page.reload()
        expect(history.get_by_role("row").filter(has_text="On Battery → Online")).to_have_count(0)
