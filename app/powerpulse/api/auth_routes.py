"""`/api/auth`: first-time setup, login, registration, password change, the current user."""

from __future__ import annotations

from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse.api import discovery, schemas, two_factor
from powerpulse.api.auth import (
    check_password,
    forget_user,
    hash_password,
    issue_token,
    require_admin,
    require_self,
    require_self_enrolling,
)
from powerpulse.api.errors import bad_request, conflict, unauthorized
from powerpulse.api.ratelimit import limit_attempt
from powerpulse.api.serializers import ups_ref, user_ref, user_to_dict
from powerpulse.api.usernames import find_user, username_taken
from powerpulse.api.validation import (
    check_host,
    optional_bool,
    optional_credential,
    optional_email,
    optional_int,
    optional_role,
    read_json,
    require_str,
    require_username,
)
from powerpulse.api.validation import (
    check_password as check_password_policy,
)
from powerpulse.db import counters, locks
from powerpulse.db.models import ROLE_ADMIN, ROLE_USER, NutServer, User, UserSettings

bp = Blueprint("auth", url_prefix="/api/auth")

SETUP_DONE = "Setup has already been completed"
BAD_LOGIN = "Invalid username or password"


def login_user_dict(user: User) -> dict[str, Any]:
    return user_ref(user)


@bp.get("/check-setup")
@openapi.summary("Whether first-time setup is still needed (public)")
@schemas.returns(schemas.CheckSetup)
async def check_setup(request: Request) -> HTTPResponse:
    return json({"isFirstTimeSetup": not await User.exists()})


@bp.post("/setup")
@openapi.summary("First-time setup: the admin, the first NUT server and its UPS (public, once)")
@schemas.returns(schemas.SetupResult, 201)
@openapi.body(
    {
        "application/json": {
            "username": str,
            "password": str,
            "email": str,
            "nutServer": str,
            "nutPort": int,
            "nutUsername": str,
            "nutPassword": str,
            "starttls": bool,
        }
    }
)
async def setup(request: Request) -> HTTPResponse:
    if await User.exists():
        raise bad_request(None, SETUP_DONE, "setup_completed")
    body = read_json(request)
    username = require_username(body)
    password = check_password_policy(body.get("password"))
    email = optional_email(body)
    host = require_str(body, "nutServer", label="nutServer (the NUT server host)")
    check_host(host, "nutServer")
    port = optional_int(body, "nutPort", lo=1, hi=65535) or 3493
    nut_user = optional_credential(body, "nutUsername") or None
    nut_password = optional_credential(body, "nutPassword") or None
    starttls = bool(optional_bool(body, "starttls"))
    password_hash = await hash_password(password)

    # The users lock serialises this with any other setup (and any user write): the loser sees
    # the admin and stops. No user at all may exist yet, so no name can clash in any case (one
    # made with the CLI first, "Admin" say, ends setup).
    async with in_transaction():
        await locks.hold(locks.USERS)
        if await User.exists():
            raise bad_request(None, SETUP_DONE, "setup_completed")
        user = await User.create(
            username=username, email=email, password_hash=password_hash, role=ROLE_ADMIN
        )
        await UserSettings.create(user=user)
        server = await NutServer.create(
            host=host, port=port, username=nut_user, password=nut_password, starttls=starttls
        )
        await counters.bump(counters.CONFIG)

    found = await discovery.discover(server, request.app.ctx.settings.nut_timeout)
    out: dict[str, Any] = {
        "message": "Setup completed successfully",
        "user": user_ref(user),
        "token": issue_token(user, request.app.ctx.jwt_secret),
        "nutServer": {"id": server.id, "host": server.host, "port": server.port},
        "upsSystemsDiscovered": len(found.found),
        "upsSystemsAdded": [ups_ref(u) for u in found.added],
    }
    if found.error is not None:
        out["message"] = "Setup completed; " + discovery.not_reachable_yet(server, found.error)
        out["discoveryError"] = discovery.error_dict(found.error)
    return json(out, status=201)


