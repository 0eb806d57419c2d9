"""Single sign-on routes (`powerpulse.oidc`).

- `GET /api/auth/oidc` (public): whether the login page shows the button, and its label.
- `GET /api/auth/oidc/start?next=/path`: redirects to the provider (state, nonce, PKCE).
- `GET /api/auth/oidc/callback`: checks everything, finds or makes the user, and redirects to
  `/login#sso=<token>&next=<path>` (a fragment: the token never reaches a log) or
  `/login#ssoError=<code>`.
- `GET/PUT /api/system/oidc` (admin): the settings, with the redirect URI to register.

A sign-on user is found by the provider's `iss` + `sub` only, never by name or email (a
provider account called "admin" must not become the local admin). New ones are made with the
mapped role, `sso_only` (no usable password) and a name made unique; their role follows the
provider's groups at every sign-on. Local accounts keep signing in with passwords, and the last
local administrator can be neither deleted nor demoted (`powerpulse.api.users`).
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json, redirect
from sanic_ext import openapi
from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.api.auth import forget_user, hash_password, issue_token, require_admin
from powerpulse.api.errors import bad_request
from powerpulse.api.ratelimit import Limit, client_address, enforce
from powerpulse.api.usernames import USERNAME_MAX, username_taken
from powerpulse.api.validation import read_json
from powerpulse.audit.store import Entry, write
from powerpulse.db import counters, locks
from powerpulse.db.models import OidcIdentity, OidcLogin, User, UserSettings
from powerpulse.oidc import flow
from powerpulse.oidc import settings as oidc_settings
from powerpulse.oidc.roles import role_for
from powerpulse.secret_box import SecretError
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("oidc", url_prefix="/api/auth/oidc")
admin_bp = Blueprint("oidc_settings", url_prefix="/api/system")
blueprints = Blueprint.group(bp, admin_bp)

CALLBACK_PATH = "/api/auth/oidc/callback"
START_LIMIT, START_WINDOW = 30, 60.0  # sign-ons started per client address and minute


def redirect_uri(request: Request) -> str:
    """Where the provider sends the browser back (behind a proxy: TRUSTED_PROXIES)."""
    return f"{request.scheme}://{request.host}{CALLBACK_PATH}"


def _safe_next(raw: str | None) -> str:
    """Only a path on this site (no `//host`, no scheme): never an open redirect."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or len(raw) > 255:
        return "/"
    return raw


@bp.get("/")
@openapi.summary("Whether single sign-on is offered, and the button's label (public)")
@schemas.returns(schemas.OidcPublic)
async def public_state(request: Request) -> HTTPResponse:
    current = await oidc_settings.load()
    return json({"enabled": current.ready, "label": current.label})


@bp.get("/start")
@openapi.summary("Start a single sign-on: redirects to the provider")
@schemas.redirects("To the provider's sign-in page, or to `/login#ssoError=<code>`")
async def start(request: Request) -> HTTPResponse:
    limit = Limit("oidc-start", client_address(request), START_LIMIT, START_WINDOW)
    await enforce(request, "Too many sign-ons started, try again later", limit)
    current = await oidc_settings.load()
    if not current.ready:
        return redirect("/login#ssoError=not_configured")
    try:
        meta = await flow.discover(current.issuer)
    except flow.SignOnError as err:
        log.warning("single sign-on: %s", err)
        return redirect(f"/login#ssoError={err.code}")
    started = flow.start(meta, current, redirect_uri(request))
    now = utcnow()
    await OidcLogin.filter(created_at__lt=now - timedelta(seconds=flow.LOGIN_SECONDS)).delete()
    await OidcLogin.create(
        state=started.state,
        nonce=started.nonce,
        verifier=started.verifier,
        next_path=_safe_next(request.args.get("next")),
        created_at=now,
    )
    return redirect(started.url)


async def _take_login(state: str | None) -> OidcLogin:
    """The sign-on `state` names, used up now (a replayed callback finds nothing)."""
    if not state or len(state) > 64:
        raise flow.SignOnError("bad_state", "no state, or not ours")
    row = await OidcLogin.get_or_none(state=state)
    if row is None or not await OidcLogin.filter(state=state).delete():
        raise flow.SignOnError("bad_state", "unknown or already used state")
    if utcnow() - row.created_at > timedelta(seconds=flow.LOGIN_SECONDS):
        raise flow.SignOnError("expired", "the sign-on took too long")
    return row


def _name_from(claims: dict[str, Any]) -> str:
    for key in ("preferred_username", "email", "name"):
        value = claims.get(key)
        if isinstance(value, str) and value.strip():
            base = value.split("@")[0] if key == "email" else value
            cleaned = "".join(c for c in base if c.isprintable() and not c.isspace())
            if cleaned:
                return cleaned[: USERNAME_MAX - 4]
    return "sso-user"


async def _unique_name(base: str) -> str:
    name, n = base, 1
    while await username_taken(name):
        n += 1
        name = f"{base}-{n}"
    return name


