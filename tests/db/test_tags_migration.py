"""Migration 0004 (`UpsSystem.tags`) on an installation that already has UPS: on both engines,
the UPS stay, read as having no tags, and take tags afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from powerpulse.api.serializers import ups_config_dict
from powerpulse.db import dialect
from powerpulse.db.models import UpsSystem
from powerpulse.db.setup import close_db, init_db, run_migrations
from tests.db.conftest import database_before

BEFORE_TAGS = "models.0003_shared_state_and_leases"


async def test_existing_ups_read_as_untagged_after_the_migration(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = await database_before(engine, tmp_path, request, "tags", BEFORE_TAGS)
    try:  # rows written by 2.1, whose tables have no tags column yet
        await dialect.execute(
            "INSERT INTO nut_servers (host, port, starttls, auto_add, created_at, updated_at)"
            " VALUES ('nut.lan', 3493, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [False, True],
        )
        await dialect.execute(
            "INSERT INTO ups_systems (name, nut_server_id, ups_name, created_at)"
            " VALUES ('Rack A', 1, 'ups1', CURRENT_TIMESTAMP)"
        )
    finally:
        await close_db()
    await run_migrations(settings)
    await init_db(settings)
    try:
        ups = await UpsSystem.get(ups_name="ups1").select_related("nut_server")
        assert ups_config_dict(ups)["tags"] == []
        ups.tags = ["core"]
        await ups.save()
        assert (await UpsSystem.get(id=ups.id)).tags == ["core"]
    finally:
        await close_db()
