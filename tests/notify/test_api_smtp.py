"""The email server as an admin setting: one SMTP configuration, saved in the UI, where an
SMTP_* variable that is set wins (the field is locked), the password write-only, used by every
email channel; and its "Send test" to one address, against the real SMTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from powerpulse.api import notifications
from powerpulse.config import Settings
from powerpulse.db.models import KeyValue
from tests.api.conftest import Account, Client
from tests.conftest import make_settings
from tests.support.smtp import SMTP_FROM, SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port

SMTP = "/api/notification-channels/smtp"
TEST = f"{SMTP}/test"
ADDRESS_VARS = ("SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY")


@pytest.fixture
def smtp_env(request: pytest.FixtureRequest, smtp: SmtpServer) -> dict[str, str]:
    """Which SMTP_* variables are set: none (default), `all` (pointing at `smtp`), `address`."""
    kind = getattr(request, "param", "none")
    env = smtp.env()
    if kind == "all":
        return env
    if kind == "address":
        return {k: env[k] for k in ADDRESS_VARS}
    if kind == "named_sender":  # a From the form itself would refuse (a display name)
        return {k: env[k] for k in ADDRESS_VARS} | {"SMTP_FROM": "PowerPulse <ups@localhost>"}
    return {}


@pytest.fixture
def settings(tmp_path: Path, smtp_env: dict[str, str]) -> Settings:
    return make_settings(tmp_path / "data", WEBHOOK_ALLOWED_HOSTS="127.0.0.1", **smtp_env)


@pytest.fixture
def second_server(smtp_certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    """Another real SMTP server (implicit TLS, the same trusted certificate)."""
    with SmtpServer("tls", certificate=smtp_certificate) as server:
        yield server


async def email_channel_tested(client: Client, member: Account) -> dict[str, object]:
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


async def test_without_smtp_variables_the_saved_server_is_used_by_every_email_channel(
    client: Client,
    admin: Account,
    member: Account,
    smtp: SmtpServer,
    second_server: SmtpServer,
) -> None:
    status, body, _ = await client.get(SMTP, token=admin.token)
    assert status == 200
    assert (body["source"], body["host"], body["locked"]) == ("environment", "", [])
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
    channel = await email_channel_tested(client, member)
    [mail] = second_server.wait_messages(1)
    assert (mail.tls, mail.login, mail.mail_from) == (True, SMTP_USER, "ups@example.com")
    assert smtp.messages == []
    # Forgotten: back to the (empty) environment.
    status, body, _ = await client.delete(SMTP, token=admin.token)
    assert (body["source"], body["host"]) == ("environment", "")
    status, tested, _ = await client.post(
        f"/api/notification-channels/{channel['id']}/test", token=member.token
    )
    assert status == 502 and "not configured" in tested["reason"], tested


@pytest.mark.parametrize("smtp_env", ["all"], indirect=True)
async def test_set_variables_win_and_are_locked(
    client: Client, admin: Account, member: Account, smtp: SmtpServer, second_server: SmtpServer
) -> None:
    _, body, _ = await client.get(SMTP, token=admin.token)
    assert body["locked"] == ["host", "port", "user", "password", "from", "security"]
    elsewhere = {
        "host": "localhost",
        "port": second_server.port,
        "user": "someone",
        "password": "other-password",
        "from": "changed@example.com",
        "security": "tls",
    }
    status, body, _ = await client.put(SMTP, token=admin.token, json=elsewhere)
    assert status == 200, body
    assert (body["host"], body["port"], body["from"]) == ("127.0.0.1", smtp.port, SMTP_FROM)
    # Nothing the environment sets is stored (its password least of all).
    row = await KeyValue.get_or_none(key="smtp")
    assert row is None or not set(row.value) & set(elsewhere)
    await email_channel_tested(client, member)
    [mail] = smtp.wait_messages(1)
    assert (mail.login, mail.mail_from) == (SMTP_USER, SMTP_FROM)
    assert second_server.messages == []


@pytest.mark.parametrize("smtp_env", ["address"], indirect=True)
async def test_the_fields_no_variable_sets_are_saved_over_the_environment(
    client: Client, admin: Account, member: Account, smtp: SmtpServer
) -> None:
    """SMTP_HOST, SMTP_PORT and SMTP_SECURITY set: the account and sender come from the UI."""
    _, env, _ = await client.get(SMTP, token=admin.token)
    assert env["locked"] == ["host", "port", "security"]
    edited = {k: env[k] for k in ("host", "port", "security")}
    status, body, _ = await client.put(
        SMTP,
        token=admin.token,
        json=edited | {"user": SMTP_USER, "password": SMTP_PASSWORD, "from": "ups@example.com"},
    )
    assert status == 200 and body["source"] == "settings", body
    # The form sends back what GET showed (`password: {"set": true}`): the password is kept.
    status, body, _ = await client.put(
        SMTP, token=admin.token, json=body | {"from": "changed@example.com"}
    )
    assert status == 200 and body["password"] == {"set": True}, body
    await email_channel_tested(client, member)
    [mail] = smtp.wait_messages(1)
    assert (mail.login, mail.mail_from) == (SMTP_USER, "changed@example.com")


@pytest.mark.parametrize("smtp_env", ["named_sender"], indirect=True)
async def test_a_locked_field_the_form_would_refuse_does_not_block_saving_the_others(
    client: Client, admin: Account
) -> None:
    _, env, _ = await client.get(SMTP, token=admin.token)
    assert "from" in env["locked"]
    status, body, _ = await client.put(
        SMTP, token=admin.token, json=env | {"user": SMTP_USER, "password": SMTP_PASSWORD}
    )
    assert status == 200, body
    assert (body["user"], body["from"]) == (SMTP_USER, "PowerPulse <ups@localhost>")
    row = await KeyValue.get(key="smtp")
    assert "from" not in row.value and row.value["user"] == SMTP_USER


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


# --- "Send test" ----------------------------------------------------------------------------


@pytest.mark.parametrize("smtp_env", ["all"], indirect=True)
async def test_send_test_delivers_to_the_address_typed(
    client: Client, admin: Account, smtp: SmtpServer
) -> None:
    status, body, _ = await client.post(TEST, token=admin.token, json={"to": "Ops@Example.com"})
    assert status == 200, body
    assert "Ops@Example.com" in body["message"]
    [mail] = smtp.wait_messages(1)
    assert (mail.rcpt_tos, mail.tls, mail.login) == (["Ops@Example.com"], True, SMTP_USER)
    assert "test" in mail.subject.lower()


async def test_send_test_through_a_server_that_refuses_is_a_502_with_the_reason(
    client: Client, admin: Account, smtp: SmtpServer
) -> None:
    wrong = {
        "host": "127.0.0.1",
        "port": smtp.port,
        "user": SMTP_USER,
        "password": "not-the-password",
        "security": "starttls",
    }
    assert (await client.put(SMTP, token=admin.token, json=wrong))[0] == 200
    status, body, _ = await client.post(TEST, token=admin.token, json={"to": "ops@example.com"})
    assert status == 502, body
    assert body["error"] == "delivery_failed"
    assert "authentication failed" in body["reason"], body
    assert "Traceback" not in body["message"] and smtp.messages == []
    # Nothing listening at all: a reason too, never a 500.
    closed = wrong | {"port": free_port(), "password": SMTP_PASSWORD}
    assert (await client.put(SMTP, token=admin.token, json=closed))[0] == 200
    status, body, _ = await client.post(TEST, token=admin.token, json={"to": "ops@example.com"})
    assert (status, body["error"]) == (502, "delivery_failed") and body["reason"], body


@pytest.mark.parametrize(
    "body",
    [{}, {"to": ""}, {"to": "not an address"}, {"to": "a@example.com, b@example.com"}, {"to": 5}],
)
async def test_send_test_needs_one_address(
    client: Client, admin: Account, body: dict[str, object]
) -> None:
    status, answer, _ = await client.post(TEST, token=admin.token, json=body)
    assert (status, answer["field"]) == (400, "to"), answer


async def test_send_test_is_for_admins_and_rate_limited(
    client: Client,
    admin: Account,
    member: Account,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (await client.post(TEST, json={"to": "a@example.com"}))[0] == 401
    assert (await client.post(TEST, token=member.token, json={"to": "a@example.com"}))[0] == 403
    # The same per-user budget as every other test send.
    monkeypatch.setattr(notifications, "TEST_SENDS_LIMIT", 2)
    for _ in range(2):  # not configured (no SMTP here): 502, still counted
        assert (await client.post(TEST, token=admin.token, json={"to": "a@example.com"}))[0] == 502
    status, body, resp = await client.post(TEST, token=admin.token, json={"to": "a@example.com"})
    assert status == 429 and resp.headers["Retry-After"], body
