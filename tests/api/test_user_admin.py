"""`powerpulse user create|reset-password`, run as a real command on the test database."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import bcrypt

from powerpulse.api.auth import forget_all_users, issue_token
from powerpulse.config import Settings
from powerpulse.db.models import TwoFactor, User, UserSettings
from tests.api.conftest import Client


async def run_cli(settings: Settings, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "POWERPULSE_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,  # the test's engine ("" = the data dir's SQLite)
        "JWT_SECRET": "test-secret-that-is-long-enough-for-hs256",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "powerpulse.cli", "user", *args]
    return await asyncio.to_thread(
        subprocess.run, command, input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


async def test_create_and_reset(client: Client, db: Settings) -> None:
    done = await run_cli(
        db, "create", "ops", "--role", "admin", "--password-stdin", stdin="pw-1234567\n"
    )
    assert done.returncode == 0, done.stderr
    user = await User.get(username="ops")
    assert user.role == "admin" and user.password_hash.startswith("$2b$12$")
    assert bcrypt.checkpw(b"pw-1234567", user.password_hash.encode())
    assert await UserSettings.filter(user_id=user.id).exists()
    token = issue_token(user, client.app.ctx.jwt_secret)
    assert (await client.get("/api/auth/me", token=token))[0] == 200

    again = await run_cli(db, "create", "ops", "--password-stdin", stdin="pw-1234567\n")
    assert again.returncode == 1 and "already exists" in again.stderr
    short = await run_cli(db, "reset-password", "ops", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8" in short.stderr
    nobody = await run_cli(db, "reset-password", "ghost", "--password-stdin", stdin="pw-7654321\n")
    assert nobody.returncode == 1 and "no user" in nobody.stderr

    reset = await run_cli(db, "reset-password", "ops", "--password-stdin", stdin="pw-7654321\n")
    assert reset.returncode == 0, reset.stderr
    user = await User.get(username="ops")
    assert user.token_version == 1
    assert bcrypt.checkpw(b"pw-7654321", user.password_hash.encode())
    forget_all_users()  # the api worker's one-second user cache
    status, err, _ = await client.get("/api/auth/me", token=token)
    assert (status, err["error"]) == (401, "token_revoked")
    login = {"username": "ops", "password": "pw-7654321"}
    assert (await client.post("/api/auth/login", json=login))[0] == 200


async def test_reset_2fa_lets_a_locked_out_admin_in_with_the_password(
    client: Client, db: Settings
) -> None:
    user = await User.create(username="solo", password_hash="x", role="admin")
    await TwoFactor.create(user=user, secret="enc:v1:lost-phone", confirmed_at=user.created_at)
    done = await run_cli(db, "reset-2fa", "SOLO", stdin="")
    assert done.returncode == 0, done.stderr
    assert "removed" in done.stdout and not await TwoFactor.filter(user_id=user.id).exists()
    again = await run_cli(db, "reset-2fa", "solo", stdin="")
    assert again.returncode == 1 and "has no two-factor" in again.stderr
    nobody = await run_cli(db, "reset-2fa", "ghost", stdin="")
    assert nobody.returncode == 1 and "no user named" in nobody.stderr
