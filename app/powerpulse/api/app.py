"""The Sanic application factory: configuration, error handling, headers, every blueprint.

To add an API area: import its module and add its blueprint (or blueprint group) to
`BLUEPRINTS`. The web UI is served by the 404 handler (see `static`), not by a route.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from sanic import Request, Sanic
from sanic.exceptions import NotFound, SanicException
from sanic.response import HTTPResponse, json
from tortoise import Tortoise

from powerpulse import __version__
from powerpulse.api import (
    access_routes,
    alert_rules,
    alerts,
    audit_log,
    audit_trail,
    auth_routes,
    debug,
    digests,
    discovery,
    docs_page,
    energy,
    history,
    instance,
    metrics,
    notification_channels,
    notifications,
    oidc_routes,
    outage_records,
    protection,
    self_tests,
    serializers,
    static,
    status_model,
    stream,
    summary_widget,
    system,
    system_settings,
    timeline,
    two_factor,
    ups_control,
    ups_systems,
    user_settings,
    users,
)
from powerpulse.api import battery as battery_routes
from powerpulse.api import nut_servers as nut_servers_routes
from powerpulse.api.auth import configure_secret
from powerpulse.api.errors import ApiError, error_body, payload_too_large
from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db

log = logging.getLogger(__name__)

REQUEST_MAX_SIZE = 64 * 1024

BLUEPRINTS: list[Any] = [
    auth_routes.bp,
    access_routes.bp,
    two_factor.blueprints,
    oidc_routes.blueprints,
    users.bp,
    user_settings.bp,
    nut_servers_routes.blueprints,
    discovery.bp,
    ups_systems.blueprints,
    ups_control.bp,
    battery_routes.blueprints,
    self_tests.blueprints,
    protection.bp,
    history.blueprints,
    outage_records.bp,
    audit_log.bp,
    timeline.bp,
    digests.bp,
    notifications.bp,
    notification_channels.bp,
    alert_rules.blueprints,
    alerts.blueprints,
    debug.bp,
    stream.bp,
    system.bp,
    system_settings.bp,
    energy.bp,
    metrics.bp,
    status_model.bp,
    summary_widget.bp,
    static.bp,
]


def shutdown_blueprints() -> list[Any]:
    """The shutdown-plan routes. A broken import (an action type) is logged and the rest of the
    API still serves, as the poller keeps polling without its shutdown engine."""
    try:
        from powerpulse.api import shutdown_plans, shutdown_runs
    except Exception:
        log.exception("the shutdown plan API is unavailable")
        return []
    return [shutdown_plans.bp, shutdown_runs.bp]


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_SANIC_MESSAGES = {
    400: ("Bad request", "bad_request"),
    404: ("Not found", "not_found"),
    405: ("Method not allowed", "method_not_allowed"),
    408: ("Request timed out", "timeout"),
    413: ("Request body too large (limit 64 KiB)", "payload_too_large"),
    416: ("Range not satisfiable", "range_not_satisfiable"),
}


def _dumps(value: Any, **_: Any) -> str:
    return orjson.dumps(value).decode()


def create_app(settings: Settings, *, name: str | None = None) -> Sanic:
    """Build the api worker's app. The database is opened on server start unless the caller
    (a test fixture, for instance) already initialised Tortoise."""
    # Logging is configured once by the CLI (`powerpulse api`); Sanic's own handlers would
    # print every line twice.
    app = Sanic(name or "powerpulse", dumps=_dumps, configure_logging=False)
    serializers.reset_memo()
    _configure(app, settings)
    for blueprint in [*BLUEPRINTS, *shutdown_blueprints()]:
        app.blueprint(blueprint)
    app.error_handler.add(Exception, _handle_error)
    app.on_request(_limit_body)
    app.on_request(audit_trail.take_before)
    app.on_response(_after_response)
    _database_lifecycle(app, settings)
    instance.register(app)
    return app


def _configure(app: Sanic, settings: Settings) -> None:
    app.ctx.settings = settings
    app.ctx.jwt_secret = settings.resolve_jwt_secret()
    configure_secret(app.ctx.jwt_secret)
    app.config.REQUEST_MAX_SIZE = REQUEST_MAX_SIZE
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.KEEP_ALIVE_TIMEOUT = 30
    # On SIGTERM, requests still in flight get this long (Sanic's default is 15 s): inside
    # supervisord's stopwaitsecs (7), so the worker closes its database itself instead of
    # being killed; live streams are ended at once by the watcher.
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 5.0
    if settings.trusted_proxies:  # request.remote_addr is then the forwarded client address
        app.config.PROXIES_COUNT = settings.trusted_proxies
    # sanic-ext: OpenAPI on /docs (JSON at /docs/openapi.json); no CORS (the UI is same-origin).
    app.config.CORS = False
    # Auto HEAD/OPTIONS routes re-render the router once per route (seconds at start-up) and
    # nothing here needs them: no CORS preflights, and HEAD of the web UI goes through the 404
    # handler like GET.
    app.config.HTTP_AUTO_HEAD = False
    app.config.HTTP_AUTO_OPTIONS = False
    docs_page.configure(app)
    app.config.API_TITLE = "PowerPulse API"
    app.config.API_VERSION = __version__
    app.config.API_DESCRIPTION = (
        "UPS monitoring through NUT. Authenticate with `Authorization: Bearer <token>` "
        "from POST /api/auth/login."
    )
    app.config.API_SECURITY = [{"BearerAuth": []}]
    app.config.API_SECURITY_SCHEMES = {
        "BearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    }


def _database_lifecycle(app: Sanic, settings: Settings) -> None:
    @app.before_server_start
    async def open_database(app: Sanic) -> None:
        app.ctx.owns_db = not Tortoise._inited
        if app.ctx.owns_db:
            await init_db(settings, global_fallback=True)

    @app.after_server_stop
    async def close_database(app: Sanic) -> None:
        if getattr(app.ctx, "owns_db", False):
            await close_db()


async def _handle_error(request: Request, exc: Exception) -> HTTPResponse:
    if isinstance(exc, ApiError):
        return json(exc.body(), status=exc.status, headers=exc.headers)
    if isinstance(exc, NotFound) and static.wants_webui(request):
        return await static.serve_webui(request)
    if isinstance(exc, SanicException):
        status = int(getattr(exc, "status_code", 500) or 500)
        if status < 500:
            message, code = _SANIC_MESSAGES.get(status, ("Request error", "request_error"))
            headers = dict(getattr(exc, "headers", None) or {})
            return json(error_body(message, code), status=status, headers=headers)
        if status == 503:
            return json(error_body("Service unavailable", "unavailable"), status=503)
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return json(error_body("Internal server error", "internal"), status=500)


async def _limit_body(request: Request) -> None:
    """413 from the declared length. Sanic's own server enforces REQUEST_MAX_SIZE while
    reading; under ASGI it does not, so the limit is also checked here and in `read_json`."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > request.app.config.REQUEST_MAX_SIZE:
        raise payload_too_large()


async def _after_response(request: Request, response: HTTPResponse) -> None:
    if request.method not in ("GET", "HEAD") and response.status < 400:
        ups_systems.invalidate_list_cache(request)  # a write here shows in the next list at once
    _security_headers(request, response)
    await audit_trail.record(request, response)


def _security_headers(request: Request, response: HTTPResponse) -> None:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
