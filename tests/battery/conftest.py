"""The API suite's fixtures (app, client, users, migrated db) for the battery tests."""

from tests.api.conftest import (  # noqa: F401 (re-exported fixtures)
    admin,
    app,
    client,
    db,
    member,
    migrated_template,
)
