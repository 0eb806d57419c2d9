"""`make run` and `make demo` as a person runs them from a clone: no package index needed once
installed, and Ctrl-C / SIGHUP (the terminal closing) stop them cleanly instead of failing or
restarting the workers."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.support.nut_server import free_port

REPO = Path(__file__).resolve().parents[1]
# Every package source this machine could use, pointed at a closed port or switched off: pip's
# config files (this machine's name local wheel directories), find-links, proxies, npm's registry.
NO_INDEX = {
    "PIP_CONFIG_FILE": os.devnull,
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple",
    "PIP_DEFAULT_TIMEOUT": "3",
    "PIP_RETRIES": "0",
    "npm_config_registry": "http://127.0.0.1:9/",
    "npm_config_offline": "true",
    "https_proxy": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "no_proxy": "127.0.0.1,localhost",
}
PIP_SOURCES = ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_NO_INDEX")


def offline(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k not in PIP_SOURCES} | NO_INDEX


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.3)


def local_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERPULSE_", "PP_"))}
    env.pop("DATABASE_URL", None)
    return env | {
        "POWERPULSE_DATA_DIR": str(tmp_path / "data"),
        "POWERPULSE_RUN_DIR": str(tmp_path / "data" / "run"),
        "PORT": str(port),
        "HOST": "127.0.0.1",
    }


def test_make_run_starts_without_a_package_index_and_sighup_stops_it(tmp_path: Path) -> None:
    # One install with the index reachable (nothing to do right after `make test-deps`)...
    first = subprocess.run(["make", "-s", "install"], cwd=REPO, capture_output=True, text=True)
    assert first.returncode == 0, first.stdout + first.stderr
    port = free_port()
    env = offline(local_env(tmp_path, port))
    # ...then every start works offline, where `pip install -e .` fails (no setuptools to build).
    proof = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "-d",
            str(tmp_path / "dl"),
            "setuptools",
        ],
        env=offline(dict(os.environ)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proof.returncode != 0, "the package index is still reachable: the test proves nothing"
    run = subprocess.Popen(
        ["make", "-s", "run"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        text=True,
    )
    health = f"http://127.0.0.1:{port}/api/auth/check-setup"
    try:
        wait_until(lambda: answers(health), 90, "the api answering")
        wait_until(lambda: (tmp_path / "data" / "run" / "supervisord.pid").exists(), 10, "pid")
        supervisor = int((tmp_path / "data" / "run" / "supervisord.pid").read_text())
        os.killpg(run.pid, signal.SIGHUP)  # what a terminal closing sends
        output, _ = run.communicate(timeout=30)
    finally:
        subprocess.run(["pkill", "-KILL", "-s", str(run.pid)], check=False)
    assert "PowerPulse stopped" in output, output
    assert "pip install" not in output and "npm" not in output, output
    # supervisord would take SIGHUP as "restart the workers": they started once and stopped.
    assert "restart request" not in output, output
    assert output.count("spawned: 'api'") == 1 and output.count("spawned: 'poller'") == 1, output
    assert "stopped: api (exit status 0)" in output and "stopped: poller (exit status 0)" in output
    assert "poller stopped" in output and "removed from the configuration" not in output
    wait_until(lambda: not Path(f"/proc/{supervisor}").exists(), 10, "supervisord exiting")
    assert not answers(health)


def read_until(fd: int, text: str | None, timeout: float) -> str:
    """What the terminal shows until `text` (None: until it closes)."""
    seen = b""
    deadline = time.monotonic() + timeout
    while text is None or text.encode() not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"{text!r} never came:\n{seen.decode(errors='replace')}"
        ready, _, _ = select.select([fd], [], [], min(left, 0.5))
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:  # the other side closed
                assert text is None, f"closed before {text!r}:\n{seen.decode(errors='replace')}"
                break
    return seen.decode(errors="replace")


def test_ctrl_c_on_make_demo_exits_0_with_one_line(tmp_path: Path) -> None:
    port, sim_port = free_port(), free_port()
    env = local_env(tmp_path, port) | {
        "DEMO_DIR": str(tmp_path / "demo"),
        "SIM_PORT": str(sim_port),
        "POLL_INTERVAL": "1",
    }
    pid, fd = pty.fork()  # a terminal: Ctrl-C signals its whole foreground process group
    if pid == 0:  # the child: never returns into pytest
        try:
            os.chdir(REPO)
            os.execvpe("make", ["make", "-s", "demo"], env)  # noqa: S606 (fixed argv)
        finally:
            os._exit(127)
    try:
        read_until(fd, "Press Ctrl-C to stop.", 120)
        os.write(fd, b"\x03")
        rest = read_until(fd, None, 30)
        _, status = os.waitpid(pid, 0)
    finally:
        # The child leads its own session: whatever is left of the demo in it goes.
        subprocess.run(["pkill", "-KILL", "-s", str(pid)], check=False)
        os.close(fd)
    lines = [line.strip() for line in rest.replace("^C", "").splitlines() if line.strip()]
    assert lines == ["demo: stopped"], rest
    assert os.waitstatus_to_exitcode(status) == 0, rest
    assert not answers(f"http://127.0.0.1:{port}/api/auth/check-setup")
    poller_log = (tmp_path / "demo" / "logs" / "poller.log").read_text()
    assert "poller stopped" in poller_log and "removed from the configuration" not in poller_log
