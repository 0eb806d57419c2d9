"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 with STARTTLS + AUTH, or implicit TLS.

The certificate is self-signed for 127.0.0.1 (`openssl req -x509`, made once per server in a
temp dir); `client_context()` trusts exactly that certificate, so the sender verifies for real.

    with SmtpServer(mode="starttls") as smtp:
        settings = make_settings(tmp, **smtp.env())
        ...
        mail = smtp.wait_messages(1)[0]
"""

from __future__ import annotations

import email
import email.policy
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.nut_server import free_port

SMTP_USER = "mailer"
SMTP_PASSWORD = "mail-s3cret"
SMTP_FROM = "powerpulse@example.test"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool
    login: str | None
    at: float = field(default_factory=time.time)  # arrival, epoch seconds (bench/)

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None, f"no text/{subtype} part"
        return str(body.get_content())  # type: ignore[attr-defined]


def _is_tls(smtp: Any) -> bool:
    # STARTTLS swaps in a TLS protocol; implicit TLS shows on the transport itself.
    transport = smtp.transport
    return smtp._tls_protocol is not None or (
        transport is not None and transport.get_extra_info("ssl_object") is not None
    )


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        login = session.auth_data if isinstance(session.auth_data, str) else None
        self.server._record(
            ReceivedMail(
                envelope.mail_from, list(envelope.rcpt_tos), message,  # type: ignore[arg-type]
                tls=_is_tls(smtp), login=login,
            )
        )  # fmt: skip
        return "250 Message accepted for delivery"


class SmtpServer:
    """`mode`: "starttls" (STARTTLS required before AUTH and mail) or "tls" (implicit TLS)."""

    def __init__(
        self, mode: str = "starttls", certificate: tuple[Path, Path] | None = None
    ) -> None:
        """`certificate`: (cert, key) from `make_certificate`, to skip making a new one."""
        self.mode = mode
        self.port = free_port()
        self.messages: list[ReceivedMail] = []
        self.auth_failures = 0
        self._cond = threading.Condition()
        self._dir = Path(tempfile.mkdtemp(prefix="pp-smtp-"))
        self.cert, self.key = certificate or make_certificate(self._dir)
        self._controller: Controller | None = None

    def _record(self, mail: ReceivedMail) -> None:
        with self._cond:
            self.messages.append(mail)
            self._cond.notify_all()

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == SMTP_USER.encode()
            and auth_data.password == SMTP_PASSWORD.encode()
        )
        if not ok:
            self.auth_failures += 1
            # handled=False: aiosmtpd then answers 535 itself (the default leaves it silent).
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=SMTP_USER)

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def env(self, **overrides: str) -> dict[str, str]:
        """Settings environment pointing at this server (for `make_settings`)."""
        return {
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.port),
            "SMTP_USER": SMTP_USER,
            "SMTP_PASSWORD": SMTP_PASSWORD,
            "SMTP_FROM": SMTP_FROM,
            "SMTP_SECURITY": self.mode,
            **overrides,
        }

    def wait_messages(self, count: int, timeout: float = 10.0) -> list[ReceivedMail]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"SMTP: {len(self.messages)} messages, wanted {count}")
                self._cond.wait(left)
            return list(self.messages)

    def start(self) -> SmtpServer:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(str(self.cert), str(self.key))
        common: dict[str, Any] = {
            "hostname": "127.0.0.1",
            "port": self.port,
            "authenticator": self._authenticate,
            "auth_required": True,
        }
        if self.mode == "tls":
            # The whole session is TLS here; aiosmtpd cannot tell and warns about plain AUTH.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                self._controller = Controller(
                    _Handler(self), ssl_context=tls, auth_require_tls=False, **common
                )
        else:
            self._controller = Controller(
                _Handler(self), tls_context=tls, require_starttls=True, **common
            )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
