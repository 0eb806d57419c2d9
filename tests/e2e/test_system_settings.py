"""Settings people need when the power fails, through the browser against the real stack: the
email server typed in the UI delivering a test mail to the real SMTP server, STARTTLS turned on
in the NUT server form against a real upsd with a certificate, and the poll interval edited in
Settings → System reaching the running poller without a restart."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ADMIN, admin_token, login, shot, wait_ups_polled
from tests.e2e.ui_stack import ui_stack
from tests.nut.test_starttls import TlsNutServer, make_cert_db
from tests.support.nut_server import NUT_PASSWORD, NUT_USER, NutServer
from tests.support.smtp import SMTP_PASSWORD, SMTP_USER, SmtpServer, make_certificate
from tests.support.stack import Stack

UPS = {"rack-a": {"ups.status": "OL", "battery.charge": "90", "ups.load": "20"}}
SETTINGS = "/api/system/settings"


class Env:
    def __init__(self, stack: Stack, nut: NutServer, tls_nut: NutServer, smtp: SmtpServer) -> None:
        self.stack, self.nut, self.tls_nut, self.smtp = stack, nut, tls_nut, smtp


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    """One stack trusting two self-signed certificates (the TLS upsd's and the SMTP server's)
    through SSL_CERT_FILE, as an operator with a private CA would; POLL_INTERVAL left unset so
    the UI may change it."""
    root = tmp_path_factory.mktemp("pp-system")
    nut_cert, certdb = make_cert_db(root)
    smtp_cert = make_certificate(tmp_path_factory.mktemp("smtp-cert"))
    bundle = root / "ca-bundle.pem"
    bundle.write_text(nut_cert.read_text() + smtp_cert[0].read_text())
    tls_nut = TlsNutServer(["tls-ups"], certdb)
    tls_nut.start()
    try:
        with (
            SmtpServer("starttls", certificate=smtp_cert) as smtp,
            ui_stack(
                root / "data", UPS, env={"SSL_CERT_FILE": str(bundle), "POLL_INTERVAL": ""}
            ) as (stack, nut),
        ):
            stack.setup_admin(nut.host, nut.port, *ADMIN)
            wait_ups_polled(stack, admin_token(stack), 1)
            yield Env(stack, nut, tls_nut, smtp)
    finally:
        tls_nut.stop()


def test_smtp_entered_in_the_ui_delivers_a_test_mail(page: Page, env: Env) -> None:
    login(page, env.stack)
    page.goto(env.stack.url("/settings/alerting/email"))
    form = page.get_by_role("form", name="Email server")
    expect(page.get_by_text("Not configured")).to_be_visible()
    form.get_by_label("Server").fill("127.0.0.1")
    form.get_by_label("Security").select_option("starttls")
    form.get_by_label("Port").fill(str(env.smtp.port))
    form.get_by_label("User name").fill(SMTP_USER)
    form.get_by_label("Password").fill(SMTP_PASSWORD)
    form.get_by_label("From address").fill("ups@example.com")
    form.get_by_role("button", name="Save email server").click()
    expect(page.get_by_text("Email server saved.")).to_be_visible()

    test = page.get_by_role("form", name="Send a test mail")
    test.get_by_label("Send a test mail to").fill("oncall@example.com")
    test.get_by_role("button", name="Send test").click()
    expect(
        test.get_by_text("Test mail delivered to the server for oncall@example.com")
    ).to_be_visible()
    [mail] = env.smtp.wait_messages(1)
    assert (mail.rcpt_tos, mail.tls, mail.login) == (["oncall@example.com"], True, SMTP_USER)
    assert mail.mail_from == "ups@example.com"
    shot(page, "smtp-test-sent")

    # A wrong password: the reason, in words, not a stack trace.
    form.get_by_label("Password").fill("wrong-password")
    form.get_by_role("button", name="Save email server").click()
    expect(page.get_by_text("Email server saved.")).to_be_visible()
    test.get_by_label("Send a test mail to").fill("oncall@example.com")
    test.get_by_role("button", name="Send test").click()
    expect(test.get_by_role("alert")).to_contain_text("SMTP authentication failed")


def test_starttls_turned_on_in_the_server_form_connects(page: Page, env: Env) -> None:
    tls = env.tls_nut
    login(page, env.stack)
    page.get_by_role("link", name="NUT servers").click()
    page.get_by_role("button", name="Add NUT server").click()
    form = page.get_by_role("form", name="Add a NUT server")
    # The certificate names 127.0.0.1 and localhost: the host typed must be one of them.
    form.get_by_label("Host").fill("localhost")
    form.get_by_label("Port").fill(str(tls.port))
    form.get_by_label("Username (optional)").fill(NUT_USER)
    form.get_by_label("Password").fill(NUT_PASSWORD)
    starttls = form.get_by_role("switch", name=re.compile("Encrypt with STARTTLS"))
    expect(starttls).not_to_be_checked()
    starttls.check()
    help_text = form.get_by_test_id("starttls-help")
    expect(help_text).to_contain_text("CERTPATH")
    expect(help_text).to_contain_text("CERTFILE")
    form.get_by_role("button", name="Test connection").click()
    expect(form.get_by_test_id("test-result")).to_contain_text("UPS found: tls-ups")
    form.get_by_role("button", name="Add server").click()
    row = page.get_by_role("listitem", name=f"NUT server localhost:{tls.port}")
    expect(row.get_by_test_id("reachability")).to_contain_text("Reachable", timeout=15_000)
    shot(page, "nut-server-starttls")
    token = admin_token(env.stack)
    status, servers = env.stack.request("GET", "/api/nut-servers", token=token)
    assert status == 200
    [saved] = [s for s in servers if s["port"] == tls.port]
    assert saved["starttls"] is True
    # Polled over TLS: the UPS has readings.
    deadline = time.monotonic() + 15
    while True:
        _, ups = env.stack.request("GET", "/api/ups-systems", token=token)
        mine = [u for u in ups if u["upsName"] == "tls-ups"]
        if mine and mine[0].get("lastUpdated"):
            break
        assert time.monotonic() < deadline, ups
        time.sleep(0.2)


def charge_shown_within(env: Env, token: str, value: str, seconds: float) -> bool:
    """Change the UPS's charge in upsd; True when the API shows it within `seconds`."""
    env.nut.set_vars("rack-a", {"battery.charge": value})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, ups = env.stack.request("GET", "/api/ups-systems", token=token)
        if any(u.get("batteryCharge") == float(value) for u in ups):
            return True
        time.sleep(0.1)
    return False


