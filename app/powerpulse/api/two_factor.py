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
from tortoise.exceptions import IntegrityError
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
from powerpulse.api.errors import bad_request, conflict, not_found, too_many_requests, unauthorized
from powerpulse.api.ratelimit import limit_attempt, limiter_for
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
TOO_MANY_GUESSES = "Too many wrong codes for this account, try again later"
GUESSES, GUESS_WINDOW = 10, 900.0  # wrong codes per account before a 15-minute pause
WRONG_CODE = "That code is not right (or was already used)"


# --- policy -----------------------------------------------------------------------------------
async def required_from() -> str | None:
    row = await KeyValue.get_or_none(key=POLICY_KEY)
    value = row.value.get("totpRequiredFrom") if row and isinstance(row.value, dict) else None
    return value if value in ROLES else None


async def required_for(role: str) -> bool:
    lowest = await required_from()
    return lowest is not None and at_least(role, lowest)


async def enrolment_due(user: User) -> bool:
    """The policy requires a second factor of `user`, who has none yet. Not of a single
    sign-on account: its second factor is the provider's business."""
    if user.sso_only:
        return False
    return await required_for(user.role) and await confirmed_for(int(user.id)) is None


# --- checking codes -----------------------------------------------------------------------------
UNREADABLE = "Your two-factor secret cannot be read on this installation: ask an admin to reset it"


def _secret(request: Request, row: TwoFactor, *, signing_in: bool) -> str:
    try:
        return request.app.ctx.settings.secret_box().open(row.secret)
    except SecretError:
        # The key changed: the factor cannot be checked. An admin resets it (DELETE …/totp).
        # A 409 to a signed-in user: a 401 would end their session.
        if signing_in:
            raise unauthorized(UNREADABLE, "totp_unreadable") from None
        raise conflict(UNREADABLE, "totp_unreadable") from None


async def _use_code(request: Request, row: TwoFactor, code: Any, *, signing_in: bool) -> bool:
    """Whether `code` is a valid, unused TOTP code of `row` (or, signing in, a recovery code);
    the step or recovery code is consumed under a lock or a conditional update: never twice."""
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return False
    if signing_in and totp.looks_like_recovery_code(code):
        async with in_transaction():
            await locks.hold(locks.USERS)  # the same lock as replacing the codes
            fresh = await TwoFactor.get_or_none(id=row.id)
            hashes = list(fresh.recovery_hashes or []) if fresh else []
            index = totp.recovery_index(code, hashes)
            if index is None:
                return False
            del hashes[index]
            await TwoFactor.filter(id=row.id).update(recovery_hashes=hashes)
        row.recovery_hashes = hashes
        return True
    secret = _secret(request, row, signing_in=signing_in)
    step = totp.matching_step(secret, code, time.time(), row.last_step)
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
    # Per account, whatever the address: guessing codes from many clients stops here.
    guesses = limiter_for(request, "totp-guesses", GUESSES, GUESS_WINDOW)
    account = str(user.id)
    wait = await guesses.retry_after(account)
    if wait > 0:
        raise too_many_requests(TOO_MANY_GUESSES, int(wait + 0.999))
    if not await _use_code(request, row, code, signing_in=True):
        await guesses.hit(account)
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
    try:
        async with in_transaction():
            await TwoFactor.filter(user_id=user.id).delete()
            await TwoFactor.create(user_id=user.id, secret=sealed)
    except IntegrityError:  # two set-ups at once: one wins
        raise conflict("A set-up was started at the same time: try again", "totp_changed") from None
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
    if not await _use_code(request, row, code, signing_in=False):
        raise bad_request("code", WRONG_CODE, "totp_invalid")


async def _replace_recovery_codes(row: TwoFactor, *, confirming: bool = False) -> list[str]:
    """New recovery codes for `row` (the old ones stop working); `confirming` also puts the
    pending factor in force. A 409 when the row changed meanwhile (a new set-up, turned off)."""
    codes = totp.new_recovery_codes()
    hashes = [totp.recovery_hash(c) for c in codes]
    async with in_transaction():
        await locks.hold(locks.USERS)  # the same lock as using a recovery code
        rows = TwoFactor.filter(id=row.id, confirmed_at__isnull=confirming)
        changes: dict[str, Any] = {"recovery_hashes": hashes}
        if confirming:
            changes["confirmed_at"] = utcnow()
        if not await rows.update(**changes):
            raise conflict("Two-factor sign-in changed meanwhile: start again", "totp_changed")
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
    codes = await _replace_recovery_codes(row, confirming=True)
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
    # Under the login limits: a stolen session is no password-guessing oracle.
    limiter, client = await limit_attempt(
        request, user.username, "Too many attempts, try again later"
    )
    if not await check_password(password, user.password_hash):
        raise bad_request("password", "Current password is incorrect", "invalid_password")
    await limiter.succeeded(client, user.username)
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
