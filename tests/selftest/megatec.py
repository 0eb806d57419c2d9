"""A real NUT `blazer_ser` driver talking Megatec/Q1 over a pseudo-terminal, behind a real upsd.

dummy-ups (NUT 2.8.0) offers no battery-test command (only `load.off`), so this is how a test
sees `test.battery.start.quick` really reach a driver: the simulated UPS on the pty's other end
records every line the driver sends (`T` = quick test, `TL` = deep), and answers `Q1` with
bit 5 ("test in progress") set for a few seconds after a test — the driver then reports
`OL CAL`. `fail_next` makes the UPS raise bit 3 ("UPS failed") when the test ends: blazer
reports `ups.alarm` "UPS selftest failed!".
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import subprocess
import tempfile
import threading
import time
import tty
from pathlib import Path

from tests.support.nut_server import NUT_PASSWORD, NUT_USER, free_port, stop_process

BLAZER = "/lib/nut/blazer_ser"
UPSD = "/lib/nut/upsd"


class MegatecUps:
    def __init__(self, name: str = "q1", test_seconds: float = 3.0) -> None:
        self.name = name
        self.test_seconds = test_seconds
        self.received: list[str] = []
        self.fail_next = False
        self.online = True
        self._testing_until = 0.0
        self._failed = False
        self._stop = threading.Event()
        self.root = Path(tempfile.mkdtemp(prefix="pp-megatec-"))
        self.port = free_port()
        self.host = "127.0.0.1"
        self.procs: list[subprocess.Popen[bytes]] = []

    def _bits(self) -> str:
        testing = time.monotonic() < self._testing_until
        if not testing and self.fail_next and self._testing_until:
            self._failed, self.fail_next = True, False
        b = ["0"] * 8
        b[0] = "0" if self.online else "1"
        b[3] = "1" if self._failed else "0"
        b[4] = "1"
        b[5] = "1" if testing else "0"
        b[7] = "1"
        return "".join(b)

    def _serve(self, master: int) -> None:
        buf = b""
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                continue
            try:
                buf += os.read(master, 1024)
            except OSError:
                return
            while b"\r" in buf:
                line, buf = buf.split(b"\r", 1)
                text = line.decode(errors="replace")
                if text != "Q1":
                    self.received.append(text)
                if text == "Q1":
                    reply = f"(230.0 230.0 230.0 030 50.0 27.30 25.0 {self._bits()}\r"
                    os.write(master, reply.encode())
                elif text == "F":
                    os.write(master, b"#230.0 004 24.00 50.0\r")
                elif text == "I":
                    os.write(master, b"#TestVendor      TestModel  1.0       \r")
                elif text in ("T", "TL"):
                    self._failed = False
                    self._testing_until = time.monotonic() + self.test_seconds

    def _env(self) -> dict[str, str]:
        state = str(self.root / "state")
        return {
            **os.environ,
            "NUT_CONFPATH": str(self.root / "etc"),
            "NUT_STATEPATH": state,
            "NUT_ALTPIDPATH": state,
        }

    def start(self) -> MegatecUps:
        master, slave = pty.openpty()
        tty.setraw(master)
        self._master, self._slave = master, slave
        threading.Thread(target=self._serve, args=(master,), daemon=True).start()
        etc, state = self.root / "etc", self.root / "state"
        etc.mkdir()
        state.mkdir()
        os.chmod(state, 0o770)  # noqa: S103
        (etc / "ups.conf").write_text(
            f"user = root\npollinterval = 1\n[{self.name}]\n\tdriver = blazer_ser\n"
            f"\tport = {os.ttyname(slave)}\n"
        )
        (etc / "upsd.conf").write_text(f"LISTEN 127.0.0.1 {self.port}\n")
        users = etc / "upsd.users"
        users.write_text(f"[{NUT_USER}]\n\tpassword = {NUT_PASSWORD}\n\tinstcmds = ALL\n")
        os.chmod(users, 0o600)
        out = subprocess.DEVNULL
        self.procs.append(
            subprocess.Popen(
                [BLAZER, "-a", self.name, "-u", "root", "-F"],
                env=self._env(),
                stdout=out,
                stderr=out,
            )
        )
        deadline = time.monotonic() + 15
        while not (state / f"blazer_ser-{self.name}").exists():
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("blazer_ser did not start")
            time.sleep(0.05)
        self.procs.append(
            subprocess.Popen([UPSD, "-u", "root", "-F"], env=self._env(), stdout=out, stderr=out)
        )
        time.sleep(1.5)
        return self

    def stop(self) -> None:
        self._stop.set()
        for proc in reversed(self.procs):
            stop_process(proc)
        self.procs.clear()
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.root, ignore_errors=True)


def blazer_available() -> bool:
    return os.path.exists(BLAZER) and os.path.exists(UPSD)
