"""A real NUT `upsmon` in secondary mode, watching a UPS of a `tests.support.nut_server.NutServer`.

It runs the real binary (`/lib/nut/upsmon` from Debian's `nut-client`) in the foreground with
its own config and state dirs (`NUT_CONFPATH`, `NUT_STATEPATH`, `NUT_ALTPIDPATH`), so nothing under
/etc/nut is read and the host never shuts down: `SHUTDOWNCMD` only writes a marker file (with a
timestamp). As a secondary it logs in to upsd (`LOGIN`), so `LIST CLIENT <ups>` shows 127.0.0.1
for as long as it runs. Like a real one, once it has run SHUTDOWNCMD (FSD, or OB LB) it logs out
and exits: from then on the UPS has no client. upsd.users of the harness has no `upsmon` user, so
`start` adds `MON_USER` to the server's file and reloads upsd (SIGHUP) first.

    with Upsmon(nut, "ups1") as mon:
        mon.wait_attached()
        ... set FSD on ups1 ...
        assert mon.wait_shutdown(15)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO

from tests.support.nut_server import NutServer, stop_process

UPSMON = "/lib/nut/upsmon"
# upsd lets only a user with an `upsmon` role LOGIN; the harness's admin user has none, so the
# secondary gets its own user, added to the server's upsd.users (and upsd reloaded) on start.
MON_USER = "monuser"
MON_PASSWORD = "mon-pass-2718"


def upsmon_available() -> bool:
    return os.path.exists(UPSMON)


class Upsmon:
    """One upsmon secondary of `ups` on `server`. A context manager, or call start/stop."""

    def __init__(
        self,
        server: NutServer,
        ups: str,
        username: str = MON_USER,
        password: str = MON_PASSWORD,
        root: Path | None = None,
    ) -> None:
        self.server = server
        self.ups = ups
        self.username = username
        self.password = password
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="pp-upsmon-"))
        self.confdir = self.root / "etc"
        self.statedir = self.root / "state"
        self.marker = self.root / "shutdown-marker"
        self.log_path = self.root / "upsmon.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def _write_config(self) -> None:
        self.confdir.mkdir(parents=True, exist_ok=True)
        self.statedir.mkdir(parents=True, exist_ok=True)
        script = self.root / "shutdown.sh"
        # The marker says when: a test can tell a fresh shutdown from an old one.
        script.write_text(f"#!/bin/sh\ndate +%s.%N >> {self.marker}\n")
        script.chmod(0o755)
        conf = self.confdir / "upsmon.conf"
        conf.write_text(
            "RUN_AS_USER root\n"
            f"MONITOR {self.ups}@{self.server.host}:{self.server.port} 1 "
            f"{self.username} {self.password} secondary\n"
            "MINSUPPLIES 1\n"
            "POLLFREQ 1\n"
            "POLLFREQALERT 1\n"
            "HOSTSYNC 5\n"
            "DEADTIME 5\n"
            "FINALDELAY 0\n"
            f'SHUTDOWNCMD "{script}"\n'
            f"POWERDOWNFLAG {self.root / 'killpower'}\n"
        )
        conf.chmod(0o600)  # upsmon refuses a world-readable file holding a password

    def _add_user(self) -> None:
        """Give upsd the monitoring user (once per server) and wait until it may LOGIN."""
        users = self.server.confdir / "upsd.users"
        text = users.read_text()
        if f"[{self.username}]" not in text:
            users.write_text(
                text + f"\n[{self.username}]\n\tpassword = {self.password}\n\tupsmon secondary\n"
            )
            self.server.reload_upsd()
        login = (f"USERNAME {self.username}", f"PASSWORD {self.password}", f"LOGIN {self.ups}")
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError):
                if self.server.query(*login)[-1:] == ["OK"]:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"upsd never accepted LOGIN for {self.username}")
            time.sleep(0.1)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            NUT_CONFPATH=str(self.confdir),
            NUT_STATEPATH=str(self.statedir),
            NUT_ALTPIDPATH=str(self.statedir),
        )
        return env

    def start(self) -> Upsmon:
        if not upsmon_available():
            raise RuntimeError("upsmon is not installed: apt-get install nut-client")
        self._add_user()
        self._write_config()
        log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self._log = log
        # -F: foreground (daemonised copies become zombies here); -p: one privileged process,
        # no split into parent and child, so stopping the Popen stops all of it.
        command = [UPSMON, "-F", "-p"]
        if os.geteuid() == 0 and shutil.which("unshare"):
            # upsmon 2.8.0 keeps its PID file in /run/nut whatever NUT_ALTPIDPATH says, and a
            # second upsmon refuses to start while the first runs: give each its own /run/nut
            # (a bind mount in a private mount namespace; exec keeps the Popen's pid).
            Path("/run/nut").mkdir(parents=True, exist_ok=True)
            command = [
                "unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount --bind "$1" /run/nut && exec "$2" -F -p', "sh",
                str(self.statedir), UPSMON,
            ]  # fmt: skip
        self.proc = subprocess.Popen(command, env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        return self

    def attached(self) -> bool:
        """Whether upsd lists this upsmon as a client of the UPS (`LIST CLIENT`)."""
        with contextlib.suppress(OSError):
            lines = self.server.query(f"LIST CLIENT {self.ups}")
            return any(line.startswith(f"CLIENT {self.ups} ") for line in lines)
        return False

    def wait_attached(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.attached():
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"upsmon exited with {self.proc.returncode}: {self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"upsmon never logged in to upsd: {self.log()}")
            time.sleep(0.1)

    def shutdowns(self) -> list[float]:
        """When SHUTDOWNCMD ran (epoch seconds), oldest first."""
        if not self.marker.exists():
            return []
        return [float(line) for line in self.marker.read_text().split()]

    def wait_shutdown(self, timeout: float = 15.0) -> bool:
        """True once upsmon has run its SHUTDOWNCMD (within `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        # Until a whole line is there: `>>` creates the file before `date` writes into it.
        while not self.marker.exists() or not self.marker.read_text().endswith("\n"):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-2000:]
        return ""

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Upsmon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