@bp.post("/login")
@openapi.summary("Log in; answers a 24 h bearer token (public, rate limited)")
@schemas.returns(schemas.LoginResponse)
@openapi.body({"application/json": {"username": str, "password": str}})
async def login(request: Request) -> HTTPResponse:
    body = read_json(request)
    username, password = body.get("username"), body.get("password")
    if (
        not isinstance(username, str)
        or not isinstance(password, str)
        or not username
        or not password
    ):
        raise bad_request(None, "Username and password are required", "missing_fields")
    limiter, client = await limit_attempt(
        request, username, "Too many login attempts, try again later"
    )
    # Any case ("ADMIN" is "admin"); a name longer than any username simply matches nobody
    # (it was a 500 from the column's length check).
    user = await find_user(username)
    ok = await check_password(password, user.password_hash if user else None)
    if user is None or not ok:
        raise unauthorized(BAD_LOGIN, "invalid_credentials")
    await two_factor.login_second_factor(request, user, body)  # 401 without the right code
    await limiter.succeeded(client, username)
    enrolling = await two_factor.enrolment_due(user)
    out: dict[str, Any] = {
        "message": "Login successful",
        "user": login_user_dict(user),
        "token": issue_token(user, request.app.ctx.jwt_secret, enrolling=enrolling),
    }
    if enrolling:
        out["totpEnrolmentRequired"] = True
    return json(out)


@bp.post("/register")
@openapi.summary("Create a user (admin)")
@schemas.returns(schemas.UserCreated, 201)
@openapi.body({"application/json": {"username": str, "email": str, "password": str, "role": str}})
@require_admin
async def register(request: Request) -> HTTPResponse:
    body = read_json(request)
    username = require_username(body)
    password = check_password_policy(body.get("password"))
    email = optional_email(body)
    role = optional_role(body) or ROLE_USER
    password_hash = await hash_password(password)
    try:
        async with in_transaction():
            # Checked under the users lock: "Alice" next to "alice" is refused, and two racing
            # registrations cannot both pass.
            await locks.hold(locks.USERS)
            if await username_taken(username) or (
                email and await User.filter(email=email).exists()
            ):
                raise conflict("Username or email already exists")
            user = await User.create(
                username=username, email=email, password_hash=password_hash, role=role
            )
            await UserSettings.create(user=user)
            await counters.bump(counters.CONFIG)
    except IntegrityError:
        raise conflict("Username or email already exists") from None
    return json({"message": "User created successfully", "user": login_user_dict(user)}, status=201)


@bp.post("/change-password")
@openapi.summary("Change your own password; revokes older tokens and answers a new one")
@schemas.returns(schemas.LoginResponse)
@openapi.body({"application/json": {"currentPassword": str, "newPassword": str}})
@require_self
async def change_password(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    body = read_json(request)
    current = body.get("currentPassword")
    if not isinstance(current, str) or not current:
        raise bad_request("currentPassword", "currentPassword is required")
    new = check_password_policy(body.get("newPassword"), "newPassword")
    limiter, client = await limit_attempt(
        request, user.username, "Too many attempts, try again later"
    )
    fresh = await User.get(id=user.id)
    if not await check_password(current, fresh.password_hash):
        raise bad_request("currentPassword", "Current password is incorrect", "invalid_password")
    await limiter.succeeded(client, user.username)
    new_hash = await hash_password(new)
    async with in_transaction():
        fresh = await User.get(id=user.id)
        fresh.password_hash = new_hash
        fresh.token_version += 1
        await fresh.save(update_fields=["password_hash", "token_version"])
        await counters.bump(counters.CONFIG)
    forget_user(user.id)
    # The new token obeys the two-factor policy as a sign-in's would: no way around the set-up.
    enrolling = await two_factor.enrolment_due(fresh)
    return json(
        {
            "message": "Password changed",
            "user": login_user_dict(fresh),
            "token": issue_token(fresh, request.app.ctx.jwt_secret, enrolling=enrolling),
        }
    )


@bp.get("/me")
@openapi.summary("The logged-in user")
@schemas.returns(schemas.User)
@require_self_enrolling
async def me(request: Request) -> HTTPResponse:
    out = user_to_dict(request.ctx.user)
    if request.ctx.enrolling:
        out["totpEnrolmentRequired"] = True
    return json(out)
