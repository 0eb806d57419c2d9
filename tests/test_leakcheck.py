"""The session-end process check (tests/support/leakcheck.py) flags what a run leaves behind.

Real pytest runs in a subprocess, with the same wiring as tests/conftest.py: one that leaks a
direct child, a daemon that forked away from its parent and a child with an empty environment
must fail and name all three (then they are killed); one that cleans up must pass.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support import leakcheck
from tests.support.leakcheck import Proc, add_token, started_by

REPO = Path(__file__).resolve().parents[1]

CONFTEST = """
from tests.support import leakcheck
from tests.support.leakcheck import no_process_left_behind, pytest_configure  # noqa: F401

leakcheck.GRACE_SECONDS = 0.5
"""

LEAKY = """
import subprocess
from pathlib import Path

PIDS = Path(__file__).with_name("pids")


def test_leaks_three_ways():
    child = subprocess.Popen(["sleep", "301"], start_new_session=True)
    bare = subprocess.Popen(["/bin/sleep", "302"], env={})
    # The shell starts a daemon and exits: the daemon is reparented away from this process.
    subprocess.run(["sh", "-c", "sleep 303 >/dev/null 2>&1 & echo $! > daemon"], check=True)
    daemon = int(Path("daemon").read_text())
    PIDS.write_text(f"{child.pid} {bare.pid} {daemon}")
"""

TIDY = """
import subprocess


def test_cleans_up():
    proc = subprocess.Popen(["sleep", "300"])
    proc.terminate()
    proc.wait()
"""


def run_pytest(tmp_path: Path, test: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_inner.py").write_text(test)
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def alive(pid: int) -> bool:
    proc = leakcheck.read_proc(pid)
    return proc is not None and proc.state not in ("Z", "X")


def test_a_run_that_leaks_processes_fails_and_names_them(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, LEAKY)
    out = done.stdout + done.stderr
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    assert done.returncode != 0, out
    assert "left 3 process(es) running" in out, out
    for pid, command in zip(pids, ("sleep 301", "/bin/sleep 302", "sleep 303"), strict=True):
        assert f"pid {pid} " in out and command in out, out
    assert "1 passed, 1 error" in out, out
    # The check killed them: nothing is left for the next run.
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, [leakcheck.read_proc(p) for p in pids]
        time.sleep(0.1)


def test_a_run_that_cleans_up_passes(tmp_path: Path) -> None:
    done = run_pytest(tmp_path, TIDY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout and "error" not in done.stdout


def proc(pid: int, ppid: int, tokens: str = "", state: str = "S", **kw: object) -> Proc:
    return Proc(
        pid,
        ppid,
        state,
        str(kw.get("cmdline", f"cmd{pid}")),
        frozenset(tokens.split(":")) if tokens else frozenset(),
        tuple(kw.get("paths", ("/", "/work"))),  # type: ignore[arg-type]
    )


def test_started_by_counts_descendants_tokens_and_owned_dirs_only() -> None:
    procs = {
        p.pid: p
        for p in (
            proc(1, 0),
            proc(10, 1),  # the shell that started pytest
            proc(20, 10, "outer:me"),  # pytest itself
            proc(21, 20),  # a child started with an empty environment
            proc(22, 21),  # its child
            proc(30, 1, "outer:me"),  # a daemon reparented to init
            proc(31, 1, "outer:other"),  # another session's daemon
            proc(32, 20, state="Z"),  # an exited child not yet reaped
            proc(40, 1, paths=("/var/tmp/pp-podman-x/graph/overlay/a/merged", "/")),
            proc(41, 1, cmdline="conmon --exit-dir /var/tmp/pp-podman-x/run/exits"),
            proc(42, 1, paths=("/var/tmp/pp-podman-xy", "/")),  # a look-alike prefix
            proc(50, 10),  # the shell's other children
        )
    }
    found = started_by(procs, 20, "me", ["/var/tmp/pp-podman-x"])
    assert [p.pid for p in found] == [21, 22, 30, 40, 41]


def test_tokens_accumulate_for_nested_sessions() -> None:
    assert add_token(None, "a") == "a"
    assert add_token("", "a") == "a"
    assert add_token("a", "b") == "a:b"
