"""The role matrix: every endpoint for every role, anonymous and API tokens (issue 14, section 1).

The table below is the contract, written by hand: the lowest role that may call each endpoint
(None: public). A new endpoint fails `test_every_route_is_in_the_table` until it is added here,
so nobody can add a route without deciding who may call it.

Each call is sent with ids that do not exist and an empty JSON body: a caller who may call
gets past the access check (a 400, 404, 409… but never 401 or 403, and never a 500), one who
may not gets 401 (anonymous) or 403.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from sanic import Sanic

from powerpulse.api.auth import issue_token
from powerpulse.roles import ROLES
from tests.api.conftest import Client, make_user

VIEWER, USER, OPERATOR, ADMIN = "viewer", "user", "operator", "admin"

ACCESS: dict[tuple[str, str], str | None] = {
    ("GET", "/"): None,
    ("GET", "/docs"): None,
    ("GET", "/docs/oauth2-redirect.html"): None,
    ("GET", "/docs/openapi.json"): None,
    ("GET", "/docs/swagger"): None,
    ("GET", "/docs/swagger-config"): None,
    ("GET", "/api/alert-rules"): ADMIN,
    ("POST", "/api/alert-rules"): ADMIN,
    ("DELETE", "/api/alert-rules/<rule_id:str>"): ADMIN,
    ("GET", "/api/alert-rules/<rule_id:str>"): ADMIN,
    ("PUT", "/api/alert-rules/<rule_id:str>"): ADMIN,
    ("GET", "/api/alert-rules/event-kinds"): ADMIN,
    ("GET", "/api/alerts"): VIEWER,
    ("POST", "/api/alerts/<alert_id:str>/acknowledge"): USER,
    ("POST", "/api/auth/change-password"): VIEWER,
    ("GET", "/api/auth/check-setup"): None,
    ("POST", "/api/auth/login"): None,
    ("GET", "/api/auth/me"): VIEWER,
    ("POST", "/api/auth/register"): ADMIN,
    ("GET", "/api/auth/roles"): VIEWER,
    ("POST", "/api/auth/setup"): None,
    ("GET", "/api/auth/tokens"): VIEWER,
    ("POST", "/api/auth/tokens"): VIEWER,
    ("DELETE", "/api/auth/tokens/<token_id:str>"): VIEWER,
    ("GET", "/api/auth/oidc"): None,
    ("GET", "/api/auth/oidc/start"): None,
    ("GET", "/api/auth/oidc/callback"): None,
    ("GET", "/api/system/oidc"): ADMIN,
    ("PUT", "/api/system/oidc"): ADMIN,
    ("GET", "/api/auth/totp"): VIEWER,
    ("POST", "/api/auth/totp/enrol"): VIEWER,
    ("POST", "/api/auth/totp/confirm"): VIEWER,
    ("POST", "/api/auth/totp/recovery-codes"): VIEWER,
    ("DELETE", "/api/auth/totp"): VIEWER,
    ("DELETE", "/api/users/<user_id:str>/totp"): ADMIN,
    ("GET", "/api/system/security"): ADMIN,
    ("PUT", "/api/system/security"): ADMIN,
    ("GET", "/api/battery"): VIEWER,
    ("GET", "/api/debug/battery-history/<ups_id:str>"): VIEWER,
    ("GET", "/api/debug/count/<table:str>"): ADMIN,
    ("POST", "/api/debug/force-status-change"): ADMIN,
    ("GET", "/api/debug/notification-settings"): ADMIN,
    ("POST", "/api/debug/raw-notification-test"): ADMIN,
    ("POST", "/api/debug/record-battery/<ups_id:str>/<charge:str>"): ADMIN,
    ("GET", "/api/debug/schema/<table:str>"): ADMIN,
    ("GET", "/api/debug/tables"): ADMIN,
    ("POST", "/api/debug/test-notification"): ADMIN,
    ("POST", "/api/debug/test-ups-monitoring"): ADMIN,
    ("GET", "/api/debug/ups-status-raw"): ADMIN,
    ("GET", "/api/digest-schedules"): VIEWER,
    ("POST", "/api/digest-schedules"): ADMIN,
    ("DELETE", "/api/digest-schedules/<schedule_id:str>"): ADMIN,
    ("PUT", "/api/digest-schedules/<schedule_id:str>"): ADMIN,
    ("POST", "/api/digest-schedules/<schedule_id:str>/send"): ADMIN,
    ("GET", "/api/drills/<drill_id:str>"): OPERATOR,
    ("GET", "/api/energy"): VIEWER,
    ("GET", "/api/events"): VIEWER,
    ("GET", "/api/history/metrics"): None,
    ("GET", "/api/maintenance-windows"): ADMIN,
    ("POST", "/api/maintenance-windows"): ADMIN,
    ("DELETE", "/api/maintenance-windows/<window_id:str>"): ADMIN,
    ("GET", "/api/notification-channels"): VIEWER,
    ("POST", "/api/notification-channels"): VIEWER,
    ("DELETE", "/api/notification-channels/<channel_id:str>"): VIEWER,
    ("GET", "/api/notification-channels/<channel_id:str>"): VIEWER,
    ("PUT", "/api/notification-channels/<channel_id:str>"): VIEWER,
    ("POST", "/api/notification-channels/<channel_id:str>/test"): VIEWER,
    ("GET", "/api/notification-channels/kinds"): VIEWER,
    ("DELETE", "/api/notification-channels/smtp"): ADMIN,
    ("GET", "/api/notification-channels/smtp"): ADMIN,
    ("PUT", "/api/notification-channels/smtp"): ADMIN,
    ("POST", "/api/notification-channels/smtp/test"): ADMIN,
    ("GET", "/api/notification-templates"): ADMIN,
    ("DELETE", "/api/notification-templates/<kind:str>"): ADMIN,
    ("PUT", "/api/notification-templates/<kind:str>"): ADMIN,
    ("POST", "/api/notification-templates/preview"): ADMIN,
    ("GET", "/api/notifications/history"): VIEWER,
    ("GET", "/api/notifications/log"): ADMIN,
    ("GET", "/api/notifications/settings"): VIEWER,
    ("POST", "/api/notifications/settings"): VIEWER,
    ("POST", "/api/notifications/test"): VIEWER,
    ("POST", "/api/notifications/test-email"): VIEWER,
    ("POST", "/api/notifications/test-slack"): VIEWER,
    ("POST", "/api/notifications/ups-status"): USER,
    ("GET", "/api/nut"): VIEWER,
    ("POST", "/api/nut"): ADMIN,
    ("GET", "/api/nut-servers"): VIEWER,
    ("POST", "/api/nut-servers"): ADMIN,
    ("DELETE", "/api/nut-servers/<server_id:str>"): ADMIN,
    ("GET", "/api/nut-servers/<server_id:str>"): VIEWER,
    ("PUT", "/api/nut-servers/<server_id:str>"): ADMIN,
    ("POST", "/api/nut-servers/<server_id:str>/rescan"): ADMIN,
    ("POST", "/api/nut-servers/<server_id:str>/test"): ADMIN,
    ("POST", "/api/nut-servers/test"): ADMIN,  # public only before setup (test_nut_servers)
    ("DELETE", "/api/nut/<server_id:str>"): ADMIN,
    ("GET", "/api/nut/<server_id:str>"): VIEWER,
    ("PUT", "/api/nut/<server_id:str>"): ADMIN,
    ("POST", "/api/nut/<server_id:str>/test"): ADMIN,
    ("GET", "/api/nut/servers"): VIEWER,
    ("POST", "/api/nut/servers"): ADMIN,
    ("DELETE", "/api/nut/servers/<server_id:str>"): ADMIN,
    ("GET", "/api/nut/servers/<server_id:str>"): VIEWER,
    ("PUT", "/api/nut/servers/<server_id:str>"): ADMIN,
    ("POST", "/api/nut/servers/<server_id:str>/test"): ADMIN,
    ("POST", "/api/nut/servers/test"): ADMIN,  # public only before setup (test_nut_servers)
    ("POST", "/api/nut/test"): ADMIN,  # public only before setup (test_nut_servers)
    ("GET", "/api/outages"): VIEWER,
    ("GET", "/api/audit-log"): ADMIN,
    ("GET", "/api/summary"): VIEWER,
    ("GET", "/api/self-test-schedules"): VIEWER,
    ("POST", "/api/self-test-schedules"): ADMIN,
    ("DELETE", "/api/self-test-schedules/<schedule_id:str>"): ADMIN,
    ("PUT", "/api/self-test-schedules/<schedule_id:str>"): ADMIN,
    ("GET", "/api/shutdown-plans"): ADMIN,
    ("POST", "/api/shutdown-plans"): ADMIN,
    ("DELETE", "/api/shutdown-plans/<plan_id:str>"): ADMIN,
    ("GET", "/api/shutdown-plans/<plan_id:str>"): ADMIN,
    ("PUT", "/api/shutdown-plans/<plan_id:str>"): ADMIN,
    ("POST", "/api/shutdown-plans/<plan_id:str>/actions/<action_id:str>/test"): ADMIN,
    ("POST", "/api/shutdown-plans/<plan_id:str>/dry-run"): ADMIN,
    ("POST", "/api/shutdown-plans/ssh-host-key"): ADMIN,
    ("GET", "/api/shutdown-runs"): ADMIN,
    ("GET", "/api/shutdown-runs/<run_id:str>"): ADMIN,
    ("POST", "/api/shutdown-runs/<run_id:str>/cancel"): ADMIN,
    ("GET", "/api/status-model"): None,
    ("GET", "/api/stream"): None,
    ("GET", "/api/stream/kiosk"): None,
    ("POST", "/api/stream/ticket"): VIEWER,
    ("GET", "/api/system/energy"): VIEWER,
    ("PUT", "/api/system/energy"): ADMIN,
    ("GET", "/api/system/settings"): ADMIN,
    ("PUT", "/api/system/settings"): ADMIN,
    ("GET", "/api/system/status"): ADMIN,
    ("POST", "/api/system/update"): ADMIN,
    ("GET", "/api/system/update/check"): ADMIN,
    ("GET", "/api/system/update/status"): ADMIN,
    ("GET", "/api/system/version"): None,
    ("GET", "/api/thresholds"): ADMIN,
    ("POST", "/api/thresholds"): ADMIN,
    ("DELETE", "/api/thresholds/<threshold_id:str>"): ADMIN,
    ("PUT", "/api/thresholds/<threshold_id:str>"): ADMIN,
    ("GET", "/api/thresholds/metrics"): ADMIN,
    ("GET", "/api/ups-systems"): VIEWER,
    ("POST", "/api/ups-systems"): ADMIN,
    ("DELETE", "/api/ups-systems/<ups_id:str>"): ADMIN,
    ("GET", "/api/ups-systems/<ups_id:str>"): VIEWER,
    ("PUT", "/api/ups-systems/<ups_id:str>"): ADMIN,
    ("GET", "/api/ups-systems/<ups_id:str>/battery"): VIEWER,
    ("POST", "/api/ups-systems/<ups_id:str>/battery"): ADMIN,
    ("GET", "/api/ups-systems/<ups_id:str>/battery/lifecycle"): VIEWER,
    ("PUT", "/api/ups-systems/<ups_id:str>/battery/lifecycle"): ADMIN,
    ("POST", "/api/ups-systems/<ups_id:str>/battery/replacements"): ADMIN,
    ("GET", "/api/ups-systems/<ups_id:str>/commands"): OPERATOR,
    ("POST", "/api/ups-systems/<ups_id:str>/commands"): OPERATOR,
    ("POST", "/api/ups-systems/<ups_id:str>/drill"): OPERATOR,
    ("GET", "/api/ups-systems/<ups_id:str>/events"): VIEWER,
    ("GET", "/api/ups-systems/<ups_id:str>/history"): VIEWER,
    ("DELETE", "/api/ups-systems/<ups_id:str>/mute"): OPERATOR,
    ("POST", "/api/ups-systems/<ups_id:str>/mute"): OPERATOR,
    ("PUT", "/api/ups-systems/<ups_id:str>/nickname"): USER,
    ("GET", "/api/ups-systems/<ups_id:str>/nut-variables"): VIEWER,
    ("POST", "/api/ups-systems/<ups_id:str>/protected-hosts"): ADMIN,
    ("DELETE", "/api/ups-systems/<ups_id:str>/protected-hosts/<host_id:str>"): ADMIN,
    ("GET", "/api/ups-systems/<ups_id:str>/protection"): VIEWER,
    ("GET", "/api/ups-systems/<ups_id:str>/self-tests"): VIEWER,
    ("POST", "/api/ups-systems/<ups_id:str>/self-tests"): OPERATOR,
    ("GET", "/api/ups-systems/<ups_id:str>/variables"): ADMIN,
    ("PUT", "/api/ups-systems/<ups_id:str>/variables/<name:str>"): ADMIN,
    ("GET", "/api/ups-systems/kiosk"): None,
    ("DELETE", "/api/ups-systems/mute"): OPERATOR,
    ("POST", "/api/ups-systems/mute"): OPERATOR,
    ("GET", "/api/ups/systems"): VIEWER,
    ("POST", "/api/ups/systems"): ADMIN,
    ("DELETE", "/api/ups/systems/<ups_id:str>"): ADMIN,
    ("GET", "/api/ups/systems/<ups_id:str>"): VIEWER,
    ("PUT", "/api/ups/systems/<ups_id:str>"): ADMIN,
    ("GET", "/api/ups/systems/<ups_id:str>/battery"): VIEWER,
    ("POST", "/api/ups/systems/<ups_id:str>/battery"): ADMIN,
    ("GET", "/api/ups/systems/<ups_id:str>/events"): VIEWER,
    ("GET", "/api/ups/systems/<ups_id:str>/history"): VIEWER,
    ("PUT", "/api/ups/systems/<ups_id:str>/nickname"): USER,
    ("GET", "/api/ups/systems/<ups_id:str>/nut-variables"): VIEWER,
    ("GET", "/api/ups/systems/kiosk"): None,
    ("GET", "/api/user-settings"): VIEWER,
    ("POST", "/api/user-settings"): VIEWER,
    ("GET", "/api/users"): ADMIN,
    ("DELETE", "/api/users/<user_id:str>"): ADMIN,
    ("GET", "/api/users/<user_id:str>"): ADMIN,  # someone else; oneself: below
    ("PUT", "/api/users/<user_id:str>"): ADMIN,  # someone else; oneself: below
    ("PUT", "/api/users/<user_id:str>/password"): ADMIN,
    ("GET", "/metrics"): None,
}

# Token management needs a password login: no API token may mint or revoke tokens.
SESSION_ONLY = {
    ("GET", "/api/auth/totp"),
    ("POST", "/api/auth/totp/enrol"),
    ("POST", "/api/auth/totp/confirm"),
    ("POST", "/api/auth/totp/recovery-codes"),
    ("DELETE", "/api/auth/totp"),
    ("GET", "/api/auth/tokens"),
    ("POST", "/api/auth/tokens"),
    ("DELETE", "/api/auth/tokens/<token_id:str>"),
}
# POSTs that only read: a read token may call them.
READS = {("POST", "/api/stream/ticket")}

# Live streams never end, and the in-process client waits for a whole body: who may open them
# (a ticket from /api/stream/ticket, or the kiosk setting) is tested in tests/stream.
STREAMS = {("GET", "/api/stream"), ("GET", "/api/stream/kiosk")}

PARAMS = {"charge": "50", "table": "users", "kind": "power_lost"}


def concrete(path: str) -> str:
    """The path with each parameter filled in: ids that do not exist."""
    return re.sub(r"<(\w+)(?::\w+)?>", lambda m: PARAMS.get(m.group(1), "999999"), path)


def route_keys(app: Sanic) -> set[tuple[str, str]]:
    keys = set()
    for route in app.router.routes:
        for method in route.methods:
            if method not in ("HEAD", "OPTIONS"):
                keys.add((method, "/" + route.path))
    return keys


def test_the_table_lists_the_four_roles_in_order() -> None:
    assert ROLES == (VIEWER, USER, OPERATOR, ADMIN)


async def test_every_route_is_in_the_table(app: Sanic) -> None:
    served = route_keys(app)
    assert not served - ACCESS.keys(), f"add to ACCESS: {sorted(served - ACCESS.keys())}"
    assert not ACCESS.keys() - served, f"gone, remove: {sorted(ACCESS.keys() - served)}"


def may(caller: str, method: str, path: str) -> bool:
    """Whether `caller` (a role, "anonymous", "read-token" of an admin, "operator-token" with
    scope role) may call this endpoint, by the table."""
    lowest = ACCESS[(method, path)]
    if lowest is None:
        return True
    if caller == "anonymous":
        return False
    if caller.endswith("-token"):
        if (method, path) in SESSION_ONLY:
            return False
        if caller == "read-token":
            return method == "GET" or (method, path) in READS  # with its admin owner's rights
        caller = caller.removesuffix("-token")
    return ROLES.index(caller) >= ROLES.index(lowest)


CALLERS = ("anonymous", *ROLES, "read-token", "operator-token")


@pytest.fixture
async def tokens(app: Sanic, client: Client) -> dict[str, str | None]:
    out: dict[str, str | None] = {"anonymous": None}
    for role in ROLES:
        user = await make_user(f"{role}1", role)
        out[role] = issue_token(user, app.ctx.jwt_secret)
    for caller, owner, scope in (
        ("read-token", ADMIN, "read"),
        ("operator-token", OPERATOR, "role"),
    ):
        status, made, _ = await client.post(
            "/api/auth/tokens", json={"name": caller, "scope": scope}, token=out[owner]
        )
        assert status == 201, made
        out[caller] = made["token"]
    return out


@pytest.mark.parametrize("caller", CALLERS)
async def test_each_caller_reaches_exactly_what_the_table_allows(
    app: Sanic, client: Client, tokens: dict[str, str | None], caller: str
) -> None:
    wrong: list[Any] = []
    for method, path in sorted(ACCESS, key=lambda k: (k[1], k[0])):
        if (method, path) in STREAMS:
            continue
        kw: dict[str, Any] = {"token": tokens[caller]}
        if method in ("POST", "PUT", "DELETE"):
            kw["json"] = {}
        try:
            async with asyncio.timeout(15):
                status, body, _ = await client.request(method, concrete(path), **kw)
        except TimeoutError:
            wrong.append((method, path, "no answer in 15 s"))
            continue
        allowed = may(caller, method, path)
        if status >= 500:
            wrong.append((method, path, status, body))
        elif allowed and status in (401, 403):
            wrong.append((method, path, "refused", status, body))
        elif not allowed and status != (401 if caller == "anonymous" else 403):
            wrong.append((method, path, "let through", status, body))
    assert not wrong, "\n" + "\n".join(map(repr, wrong))


def test_the_web_ui_orders_the_roles_as_the_api_does() -> None:
    source = (Path(__file__).parents[2] / "webui/src/lib/roles.ts").read_text()
    match = re.search(r"ROLE_ORDER: readonly Role\[\] = \[([^\]]*)\]", source)
    assert match is not None
    assert tuple(re.findall(r"'(\w+)'", match.group(1))) == ROLES
