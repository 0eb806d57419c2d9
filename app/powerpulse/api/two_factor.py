"""Two-factor sign-in (TOTP) for local accounts: enrolment with a QR code, recovery codes,
turning it off, an admin's reset, and the policy that makes it compulsory from a role up.

- `/api/auth/totp`: your own second factor. `POST /enrol` makes a pending secret (QR code and
  text), `POST /confirm {code}` puts it in force and answers ten recovery codes, shown once;
  `POST /recovery-codes {code}` replaces them; `DELETE {password}` turns it off (not while the
  policy requires it for your role).
- `POST /api/auth/login` asks for `totp` (a code or a recovery code) once it is in force:
  `login_second_factor` below; a wrong one counts as a failed login (same rate limits).
- `DELETE /api/users/:id/totp` (admin) removes someone's second factor (lost phone).
- `GET/PUT /api/system/security` (admin): `{totpRequiredFrom: null | role}`. A user at or above
  that role without a second factor gets, on password login, a token that opens only the
  enrolment endpoints (`totpEnrolmentRequired` in the answer) until they confirm one.
"""

from __future__ import annotations

import time
from typing import Any

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse import totp
from powerpulse.api import schemas
from powerpulse.api.auth import (
    check_password,
    forget_user,
    issue_token,
    require_admin,
    require_enrolling,
)
from powerpulse.api.errors import bad_request, conflict, not_found, unauthorized
from powerpulse.api.validation import parse_id, read_json
from powerpulse.db import locks
from powerpulse.db.models import KeyValue, TwoFactor, User
from powerpulse.roles import ROLES, at_least
from powerpulse.secret_box import SecretError
from powerpulse.timeutil import iso, utcnow

bp = Blueprint("two_factor", url_prefix="/api/auth/totp")
admin_bp = Blueprint("two_factor_admin", url_prefix="/api/users")
policy_bp = Blueprint("security_settings", url_prefix="/api/system")
blueprints = Blueprint.group(bp, admin_bp, policy_bp)

POLICY_KEY = "security_settings"
CODE_REQUIRED = "Enter the code from your authenticator app"
WRONG_CODE = "That code is not right (or was already used)"


# --- policy -----------------------------------------------------------------------------------
async def required_from() -> str | None:
    row = await KeyValue.get_or_none(key=POLICY_KEY)
    value = row.value.get("totpRequiredFrom") if row and isinstance(row.value, dict) else None
    return value if value in ROLES else None


async def required_for(role: str) -> bool:
    lowest = await required_from()
    return lowest is not None and at_least(role, lowest)


# --- checking codes -----------------------------------------------------------------------------
def _secret(request: Request, row: TwoFactor) -> str:
    try:
        return request.app.ctx.settings.secret_box().open(row.secret)
    except SecretError:
        # The key changed: the factor cannot be checked. An admin resets it (DELETE …/totp).
        raise unauthorized(
            "Your two-factor secret cannot be read on this installation: ask an admin to reset it",
            "totp_unreadable",
        ) from None


async def _use_code(request: Request, row: TwoFactor, code: Any, *, recovery: bool) -> bool:
    """Whether `code` is a valid, unused TOTP code (or, with `recovery`, a recovery code) of
    `row`; the step or recovery code is consumed under a conditional update (never twice)."""
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return False
    if recovery and totp.looks_like_recovery_code(code):
        index = totp.recovery_index(code, row.recovery_hashes or [])
        if index is None:
            return False
        left = [h for i, h in enumerate(row.recovery_hashes) if i != index]
        async with in_transaction():
            await locks.hold(locks.USERS)
            fresh = await TwoFactor.get_or_none(id=row.id)
            if fresh is None or totp.recovery_index(code, fresh.recovery_hashes or []) is None:
                return False
            await TwoFactor.filter(id=row.id).update(recovery_hashes=left)
        row.recovery_hashes = left
        return True
    step = totp.matching_step(_secret(request, row), code, time.time(), row.last_step)
    if step is None:
        return False
    # Only the request that moves last_step forward wins: the same code twice, or two racing
    # sign-ins with one code, succeed once.
    moved = await TwoFactor.filter(id=row.id, last_step__lt=step).update(last_step=step)
    row.last_step = step
    return bool(moved)


async def confirmed_for(user_id: int) -> TwoFactor | None:
    return await TwoFactor.get_or_none(user_id=user_id, confirmed_at__isnull=False)


async def login_second_factor(request: Request, user: User, body: dict[str, Any]) -> None:
    """The second step of a password login: nothing when the user has no second factor; else
    a 401 `totp_required` without a code and `totp_invalid` with a wrong or used one."""
    row = await confirmed_for(int(user.id))
    if row is None:
        return
    code = body.get("totp")
    if code is None or code == "":
        raise unauthorized(CODE_REQUIRED, "totp_required")
    if not await _use_code(request, row, code, recovery=True):
        raise unauthorized(WRONG_CODE, "totp_invalid")


# --- your own second factor -------------------------------------------------------------------
def _state(row: TwoFactor | None, required: bool) -> dict[str, Any]:
    confirmed = row is not None and row.confirmed_at is not None
    return {
        "enabled": confirmed,
        "pending": row is not None and not confirmed,
        "confirmedAt": iso(row.confirmed_at) if row and row.confirmed_at else None,
        "recoveryCodesLeft": len(row.recovery_hashes or []) if confirmed and row else 0,
        "required": required,
    }


