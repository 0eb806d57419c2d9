"""`scripts/demo.sh` (what `make demo` runs): starts, shows the simulated UPS, stops cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.support.nut_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str, token: str | None = None, body: dict[str, str] | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_demo_serves_the_simulated_ups_and_stops_everything(tmp_path: Path) -> None:
    port, sim_port = free_port(), free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "SIM_PORT": str(sim_port),
        "DEMO_DIR": str(tmp_path / "demo"),
        "POLL_INTERVAL": "0.5",
    }
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "demo.sh")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Press Ctrl-C" in line:
                break
        output = "".join(lines)
        assert "added the simulator as a NUT server (3 UPS found)" in output, output
        assert f"http://127.0.0.1:{port}/" in output and "demo / demo-password" in output

        base = f"http://127.0.0.1:{port}"
        login = _get(
            f"{base}/api/auth/login", body={"username": "demo", "password": "demo-password"}
        )
        assert isinstance(login, dict)
        deadline = time.monotonic() + 10
        while True:
            systems = _get(f"{base}/api/ups-systems", token=login["token"])
            assert isinstance(systems, list)
            if all(s["status"] != "Unknown" for s in systems):
                break
            assert time.monotonic() < deadline, systems
            time.sleep(0.2)
        assert sorted(s["name"] for s in systems) == ["closet", "rack-a", "rack-b"]
        closet = next(s for s in systems if s["name"] == "closet")
        assert "RB" in closet["statusTokens"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    assert not _listening(port) and not _listening(sim_port)
    assert (tmp_path / "demo" / "powerpulse.db").exists()
