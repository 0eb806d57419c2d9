"""A real Mosquitto broker (Debian's `mosquitto`) on a free 127.0.0.1 port, with a password
file, for the MQTT publisher's tests; `restart()` stops and starts it on the same port
(retained messages are lost: persistence is off), as a broker restart does.

    with Mosquitto() as broker:
        broker.port, broker.username, broker.password, broker.url
"""

from __future__ import annotations

import getpass
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.nut_server import free_port, stop_process

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"


class Mosquitto:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pp-mosquitto-"))
        self.port = free_port()
        self.username = "powerpulse"
        self.password = secrets.token_urlsafe(12)
        self.proc: subprocess.Popen[bytes] | None = None
        passwd = self.dir / "passwd"
        subprocess.run(
            [MOSQUITTO_PASSWD, "-b", "-c", str(passwd), self.username, self.password],
            check=True,
            capture_output=True,
        )
        passwd.chmod(0o600)
        (self.dir / "mosquitto.conf").write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous false\n"
            f"password_file {passwd}\n"
            "persistence false\n"
            # Started as root it would switch to the `mosquitto` user, who cannot read this dir.
            f"user {getpass.getuser()}\n"
            "log_dest stderr\n"
        )

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.dir / "broker.log", "ab")  # noqa: SIM115 (the process keeps it)
        self.proc = subprocess.Popen(
            [MOSQUITTO, "-c", str(self.dir / "mosquitto.conf")], stdout=log, stderr=log
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {(self.dir / 'broker.log').read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start listening")

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Mosquitto:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
