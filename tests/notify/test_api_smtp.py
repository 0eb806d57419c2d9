"""The email server as an admin setting: one SMTP configuration, saved in the UI over the
environment's, the password write-only, used by every email channel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import Account, Client
from tests.support.smtp import SMTP_PASSWORD, SMTP_USER, SmtpServer

SMTP = "/api/notification-channels/smtp"


@pytest.fixture
def second_server(smtp_certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """Another real SMTP server (implicit TLS, the same trusted certificate)."""
    with SmtpServer("tls", certificate=smtp_certificate) as server:
        yield server


async def tested_email_channel(client: Client, member: Account) -> dict[str, object]:
    """A new email channel of `member`'s, tested: it must have been delivered."""
    _, channel, _ = await client.post(
        "/api/notification-channels",
        token=member.token,
        json={"kind": "email", "config": {"recipients": "me@example.com"}},
    )
    status, tested, _ = await client.post(
        f"/api/notification-channels/{channel['id']}/test", token=member.token
    )
    assert status == 200 and tested["delivery"]["state"] == "delivered", tested
    return channel


async def test_the_saved_server_replaces_the_environment_for_every_email_channel(
    client: Client,
    admin: Account,
    member: Account,
    smtp: SmtpServer,
    second_server: SmtpServer,
) -> None:
    status, body, _ = await client.get(SMTP, token=admin.token)
    assert status == 200
    assert (body["source"], body["port"], body["password"]) == (
        "environment",
        smtp.port,
        {"set": True},
    )
    assert (await client.get(SMTP, token=member.token))[0] == 403
    saved = {
        "host": "127.0.0.1",
        "port": second_server.port,
        "user": SMTP_USER,
        "password": SMTP_PASSWORD,
        "from": "ups@example.com",
        "security": "tls",
    }
    status, body, _ = await client.put(SMTP, token=admin.token, json=saved)
    assert status == 200 and body["source"] == "settings"
    assert SMTP_PASSWORD not in json.dumps(body)
    # Saved again without the password: the stored one is kept (the mail still authenticates).
    status, body, _ = await client.put(
        SMTP, token=admin.token, json={k: v for k, v in saved.items() if k != "password"}
    )
    assert status == 200 and body["password"] == {"set": True}
    channel = await tested_email_channel(client, member)
    [mail] = second_server.wait_messages(1)
    assert (mail.tls, mail.login, mail.mail_from) == (True, SMTP_USER, "ups@example.com")
    assert smtp.messages == []
    # Forgotten: back to the environment's server.
    status, body, _ = await client.delete(SMTP, token=admin.token)
    assert body["source"] == "environment"
    await client.post(f"/api/notification-channels/{channel['id']}/test", token=member.token)
    assert len(smtp.wait_messages(1)) == 1


async def test_saving_over_the_environment_keeps_its_password(
    client: Client, admin: Account, member: Account, smtp: SmtpServer
) -> None:
    """The form sends back what GET showed (`password: {"set": true}`): changing only the sender
    must not drop the environment's password (the server requires AUTH)."""
    _, env, _ = await client.get(SMTP, token=admin.token)
    edited = {k: env[k] for k in ("host", "port", "user", "security", "password")}
    status, body, _ = await client.put(
        SMTP, token=admin.token, json=edited | {"from": "changed@example.com"}
    )
    assert status == 200 and body["source"] == "settings", body
    await tested_email_channel(client, member)
    [mail] = smtp.wait_messages(1)
    assert (mail.login, mail.mail_from) == (SMTP_USER, "changed@example.com")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"port": 25}, "host"),
        ({"host": "mail.lan", "security": "ssl"}, "security"),
        ({"host": "mail.lan", "from": "not an address"}, "from"),
        ({"host": "mail.lan", "port": 70000}, "port"),
    ],
)
async def test_a_bad_server_is_a_400_and_nothing_is_saved(
    client: Client, admin: Account, body: dict[str, object], field: str
) -> None:
    status, answer, _ = await client.put(SMTP, token=admin.token, json=body)
    assert status == 400 and answer["field"] == field, answer
    assert (await client.get(SMTP, token=admin.token))[1]["source"] == "environment"
