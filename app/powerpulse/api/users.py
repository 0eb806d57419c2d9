"""`/api/users`: list (admin), read and edit yourself (admins: anyone), delete (admin).

Role changes and password resets bump the user's token version, which revokes their tokens.
The last administrator can be neither deleted nor demoted (409); the check and the write run
in one transaction holding the users lock (db/locks.py) so two admins demoting each other cannot
both succeed, on either engine.
"""

from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import (
    forget_user,
    hash_password,
    is_admin,
    issue_token,
    require_admin,
    require_user,
)
from powerpulse.api.errors import bad_request, conflict, forbidden, not_found
from powerpulse.api.serializers import user_to_dict
from powerpulse.api.usernames import username_taken
from powerpulse.api.validation import (
    check_password,
    optional_email,
    optional_role,
    parse_id,
    read_json,
    require_username,
)
from powerpulse.db import counters, locks
from powerpulse.db.models import ROLE_ADMIN, TwoFactor, User

bp = Blueprint("users", url_prefix="/api/users")

LAST_ADMIN_DELETE = "Cannot delete the last administrator"
LAST_ADMIN_DEMOTE = "Cannot remove the admin role from the last administrator"


async def _last_local_admin(user: User) -> bool:
    """Is `user` the last administrator with a password here? One always remains, whatever
    single sign-on does (an admin made by sign-on does not count)."""
    if user.sso_only:
        return await User.filter(role=ROLE_ADMIN).count() <= 1
    return await User.filter(role=ROLE_ADMIN, sso_only=False).count() <= 1


async def _target(request: Request, raw_id: str) -> User:
    """The user named in the path, if the caller may see them (themselves, or any as admin)."""
    user_id = parse_id(raw_id, "User")
    caller: User = request.ctx.user
    if caller.id != user_id and not is_admin(caller):
        raise forbidden("Access denied")
    user = await User.get_or_none(id=user_id)
    if user is None:
        raise not_found("User")
    return user


@bp.get("/")
@openapi.summary("All users (admin)")
@schemas.returns(list[schemas.User])
@require_admin
async def list_users(request: Request) -> HTTPResponse:
    users = await User.all().order_by("id")
    with_factor = set(
        await TwoFactor.filter(confirmed_at__isnull=False).values_list("user_id", flat=True)
    )
    return json([{**user_to_dict(u), "twoFactor": u.id in with_factor} for u in users])


@bp.get("/<user_id:str>")
@openapi.summary("One user (yourself, or anyone as admin)")
@schemas.returns(schemas.User)
@require_user
async def get_user(request: Request, user_id: str) -> HTTPResponse:
    return json(user_to_dict(await _target(request, user_id)))


@bp.put("/<user_id:str>")
@openapi.summary("Update username, email or (admin only) role")
@schemas.returns(schemas.UserUpdated)
@openapi.body({"application/json": {"username": str, "email": str, "role": str}})
@require_user
async def update_user(request: Request, user_id: str) -> HTTPResponse:
    user = await _target(request, user_id)
    body = read_json(request)
    if "password" in body:
        raise bad_request(
            "password",
            "Use POST /api/auth/change-password (or, as admin, PUT /api/users/:id/password)",
        )
    changes: dict[str, object] = {}
    if body.get("username") not in (None, ""):
        changes["username"] = require_username(body)
    if "email" in body:
        changes["email"] = optional_email(body)
    role = optional_role(body)
    if role is not None and role != user.role:
        if not is_admin(request.ctx.user):
            raise forbidden("Only administrators can change user roles")
        changes["role"] = role
    if not changes:
        raise bad_request(None, "No fields to update", "no_fields")
    try:
        async with in_transaction():
            await locks.hold(locks.USERS)  # the name and last-admin checks, then the write
            user = await User.get(id=user.id)
            # Any case: renaming "bob" to "Alice" next to "alice" is refused ("bob" to "Bob"
            # is fine: the only match is bob himself).
            if "username" in changes and await username_taken(
                str(changes["username"]), exclude_id=user.id
            ):
                raise conflict("Username or email already exists")
            demoting = changes.get("role", ROLE_ADMIN) != ROLE_ADMIN and user.role == ROLE_ADMIN
            if demoting and await _last_local_admin(user):
                raise conflict(LAST_ADMIN_DEMOTE, "last_admin")
            if "role" in changes:
                user.token_version += 1  # a changed role revokes the old tokens at once
            user.update_from_dict(changes)
            await user.save()
            await counters.bump(counters.CONFIG)
    except IntegrityError:
        raise conflict("Username or email already exists") from None
    forget_user(user.id)
    return json({"message": "User updated", "user": user_to_dict(user)})


@bp.put("/<user_id:str>/password")
@openapi.summary("Set another user's password (admin); revokes their tokens")
@schemas.returns(schemas.UserUpdated)
@openapi.body({"application/json": {"password": str}})
@require_admin
async def reset_password(request: Request, user_id: str) -> HTTPResponse:
    user = await _target(request, user_id)
    password = check_password(read_json(request).get("password"))
    password_hash = await hash_password(password)
    async with in_transaction():
        user = await User.get(id=user.id)
        user.password_hash = password_hash
        user.token_version += 1
        user.sso_only = False  # a password given to a sign-on account makes it local too
        await user.save(update_fields=["password_hash", "token_version", "sso_only"])
        await counters.bump(counters.CONFIG)
    forget_user(user.id)
    out = {"message": "Password updated", "user": user_to_dict(user)}
    if user.id == request.ctx.user.id:  # your own old token just stopped working
        out["token"] = issue_token(user, request.app.ctx.jwt_secret)
    return json(out)


@bp.delete("/<user_id:str>")
@openapi.summary("Delete a user (admin); never the last administrator")
@schemas.returns(schemas.Message)
@require_admin
async def delete_user(request: Request, user_id: str) -> HTTPResponse:
    user = await _target(request, user_id)
    async with in_transaction():
        await locks.hold(locks.USERS)
        user = await User.get(id=user.id)
        if user.role == ROLE_ADMIN and await _last_local_admin(user):
            raise conflict(LAST_ADMIN_DELETE, "last_admin")
        await user.delete()
        await counters.bump(counters.CONFIG)
    forget_user(user.id)
    return json({"message": "User deleted"})
