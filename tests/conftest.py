"""Fixtures shared by every suite: settings on a temp data dir, the database, real NUT servers;
and the session-end check that no process the suite started is left running."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import pytest

from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db, run_migrations
from tests.support.engines import (  # noqa: F401 (hooks and fixtures: tests on both engines)
    database_url,
    engine,
    postgres_clones,
    postgres_server,
    pytest_collection_modifyitems,
    pytest_generate_tests,
    with_database,
)
from tests.support.leakcheck import (  # noqa: F401 (a hook and an autouse fixture)
    no_process_left_behind,
    pytest_configure,
)
from tests.support.nut_server import NutServer, nut_available

# How a parallel run (`make test`) spreads the suite over xdist workers.
pytest_plugins = ["tests.support.distribution"]


def make_settings(data_dir: Path, **overrides: str) -> Settings:
    env = {
        "POWERPULSE_DATA_DIR": str(data_dir),
        "JWT_SECRET": "test-secret-that-is-long-enough-for-hs256",
        "POLL_INTERVAL": "0.5",
        "NUT_TIMEOUT": "2",
        "LOG_LEVEL": "WARNING",
        **overrides,
    }
    return Settings.from_env(env)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
async def db(settings: Settings, database_url: str) -> AsyncIterator[Settings]:  # noqa: F811
    """A migrated, connected database (SQLite in a temp dir, or a fresh PostgreSQL database:
    the test runs on each engine); yields its settings."""
    settings = with_database(settings, database_url)
    if not database_url:  # a PostgreSQL copy of the template is migrated already
        await run_migrations(settings)
    await init_db(settings)
    try:
        yield settings
    finally:
        await close_db()


@pytest.fixture
def nut_factory() -> Iterator[Callable[..., NutServer]]:
    """Start real `upsd` + `dummy-ups` servers: `nut_factory(["ups1", "ups2"], maxage=3)`."""
    if not nut_available():
        pytest.fail("NUT is not installed: run `make test-deps` (apt-get install nut-server)")
    started: list[NutServer] = []

    def start(
        ups: Mapping[str, Mapping[str, str] | None] | list[str], **kwargs: object
    ) -> NutServer:
        server = NutServer(ups, **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def nut(nut_factory: Callable[..., NutServer]) -> NutServer:
    """One real upsd serving `ups1` and `ups2`."""
    return nut_factory(["ups1", "ups2"])
