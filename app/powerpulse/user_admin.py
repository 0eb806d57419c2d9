"""`powerpulse user create|reset-password`: the way back in when the only admin is locked out.

Works with the api worker stopped (it opens the database itself). A password reset bumps the
user's token version, so every token issued before it stops working (within the api worker's
one-second user cache).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from tortoise.transactions import in_transaction

from powerpulse.api.auth import hash_password
from powerpulse.api.errors import ApiError
from powerpulse.api.usernames import find_user, username_taken
from powerpulse.api.validation import check_password, require_username
from powerpulse.config import Settings
from powerpulse.db import counters, locks
from powerpulse.db.models import TwoFactor, User, UserSettings
from powerpulse.db.setup import close_db, init_db, run_migrations


class UserCommandError(Exception):
    """A message for the operator; the command exits with status 1."""


def read_password(from_stdin: bool) -> str:
    """From stdin (first line) with `--password-stdin`, else typed twice without echo."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("New password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise UserCommandError("the two passwords differ")
    try:
        return check_password(password)
    except ApiError as err:
        raise UserCommandError(err.message) from None


async def create_user(
    settings: Settings, username: str, password: str, role: str, email: str | None
) -> User:
    try:
        username = require_username({"username": username})
    except ApiError as err:
        raise UserCommandError(err.message) from None
    password_hash = await hash_password(password)
    async with in_transaction():
        await locks.hold(locks.USERS)
        if await username_taken(username):  # in any case: "Admin" next to "admin" is refused
            raise UserCommandError(f"user {username!r} already exists")
        if email and await User.filter(email=email).exists():
            raise UserCommandError(f"email {email!r} is already used")
        user = await User.create(
            username=username, email=email or None, password_hash=password_hash, role=role
        )
        await UserSettings.create(user=user)
        await counters.bump(counters.CONFIG)
    return user


async def reset_password(settings: Settings, username: str, password: str) -> User:
    password_hash = await hash_password(password)
    async with in_transaction():
        user = await find_user(username)
        if user is None:
            raise UserCommandError(f"no user named {username!r}")
        user.password_hash = password_hash
        user.token_version += 1
        await user.save(update_fields=["password_hash", "token_version"])
        await counters.bump(counters.CONFIG)
    return user


async def reset_two_factor(username: str) -> User:
    user = await find_user(username)
    if user is None:
        raise UserCommandError(f"no user named {username!r}")
    if not await TwoFactor.filter(user_id=user.id).delete():
        raise UserCommandError(f"{user.username!r} has no two-factor sign-in")
    return user


async def _run(settings: Settings, args: argparse.Namespace, password: str) -> str:
    await run_migrations(settings)
    await init_db(settings)
    try:
        if args.user_command == "reset-2fa":
            user = await reset_two_factor(args.username)
            return f"two-factor sign-in of {user.username!r} removed; a password signs in again"
        if args.user_command == "create":
            user = await create_user(settings, args.username, password, args.role, args.email)
            return f"created {user.role} {user.username!r} (id {user.id})"
        user = await reset_password(settings, args.username, password)
        return f"password of {user.username!r} reset; their existing sessions are signed out"
    finally:
        await close_db()


def run_user_command(settings: Settings, args: argparse.Namespace) -> int:
    try:
        needs_password = args.user_command != "reset-2fa"
        password = read_password(args.password_stdin) if needs_password else ""
        print(asyncio.run(_run(settings, args, password)))
    except UserCommandError as err:
        print(f"powerpulse user: {err}", file=sys.stderr)
        return 1
    return 0
