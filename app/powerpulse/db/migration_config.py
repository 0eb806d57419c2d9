"""Config for Tortoise's own CLI when writing migrations: `make migrations`."""

from __future__ import annotations

from powerpulse.db.setup import tortoise_config

TORTOISE_ORM = tortoise_config(db_url="sqlite://:memory:")
