"""`powerpulse api`: the api worker, one Sanic process (supervisord restarts it)."""

from __future__ import annotations

import asyncio
import logging

from sanic import Sanic

from powerpulse.api.app import create_app
from powerpulse.config import Settings
from powerpulse.db.setup import run_migrations

log = logging.getLogger(__name__)


def run(settings: Settings) -> None:
    """Apply pending migrations (a no-op when `powerpulse migrate` ran first), then serve."""
    asyncio.run(run_migrations(settings))
    app = create_app(settings)
    log.info("api listening on %s:%s", settings.host, settings.port)
    app.run(
        host=settings.host,
        port=settings.port,
        single_process=True,
        access_log=False,
        motd=False,
    )
    Sanic._app_registry.pop(app.name, None)
