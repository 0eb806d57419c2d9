"""Red team: the test-email endpoint was a mail relay (any user, their own text, any address,
about 400 messages a minute). Tried again against the real SMTP server."""

from __future__ import annotations

import pytest

from powerpulse.api import notifications
from powerpulse.api.notifications import TEST_SENDS_LIMIT
from powerpulse.db.models import NotificationLog
from powerpulse.notify.personal import write_seed_fields
from tests.api.conftest import Account, Client, add_server, add_ups
from tests.notify.conftest import (  # noqa: F401 (fixtures: an app that mails through `smtp`)
    app,
    settings,
    smtp,
    smtp_certificate,
)
from tests.support.smtp import SmtpServer


@pytest.fixture
def mailbox(smtp: SmtpServer) -> SmtpServer:  # noqa: F811 (the real SMTP server the app uses)
    return smtp


TEST_EMAIL = "/api/notifications/test-email"
OUTSIDER = "victim@elsewhere.example"


async def save_recipients(account: Account, recipients: str) -> None:
    await write_seed_fields(
        account.id, {"email_recipients": recipients, "email_notifications": True}
    )


async def test_a_user_cannot_mail_an_address_they_have_not_saved(
    client: Client, member: Account, mailbox: SmtpServer
) -> None:
    await save_recipients(member, "me@example.com")
    for recipients in (OUTSIDER, f"me@example.com, {OUTSIDER}"):
        status, body, _ = await client.post(
            TEST_EMAIL, token=member.token, json={"email_recipients": recipients}
        )
        assert status == 403, body
        assert body["error"] == "recipient_not_allowed" and body["field"] == "email_recipients"
        assert OUTSIDER in body["message"]
    # Their own saved recipients (in any case), or none in the body (the saved ones), do work.
    for payload in ({"email_recipients": "ME@example.com"}, {}):
        status, body, _ = await client.post(TEST_EMAIL, token=member.token, json=payload)
        assert status == 200, body
    mails = mailbox.wait_messages(2)
    assert [m.rcpt_tos for m in mails] == [["ME@example.com"], ["me@example.com"]]
    assert all(OUTSIDER not in m.rcpt_tos for m in mails)
    assert await NotificationLog.all().count() == 2  # the refused ones were not even recorded


async def test_a_user_without_saved_recipients_can_mail_nobody(
    client: Client, member: Account, mailbox: SmtpServer
) -> None:
    status, body, _ = await client.post(
        TEST_EMAIL, token=member.token, json={"email_recipients": OUTSIDER}
    )
    assert (status, body["error"]) == (403, "recipient_not_allowed")
    assert mailbox.messages == []


async def test_an_admin_may_test_any_address(
    client: Client, admin: Account, mailbox: SmtpServer
) -> None:
    status, body, _ = await client.post(
        TEST_EMAIL, token=admin.token, json={"email_recipients": OUTSIDER}
    )
    assert status == 200, body
    assert mailbox.wait_messages(1)[0].rcpt_tos == [OUTSIDER]


async def test_the_ad_hoc_status_send_is_held_to_the_same_rule(
    client: Client, member: Account, mailbox: SmtpServer
) -> None:
    await save_recipients(member, "me@example.com")
    ups = await add_ups(await add_server(), "ups1")
    payload = {
        "ups_id": ups.id,
        "status": "Buy cheap watches at example.org",  # the sender's own text
        "email_notifications": True,
        "email_recipients": OUTSIDER,
    }
    status, body, _ = await client.post(
        "/api/notifications/ups-status", token=member.token, json=payload
    )
    assert (status, body["error"]) == (403, "recipient_not_allowed")
    assert mailbox.messages == [] and await NotificationLog.all().count() == 0
    payload["email_recipients"] = "me@example.com"
    status, body, _ = await client.post(
        "/api/notifications/ups-status", token=member.token, json=payload
    )
    assert status == 200, body
    assert mailbox.wait_messages(1)[0].rcpt_tos == ["me@example.com"]


async def test_test_sends_are_rate_limited_per_user(
    client: Client, member: Account, admin: Account, mailbox: SmtpServer
) -> None:
    await save_recipients(member, "me@example.com")
    for _ in range(TEST_SENDS_LIMIT):
        status, body, _ = await client.post(TEST_EMAIL, token=member.token, json={})
        assert status == 200, body
    status, body, resp = await client.post(TEST_EMAIL, token=member.token, json={})
    assert (status, body["error"]) == (429, "rate_limited")
    assert 1 <= int(resp.headers["Retry-After"]) <= notifications.TEST_SENDS_WINDOW + 1
    # Every test channel counts: Slack and Discord tests are refused too, before any send.
    status, _, _ = await client.post(
        "/api/notifications/test",
        token=member.token,
        json={"discord_webhook_url": "https://discord.com/api/webhooks/1/x"},
    )
    assert status == 429
    assert len(mailbox.wait_messages(TEST_SENDS_LIMIT)) == TEST_SENDS_LIMIT
    assert await NotificationLog.filter(user_id=member.id).count() == TEST_SENDS_LIMIT
    # Admins are limited too, on their own count.
    status, _, _ = await client.post(
        TEST_EMAIL, token=admin.token, json={"email_recipients": "ops@example.com"}
    )
    assert status == 200


async def test_the_api_wide_send_limit_is_kept(
    client: Client, admin: Account, mailbox: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notifications, "TEST_SENDS_LIMIT", 1000)
    await save_recipients(admin, "ops@example.com")
    for _ in range(notifications.SENDS_PER_MINUTE):
        status, body, _ = await client.post(TEST_EMAIL, token=admin.token, json={})
        assert status == 200, body
    status, body, _ = await client.post(TEST_EMAIL, token=admin.token, json={})
    assert (status, body["error"]) == (429, "rate_limited")
    # ...and it covers the admin's debug sends as well.
    status, body, _ = await client.post("/api/debug/test-notification", token=admin.token, json={})
    assert (status, body["error"]) == (429, "rate_limited")
