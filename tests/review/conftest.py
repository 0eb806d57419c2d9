"""Fixtures of the API suite (app on a migrated temp database, users, tokens) and of the stream
suite (the app served on a free port), reused as they are."""

from __future__ import annotations

from tests.api.conftest import (  # noqa: F401 (fixtures)
    admin,
    app,
    client,
    db,
    member,
    migrated_template,
    read_list_key_every_time,
)
from tests.stream.conftest import api  # noqa: F401 (fixture)
