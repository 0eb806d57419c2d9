"""The API suite's fixtures (app, client, accounts on a fresh database of each engine)."""

from tests.api.conftest import (  # noqa: F401 (re-exported fixtures)
    admin,
    app,
    client,
    db,
    member,
    migrated_template,
    read_list_key_every_time,
)
