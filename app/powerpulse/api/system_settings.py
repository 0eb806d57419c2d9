"""`/api/system/settings` (admin): the runtime settings of `powerpulse.runtime_settings`.

GET lists each setting with its value, default, bounds, unit and source (`env`, `database`,
`default`), so the UI derives its form from the answer. PUT takes `{key: number | null}` (null:
back to the default); a setting whose variable is set cannot be changed (400 `locked`).

Every api instance keeps `app.ctx.settings` (what handlers read: staleness, history buckets,
the fleet's lease) at the effective values: the instance that saved at once, the others
within `REFRESH_EVERY` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sanic import Blueprint, Request, Sanic
from sanic.response import HTTPResponse, json
from sanic_ext import openapi

from powerpulse import runtime_settings
from powerpulse.api import schemas
from powerpulse.api.auth import require_admin
from powerpulse.api.errors import bad_request
from powerpulse.api.validation import read_json
from powerpulse.config import Settings

log = logging.getLogger(__name__)

bp = Blueprint("system_settings", url_prefix="/api/system")

REFRESH_EVERY = 3.0


def env_settings(app: Sanic) -> Settings:
    """The settings the process started with (the environment), before any saved value."""
    if not hasattr(app.ctx, "env_settings"):
        app.ctx.env_settings = app.ctx.settings
    base: Settings = app.ctx.env_settings
    return base


def apply(app: Sanic, saved: runtime_settings.Saved) -> None:
    settings = runtime_settings.effective(env_settings(app), saved)
    app.ctx.settings = settings
    watcher = getattr(app.ctx, "live_watcher", None)
    if watcher is not None:  # the stream's `stale` flags follow the poll interval
        watcher.poll_interval = settings.poll_interval


@bp.get("/settings")
@openapi.summary("Runtime settings: value, default, bounds and source of each (admin)")
@schemas.returns(schemas.SystemSettings)
@require_admin
async def get_settings(request: Request) -> HTTPResponse:
    saved = await runtime_settings.load_saved()
    apply(request.app, saved)
    return json({"settings": runtime_settings.describe(env_settings(request.app), saved)})


@bp.put("/settings")
@openapi.summary("Change runtime settings; the poller applies them without a restart (admin)")
@schemas.returns(schemas.SystemSettings)
@schemas.accepts(schemas.SystemSettingsBody)
@require_admin
async def put_settings(request: Request) -> HTTPResponse:
    body = read_json(request)
    base = env_settings(request.app)
    try:
        changes = runtime_settings.check_changes(base, body)
    except runtime_settings.SettingError as err:
        raise bad_request(err.field, err.message, err.code) from None
    saved = await runtime_settings.save(changes)
    apply(request.app, saved)
    return json({"settings": runtime_settings.describe(base, saved)})


async def _refresh(app: Sanic) -> None:
    while True:
        await asyncio.sleep(REFRESH_EVERY)
        try:
            apply(app, await runtime_settings.load_saved())
        except Exception:  # a database hiccup: keep the last values, try again
            log.warning("could not refresh the system settings", exc_info=True)


@bp.listener("after_server_start")
async def _start_refresh(app: Sanic) -> None:
    env_settings(app)
    with contextlib.suppress(Exception):  # no database yet: the loop tries again
        apply(app, await runtime_settings.load_saved())
    if Sanic.test_mode:  # driven in-process (tests): one instance, its own PUTs apply at once
        return
    app.ctx.system_settings_task = asyncio.create_task(_refresh(app))


@bp.listener("before_server_stop")
async def _stop_refresh(app: Sanic) -> None:
    task: asyncio.Task[None] | None = getattr(app.ctx, "system_settings_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
