"""A digest schedule to an email channel: the report goes through the outbox and the
dispatcher to a real local SMTP server (aiosmtpd, STARTTLS + AUTH), and the recipient's mail
names the period and carries the period's numbers in both its text and its HTML part."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.transactions import in_transaction

from powerpulse.config import Settings
from powerpulse.db.models import (
    DigestSchedule,
    NotificationChannel,
    NotificationDelivery,
    NotificationLog,
)
from powerpulse.digest import sender
from powerpulse.history import build_sample, write_samples
from powerpulse.notify.dispatcher import Dispatcher
from tests.conftest import make_settings
from tests.reports.rows import outage, ups
from tests.support.smtp import SMTP_FROM, SMTP_USER, SmtpServer, make_certificate

DAY_START = datetime(2026, 12, 2, 23, tzinfo=UTC)  # 3 December 2026, 00:00 in Berlin
SEND = datetime(2026, 12, 4, 7, 30, tzinfo=UTC)  # 08:30 in Berlin, the day after
RECIPIENTS = ["ops@example.com", "boss@example.com"]


@pytest.fixture(scope="module")
def smtp_certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("smtp-cert"))  # RSA keys are slow: once


@pytest.fixture
def smtp(smtp_certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    with SmtpServer("starttls", certificate=smtp_certificate) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path, smtp: SmtpServer) -> Settings:
    """The email server from the SMTP_* variables, as an operator would set them."""
    return make_settings(tmp_path / "data", **smtp.env())


async def day_of_outages() -> None:
    """3 December (Berlin): two outages on Rack A, one on a UPS whose name needs escaping in
    HTML, an hour at 500 W; and an outage the day before that the report must leave out."""
    a = await ups("ups-a", nickname="Rack A")
    b = await ups("ups-b", nickname="R&D <lab>")
    await outage(a.id, DAY_START + timedelta(hours=10), 300)
    await outage(a.id, DAY_START + timedelta(hours=13), 120)
    await outage(b.id, DAY_START + timedelta(hours=20), 60)
    await outage(b.id, DAY_START - timedelta(hours=2), 999)
    for minute in range(61):
        at = DAY_START + timedelta(hours=6, minutes=minute)
        sample = build_sample(a.id, {"ups.status": "OL", "ups.realpower": "500"}, ("OL",), at)
        async with in_transaction() as conn:
            await write_samples([sample], conn)


async def test_a_daily_digest_arrives_by_email_with_the_days_numbers(
    db: Settings, smtp: SmtpServer
) -> None:
    await day_of_outages()
    channel = await NotificationChannel.create(
        kind="email", name="ops mail", config={"recipients": ", ".join(RECIPIENTS)}
    )
    await DigestSchedule.create(
        name="Ops daily", period="daily", hour=8, timezone="Europe/Berlin", channels=[channel.id]
    )
    assert await sender.send_due_once(SEND) == 1
    async with Dispatcher(db, tls_context=smtp.client_context()) as dispatcher:
        assert await dispatcher.deliver_due_once() == 1
    (mail,) = smtp.wait_messages(1)

    # Delivered over TLS with the configured account, to both recipients.
    assert mail.tls and mail.login == SMTP_USER
    assert mail.mail_from == SMTP_FROM and sorted(mail.rcpt_tos) == sorted(RECIPIENTS)
    assert mail.message["To"] == ", ".join(RECIPIENTS)
    # The subject names the period (and the schedule) so the inbox line alone says what it is.
    assert mail.subject == "📊 PowerPulse daily report: 2026-12-03: Ops daily"

    assert mail.message.get_content_type() == "multipart/alternative"
    text = mail.part("plain")
    assert "Ops daily: daily report for Thursday 3 December 2026 (Europe/Berlin)" in text
    assert "Outages: 3, 8 min on battery in total, longest 5 min" in text
    assert "  Rack A: 2 (7 min)" in text
    assert "  R&D <lab>: 1 (1 min)" in text
    assert "16 min" not in text  # the day before's outage (999 s) is not counted
    assert "Energy: 0.50 kWh" in text  # 500 W for an hour

    html = mail.part("html")
    assert "Thursday 3 December 2026" in html
    assert "Outages: 3, 8 min on battery in total, longest 5 min" in html
    assert "Rack A: 2 (7 min)" in html
    # A UPS name is text in the HTML, not markup.
    assert "R&amp;D &lt;lab&gt;: 1 (1 min)" in html and "<lab>" not in html
    assert "Energy: 0.50 kWh" in html
    assert "<br>" in html  # one line per figure, as in the text part

    (log,) = await NotificationLog.filter(kind="digest")
    delivery = await NotificationDelivery.get(log_id=log.id)
    assert delivery.state == "delivered" and delivery.channel == "email"


async def test_an_email_digest_waits_in_the_outbox_while_the_mail_server_is_down(
    db: Settings, smtp: SmtpServer
) -> None:
    channel = await NotificationChannel.create(
        kind="email", name="ops", config={"recipients": RECIPIENTS[0]}
    )
    await DigestSchedule.create(name="Weekly", period="weekly", hour=6, channels=[channel.id])
    assert await sender.send_due_once(datetime(2026, 12, 7, 7, tzinfo=UTC)) == 1  # Monday
    smtp.stop()
    async with Dispatcher(db, tls_context=smtp.client_context()) as dispatcher:
        await dispatcher.deliver_due_once()
        delivery = await NotificationDelivery.get()
        assert delivery.state == "retry" and "SMTP" in (delivery.last_error or "")
        smtp.start()  # back on the same port
        await NotificationDelivery.filter(id=delivery.id).update(next_attempt_at=None)
        await dispatcher.deliver_due_once()
    (mail,) = smtp.wait_messages(1)
    assert mail.subject == "📊 PowerPulse weekly report: 2026-W49: Weekly"
    assert "week 49 of 2026 (2026-11-30 to 2026-12-06)" in mail.part("plain")
    assert "Outages: none" in mail.part("plain") and "Outages: none" in mail.part("html")
    assert (await NotificationDelivery.get()).state == "delivered"
