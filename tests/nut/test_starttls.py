"""STARTTLS against the real upsd (Debian's is built with NSS: `ldd /lib/nut/upsd` → libssl3/nss3).

upsd reads its certificate from an NSS database (CERTPATH/CERTIDENT in upsd.conf), made here
from a self-signed openssl certificate with `certutil`/`pk12util` (Debian `libnss3-tools`).
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutConnectionError, NutFeatureError
from tests.support.nut_server import NUT_PASSWORD, NUT_USER, NutServer

DB_PASSWORD = "nss-db-pass"


def make_cert_db(root: Path) -> tuple[Path, Path]:
    """A self-signed cert for 127.0.0.1 in PEM (for the client) and in an NSS db (for upsd)."""
    for tool in ("openssl", "certutil", "pk12util"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: apt-get install openssl libnss3-tools")
    key, cert, p12 = root / "key.pem", root / "cert.pem", root / "server.p12"
    db, pwfile = root / "nssdb", root / "dbpass"
    db.mkdir()
    pwfile.write_text(DB_PASSWORD + "\n")

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, timeout=60)

    run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
    )  # fmt: skip
    run(
        "openssl", "pkcs12", "-export", "-in", str(cert), "-inkey", str(key),
        "-name", "upsd", "-out", str(p12), "-passout", "pass:p12",
    )  # fmt: skip
    run("certutil", "-N", "-d", f"sql:{db}", "-f", str(pwfile))
    run("pk12util", "-i", str(p12), "-d", f"sql:{db}", "-k", str(pwfile), "-W", "p12")
    return cert, db


class TlsNutServer(NutServer):
    """The harness's upsd with CERTPATH/CERTIDENT added to upsd.conf."""

    def __init__(self, ups: list[str], certdb: Path) -> None:
        super().__init__(ups)
        self.certdb = certdb

    def _write_config(self) -> None:
        super()._write_config()
        with (self.confdir / "upsd.conf").open("a") as conf:
            conf.write(f'CERTPATH {self.certdb}\nCERTIDENT "upsd" "{DB_PASSWORD}"\n')


@pytest.fixture(scope="module")
def tls_nut(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[NutServer, Path]]:
    cert, db = make_cert_db(tmp_path_factory.mktemp("tls"))
    server = TlsNutServer(["ups1"], db)
    server.start()
    yield server, cert
    server.stop()


async def test_starttls_with_real_upsd(tls_nut: tuple[NutServer, Path]) -> None:
    nut, cert = tls_nut
    context = ssl.create_default_context(cafile=str(cert))
    async with NutClient(
        nut.host, nut.port, NUT_USER, NUT_PASSWORD, starttls=True, ssl_context=context, timeout=3
    ) as c:
        assert await c.list_ups() == {"ups1": "Test UPS ups1"}
        assert c._writer is not None
        tls = c._writer.get_extra_info("ssl_object")
        assert tls is not None and tls.version() in ("TLSv1.2", "TLSv1.3")
        # Credentials went over TLS (sent after STARTTLS) and are accepted.
        await c.instcmd("ups1", "load.off")
        assert (await c.list_var("ups1"))["battery.charge"] == "100"


async def test_starttls_verifies_the_certificate_by_default(
    tls_nut: tuple[NutServer, Path],
) -> None:
    nut, _ = tls_nut
    client = NutClient(nut.host, nut.port, starttls=True, timeout=3)
    with pytest.raises(NutConnectionError) as info:
        await client.list_ups()
    assert "TLS" in str(info.value)
    assert isinstance(info.value.__cause__, ssl.SSLCertVerificationError)
    assert not client.connected


async def test_plain_connection_to_a_tls_capable_upsd(tls_nut: tuple[NutServer, Path]) -> None:
    nut, _ = tls_nut
    async with NutClient(nut.host, nut.port, timeout=3) as c:
        assert await c.list_ups() == {"ups1": "Test UPS ups1"}


async def test_upsd_without_certificate_refuses_starttls(shared: NutServer) -> None:
    client = NutClient(shared.host, shared.port, starttls=True, timeout=3)
    with pytest.raises(NutFeatureError) as info:
        await client.list_ups()
    assert info.value.nut_code == "FEATURE-NOT-CONFIGURED"
    assert "TLS" in str(info.value)
    assert not client.connected  # never falls back to plain text silently
