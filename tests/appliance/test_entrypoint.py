"""entrypoint.sh outside a container, with supervisord replaced by a stub (POWERPULSE_EXEC):
the secret is created once and kept, permissions are tight, migrations run once per start and
are idempotent, bad settings stop the start with the variable named, and arguments, when
given, are exec'd instead of the appliance. (Dropping to the runtime user with the Docker
socket's group is checked in the real container: test_selfupdate.py.)"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = REPO / "entrypoint.sh"


def run_entrypoint(
    tmp_path: Path, *args: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the entrypoint; the stub in place of supervisord records that it ran."""
    data = tmp_path / "data"
    record = tmp_path / "stub.out"
    stub = tmp_path / "stub.sh"
    stub.write_text(f'#!/bin/sh\nid -u > "{record}"\n')
    stub.chmod(0o755)
    full_env = {
        "PATH": os.environ["PATH"],
        "POWERPULSE_DATA_DIR": str(data),
        "POWERPULSE_RUN_DIR": str(tmp_path / "run"),
        "POWERPULSE_EXEC": str(stub),
        "DOCKER_SOCKET": str(tmp_path / "no-socket"),
        "LOG_LEVEL": "WARNING",
        **env,
    }
    done = subprocess.run(
        [str(ENTRYPOINT), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done, data


def tables(db: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]


def test_first_start_creates_a_private_secret_and_the_schema_then_execs(tmp_path: Path) -> None:
    done, data = run_entrypoint(tmp_path)
    assert done.returncode == 0, done.stderr
    secret = data / "jwt_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_text().strip()) >= 32
    assert stat.S_IMODE(data.stat().st_mode) == 0o750
    assert stat.S_IMODE((data / "powerpulse.db").stat().st_mode) & 0o007 == 0  # umask 027
    assert {"users", "samples", "key_values"} <= set(tables(data / "powerpulse.db"))
    assert (tmp_path / "stub.out").exists(), "supervisord (the stub) was not exec'd"


def test_restart_keeps_the_secret_and_the_data_and_migrating_again_is_harmless(
    tmp_path: Path,
) -> None:
    done, data = run_entrypoint(tmp_path)
    assert done.returncode == 0, done.stderr
    secret = (data / "jwt_secret").read_text()
    with contextlib.closing(sqlite3.connect(data / "powerpulse.db")) as conn:
        conn.execute(
            "INSERT INTO users (username, password_hash, role, token_version, created_at)"
            " VALUES ('alice', 'x', 'user', 0, '2025-01-01 00:00:00')"
        )
        conn.commit()
    schema = tables(data / "powerpulse.db")

    again, _ = run_entrypoint(tmp_path)
    assert again.returncode == 0, again.stderr
    assert (data / "jwt_secret").read_text() == secret
    assert tables(data / "powerpulse.db") == schema
    with contextlib.closing(sqlite3.connect(data / "powerpulse.db")) as conn:
        assert conn.execute("SELECT username FROM users").fetchall() == [("alice",)]


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "abc"), ("JWT_SECRET", "short"), ("POLL_INTERVAL", "-1"), ("LOG_LEVEL", "LOUD")],
)
def test_a_bad_setting_stops_the_start_naming_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    done, data = run_entrypoint(tmp_path, **{name: value})
    assert done.returncode != 0
    assert name in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "stub.out").exists(), "started despite the bad setting"
    assert not (data / "powerpulse.db").exists()


def test_with_arguments_it_runs_them_instead_of_the_appliance(tmp_path: Path) -> None:
    done, data = run_entrypoint(tmp_path, "powerpulse", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("powerpulse ")
    assert not (tmp_path / "stub.out").exists()
    assert not (data / "powerpulse.db").exists()
