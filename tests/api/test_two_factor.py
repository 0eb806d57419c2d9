"""Two-factor sign-in (issue 14, section 4): enrolment with a QR code, real TOTP codes at
login, replay refused, recovery codes once each, the login rate limit covering the second
factor, an admin's reset, and the per-role policy that makes set-up come first."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
import pyotp
from sanic import Sanic

from powerpulse.api.auth import issue_token
from powerpulse.api.ratelimit import LoginLimiter
from powerpulse.db.models import AuditEntry, TwoFactor
from tests.api.conftest import PASSWORD, Account, Client, make_user

BASE = "/api/auth/totp"


async def _enrol(client: Client, token: str) -> tuple[pyotp.TOTP, list[str], str]:
    """Set up a second factor as an authenticator app would; (app, recovery codes, new token)."""
    status, made, _ = await client.post(f"{BASE}/enrol", token=token)
    assert status == 200, made
    assert made["qrCode"].startswith("data:image/svg+xml") and made["secret"] in made["otpauthUri"]
    app = pyotp.TOTP(made["secret"])
    status, done, _ = await client.post(f"{BASE}/confirm", json={"code": app.now()}, token=token)
    assert status == 200, done
    return app, done["recoveryCodes"], done["token"]


def _next_code(app: pyotp.TOTP) -> str:
    """A code of the next step (the current one was used at enrolment): still within drift."""
    return str(app.at(time.time() + 30))


async def _login(client: Client, username: str, **extra: Any) -> tuple[int, Any]:
    body = {"username": username, "password": PASSWORD, **extra}
    status, answer, _ = await client.post("/api/auth/login", json=body)
    return status, answer


async def test_enrolment_then_login_needs_a_real_code_and_refuses_replay(
    client: Client, member: Account
) -> None:
    status, state, _ = await client.get(BASE, token=member.token)
    assert status == 200 and state["enabled"] is False and state["required"] is False
    # A wrong first code leaves it off.
    await client.post(f"{BASE}/enrol", token=member.token)
    status, err, _ = await client.post(
        f"{BASE}/confirm", json={"code": "000000"}, token=member.token
    )
    assert status == 400 and err["error"] == "totp_invalid"
    assert (await client.get(BASE, token=member.token))[1]["pending"] is True
    app, codes, _ = await _enrol(client, member.token)
    assert len(codes) == 10
    row = await TwoFactor.get(user_id=member.id)
    assert (
        row.secret.startswith("enc:v1:")
        and app.secret not in orjson.dumps(await TwoFactor.all().values()).decode()
    )
    status, err = await _login(client, "alice")
    assert (status, err["error"]) == (401, "totp_required")
    status, err = await _login(client, "alice", totp="123456")
    assert (status, err["error"]) == (401, "totp_invalid")
    code = _next_code(app)
    status, ok = await _login(client, "alice", totp=code)
    assert status == 200 and ok["token"] and "totpEnrolmentRequired" not in ok
    status, err = await _login(client, "alice", totp=code)  # the same code again
    assert (status, err["error"]) == (401, "totp_invalid")


async def test_a_recovery_code_works_once(client: Client, member: Account) -> None:
    _, codes, _ = await _enrol(client, member.token)
    assert (await _login(client, "alice", totp=codes[0].upper()))[0] == 200
    assert (await _login(client, "alice", totp=codes[0]))[0] == 401
    _, state, _ = await client.get(BASE, token=member.token)
    assert state["recoveryCodesLeft"] == 9


async def test_new_recovery_codes_need_a_current_code_and_replace_the_old(
    client: Client, member: Account
) -> None:
    app, old, _ = await _enrol(client, member.token)
    url = f"{BASE}/recovery-codes"
    assert (await client.post(url, json={"code": "000000"}, token=member.token))[0] == 400
    status, fresh, _ = await client.post(url, json={"code": _next_code(app)}, token=member.token)
    assert status == 200 and len(fresh["recoveryCodes"]) == 10
    assert (await _login(client, "alice", totp=old[1]))[0] == 401
    assert (await _login(client, "alice", totp=fresh["recoveryCodes"][1]))[0] == 200


async def test_wrong_codes_count_against_the_login_rate_limit(
    client: Client, member: Account
) -> None:
    await _enrol(client, member.token)
    statuses = [(await _login(client, "alice", totp="000000"))[0] for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429


async def test_turning_it_off_needs_the_password_and_an_admin_can_reset_it(
    client: Client, admin: Account, member: Account
) -> None:
    await _enrol(client, member.token)
    status, err, _ = await client.delete(BASE, json={"password": "wrong"}, token=member.token)
    assert status == 400 and err["field"] == "password"
    assert (await client.delete(BASE, json={"password": PASSWORD}, token=member.token))[0] == 200
    assert (await _login(client, "alice"))[0] == 200
    await _enrol(client, member.token)
    reset = f"/api/users/{member.id}/totp"
    assert (await client.delete(reset, token=member.token))[0] == 403
    assert (await client.delete(reset, token=admin.token))[0] == 200
    assert (await client.delete(reset, token=admin.token))[0] == 404
    assert (await _login(client, "alice"))[0] == 200  # a password is enough again
    _, users, _ = await client.get("/api/users", token=admin.token)
    assert {u["username"]: u["twoFactor"] for u in users} == {"admin": False, "alice": False}


async def test_the_policy_makes_set_up_come_first_from_a_role_up(
    app: Sanic, client: Client, admin: Account
) -> None:
    url = "/api/system/security"
    for bad in ({"totpRequiredFrom": "root"}, {"totpRequiredFrom": ["admin"]}, {}):
        status, err, _ = await client.put(url, json=bad, token=admin.token)
        assert status == 400 and err["field"] == "totpRequiredFrom", bad
    status, policy, _ = await client.put(
        url, json={"totpRequiredFrom": "operator"}, token=admin.token
    )
    assert status == 200 and policy == {"totpRequiredFrom": "operator"}
    await make_user("oscar", "operator")
    await make_user("vera", "viewer")
    status, viewer = await _login(client, "vera")
    assert status == 200 and "totpEnrolmentRequired" not in viewer
    status, answer = await _login(client, "oscar")
    assert status == 200 and answer["totpEnrolmentRequired"] is True
    limited = answer["token"]
    status, err, _ = await client.get("/api/ups-systems", token=limited)
    assert (status, err["error"]) == (403, "totp_enrolment_required")
    status, me, _ = await client.get("/api/auth/me", token=limited)
    assert status == 200 and me["totpEnrolmentRequired"] is True
    _, state, _ = await client.get(BASE, token=limited)
    assert state["required"] is True
    _, _, full = await _enrol(client, limited)
    assert (await client.get("/api/ups-systems", token=full))[0] == 200
    status, err, _ = await client.delete(BASE, json={"password": PASSWORD}, token=full)
    assert (status, err["error"]) == (409, "totp_required_by_policy")
    # An enrolment token cannot be forged from a normal one: the mark is in the signed JWT.
    oscar = await TwoFactor.get(user__username="oscar")
    assert oscar.confirmed_at is not None
    assert issue_token(await oscar.user, app.ctx.jwt_secret) != limited


async def test_codes_never_reach_the_audit_log(client: Client, admin: Account) -> None:
    app, codes, _ = await _enrol(client, admin.token)
    code = _next_code(app)
    url = f"{BASE}/recovery-codes"
    status, fresh, _ = await client.post(url, json={"code": code}, token=admin.token)
    assert status == 200
    recovery = fresh["recoveryCodes"][0]
    assert (await _login(client, "admin", totp=recovery))[0] == 200
    stored = orjson.dumps(await AuditEntry.all().values()).decode()
    for secret in (code, codes[0], recovery, app.secret):
        assert secret not in stored, secret
    regenerated = await AuditEntry.filter(action="two_factor.new_recovery_codes").first()
    assert regenerated is not None and regenerated.request == {"code": "•••"}


async def test_bad_requests_are_clear_errors(client: Client, member: Account) -> None:
    for body in ({}, {"code": 123456}, {"code": ""}):
        status, err, _ = await client.post(f"{BASE}/confirm", json=body, token=member.token)
        assert status == 400 and err["field"] == "code", body
    status, err, _ = await client.post(f"{BASE}/confirm", json={"code": "1"}, token=member.token)
    assert (status, err["error"]) == (409, "totp_not_pending")
    await _enrol(client, member.token)
    for totp in (123456, ["123456"], "x" * 65):
        status, err = await _login(client, "alice", totp=totp)
        assert status == 401 and err["error"] == "totp_invalid", totp
    assert (await client.post(f"{BASE}/enrol", token=member.token))[0] == 409
    assert (await client.delete("/api/users/abc/totp", token=member.token))[0] == 403


async def test_two_recovery_codes_at_once_are_both_used_up(client: Client, member: Account) -> None:
    _, codes, _ = await _enrol(client, member.token)
    client.app.ctx.login_limiter = LoginLimiter(per_pair=100, per_client=100)
    results = await asyncio.gather(
        _login(client, "alice", totp=codes[2]), _login(client, "alice", totp=codes[3])
    )
    assert [status for status, _ in results] == [200, 200]
    _, state, _ = await client.get(BASE, token=member.token)
    assert state["recoveryCodesLeft"] == 8  # neither comes back
    assert (await _login(client, "alice", totp=codes[2]))[0] == 401


async def test_guessing_codes_stops_per_account_whatever_the_address(
    client: Client, member: Account
) -> None:
    app, _, _ = await _enrol(client, member.token)
    client.app.ctx.login_limiter = LoginLimiter(per_pair=100, per_client=100)  # not these
    statuses = [(await _login(client, "alice", totp="000000"))[0] for _ in range(11)]
    assert statuses == [401] * 10 + [429]
    status, err = await _login(client, "alice", totp=_next_code(app))  # even the right one
    assert status == 429, err


async def test_an_enrolment_token_opens_nothing_else_anywhere(
    app: Sanic, client: Client, admin: Account
) -> None:
    await client.put("/api/system/security", json={"totpRequiredFrom": "admin"}, token=admin.token)
    limited = (await _login(client, "admin"))[1]["token"]
    status, err, _ = await client.post(
        "/api/nut-servers/test", json={"host": "127.0.0.1", "port": 9}, token=limited
    )
    assert status in (401, 403) and "nut" not in str(err).lower(), err
    _, version, _ = await client.get("/api/system/version", token=limited)
    assert set(version) == {"version"}  # what anyone sees
    status, err, _ = await client.post(
        "/api/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": "another-long-1"},
        token=limited,
    )
    assert (status, err["error"]) == (403, "totp_enrolment_required")
    # A full session from before the policy cannot renew itself around the set-up.
    status, changed, _ = await client.post(
        "/api/auth/change-password",
        json={"currentPassword": PASSWORD, "newPassword": "another-long-1"},
        token=admin.token,
    )
    assert status == 200
    status, err, _ = await client.get("/api/ups-systems", token=changed["token"])
    assert (status, err["error"]) == (403, "totp_enrolment_required")
