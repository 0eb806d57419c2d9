"""`powerpulse api` as a real process: migrates on start, serves, enforces the body limit on
the real HTTP server, and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.nut_server import free_port


def test_api_process(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "POWERPULSE_DATA_DIR": str(tmp_path / "data"),  # fresh: nothing migrated yet
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("JWT_SECRET", None)  # generated into the data dir on first start
    proc = subprocess.Popen(
        [sys.executable, "-m", "powerpulse.cli", "api"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = httpx.get(f"{base}/api/auth/check-setup", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "api did not start"
                time.sleep(0.2)
        assert resp.json() == {"isFirstTimeSetup": True}
        secret = tmp_path / "data" / "jwt_secret"
        assert secret.exists() and secret.stat().st_mode & 0o777 == 0o600
        big = httpx.post(f"{base}/api/auth/login", content=b"a" * 70_000, timeout=5)
        assert big.status_code == 413 and big.json()["error"] == "payload_too_large"
        missing = httpx.get(f"{base}/api/ups-systems/1", timeout=5)
        assert missing.status_code == 401 and missing.json()["error"] == "no_token"
    finally:
        proc.send_signal(signal.SIGTERM)
        output = proc.communicate(timeout=15)[0].decode()
    assert proc.returncode == 0, output
    assert "Traceback" not in output
