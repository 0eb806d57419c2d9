"""The API suite's fixtures (app, client, accounts on a fresh database of each engine), and a
database left at an older migration for the migration tests."""

from pathlib import Path

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate

from powerpulse.config import Settings
from powerpulse.db.setup import connections, init_db, tortoise_config
from tests.api.conftest import (  # noqa: F401 (re-exported fixtures)
    admin,
    app,
    client,
    db,
    member,
    migrated_template,
    read_list_key_every_time,
)
from tests.conftest import make_settings
from tests.support.postgres import PostgresServer


async def database_before(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest, name: str, target: str
) -> Settings:
    """A fresh database of `engine` migrated up to `target` only (an installation of that
    version), then opened for the test to write its old rows; the caller runs the rest."""
    EXECUTOR_CACHE.clear()  # statement texts of the other engine (see `database_url`)
    overrides = {}
    if engine == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        overrides["DATABASE_URL"] = server.create_database(name)
    settings = make_settings(tmp_path / "data", **overrides)
    if engine == "sqlite":
        settings.data_dir.mkdir(parents=True)
    try:
        await migrate(config=tortoise_config(settings), target=target)
    finally:
        await connections.close_all()
    await init_db(settings)
    return settings