async def _user_for(issuer: str, claims: dict[str, Any], role: str) -> User:
    subject = str(claims["sub"])[:255]
    async with in_transaction():
        await locks.hold(locks.USERS)
        identity = await OidcIdentity.get_or_none(issuer=issuer, subject=subject)
        if identity is not None:
            user = await User.get(id=identity.user_id)  # type: ignore[attr-defined]
            if user.role != role:  # the provider's groups changed: so does the role
                user.role, user.token_version = role, user.token_version + 1
                await user.save(update_fields=["role", "token_version"])
                await counters.bump(counters.CONFIG)
            await OidcIdentity.filter(id=identity.id).update(last_login_at=utcnow())
            forget_user(int(user.id))
            return user
        email = claims.get("email") if isinstance(claims.get("email"), str) else None
        if email and (len(email) > 254 or await User.filter(email=email).exists()):
            email = None  # unique column: a local account has it (never linked by email)
        user = await User.create(
            username=await _unique_name(_name_from(claims)),
            email=email,
            password_hash=await hash_password(secrets.token_urlsafe(32)),  # never told anyone
            role=role,
            sso_only=True,
        )
        await UserSettings.create(user=user)
        await OidcIdentity.create(user=user, issuer=issuer, subject=subject, last_login_at=utcnow())
        await counters.bump(counters.CONFIG)
        return user


async def _complete(request: Request) -> tuple[User, str]:
    if request.args.get("error"):
        raise flow.SignOnError("provider_refused", f"provider: {request.args.get('error')[:100]}")
    login = await _take_login(request.args.get("state"))
    code = request.args.get("code")
    if not code or len(code) > 2048:
        raise flow.SignOnError("bad_code", "no code")
    current = await oidc_settings.load()
    if not current.ready or current.client_secret is None:
        raise flow.SignOnError("not_configured", "single sign-on is off")
    sent_by = request.args.get("iss")  # RFC 9207: a response meant for another provider
    if sent_by is not None and sent_by != current.issuer:
        raise flow.SignOnError("wrong_issuer", f"the response names issuer {sent_by[:100]!r}")
    try:
        secret = request.app.ctx.settings.secret_box().open(current.client_secret)
    except SecretError:
        raise flow.SignOnError("not_configured", "the client secret cannot be read") from None
    meta = await flow.discover(current.issuer)
    tokens = await flow.exchange(meta, current, secret, code, login.verifier, redirect_uri(request))
    claims = await flow.verified_claims(
        meta, current, tokens.get("id_token"), login.nonce, time.time()
    )
    if current.role_claim.split(".")[0] not in claims:
        extra = await flow.userinfo(meta, tokens.get("access_token"))
        if extra.get("sub") == claims["sub"]:
            claims = {**extra, **claims}
    role = role_for(claims, current.role_claim, current.groups_by_role, current.default_role)
    if role is None:
        raise flow.SignOnError("no_role", f"{claims.get('sub')!r} is in no group mapped to a role")
    return await _user_for(str(meta["issuer"]), claims, role), login.next_path


@bp.get("/callback")
@openapi.summary("Where the provider sends the browser back; redirects to the web UI")
@schemas.redirects("To `/login#sso=<token>&next=<path>`, or `/login#ssoError=<code>`")
async def callback(request: Request) -> HTTPResponse:
    entry = Entry(action="auth.sso_login", address=client_address(request), method="GET",
                  path=request.path)  # fmt: skip
    try:
        user, next_path = await _complete(request)
    except flow.SignOnError as err:
        log.warning("single sign-on refused: %s", err)
        entry.status, entry.request = 401, {"reason": err.code, "detail": str(err)[:300]}
        await write(entry)
        return redirect(f"/login#ssoError={quote(err.code)}")
    entry.status, entry.user_id, entry.username = 200, int(user.id), user.username
    entry.target_type, entry.target_id, entry.target_name = "users", str(user.id), user.username
    entry.after = {"role": user.role}
    await write(entry)
    token = issue_token(user, request.app.ctx.jwt_secret)
    return redirect(f"/login#sso={quote(token)}&next={quote(next_path)}")


@admin_bp.get("/oidc")
@openapi.summary("The single sign-on settings (the client secret is never answered)")
@schemas.returns(schemas.OidcSettings)
@require_admin
async def get_settings(request: Request) -> HTTPResponse:
    current = await oidc_settings.load()
    return json({**oidc_settings.view(current), "redirectUri": redirect_uri(request)})


@admin_bp.put("/oidc")
@openapi.summary("Change the single sign-on settings")
@schemas.returns(schemas.OidcSettings)
@schemas.accepts(schemas.OidcSettingsBody)
@require_admin
async def put_settings(request: Request) -> HTTPResponse:
    body = read_json(request, allow_empty=False)
    current = await oidc_settings.load()
    try:
        new = oidc_settings.merged(current, body, request.app.ctx.settings.secret_box().seal)
    except oidc_settings.SettingsError as err:
        raise bad_request(err.field, str(err)) from None
    await oidc_settings.save(new)
    flow.forget_cache()
    return json({**oidc_settings.view(new), "redirectUri": redirect_uri(request)})
