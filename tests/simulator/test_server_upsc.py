"""`powerpulse simulate` as a real process, read with Debian's real NUT clients (upsc, upsrw)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.support.nut_server import free_port


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "powerpulse.cli", "simulate", "--port", str(port), "--cycle", "10"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    banner = proc.stdout.readline()
    assert f"127.0.0.1:{port}" in banner, banner
    yield f"127.0.0.1:{port}"
    proc.terminate()
    assert proc.wait(5) == 0


def run(*args: str) -> str:
    """The client's output; its error messages (on stderr) come after it."""
    done = subprocess.run(args, capture_output=True, text=True, timeout=10)
    return done.stdout + "\n" + done.stderr


def test_upsc_lists_the_simulated_ups(simulator: str) -> None:
    assert run("upsc", "-l", simulator).split()[:3] == ["rack-a", "rack-b", "closet"]
    assert 'closet: Network closet \\ 2nd floor ("small" one)' in run("upsc", "-L", simulator)


def test_upsc_reads_every_variable_and_single_ones(simulator: str) -> None:
    out = run("upsc", f"rack-b@{simulator}")
    lines = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    assert lines["device.model"] == "Smart-UPS X 3000"
    assert lines["ups.status"].split()[0] in ("OL", "OB")
    assert 0 <= float(lines["battery.charge"]) <= 100
    assert run("upsc", f"rack-b@{simulator}", "ups.serial").startswith("AS1915B00002\n")
    assert "Unknown UPS" in run("upsc", f"nope@{simulator}")
    assert "Variable not supported" in run("upsc", f"rack-a@{simulator}", "no.such.var")


def test_upsrw_and_upscmd_see_writable_variables_and_commands(simulator: str) -> None:
    rw = run("upsrw", f"rack-a@{simulator}")
    assert "[ups.delay.shutdown]" in rw and 'Option: "medium" SELECTED' in rw
    assert "beeper.disable - Disable the UPS beeper" in run("upscmd", "-l", f"rack-a@{simulator}")


def test_status_changes_over_time_like_a_power_outage(simulator: str) -> None:
    seen: set[str] = set()
    deadline = time.monotonic() + 12  # one 10 s cycle plus slack
    while time.monotonic() < deadline and not {"OL", "OB DISCHRG", "OB DISCHRG LB"} <= seen:
        seen.add(run("upsc", f"rack-a@{simulator}", "ups.status").splitlines()[0])
        time.sleep(0.2)
    assert {"OL", "OB DISCHRG", "OB DISCHRG LB"} <= seen, seen
