"""Red team, on the machine: nicknames and UPS names reached the logs raw (a line break forged a
log line), and a source install's database file was world-readable. Tried with the real
workers (`powerpulse api`, `powerpulse poller`) against a real upsd."""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from powerpulse.cli import LOG_FORMAT
from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db
from powerpulse.logformat import SafeFormatter, escape_controls
from tests.conftest import make_settings
from tests.support.nut_server import NutServer
from tests.support.stack import Stack

FORGED = "2026-01-01 00:00:00,000 ERROR powerpulse.api.auth: admin password reset by mallory"
NICKNAME = f"Rack A\n{FORGED}\r\x1b[2J\u2028B"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def source_install_umask() -> Iterator[None]:
    """The usual shell umask (the container's entrypoint uses 027): files would be 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_nickname_cannot_forge_a_log_line_of_the_real_workers(
    tmp_path: Path, nut: NutServer, source_install_umask: None
) -> None:
    with Stack(tmp_path / "data", env={"LOG_LEVEL": "INFO"}) as stack:
        stack.start_api()
        token = stack.setup_admin(nut.host, nut.port)
        stack.start_poller()
        status, listed = stack.request("GET", "/api/ups-systems", token=token)
        assert status == 200, listed
        ups1 = next(u for u in listed if u["upsName"] == "ups1")
        status, body = stack.request(
            "PUT", f"/api/ups-systems/{ups1['id']}/nickname", {"nickname": NICKNAME}, token
        )
        assert status == 200, body
        time.sleep(1.5)  # a few polls with the new name (it is read with the configuration)
        nut.set_status("ups1", "OB DISCHRG")  # the poller logs the event with the nickname
        stack.wait_log("poller", "(on_battery) of Rack A", timeout=30)
        log = stack.log("poller") + stack.log("api")
        data = stack.data_dir
        files = {name: mode(data / name) for name in ("powerpulse.db", "powerpulse.db-wal")}
        shm = data / "powerpulse.db-shm"
        if shm.exists():
            files[shm.name] = mode(shm)
    [line] = [x for x in log.splitlines() if "fanned out" in x and "Rack A" in x]
    assert "of Rack A\\n" + FORGED + "\\r\\x1b[2J\\u2028B fanned out" in line
    assert not any(x.startswith(FORGED) for x in log.splitlines())  # no forged line
    assert "\x1b" not in log and "\r" not in log and "\u2028" not in log
    # ...and the database the workers made on a source install is the owner's alone.
    assert files == dict.fromkeys(files, 0o600), files


def test_the_formatter_escapes_messages_and_keeps_tracebacks_readable() -> None:
    formatter = SafeFormatter(LOG_FORMAT)
    record = logging.LogRecord("powerpulse.poller", logging.WARNING, __file__, 1, "UPS %s: %s",
                               (NICKNAME, "driver\tsaid\x00hi\x9b"), None)  # fmt: skip
    line = formatter.format(record)
    assert "\n" not in line and "\x1b" not in line and "\x00" not in line
    expected = "UPS Rack A\\n" + FORGED + "\\r\\x1b[2J\\u2028B: driver\\tsaid\\x00hi\\x9b"
    assert line.endswith(expected)
    try:
        raise ValueError("bad name\x1b[31m")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = formatter.format(record)
    assert text.count("\n") >= 3 and "Traceback (most recent call last):" in text
    assert "\x1b" not in text and "bad name\\x1b[31m" in text
    assert escape_controls("plain text, é, ü, 🔋") == "plain text, é, ü, 🔋"  # printable stays


async def test_a_database_left_world_readable_is_tightened(
    tmp_path: Path, source_install_umask: None
) -> None:
    settings: Settings = make_settings(tmp_path / "data")
    settings.data_dir.mkdir(parents=True)
    db = settings.data_dir / "powerpulse.db"
    for name in ("powerpulse.db", "powerpulse.db-wal", "powerpulse.db-shm"):
        (settings.data_dir / name).touch(mode=0o644)
        (settings.data_dir / name).chmod(0o644)
    await init_db(settings)
    await close_db()
    for name in ("powerpulse.db", "powerpulse.db-wal", "powerpulse.db-shm"):
        path = settings.data_dir / name
        if path.exists():  # SQLite may remove its -wal/-shm when it closes
            assert mode(path) == 0o600, name
    assert mode(db) == 0o600
