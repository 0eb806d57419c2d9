"""What several benchmarks share: child processes in their own process group, their CPU time,
and a migrated database holding the NUT servers and UPS of real upsd servers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "app")]

from tests.support.nut_server import NutServer  # noqa: E402

from powerpulse.config import Settings  # noqa: E402
from powerpulse.db import counters  # noqa: E402
from powerpulse.db.models import NutServer as NutServerRow  # noqa: E402
from powerpulse.db.models import UpsSystem  # noqa: E402
from powerpulse.db.setup import close_db, init_db, run_migrations  # noqa: E402


def spawn(command: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Start `command` in a process group of its own (so `stop` also ends its children)."""
    return subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL after 15 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def seed_servers(settings: Settings, nuts: list[NutServer]) -> list[int]:
    """Migrate, add one NUT server row per upsd with all its UPS (no autoAdd); the UPS ids."""
    await run_migrations(settings)
    await init_db(settings)
    try:
        for nut in nuts:
            row = await NutServerRow.create(host=nut.host, port=nut.port, auto_add=False)
            await UpsSystem.bulk_create(
                [UpsSystem(name=n, ups_name=n, nut_server=row) for n in nut.ups_names]
            )
        await counters.bump(counters.CONFIG)
        return list(await UpsSystem.all().values_list("id", flat=True))  # type: ignore[arg-type]
    finally:
        await close_db()
