"""A real NUT `upsd` with `dummy-ups` drivers in a temporary directory, for tests and benchmarks.

Nothing under /etc/nut is read or written: `NUT_CONFPATH`, `NUT_STATEPATH` and `NUT_ALTPIDPATH`
point into the temp dir, so several independent servers can run on different ports. Each UPS is
a `dummy-ups` driver reading `<name>.dev`; `set_vars()` rewrites that file and the driver picks
the change up within about a second (`pollinterval = 1`).

The binaries are the real ones from Debian's `nut-server` (`/lib/nut/upsd`, `/lib/nut/dummy-ups`),
started in the foreground from `subprocess.Popen` (daemonised copies become zombies here).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

UPSD = "/lib/nut/upsd"
DUMMY_UPS = "/lib/nut/dummy-ups"
NUT_USER = "admin"
NUT_PASSWORD = "s3cret-pass"

DEFAULT_VARS: dict[str, str] = {
    "battery.charge": "100",
    "battery.charge.low": "20",
    "battery.runtime": "1800",
    "battery.runtime.low": "120",
    "battery.voltage": "27.3",
    "battery.voltage.nominal": "24",
    "battery.type": "PbAc",
    "device.mfr": "APC",
    "device.model": "Smart-UPS 1500",
    "device.serial": "AS1234567890",
    "device.type": "ups",
    "input.voltage": "230.1",
    "input.voltage.nominal": "230",
    "output.voltage": "230.0",
    "ups.load": "30",
    "ups.mfr": "APC",
    "ups.model": "Smart-UPS 1500",
    "ups.serial": "AS1234567890",
    "ups.status": "OL",
    "ups.temperature": "25.5",
    "ups.beeper.status": "enabled",
    "ups.delay.shutdown": "20",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after 5 s: a test's server must never outlive it."""
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def nut_available() -> bool:
    return os.path.exists(UPSD) and os.path.exists(DUMMY_UPS)


def _dev_text(values: Mapping[str, str]) -> str:
    return "".join(f"{key}: {value}\n" for key, value in values.items())


