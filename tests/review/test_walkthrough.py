"""Regressions found by following the README from a fresh clone (`make run`, `make demo`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.nut_server import free_port

POWERPULSE = Path(sys.executable).with_name("powerpulse")


def test_api_on_a_taken_port_says_so_in_one_line(tmp_path: Path) -> None:
    # `PORT=8080 make run` while something else holds 8080: supervisord restarts the api worker
    # again and again, so each failure must be one clear line naming PORT, not a 20-line trace.
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        env = {
            **os.environ,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "POWERPULSE_DATA_DIR": str(tmp_path),
        }
        env.pop("DATABASE_URL", None)
        done = subprocess.run(
            [str(POWERPULSE), "api"], env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "set PORT" in done.stderr