def set_poll_interval(page: Page, value: str) -> None:
    field = page.get_by_label("Poll interval")
    field.fill(value)
    page.get_by_role("button", name="Save system settings").click()
    expect(page.get_by_text("System settings saved")).to_be_visible()
    expect(field).to_have_value(value)


def test_poll_interval_edited_in_the_ui_reaches_the_running_poller(page: Page, env: Env) -> None:
    token = admin_token(env.stack)
    login(page, env.stack)
    page.goto(env.stack.url("/settings/system"))
    row = page.locator('[data-setting="poll_interval"]')
    expect(row).to_contain_text("Default")
    expect(page.get_by_label("Poll interval")).to_have_value("5")
    expect(page.locator('[data-setting="history_interval"]')).to_contain_text(
        "Set by the environment (HISTORY_INTERVAL)"
    )
    expect(page.get_by_label("History interval")).to_be_disabled()

    # An hour between polls: an edit in upsd is not seen for a while.
    set_poll_interval(page, "3600")
    expect(row).to_contain_text("Saved here")
    time.sleep(2)  # the poller's next lease tick (1 s) takes it, then the last short sleep ends
    assert not charge_shown_within(env, token, "41", 5)
    # Half a second: the hour-long sleep in progress is cut short, the edit shows at once.
    set_poll_interval(page, "0.5")
    assert charge_shown_within(env, token, "41", 4)
    assert charge_shown_within(env, token, "42", 3)
    status, body = env.stack.request("GET", SETTINGS, token=token)
    [poll] = [s for s in body["settings"] if s["key"] == "poll_interval"]
    assert (status, poll["value"], poll["source"]) == (200, 0.5, "database")
    # Out of bounds: the browser refuses, and so does the API (with the field).
    status, body = env.stack.request("PUT", SETTINGS, {"poll_interval": 0.01}, token=token)
    assert (status, body["field"]) == (400, "poll_interval"), body
    page.reload()
    expect(page.get_by_label("Poll interval")).to_have_value("0.5")
    shot(page, "system-settings")
    # Back to the default for the other tests of the module.
    row.get_by_role("button", name="Use the default").click()
    expect(page.get_by_label("Poll interval")).to_have_value("5")
