"""`powerpulse api`: the api worker (supervisord restarts it).

`WEB_CONCURRENCY=1` (the default) serves from this one process. With N > 1, Sanic's worker
manager runs N worker processes that share the listening port; each builds its own app through
`worker_app` (the processes are spawned, not forked, so logging is set up again in each). Every
worker is an api instance like another container would be: the state they must agree on (login
limits, used stream tickets, revocations, the list cache's change key) lives in the database.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from functools import partial

from sanic import Sanic
from sanic.worker.loader import AppLoader

from powerpulse.api.app import create_app
from powerpulse.config import Settings
from powerpulse.db.setup import run_migrations

log = logging.getLogger(__name__)


def worker_app(settings: Settings) -> Sanic:
    """The app of one worker process (called in each spawned worker by Sanic's loader)."""
    from powerpulse.cli import configure_logging

    configure_logging(settings)
    return create_app(settings)


def run(settings: Settings) -> None:
    """Apply pending migrations (a no-op when `powerpulse migrate` ran first), then serve."""
    asyncio.run(run_migrations(settings))
    workers = settings.web_concurrency
    log.info("api starting on %s:%s (%d worker(s))", settings.host, settings.port, workers)
    try:
        if workers == 1:
            app = create_app(settings)
            app.run(
                host=settings.host,
                port=settings.port,
                single_process=True,
                access_log=False,
                motd=False,
            )
            Sanic._app_registry.pop(app.name, None)
        else:
            loader = AppLoader(factory=partial(worker_app, settings))
            app = loader.load()
            app.prepare(
                host=settings.host,
                port=settings.port,
                workers=workers,
                access_log=False,
                motd=False,
            )
            Sanic.serve(primary=app, app_loader=loader)
    except OSError as err:
        # A taken port is the usual first-run mistake; supervisord retries, so one line each.
        if err.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        raise SystemExit(
            f"powerpulse api: cannot listen on {settings.host}:{settings.port}: "
            f"{err.strerror} (set PORT or HOST)"
        ) from None
