"""Connection set-up and migrations, shared by the api worker, the poller and the CLI."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from tortoise import Tortoise, connections
from tortoise.backends.base import executor
from tortoise.backends.base.config_generator import expand_db_url

from powerpulse.config import Settings
from powerpulse.db import dialect

APP_LABEL = "models"
MODELS_MODULE = "powerpulse.db.models"
MIGRATIONS_MODULE = "powerpulse.db.migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# The database holds NUT passwords and webhook URLs: owner only, like the JWT secret. SQLite
# gives its -wal/-shm/-journal files the database file's mode, so those follow.
DB_FILE_MODE = 0o600
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")
# Tortoise turns fetched rows into objects in runs of CHUNK_SIZE (2,000) between two turns of
# the event loop: 1,000 live rows were one ~50 ms run, during which the api answered nobody.
ROWS_PER_LOOP_TURN = 100
executor.CHUNK_SIZE = ROWS_PER_LOOP_TURN


def connection_config(db_url: str, *, foreign_keys: bool = True) -> dict[str, Any]:
    """Tortoise connection settings for `db_url`; SQLite goes through the IMMEDIATE engine.
    `foreign_keys=False` is for migrations only (see `run_migrations`)."""
    if db_url.startswith("sqlite://"):
        path = (
            urlparse(db_url).path if db_url.startswith("sqlite:///") else db_url[len("sqlite://") :]
        )
        return {
            "engine": "powerpulse.db.sqlite_immediate",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
                "foreign_keys": "ON" if foreign_keys else "OFF",
                "synchronous": "NORMAL",
                "journal_size_limit": 16384,
            },
        }
    return postgres_config(db_url)


def postgres_config(db_url: str) -> dict[str, Any]:
    """asyncpg through Tortoise. `ssl` is passed as asyncpg reads it (Tortoise would turn
    `ssl=false` into True)."""
    if db_url.startswith("postgresql://"):
        db_url = "postgres://" + db_url[len("postgresql://") :]
    config = expand_db_url(db_url)
    credentials = config["credentials"]
    ssl = parse_qs(urlparse(db_url).query).get("ssl")
    if ssl:
        mode = ssl[-1].lower()
        credentials["ssl"] = {"true": True, "false": False}.get(mode, mode)
    return config


def tortoise_config(
    settings: Settings | None = None, db_url: str | None = None, *, foreign_keys: bool = True
) -> dict[str, Any]:
    """The full Tortoise config dict for `settings` (or an explicit `db_url`)."""
    url = db_url or (settings or Settings.from_env()).db_url
    return {
        "connections": {"default": connection_config(url, foreign_keys=foreign_keys)},
        "apps": {
            APP_LABEL: {
                "models": [MODELS_MODULE],
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def ensure_sqlite_dir(settings: Settings) -> None:
    """The SQLite file's directory, and the file itself created mode 0600 before SQLite makes
    it with the umask's 0644; a file left world-readable by an older version is tightened."""
    if settings.db_url.startswith("sqlite://"):
        path = connection_config(settings.db_url)["credentials"]["file_path"]
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            secure_sqlite_file(Path(path))


def secure_sqlite_file(path: Path) -> None:
    with contextlib.suppress(FileExistsError):  # O_EXCL: an existing database is not touched
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DB_FILE_MODE))
    for file in (path, *(path.with_name(path.name + s) for s in SQLITE_SIDECARS)):
        try:
            mode = file.stat().st_mode & 0o777
            if mode & 0o077:
                file.chmod(mode & 0o700)  # drop group and other; the owner's bits stay
        except (FileNotFoundError, PermissionError):  # gone, or another user's: leave it be
            continue


async def init_db(settings: Settings, *, global_fallback: bool = False) -> None:
    """Open the connection for this process (migrations are applied separately).

    `global_fallback=True` makes the connection visible from every task, not only from the
    context that opened it: Sanic runs its start-up listeners and its handlers in different
    contexts, so the api worker needs it (without it every request fails with "No
    TortoiseContext is currently active").
    """
    ensure_sqlite_dir(settings)
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=global_fallback)
    # Connect now, not at the first query: a task cancelled while that query opened the
    # connection (the api's live watcher at shutdown) left it unassigned, so close_db() could
    # not close it and aiosqlite's thread later called into an event loop that had ended.
    await dialect.execute("SELECT 1")


async def close_db() -> None:
    await connections.close_all()


async def run_migrations(settings: Settings) -> None:
    """Apply every pending migration. Idempotent: applied ones are recorded by Tortoise.

    On SQLite, foreign keys are off while migrating, as SQLite's own procedure for changing a
    table says: Tortoise rebuilds a table to alter a column (copy, DROP, rename), and with
    foreign keys on the DROP cascades into every child table (altering `notification_logs`
    deleted the outbox's deliveries). The keys are checked once the migrations are done."""
    from tortoise.migrations.api import migrate

    ensure_sqlite_dir(settings)
    try:
        await migrate(config=tortoise_config(settings, foreign_keys=False))
        if not settings.db_url.startswith("postgres"):
            broken = await dialect.fetch("PRAGMA foreign_key_check")
            if broken:
                raise RuntimeError(f"migrations left broken foreign keys: {broken[:5]}")
    finally:
        await connections.close_all()
