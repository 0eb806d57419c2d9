"""The API tests' fixtures (an app on a migrated database, users, a client), both engines."""

from tests.api.conftest import (  # noqa: F401
    admin,
    app,
    client,
    db,
    member,
    migrated_template,
    read_list_key_every_time,
)
