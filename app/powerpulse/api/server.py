"""`powerpulse api`: the api worker, one Sanic process (supervisord restarts it)."""

from __future__ import annotations

import asyncio
import errno
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
    log.info("api starting on %s:%s", settings.host, settings.port)
    try:
        app.run(
            host=settings.host,
            port=settings.port,
            single_process=True,
            access_log=False,
            motd=False,
        )
    except OSError as err:
        # A taken port is the usual first-run mistake; supervisord retries, so one line each.
        if err.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        raise SystemExit(
            f"powerpulse api: cannot listen on {settings.host}:{settings.port}: "
            f"{err.strerror} (set PORT or HOST)"
        ) from None
    Sanic._app_registry.pop(app.name, None)
