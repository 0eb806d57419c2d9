"""`DATABASE_URL`: PostgreSQL URLs are accepted and checked, SQLite stays the default, and
`powerpulse migrate` applies the migrations on an empty PostgreSQL database (twice: a no-op)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from powerpulse.config import ConfigError, Settings
from powerpulse.db.setup import connection_config
from tests.support.postgres import PostgresServer

MIGRATIONS = Path(__file__).resolve().parents[2] / "app" / "powerpulse" / "db" / "migrations"


@pytest.mark.parametrize(
    "url",
    [
        "postgres://pp:secret@db.lan:5432/powerpulse",
        "postgresql://pp:secret@db.lan/powerpulse",
        "postgres://pp:p%40ss@10.0.0.5:6543/power_pulse?ssl=require&maxsize=10",
        "postgres://db.lan/powerpulse?application_name=pp-api",
    ],
)
def test_postgres_urls_are_accepted(url: str) -> None:
    assert Settings.from_env({"DATABASE_URL": url}).db_url == url


def test_sqlite_stays_the_default(tmp_path: Path) -> None:
    settings = Settings.from_env({"POWERPULSE_DATA_DIR": str(tmp_path)})
    assert settings.db_url == f"sqlite://{(tmp_path / 'powerpulse.db').resolve()}"
    assert connection_config(settings.db_url)["engine"] == "powerpulse.db.sqlite_immediate"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgres://db.lan", "one database"),
        ("postgres://db.lan/a/b", "one database"),
        ("postgres:///powerpulse", "no host"),
        ("postgres://db.lan:99999/powerpulse", "port"),
        ("postgres://db.lan:http/powerpulse", "port"),
        ("postgres://db.lan/powerpulse?sslmode=require", "unknown option 'sslmode'"),
        ("postgres://db.lan/powerpulse?ssl=maybe", "ssl must be one of"),
        ("mysql://db.lan/powerpulse", "not a 'mysql' URL"),
        ("db.lan/powerpulse", "must be sqlite:///<path> or postgres://"),
        ("sqlite://", "no file path"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, words: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL") as caught:
        Settings.from_env({"DATABASE_URL": url})
    assert words in str(caught.value)


def test_asyncpg_gets_the_ssl_mode_as_written() -> None:
    base = "postgres://pp:pw@db.lan/powerpulse"
    credentials = connection_config(base + "?ssl=false")["credentials"]
    assert credentials["ssl"] is False  # Tortoise alone made this True
    assert connection_config(base + "?ssl=verify-full")["credentials"]["ssl"] == "verify-full"
    plain = connection_config("postgresql://pp:p%40ss@db.lan:6543/powerpulse")
    assert plain["engine"] == "tortoise.backends.asyncpg"
    assert plain["credentials"]["password"] == "p@ss"
    assert plain["credentials"]["port"] == 6543


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "powerpulse.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.engines("postgres")
async def test_migrate_on_an_empty_postgres_database(
    engine: str, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.create_database("migrate")
    env = {"POWERPULSE_DATA_DIR": str(tmp_path), "DATABASE_URL": url, "JWT_SECRET": "x" * 32}
    for _ in range(2):
        done = await asyncio.to_thread(_cli, env, "migrate")
        assert done.returncode == 0 and "migrations applied" in done.stdout, done.stderr
    name = postgres_server.name_of(url)
    tables = postgres_server.psql(
        "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
        "WHERE schemaname = 'public'",
        name,
    ).split(",")
    assert {"users", "ups_live_state", "samples", "sample_rollups", "counters"} <= set(tables)
    applied = postgres_server.psql("SELECT count(*) FROM tortoise_migrations", name)
    assert int(applied) == len(list(MIGRATIONS.glob("0*.py")))
    assert not (tmp_path / "powerpulse.db").exists()  # nothing went to SQLite
    bad = await asyncio.to_thread(_cli, {**env, "DATABASE_URL": "postgres://db.lan"}, "migrate")
    assert bad.returncode == 2 and "DATABASE_URL" in bad.stderr and "Traceback" not in bad.stderr
