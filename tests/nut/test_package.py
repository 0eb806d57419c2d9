"""`powerpulse.nut` stands alone: no database or ORM behind it."""

from __future__ import annotations

import subprocess
import sys


def test_nut_package_imports_no_database_code() -> None:
    code = (
        "import sys, powerpulse.nut, powerpulse.nut.status, powerpulse.nut.variables\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tortoise', 'aiosqlite', 'sanic')"
        " or m.startswith('powerpulse.db')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
