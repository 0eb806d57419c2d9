"""Fail the test session if a process it started is still running at the end.

A process counts as started by the session when any of these holds:
- it descends from the pytest process (parent chain in /proc);
- its environment carries this session's token in `POWERPULSE_TEST_SESSIONS`: every process
  started with an environment derived from `os.environ` inherits it, so a daemon that forked
  away (reparented to init, like the workers of a supervisord killed with SIGKILL) is still
  recognised;
- its root directory, working directory or command line lies under a directory the suite
  registered with `own_directory()` (podman's temp root: containers run with their own
  environment and conmon reparents them).
Each session (an xdist worker too) appends its own token to the variable, so a pytest run
inside the suite checks only its own processes while the outer run still sees them.

Used from tests/conftest.py: `pytest_configure` marks the environment and the session-scoped
autouse fixture `no_process_left_behind` checks at the very end (it is the first fixture set up,
so the last torn down). Leaked processes are listed (pid + command line), then killed so that
they do not pile up run after run.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

MARKER = "POWERPULSE_TEST_SESSIONS"
GRACE_SECONDS = 5.0  # a process sent SIGTERM by the last teardown may still be exiting

_state: dict[str, str] = {}
_owned_dirs: list[str] = []


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    state: str
    cmdline: str
    tokens: frozenset[str]
    paths: tuple[str, ...]  # root and cwd, where readable


# -- pure logic ------------------------------------------------------------------------------
def add_token(value: str | None, token: str) -> str:
    return ":".join([*(t for t in (value or "").split(":") if t), token])


def ancestors(pid: int, procs: Mapping[int, Proc]) -> set[int]:
    found: set[int] = set()
    while pid in procs and pid not in found and pid > 1:
        found.add(pid)
        pid = procs[pid].ppid
    return found


def started_by(
    procs: Mapping[int, Proc], session_pid: int, token: str, owned_dirs: Iterable[str] = ()
) -> list[Proc]:
    """The live processes of `procs` that the session (pytest pid + token) started."""
    mine = ancestors(session_pid, procs)  # pytest itself and whatever started it
    dirs = [d.rstrip("/") + "/" for d in owned_dirs]
    leaked = []
    for proc in procs.values():
        if proc.pid in mine or proc.state in ("Z", "X"):
            continue  # a zombie is not running: only its exit status is left
        descends = session_pid in ancestors(proc.ppid, procs)
        under = any(d in proc.cmdline or any(p.startswith(d) for p in proc.paths) for d in dirs)
        if descends or token in proc.tokens or under:
            leaked.append(proc)
    return sorted(leaked, key=lambda p: p.pid)


def describe(procs: Iterable[Proc]) -> str:
    return "\n".join(f"  pid {p.pid} (parent {p.ppid}): {p.cmdline[:300]}" for p in procs)


# -- /proc -----------------------------------------------------------------------------------
def read_proc(pid: int) -> Proc | None:
    base = Path("/proc") / str(pid)
    try:
        stat = (base / "stat").read_text()
        # "pid (comm) state ppid …": comm may hold spaces and parentheses.
        state, ppid = stat[stat.rindex(")") + 2 :].split()[:2]
        raw_cmd = (base / "cmdline").read_bytes()
    except (OSError, ValueError):
        return None  # gone meanwhile, or a kernel thread we cannot read
    tokens: frozenset[str] = frozenset()
    with contextlib.suppress(OSError):
        for entry in (base / "environ").read_bytes().split(b"\0"):
            if entry.startswith(MARKER.encode() + b"="):
                value = entry.split(b"=", 1)[1].decode(errors="replace")
                tokens = frozenset(value.split(":"))
    paths = []
    for link in ("root", "cwd"):
        with contextlib.suppress(OSError):
            paths.append(os.readlink(base / link))
    cmdline = raw_cmd.replace(b"\0", b" ").decode(errors="replace").strip()
    return Proc(pid, int(ppid), state, cmdline or f"[{stat.split()[1]}]", tokens, tuple(paths))


def snapshot() -> dict[int, Proc]:
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (proc := read_proc(int(entry))) is not None:
            procs[proc.pid] = proc
    return procs


def leaked_processes(grace: float | None = None) -> list[Proc]:
    """This session's processes still running, after waiting up to `grace` s for them to exit."""
    deadline = time.monotonic() + (GRACE_SECONDS if grace is None else grace)
    while True:
        leaked = started_by(snapshot(), os.getpid(), token(), _owned_dirs)
        if not leaked or time.monotonic() >= deadline:
            return leaked
        time.sleep(0.2)


def kill(procs: Iterable[Proc]) -> None:
    for proc in procs:
        with contextlib.suppress(OSError):
            os.kill(proc.pid, signal.SIGKILL)


# -- registration ----------------------------------------------------------------------------
def token() -> str:
    if "token" not in _state:
        _state["token"] = f"pp{os.getpid()}-{uuid.uuid4().hex[:12]}"
        os.environ[MARKER] = add_token(os.environ.get(MARKER), _state["token"])
    return _state["token"]


def own_directory(path: Path | str) -> None:
    """Count every process rooted, running or named under `path` as started by the suite."""
    _owned_dirs.append(str(Path(path).resolve()))


# -- pytest wiring (imported by tests/conftest.py) -------------------------------------------
def pytest_configure(config: pytest.Config) -> None:
    token()  # before any test starts a process, so all of them inherit it


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    yield
    leaked = leaked_processes()
    if leaked:
        kill(leaked)
        pytest.fail(
            f"the test session left {len(leaked)} process(es) running (now killed); "
            f"a test or fixture did not stop what it started:\n{describe(leaked)}",
            pytrace=False,
        )
