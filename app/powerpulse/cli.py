"""The `powerpulse` command: run a worker, apply migrations, manage users."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from powerpulse import __version__
from powerpulse.config import ConfigError, Settings
from powerpulse.logformat import SafeFormatter
from powerpulse.roles import ROLES

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(settings: Settings) -> None:
    """Every worker's one log handler (Sanic's own are off): stderr, control characters in
    messages escaped, so a nickname or UPS name cannot forge a line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(SafeFormatter(LOG_FORMAT))
    logging.basicConfig(level=settings.log_level, handlers=[handler])


def _cmd_api(settings: Settings, args: argparse.Namespace) -> int:
    from powerpulse.api.server import run

    run(settings)
    return 0


def _cmd_poller(settings: Settings, args: argparse.Namespace) -> int:
    from powerpulse.poller.main import run

    return run(settings)


def _cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from powerpulse.db.setup import run_migrations

    asyncio.run(run_migrations(settings))
    print("migrations applied")
    return 0


def _cmd_db_copy(settings: Settings, args: argparse.Namespace) -> int:
    from asyncpg import InterfaceError, PostgresError
    from tortoise.exceptions import BaseORMException

    from powerpulse.db.copy import CopyError, copy_database

    if args.batch < 1:
        print("powerpulse db copy: --batch must be at least 1", file=sys.stderr)
        return 2
    try:
        report = asyncio.run(copy_database(settings, args.to, batch=args.batch))
    except CopyError as err:
        print(f"powerpulse db copy: {err}", file=sys.stderr)
        return 1
    except (BaseORMException, PostgresError, InterfaceError, OSError) as err:
        # an unreachable server, a refused login, a row PostgreSQL refuses
        print(f"powerpulse db copy failed, nothing was copied: {err}", file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    if not report.ok:
        print("powerpulse db copy: the row counts differ (see MISMATCH)", file=sys.stderr)
        return 1
    print("copied; now set DATABASE_URL to the new database and start PowerPulse")
    return 0


def _cmd_check_config(settings: Settings, args: argparse.Namespace) -> int:
    settings.resolve_jwt_secret()
    print("configuration ok")
    return 0


def _cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    from powerpulse.user_admin import run_user_command

    return run_user_command(settings, args)


def _cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    from powerpulse.simulator.server import run

    return run(args.host, args.port, args.ups, args.cycle)


def _cmd_healthcheck(settings: Settings, args: argparse.Namespace) -> int:
    from powerpulse.update.health import probe

    healthy, detail = probe(settings)
    print(detail)
    return 0 if healthy else 1


def _cmd_update_runner(settings: Settings, args: argparse.Namespace) -> int:
    from powerpulse.update.runner import run

    return run(settings, args.target, args.image, args.timeout)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="powerpulse", description="PowerPulse UPS monitoring")
    parser.add_argument("--version", action="version", version=f"powerpulse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("api", help="run the api worker (HTTP API, web UI, live stream)").set_defaults(
        func=_cmd_api
    )
    sub.add_parser("poller", help="run the poller worker").set_defaults(func=_cmd_poller)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_cmd_migrate)
    sub.add_parser(
        "check-config", help="validate the environment and create the JWT secret if needed"
    ).set_defaults(func=_cmd_check_config)

    sub.add_parser(
        "healthcheck", help="exit 0 when the api worker answers (the image's HEALTHCHECK)"
    ).set_defaults(func=_cmd_healthcheck)
    runner = sub.add_parser("update-runner", help="replace a container (run by self-update)")
    runner.add_argument("--target", required=True, help="id of the container to replace")
    runner.add_argument("--image", required=True, help="image reference for the new container")
    runner.add_argument("--timeout", type=float, default=120.0, help="seconds to become healthy")
    runner.set_defaults(func=_cmd_update_runner)

    simulate = sub.add_parser("simulate", help="run a NUT simulator (for demos, not for tests)")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=3493)
    simulate.add_argument("--ups", type=int, default=3, help="how many UPS to serve (1-200)")
    simulate.add_argument("--cycle", type=float, default=150.0, help="outage loop length, seconds")
    simulate.set_defaults(func=_cmd_simulate)

    db = sub.add_parser("db", help="database tools")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    copy = db_sub.add_parser(
        "copy", help="copy this installation's SQLite database into an empty PostgreSQL one"
    )
    copy.add_argument("--to", required=True, metavar="URL", help="postgres://user:pw@host/db")
    copy.add_argument("--batch", type=int, default=2000, help="rows per batch (default 2000)")
    copy.set_defaults(func=_cmd_db_copy)

    user = sub.add_parser("user", help="create a user, reset a password or two-factor sign-in")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    create = user_sub.add_parser("create", help="create a user")
    create.add_argument("username")
    create.add_argument("--role", choices=ROLES, default="user")
    create.add_argument("--email", default=None)
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    reset = user_sub.add_parser("reset-password", help="set a new password for a user")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    reset_2fa = user_sub.add_parser(
        "reset-2fa", help="remove a user's two-factor sign-in (a lost phone, the only admin)"
    )
    reset_2fa.add_argument("username")
    user.set_defaults(func=_cmd_user)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as err:
        print(f"powerpulse: configuration error: {err}", file=sys.stderr)
        return 2
    configure_logging(settings)
    return int(args.func(settings, args) or 0)


if __name__ == "__main__":
    sys.exit(main())
