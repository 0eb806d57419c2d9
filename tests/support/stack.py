"""Run PowerPulse's real workers (`powerpulse api`, `powerpulse poller`) as subprocesses.

For tests and benchmarks that need the real processes: durability (kill -9 the poller), the web
UI end-to-end, the appliance. Everything lives in a temp data dir; the API listens on a free port
on 127.0.0.1. Each worker's output goes to `<data_dir>/logs/<name>.log`.

    with Stack(tmp_path, env={"POLL_INTERVAL": "0.3"}) as stack:
        stack.start_api()            # waits until GET /api/auth/check-setup answers
        stack.start_poller()         # waits until the poller logged "poller started"
        stack.url("/api/ups-systems")
        stack.stop("poller")         # SIGTERM; returns the seconds it took to exit
        stack.kill("poller")         # SIGKILL

The API of this module is shared by several suites: keep it stable (add, don't change).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tests.support.nut_server import free_port

WORKERS = ("api", "poller")
DEFAULT_ENV = {
    "JWT_SECRET": "stack-test-secret-long-enough-123",
    "POLL_INTERVAL": "0.5",
    "NUT_TIMEOUT": "2",
    "LOG_LEVEL": "INFO",
    "COMM_GRACE_SECONDS": "30",
}


class StackError(RuntimeError):
    """A worker did not start, did not become healthy, or exited unexpectedly."""


class Stack:
    """The two workers on one data dir. Use as a context manager; `close()` stops both."""

    def __init__(
        self, data_dir: Path, *, port: int | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.extra_env = dict(env or {})
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._logs: dict[str, Any] = {}
        self._migrated = False

    # -- environment ------------------------------------------------------------------------
    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(DEFAULT_ENV)
        env.update(
            POWERPULSE_DATA_DIR=str(self.data_dir),
            PORT=str(self.port),
            HOST="127.0.0.1",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.extra_env)
        return env

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_path(self, name: str) -> Path:
        return self.data_dir / "logs" / f"{name}.log"

    def log(self, name: str) -> str:
        path = self.log_path(name)
        return path.read_text(errors="replace") if path.exists() else ""

    # -- processes --------------------------------------------------------------------------
    def command(self, *args: str, timeout: float = 60, stdin: str | None = None) -> str:
        """Run a one-shot `powerpulse …` command (migrate, user create, …); return its stdout."""
        done = subprocess.run(
            [sys.executable, "-m", "powerpulse.cli", *args],
            env=self.env,
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise StackError(f"powerpulse {' '.join(args)} failed: {done.stderr.decode()[-2000:]}")
        return done.stdout.decode()

    def migrate(self) -> None:
        """Apply migrations once, before the workers start (both would do it otherwise)."""
        if not self._migrated:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self.command("migrate")
            self._migrated = True

    def start(self, name: str, wait: bool = True, timeout: float = 30.0) -> subprocess.Popen[bytes]:
        if name not in WORKERS:
            raise ValueError(f"unknown worker {name!r}; one of {WORKERS}")
        if self.running(name):
            raise StackError(f"{name} is already running")
        self.migrate()
        self.log_path(name).parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path(name), "ab")  # noqa: SIM115 (kept open for the process' life)
        self._logs[name] = log
        proc = subprocess.Popen(
            [sys.executable, "-m", "powerpulse.cli", name],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a test's Ctrl-C does not reach the worker twice
        )
        self.procs[name] = proc
        if wait:
            (self.wait_api_healthy if name == "api" else self.wait_poller_ready)(timeout)
        return proc

    def start_api(self, wait: bool = True, timeout: float = 30.0) -> subprocess.Popen[bytes]:
        return self.start("api", wait, timeout)

    def start_poller(self, wait: bool = True, timeout: float = 30.0) -> subprocess.Popen[bytes]:
        return self.start("poller", wait, timeout)

    def running(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def pid(self, name: str) -> int:
        return self.procs[name].pid

    def stop(self, name: str, timeout: float = 10.0) -> float:
        """SIGTERM and wait; return the seconds until exit. Kills (and raises) past `timeout`."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return 0.0
        start = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise StackError(f"{name} did not exit within {timeout} s of SIGTERM") from None
        finally:
            self._close_log(name)
        return time.monotonic() - start

    def kill(self, name: str) -> None:
        """SIGKILL: no cleanup at all, like a crash or an OOM kill."""
        proc = self.procs.get(name)
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        self._close_log(name)

    def returncode(self, name: str) -> int | None:
        return self.procs[name].poll()

    def _close_log(self, name: str) -> None:
        log = self._logs.pop(name, None)
        if log is not None:
            log.close()

    def close(self) -> None:
        for name in list(self.procs):
            with contextlib.suppress(StackError):
                self.stop(name, timeout=10)
            self.kill(name)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- readiness --------------------------------------------------------------------------
    def _check_alive(self, name: str) -> None:
        proc = self.procs[name]
        if proc.poll() is not None:
            raise StackError(
                f"{name} exited with {proc.returncode}; log tail:\n{self.log(name)[-3000:]}"
            )

    def wait_api_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive("api")
            with contextlib.suppress(OSError, urllib.error.URLError):
                status, _ = self.request("GET", "/api/auth/check-setup", timeout=2)
                if status == 200:
                    return
            if time.monotonic() > deadline:
                raise StackError(f"api not healthy after {timeout} s:\n{self.log('api')[-3000:]}")
            time.sleep(0.1)

    def wait_poller_ready(self, timeout: float = 30.0) -> None:
        self.wait_log("poller", "poller started", timeout)

    def wait_log(self, name: str, text: str, timeout: float = 30.0) -> None:
        """Wait until the worker's log contains `text` (needs LOG_LEVEL=INFO for info lines)."""
        deadline = time.monotonic() + timeout
        while text not in self.log(name):
            self._check_alive(name)
            if time.monotonic() > deadline:
                raise StackError(f"{name} never logged {text!r}:\n{self.log(name)[-3000:]}")
            time.sleep(0.1)

    # -- HTTP -------------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, Any]:
        """A JSON request to the API; returns (status, decoded body or raw text)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url(path), data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, raw = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode(errors="replace")

    def setup_admin(
        self,
        nut_host: str,
        nut_port: int,
        username: str = "admin",
        password: str = "admin-pass-1",  # noqa: S107
    ) -> str:
        """First-time setup through the API (admin + NUT server + discovery); returns a token."""
        status, body = self.request(
            "POST",
            "/api/auth/setup",
            {
                "username": username,
                "password": password,
                "nutServer": nut_host,
                "nutPort": nut_port,
            },
        )
        if status not in (200, 201):
            raise StackError(f"setup failed: {status} {body}")
        return str(body["token"])


@contextlib.contextmanager
def running_stack(
    data_dir: Path, *, api: bool = True, poller: bool = True, env: Mapping[str, str] | None = None
) -> Iterator[Stack]:
    """Both workers (or the ones asked for) started and healthy; stopped afterwards."""
    stack = Stack(data_dir, env=env)
    try:
        if api:
            stack.start_api()
        if poller:
            stack.start_poller()
        yield stack
    finally:
        stack.close()
