"""The database engines the suites run on: every test that uses a database runs once on SQLite
and once on a real PostgreSQL server (ids `test_x[sqlite]`, `test_x[postgres]`).

- `PP_TEST_ENGINES` (default "sqlite,postgres") picks the engines of a run, e.g.
  `PP_TEST_ENGINES=sqlite pytest tests/api` for a quick local loop; the other engine's tests are
  deselected, not skipped.
- `@pytest.mark.engines("sqlite")` keeps a test that is about one engine (SQLite's locking,
  say) on that engine.
- A test (or fixture) takes part by requesting `database_url`: "" for SQLite (the file in the
  settings' data dir), else the URL of a fresh, migrated PostgreSQL database of its own. The
  `db` fixtures request it; a test that starts the real workers (tests/support/stack.py) passes
  `{"DATABASE_URL": db.database_url}` in the Stack's env so that they use the same database.
- One PostgreSQL server per session (per xdist worker), started only when a postgres test is
  collected, and stopped before the session's leftover-process check.

Used from tests/conftest.py, which imports the hooks and fixtures below.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Iterator
from dataclasses import replace

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from powerpulse.config import Settings
from powerpulse.db.setup import run_migrations
from tests.support.postgres import PostgresServer, TemplateClones

SQLITE = "sqlite"
POSTGRES = "postgres"
KNOWN = (SQLITE, POSTGRES)
ENV = "PP_TEST_ENGINES"


def selected_engines(raw: str | None = None) -> tuple[str, ...]:
    """The engines `PP_TEST_ENGINES` asks for, in the order they are known."""
    value = os.environ.get(ENV, "") if raw is None else raw
    wanted = {e.strip().lower() for e in value.split(",") if e.strip()} or set(KNOWN)
    unknown = wanted - set(KNOWN)
    if unknown:
        raise pytest.UsageError(
            f"{ENV}: unknown engine(s) {', '.join(sorted(unknown))}; use {', '.join(KNOWN)}"
        )
    return tuple(e for e in KNOWN if e in wanted)


def with_database(settings: Settings, database_url: str) -> Settings:
    """`settings` pointed at `database_url` ("" keeps the SQLite file of its data dir)."""
    return replace(settings, database_url=database_url) if database_url else settings


# -- hooks -----------------------------------------------------------------------------------
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("engines")
    engines = tuple(marker.args) if marker else KNOWN
    metafunc.parametrize("engine", engines)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    selected = selected_engines()
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec is not None else None
        (keep if engine is None or engine in selected else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


# -- fixtures --------------------------------------------------------------------------------
@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The engine of this test (parametrised by `pytest_generate_tests`)."""
    return str(getattr(request, "param", SQLITE))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_clones(postgres_server: PostgresServer) -> Iterator[TemplateClones]:
    """A migrated template database and the fresh copies of it that tests take."""
    url = postgres_server.create_database("pp_template")
    with tempfile.TemporaryDirectory() as tmp:
        env = {"POWERPULSE_DATA_DIR": tmp, "DATABASE_URL": url, "JWT_SECRET": "x" * 32}
        asyncio.run(run_migrations(Settings.from_env(env)))
    clones = TemplateClones(postgres_server, postgres_server.name_of(url))
    try:
        yield clones
    finally:
        clones.close()


@pytest.fixture
def database_url(engine: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """Empty on SQLite; on PostgreSQL a fresh migrated database of this test's own."""
    # Tortoise caches each model's INSERT text per connection name, not per engine: one engine
    # per process in production, but here the previous test may have used the other one.
    EXECUTOR_CACHE.clear()
    if engine != POSTGRES:
        yield ""
        return
    clones: TemplateClones = request.getfixturevalue("postgres_clones")
    url = clones.take()
    try:
        yield url
    finally:
        clones.release(url)


def stack_env(settings: Settings) -> dict[str, str]:
    """What a Stack needs in its env to run the workers on `settings`' database."""
    return {"DATABASE_URL": settings.database_url}