class NutServer:
    """One `upsd` plus one `dummy-ups` per UPS. Use as a context manager or call start/stop."""

    def __init__(
        self,
        ups: Mapping[str, Mapping[str, str] | None] | list[str],
        port: int | None = None,
        maxage: int | None = None,
        root: Path | None = None,
    ) -> None:
        if isinstance(ups, list):
            ups = {name: None for name in ups}
        self.ups_names = list(ups)
        self.initial = {name: {**DEFAULT_VARS, **(values or {})} for name, values in ups.items()}
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.maxage = maxage
        self._own_root = root is None
        self.root = Path(root or tempfile.mkdtemp(prefix="pp-nut-"))
        self.confdir = self.root / "etc"
        self.statedir = self.root / "state"
        self.drivers: dict[str, subprocess.Popen[bytes]] = {}
        self.upsd: subprocess.Popen[bytes] | None = None
        self.current: dict[str, dict[str, str]] = {}

    # -- files --------------------------------------------------------------------------------
    def dev_path(self, name: str) -> Path:
        return self.root / f"{name}.dev"

    def _write_ups_conf(self) -> None:
        sections = [
            f"[{name}]\n\tdriver = dummy-ups\n\tport = {self.dev_path(name)}\n"
            f'\tdesc = "Test UPS {name}"\n'
            for name in self.ups_names
        ]
        (self.confdir / "ups.conf").write_text(
            "user = root\npollinterval = 1\n\n" + "\n".join(sections)
        )

    def _write_config(self) -> None:
        self.confdir.mkdir(parents=True, exist_ok=True)
        self.statedir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.statedir, 0o770)  # noqa: S103 (upsd and drivers share it)
        self._write_ups_conf()
        upsd_conf = f"LISTEN 127.0.0.1 {self.port}\nMAXCONN 1024\n"
        if self.maxage is not None:
            upsd_conf += f"MAXAGE {self.maxage}\n"
        (self.confdir / "upsd.conf").write_text(upsd_conf)
        users = self.confdir / "upsd.users"
        users.write_text(
            f"[{NUT_USER}]\n\tpassword = {NUT_PASSWORD}\n\tactions = SET FSD\n\tinstcmds = ALL\n"
        )
        os.chmod(users, 0o600)
        for name in self.ups_names:
            self.set_vars(name, self.initial[name], replace=True)

    def set_vars(self, name: str, values: Mapping[str, str], replace: bool = False) -> None:
        """Change what the UPS reports. Visible through upsd within about one second."""
        current = {} if replace else dict(self.current.get(name, {}))
        current.update({k: str(v) for k, v in values.items()})
        for key in [k for k, v in values.items() if v is None]:
            current.pop(key, None)
        self.current[name] = current
        path = self.dev_path(name)
        previous = path.stat().st_mtime if path.exists() else 0.0
        tmp = path.with_suffix(".tmp")
        tmp.write_text(_dev_text(current))
        os.replace(tmp, path)
        # dummy-ups re-reads when the mtime changes, compared in whole seconds: two edits inside
        # one second would share it and the second edit would never be seen. Move the mtime to
        # the next whole second when needed (it may then lie up to a second in the future).
        stamp = max(time.time(), float(int(previous) + 1))
        os.utime(path, (stamp, stamp))

    def set_status(self, name: str, status: str, **values: str) -> None:
        self.set_vars(
            name, {"ups.status": status, **{k.replace("_", "."): v for k, v in values.items()}}
        )

    # -- processes ----------------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            NUT_CONFPATH=str(self.confdir),
            NUT_STATEPATH=str(self.statedir),
            NUT_ALTPIDPATH=str(self.statedir),
        )
        return env

    def start_driver(self, name: str) -> None:
        self.start_drivers([name])

    def start_drivers(self, names: list[str]) -> None:
        """Start drivers all at once, then wait for their sockets (one by one takes ~1 s each)."""
        for name in names:
            self.drivers[name] = subprocess.Popen(
                [DUMMY_UPS, "-a", name, "-u", "root", "-F"],
                env=self._env(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 15 + len(names) * 0.05
        pending = list(names)
        while pending:
            for name in pending:
                proc = self.drivers[name]
                if proc.poll() is not None:
                    raise RuntimeError(f"dummy-ups for {name} exited with {proc.returncode}")
            pending = [n for n in pending if not (self.statedir / f"dummy-ups-{n}").exists()]
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"dummy-ups did not create its socket for {pending[:5]}")
            time.sleep(0.02)

    def kill_driver(self, name: str) -> None:
        proc = self.drivers.pop(name)
        proc.kill()
        proc.wait()
        with contextlib.suppress(FileNotFoundError):
            (self.statedir / f"dummy-ups-{name}").unlink()

    def pause_driver(self, name: str) -> None:
        self.drivers[name].send_signal(signal.SIGSTOP)

    def resume_driver(self, name: str) -> None:
        self.drivers[name].send_signal(signal.SIGCONT)

    def start_upsd(self, wait: bool = True) -> None:
        self.upsd = subprocess.Popen(
            [UPSD, "-u", "root", "-F"],
            env=self._env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if wait:
            self.wait_ready()

    def stop_upsd(self) -> None:
        if self.upsd is not None:
            stop_process(self.upsd)
            self.upsd = None

    def restart_upsd(self) -> None:
        self.stop_upsd()
        self.start_upsd()

    def reload_upsd(self) -> None:
        """What `upsd -c reload` does (SIGHUP): re-read ups.conf, keeping client connections."""
        assert self.upsd is not None, "upsd is not running"
        self.upsd.send_signal(signal.SIGHUP)

    def listed(self) -> list[str]:
        """The UPS names upsd lists now (`LIST UPS`)."""
        lines = self.query("LIST UPS")
        return sorted(line.split()[1] for line in lines if line.startswith("UPS "))

    def add_ups(self, name: str, values: Mapping[str, str] | None = None) -> None:
        """Add a UPS to the running upsd: ups.conf, its driver, a reload; waits for its data."""
        self.ups_names.append(name)
        self.initial[name] = {**DEFAULT_VARS, **(values or {})}
        self.set_vars(name, self.initial[name], replace=True)
        self._write_ups_conf()
        self.start_drivers([name])
        if self.upsd is not None:
            self.reload_upsd()
            self._wait_listed(name, True)
            self.wait_ready()

    def remove_ups(self, name: str) -> None:
        """Take a UPS out of the running upsd: ups.conf, a reload, its driver stopped."""
        self.ups_names.remove(name)
        self._write_ups_conf()
        if self.upsd is not None:
            self.reload_upsd()
            self._wait_listed(name, False)
        if name in self.drivers:
            self.kill_driver(name)

    def _wait_listed(self, name: str, present: bool, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError, IndexError):
                if (name in self.listed()) == present:
                    return
            if time.monotonic() > deadline:
                state = "listed" if present else "gone"
                raise RuntimeError(f"upsd on port {self.port}: {name} never {state}")
            time.sleep(0.05)

    def start(self) -> NutServer:
        if not nut_available():
            raise RuntimeError("NUT is not installed: apt-get install nut-server nut-client")
        self._write_config()
        try:
            self.start_drivers(self.ups_names)
            self.start_upsd()
        except BaseException:
            self.stop()  # callers only stop a server that started: do not leave its drivers
            raise
        return self

    def stop(self) -> None:
        self.stop_upsd()
        for name in list(self.drivers):
            proc = self.drivers.pop(name)
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGCONT)
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self._own_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> NutServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- readiness ----------------------------------------------------------------------------
    def query(self, *lines: str, timeout: float = 5.0) -> list[str]:
        """Send raw protocol lines on a fresh connection; return the reply lines (test helper)."""
        with socket.create_connection((self.host, self.port), timeout=timeout) as sock:
            sock.sendall("".join(line + "\n" for line in lines).encode())
            sock.shutdown(socket.SHUT_WR)
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return data.decode().splitlines()

    def get_var(self, name: str, var: str) -> str | None:
        reply = self.query(f"GET VAR {name} {var}")[0]
        if reply.startswith("VAR "):
            return reply.split('"')[1]
        return None

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Wait until every UPS answers with data from its .dev file (not WAIT, not an error)."""
        deadline = time.monotonic() + timeout
        pending = [n for n in self.ups_names if n in self.drivers]
        while pending:
            with contextlib.suppress(OSError):
                pending = [n for n in pending if self.get_var(n, "battery.charge") is None]
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"upsd on port {self.port} not ready for {pending}")
            time.sleep(0.1)

    def wait_var(self, name: str, var: str, value: str, timeout: float = 10.0) -> None:
        """Wait until upsd reports `var` = `value` for UPS `name`."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError, IndexError):
                if self.get_var(name, var) == value:
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} {var} never became {value!r}")
            time.sleep(0.05)


@contextlib.contextmanager
def running_nut(
    ups: Mapping[str, Mapping[str, str] | None] | list[str], **kwargs: object
) -> Iterator[NutServer]:
    server = NutServer(ups, **kwargs)  # type: ignore[arg-type]
    server.start()
    try:
        yield server
    finally:
        server.stop()
