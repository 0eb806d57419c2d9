"""The whole product for browser tests: real upsd + dummy-ups, the real api and poller workers
serving the built web UI (`webui/dist`).

Run it by hand to look at the UI: `python -m tests.e2e.ui_stack` (prints the URL; Ctrl-C stops).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.support.nut_server import NutServer
from tests.support.stack import Stack

REPO = Path(__file__).resolve().parents[2]
WEBUI_DIST = Path(os.environ.get("POWERPULSE_WEBUI_DIR", REPO / "webui" / "dist"))

# Readings that make the cards look like real units.
UPS_VARS: dict[str, dict[str, str]] = {
    "rack-a": {
        "device.mfr": "APC",
        "device.model": "Smart-UPS 1500",
        "device.serial": "AS0915123456",
        "ups.mfr": "APC",
        "ups.model": "Smart-UPS 1500",
        "ups.serial": "AS0915123456",
        "ups.status": "OL CHRG",
        "battery.charge": "96",
        "battery.runtime": "2460",
        "ups.load": "31",
        "input.voltage": "231.2",
        "output.voltage": "230.0",
        "battery.voltage": "27.1",
        "ups.temperature": "29.5",
    },
    "rack-b": {
        "device.mfr": "Eaton",
        "device.model": "5P 1550",
        "device.serial": "G118K0001",
        "ups.mfr": "Eaton",
        "ups.model": "5P 1550",
        "ups.serial": "G118K0001",
        "ups.status": "OL",
        "battery.charge": "100",
        "battery.runtime": "3300",
        "ups.load": "0",
        "input.voltage": "229.8",
        "output.voltage": "230.1",
        "battery.voltage": "27.4",
    },
    "closet": {
        "device.mfr": "CyberPower",
        "device.model": "CP1500PFCLCD",
        "device.serial": "CXXKV2000123",
        "ups.mfr": "CyberPower",
        "ups.model": "CP1500PFCLCD",
        "ups.serial": "CXXKV2000123",
        "ups.status": "OB DISCHRG",
        "battery.charge": "64",
        "battery.runtime": "780",
        "ups.load": "47",
        "input.voltage": "0",
        "output.voltage": "229.5",
        "battery.voltage": "24.6",
    },
}


def dist_ready() -> bool:
    return (WEBUI_DIST / "index.html").is_file()


@contextlib.contextmanager
def ui_stack(
    data_dir: Path,
    ups: Mapping[str, Mapping[str, str]] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[tuple[Stack, NutServer]]:
    """upsd with the given UPS, then api + poller on a fresh data dir (setup not done)."""
    nut = NutServer({k: dict(v) for k, v in (ups or UPS_VARS).items()})
    nut.start()
    stack = Stack(
        data_dir,
        env={
            "POWERPULSE_WEBUI_DIR": str(WEBUI_DIST),
            "POLL_INTERVAL": "0.3",
            # A history point a second, so the charts have a line within a short test.
            "HISTORY_INTERVAL": "1",
            **(env or {}),
        },
    )
    try:
        stack.start_api()
        stack.start_poller()
        yield stack, nut
    finally:
        stack.close()
        nut.stop()


def main() -> None:  # pragma: no cover - a manual tool
    with tempfile.TemporaryDirectory(prefix="pp-ui-") as tmp, ui_stack(Path(tmp)) as (stack, nut):
        if "--setup" in sys.argv:
            stack.setup_admin(nut.host, nut.port)
        print(f"PowerPulse at {stack.base_url} (NUT {nut.host}:{nut.port}); admin / admin-pass-1")
        print(f"data dir {tmp}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(1)


if __name__ == "__main__":
    main()