@bp.get("/")
@openapi.summary("Your two-factor sign-in: on, pending, recovery codes left, required")
@schemas.returns(schemas.TwoFactorState)
@require_enrolling
async def get_state(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    row = await TwoFactor.get_or_none(user_id=user.id)
    return json(_state(row, await required_for(user.role)))


@bp.post("/enrol")
@openapi.summary("Start two-factor set-up: a new secret as a QR code and as text")
@schemas.returns(schemas.TwoFactorEnrolment)
@require_enrolling
async def enrol(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    if await confirmed_for(int(user.id)) is not None:
        raise conflict("Two-factor sign-in is already on: turn it off first to set up a new one")
    secret = totp.new_secret()
    sealed = request.app.ctx.settings.secret_box().seal(secret)
    async with in_transaction():
        await TwoFactor.filter(user_id=user.id).delete()
        await TwoFactor.create(user_id=user.id, secret=sealed)
    uri = totp.provisioning_uri(secret, user.username)
    return json({"secret": secret, "otpauthUri": uri, "qrCode": totp.qr_data_uri(uri)})


def _code(body: dict[str, Any]) -> str:
    code = body.get("code")
    if not isinstance(code, str) or not code.strip():
        raise bad_request("code", "code is required: the 6 digits your app shows")
    return code


async def _require_code(request: Request, row: TwoFactor) -> None:
    """A 400 unless the body's `code` is a current, unused code of `row` (then it is used)."""
    code = _code(read_json(request, allow_empty=False))
    if not await _use_code(request, row, code, recovery=False):
        raise bad_request("code", WRONG_CODE, "totp_invalid")


async def _replace_recovery_codes(row: TwoFactor, **changes: Any) -> list[str]:
    """New recovery codes for `row` (the old ones stop working), saved with `changes`."""
    codes = totp.new_recovery_codes()
    hashes = [totp.recovery_hash(c) for c in codes]
    await TwoFactor.filter(id=row.id).update(recovery_hashes=hashes, **changes)
    return codes


@bp.post("/confirm")
@openapi.summary("Put two-factor sign-in in force with a first code; answers recovery codes once")
@schemas.returns(schemas.TwoFactorConfirmed)
@require_enrolling
async def confirm(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    _code(read_json(request, allow_empty=False))  # a missing code is a 400 before anything else
    row = await TwoFactor.get_or_none(user_id=user.id, confirmed_at__isnull=True)
    if row is None:
        raise conflict("Start the set-up first (POST /api/auth/totp/enrol)", "totp_not_pending")
    await _require_code(request, row)
    codes = await _replace_recovery_codes(row, confirmed_at=utcnow())
    return json(
        {
            "message": "Two-factor sign-in is on",
            "recoveryCodes": codes,
            # A token without the enrolment mark: the rest of the API opens at once.
            "token": issue_token(user, request.app.ctx.jwt_secret),
        }
    )


@bp.post("/recovery-codes")
@openapi.summary("New recovery codes (the old ones stop working); needs a current code")
@schemas.returns(schemas.RecoveryCodes)
@require_enrolling
async def new_recovery_codes(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    _code(read_json(request, allow_empty=False))
    row = await confirmed_for(int(user.id))
    if row is None:
        raise conflict("Two-factor sign-in is off", "totp_off")
    await _require_code(request, row)
    codes = await _replace_recovery_codes(row)
    return json({"recoveryCodes": codes})


@bp.delete("/")
@openapi.summary("Turn your two-factor sign-in off (needs your password)")
@schemas.returns(schemas.Message)
@require_enrolling
async def turn_off(request: Request) -> HTTPResponse:
    user: User = request.ctx.user
    body = read_json(request, allow_empty=False)
    password = body.get("password")
    if not isinstance(password, str) or not password:
        raise bad_request("password", "password is required")
    if not await check_password(password, user.password_hash):
        raise bad_request("password", "Current password is incorrect", "invalid_password")
    if await required_for(user.role):
        raise conflict("Two-factor sign-in is required for your role", "totp_required_by_policy")
    deleted = await TwoFactor.filter(user_id=user.id).delete()
    if not deleted:
        raise not_found("Two-factor sign-in")
    return json({"message": "Two-factor sign-in is off"})


# --- admins -----------------------------------------------------------------------------------
@admin_bp.delete("/<user_id:str>/totp")
@openapi.summary("Remove a user's second factor (a lost phone); they set up a new one")
@schemas.returns(schemas.Message)
@require_admin
async def reset(request: Request, user_id: str) -> HTTPResponse:
    user = await User.get_or_none(id=parse_id(user_id, "User"))
    if user is None:
        raise not_found("User")
    if not await TwoFactor.filter(user_id=user.id).delete():
        raise not_found("Two-factor sign-in")
    forget_user(int(user.id))
    return json({"message": f"Two-factor sign-in of {user.username} was reset"})


@policy_bp.get("/security")
@openapi.summary("Who must use two-factor sign-in")
@schemas.returns(schemas.SecuritySettings)
@require_admin
async def get_policy(request: Request) -> HTTPResponse:
    return json({"totpRequiredFrom": await required_from()})


@policy_bp.put("/security")
@openapi.summary("Require two-factor sign-in from a role up (null: nobody)")
@schemas.returns(schemas.SecuritySettings)
@schemas.accepts(schemas.SecuritySettings)
@require_admin
async def put_policy(request: Request) -> HTTPResponse:
    body = read_json(request, allow_empty=False)
    if "totpRequiredFrom" not in body:
        raise bad_request("totpRequiredFrom", "totpRequiredFrom is required (a role or null)")
    value = body["totpRequiredFrom"]
    if value is not None and value not in ROLES:
        raise bad_request(
            "totpRequiredFrom", f"totpRequiredFrom must be null or one of: {', '.join(ROLES)}"
        )
    await KeyValue.update_or_create(defaults={"value": {"totpRequiredFrom": value}}, key=POLICY_KEY)
    return json({"totpRequiredFrom": value})
