"""The repo's supervisord.conf, started the way the container starts it (through entrypoint.sh),
with a real upsd behind the poller: both workers run, a killed poller comes back while the API
keeps answering, SIGTERM stops everything well within Docker's 10 s, and nothing written before
the stop is lost."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import leakcheck
from tests.support.nut_server import NutServer, nut_available
from tests.support.stack import Stack

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


class Supervised:
    """entrypoint.sh → supervisord → api + poller, on a temp data dir."""

    def __init__(self, root: Path) -> None:
        # The production lease (15 s): a poller restarted after SIGKILL takes the dead one's
        # leases back at once (same container, its pid gone), which the restart test relies on.
        self.stack = Stack(root / "data", env={"POLL_INTERVAL": "0.3", "HISTORY_INTERVAL": "1"})
        self.run_dir = root / "run"
        self.env = {**self.stack.env, "POWERPULSE_RUN_DIR": str(self.run_dir)}
        # supervisord and the entrypoint find `powerpulse` on PATH: the venv's, as `make` sets it.
        venv_bin = str(Path(sys.executable).parent)
        self.env["PATH"] = os.pathsep.join([venv_bin, self.env.get("PATH", os.defpath)])
        self.env.pop("JWT_SECRET")  # the entrypoint generates and keeps one
        self.log = root / "supervisord.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(REPO / "entrypoint.sh")],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_api()

    def wait_api(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.api_answers():
                return
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.2)
        raise AssertionError(f"api did not answer:\n{self.log.read_text()[-3000:]}")

    def api_answers(self) -> bool:
        with contextlib.suppress(OSError):
            status, body = self.stack.request("GET", "/api/system/version", timeout=2)
            return status == 200 and bool(body.get("version"))
        return False

    def ctl(self, *args: str) -> str:
        done = subprocess.run(
            [
                str(Path(sys.executable).with_name("supervisorctl")),
                "-c",
                str(REPO / "supervisord.conf"),
                *args,
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        return done.stdout

    def states(self) -> dict[str, tuple[str, int]]:
        """program → (state, pid) as supervisord reports them."""
        found: dict[str, tuple[str, int]] = {}
        for line in self.ctl("status").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                pid = int(parts[3].rstrip(",")) if len(parts) > 3 and parts[2] == "pid" else 0
                found[parts[0].split(":")[-1]] = (parts[1], pid)
        return found

    def wait_running(self, timeout: float = 15.0) -> dict[str, tuple[str, int]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = self.states()
            if {s for s, _ in states.values()} == {"RUNNING"} and len(states) == 2:
                return states
            time.sleep(0.1)
        raise AssertionError(f"workers not running: {self.states()}")

    def terminate(self) -> float:
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        return time.monotonic() - started

    def workers(self) -> list[int]:
        """supervisord's children (the workers), from /proc: works even if it stopped answering."""
        assert self.proc is not None
        return [p.pid for p in leakcheck.snapshot().values() if p.ppid == self.proc.pid]

    def close(self) -> None:
        """Stop it as Docker does: SIGTERM, and supervisord stops its workers first. SIGKILL only
        if that hangs, then to each worker's group too: supervisord gives every program a process
        group of its own, so killing supervisord's group alone would leave them running."""
        if self.proc is None or self.proc.poll() is not None:
            return
        workers = self.workers()
        try:
            self.terminate()
            return
        except subprocess.TimeoutExpired:
            pass
        for group in (self.proc.pid, *workers):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)
        self.proc.wait(10)

    def count(self, table: str) -> int:
        with contextlib.closing(sqlite3.connect(self.stack.data_dir / "powerpulse.db")) as db:
            return int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture(scope="module")
def upsd() -> Iterator[NutServer]:
    if not nut_available():
        pytest.fail("NUT is not installed: run `make test-deps`")
    server = NutServer(["ups1"]).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory, upsd: NutServer) -> Iterator[Supervised]:
    running = Supervised(tmp_path_factory.mktemp("supervised"))
    try:  # a start that fails half-way leaves supervisord running: stop it all the same
        running.start()
        running.stack.setup_admin("127.0.0.1", upsd.port)
        deadline = time.monotonic() + 20
        while running.count("samples") == 0 and time.monotonic() < deadline:
            time.sleep(0.3)
        yield running
    finally:
        running.close()


def test_both_workers_run_and_a_killed_poller_comes_back_while_the_api_answers(
    supervised: Supervised,
) -> None:
    states = supervised.wait_running()
    assert set(states) == {"api", "poller"}
    poller_pid = states["poller"][1]

    os.kill(poller_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    api_failures = 0
    while True:
        if not supervised.api_answers():
            api_failures += 1
        state, pid = supervised.states().get("poller", ("", 0))
        if state == "RUNNING" and pid not in (0, poller_pid):
            break
        assert time.monotonic() - killed_at < 10, f"poller not back: {supervised.states()}"
        time.sleep(0.1)
    assert time.monotonic() - killed_at < 5
    assert api_failures == 0
    # The new poller does its job: samples keep arriving.
    before = supervised.count("samples")
    deadline = time.monotonic() + 10
    while supervised.count("samples") <= before:
        assert time.monotonic() < deadline, "the restarted poller records nothing"
        time.sleep(0.3)


def test_sigterm_stops_both_workers_within_10s_and_nothing_is_lost(
    supervised: Supervised,
) -> None:
    pids = [pid for _, pid in supervised.wait_running().values()]
    samples = supervised.count("samples")
    users = supervised.count("users")
    secret = (supervised.stack.data_dir / "jwt_secret").read_text()
    assert samples > 0 and users == 1

    took = supervised.terminate()
    assert took < 10, f"stopping took {took:.1f} s"
    assert supervised.proc is not None and supervised.proc.returncode == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)

    supervised.start()
    supervised.wait_running()
    assert supervised.count("samples") >= samples
    assert (supervised.stack.data_dir / "jwt_secret").read_text() == secret
    # The admin made before the stop still logs in: users and the JWT secret both survived.
    status, body = supervised.stack.request(
        "POST", "/api/auth/login", {"username": "admin", "password": "admin-pass-1"}
    )
    assert status == 200 and body["token"]
