"""Single sign-on (issue 14, section 3) against a real OpenID provider: the OpenID-certified
`oidc-provider` package on 127.0.0.1 (tests/support/oidc_provider.py). Authorisation code with
PKCE, discovery, the ID token's signature and nonce checked, roles mapped from groups, local
accounts untouched, and one local administrator always left."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from sanic import Sanic

from powerpulse.db.models import AuditEntry, OidcIdentity, OidcLogin, User
from powerpulse.oidc import flow
from tests.api.conftest import PASSWORD, Account, Client, make_user
from tests.support.oidc_provider import OidcProvider

CALLBACK = "http://testserver/api/auth/oidc/callback"
ACCOUNTS = {
    "ada": {"groups": ["pp-admins", "staff"]},
    "otto": {"groups": ["pp-operators", "staff"]},
    "vera": {"groups": ["helpdesk"]},
    "nobody": {"groups": ["guests"]},
    "admin": {"groups": ["helpdesk"]},  # the same name as the local administrator
}
GROUPS = {"admin": ["pp-admins"], "operator": ["pp-operators"], "viewer": ["helpdesk"]}


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider(CALLBACK, accounts=ACCOUNTS) as op:
        yield op


@pytest.fixture(autouse=True)
def fresh_discovery(provider: OidcProvider) -> Iterator[None]:
    provider.tamper("none")
    flow.forget_cache()
    yield
    provider.tamper("none")


async def _configure(client: Client, admin: Account, provider: OidcProvider, **extra: Any) -> Any:
    body = {
        "enabled": True,
        "issuer": provider.issuer,
        "clientId": provider.client_id,
        "clientSecret": provider.client_secret,
        "groupsByRole": GROUPS,
        **extra,
    }
    status, answer, _ = await client.put("/api/system/oidc", json=body, token=admin.token)
    assert status == 200, answer
    return answer


@pytest.fixture
async def configured(client: Client, admin: Account, provider: OidcProvider) -> OidcProvider:
    await _configure(client, admin, provider)
    return provider


def _fragment(location: str) -> dict[str, str]:
    parts = urlsplit(location)
    assert parts.path == "/login", location
    return {k: v[0] for k, v in parse_qs(parts.fragment).items()}


async def _start(client: Client, next_path: str = "/") -> str:
    status, _, resp = await client.get("/api/auth/oidc/start", params={"next": next_path})
    assert status == 302, resp.text
    return resp.headers["location"]


async def _callback(client: Client, url: str) -> dict[str, str]:
    parts = urlsplit(url)
    status, _, resp = await client.get(f"{parts.path}?{parts.query}")
    assert status == 302, resp.text
    return _fragment(resp.headers["location"])


async def _sign_on(
    client: Client, provider: OidcProvider, account: str, next_path: str = "/"
) -> dict[str, str]:
    """A whole sign-on as a browser makes it; the fragment PowerPulse's redirect carries."""
    authorize = await _start(client, next_path)
    back = provider.sign_in(authorize, account, stop_at=CALLBACK)
    return await _callback(client, back)


async def _me(client: Client, token: str) -> Any:
    status, me, _ = await client.get("/api/auth/me", token=token)
    assert status == 200, me
    return me


async def test_sign_on_uses_pkce_and_maps_each_group_to_its_role(
    client: Client, configured: OidcProvider
) -> None:
    authorize = urlsplit(await _start(client))
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert f"{authorize.scheme}://{authorize.netloc}" == configured.issuer  # from discovery
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["redirect_uri"] == CALLBACK and "openid" in query["scope"].split()
    assert query["state"] and query["nonce"] and query["state"] != query["nonce"]
    pending = await OidcLogin.get(state=query["state"])
    assert flow.challenge_of(pending.verifier) == query["code_challenge"]

    for account, role in (("ada", "admin"), ("otto", "operator"), ("vera", "viewer")):
        fragment = await _sign_on(client, configured, account, next_path="/ups/3")
        assert fragment["next"] == "/ups/3"
        me = await _me(client, fragment["sso"])
        assert (me["username"], me["role"], me["sso"]) == (account, role, True)
    # A viewer reads but changes nothing; an operator may not administer.
    vera = (await _sign_on(client, configured, "vera"))["sso"]
    assert (await client.get("/api/ups-systems", token=vera))[0] == 200
    assert (await client.post("/api/nut-servers", json={}, token=vera))[0] == 403
    otto = (await _sign_on(client, configured, "otto"))["sso"]
    assert (await client.get("/api/system/oidc", token=otto))[0] == 403
    # Signing on again finds the same account (by issuer and subject), makes no other.
    assert await User.filter(username="vera").count() == 1
    assert await OidcIdentity.filter(subject="vera", issuer=configured.issuer).count() == 1


async def test_the_role_follows_the_groups_at_every_sign_on(
    client: Client, admin: Account, configured: OidcProvider
) -> None:
    first = (await _sign_on(client, configured, "otto"))["sso"]
    assert (await _me(client, first))["role"] == "operator"
    # The admin now gives "staff" the admin role: otto's next sign-on is an admin one, and his
    # operator session from before stops working at once.
    await _configure(
        client, admin, configured, groupsByRole={**GROUPS, "admin": ["pp-admins", "staff"]}
    )
    second = (await _sign_on(client, configured, "otto"))["sso"]
    assert (await _me(client, second))["role"] == "admin"
    assert (await client.get("/api/auth/me", token=first))[0] == 401


async def test_someone_in_no_mapped_group_is_refused_unless_a_default_role_is_set(
    client: Client, admin: Account, configured: OidcProvider
) -> None:
    assert (await _sign_on(client, configured, "nobody")) == {"ssoError": "no_role"}
    assert not await User.filter(username="nobody").exists()
    await _configure(client, admin, configured, defaultRole="viewer")
    fragment = await _sign_on(client, configured, "nobody")
    assert (await _me(client, fragment["sso"]))["role"] == "viewer"


async def test_a_provider_account_named_like_a_local_one_never_becomes_it(
    client: Client, admin: Account, configured: OidcProvider
) -> None:
    fragment = await _sign_on(client, configured, "admin")
    me = await _me(client, fragment["sso"])
    assert me["id"] != admin.id and me["username"] == "admin-2" and me["role"] == "viewer"
    local = await User.get(id=admin.id)
    assert (local.role, local.sso_only) == ("admin", False)
    # The local admin still signs in with the password.
    login = {"username": "admin", "password": PASSWORD}
    assert (await client.post("/api/auth/login", json=login))[0] == 200


@pytest.mark.parametrize("mode", ["signature", "foreign-key", "nonce"])
async def test_a_broken_id_token_is_refused_and_recorded(
    client: Client, configured: OidcProvider, mode: str
) -> None:
    configured.tamper(mode)
    assert (await _sign_on(client, configured, "ada")) == {"ssoError": "bad_token"}
    assert not await User.filter(username="ada").exists()
    entry = await AuditEntry.get(action="auth.sso_login")
    assert entry.status == 401 and entry.user_id is None
    assert entry.request["reason"] == "bad_token"  # type: ignore[index]
    # Fixed, the same person gets in.
    configured.tamper("none")
    assert "sso" in await _sign_on(client, configured, "ada")


async def test_a_callback_is_used_once_and_needs_our_state_and_verifier(
    client: Client, configured: OidcProvider
) -> None:
    back = configured.sign_in(await _start(client), "ada", stop_at=CALLBACK)
    assert "sso" in await _callback(client, back)
    assert await _callback(client, back) == {"ssoError": "bad_state"}  # replayed
    # A code with a state we never issued, or none.
    query = parse_qs(urlsplit(back).query)
    code = query["code"][0]
    assert await _callback(client, f"{CALLBACK}?code={code}&state=forged") == {
        "ssoError": "bad_state"
    }
    assert await _callback(client, f"{CALLBACK}?code={code}") == {"ssoError": "bad_state"}
    # PKCE: with the wrong verifier the provider itself refuses the code.
    back = configured.sign_in(await _start(client), "ada", stop_at=CALLBACK)
    state = parse_qs(urlsplit(back).query)["state"][0]
    await OidcLogin.filter(state=state).update(verifier="x" * 64)
    assert await _callback(client, back) == {"ssoError": "code_refused"}
    # A response naming another issuer (RFC 9207) is refused before the code is spent.
    back = configured.sign_in(await _start(client), "ada", stop_at=CALLBACK)
    forged = back.replace("iss=", "iss=https%3A%2F%2Fevil.example&was=")
    assert await _callback(client, forged) == {"ssoError": "wrong_issuer"}
    # The provider's own refusal (the user pressed "cancel") comes back as a code too.
    assert await _callback(client, f"{CALLBACK}?error=access_denied&state=x") == {
        "ssoError": "provider_refused"
    }


async def test_next_is_only_ever_a_path_on_this_site(
    client: Client, configured: OidcProvider
) -> None:
    for hostile in ("//evil.example/", "https://evil.example/", "/\\evil.example", "ups"):
        assert (await _sign_on(client, configured, "vera", next_path=hostile))["next"] == "/"


async def test_off_or_unreachable_is_a_clear_error_on_the_login_page(
    client: Client, admin: Account, provider: OidcProvider
) -> None:
    status, public, _ = await client.get("/api/auth/oidc")
    assert status == 200 and public["enabled"] is False
    assert _fragment(await _start(client)) == {"ssoError": "not_configured"}
    await _configure(client, admin, provider, label="Sign in with Authentik")
    assert (await client.get("/api/auth/oidc"))[1] == {
        "enabled": True,
        "label": "Sign in with Authentik",
    }
    # A provider that is down.
    closed = provider.issuer.rsplit(":", 1)[0] + ":1"
    await _configure(client, admin, provider, issuer=closed)
    flow.forget_cache()
    assert _fragment(await _start(client)) == {"ssoError": "provider_unreachable"}


async def test_settings_keep_the_secret_write_only_and_refuse_bad_input(
    client: Client, admin: Account, member: Account, provider: OidcProvider
) -> None:
    answer = await _configure(client, admin, provider)
    assert answer["hasClientSecret"] is True and "clientSecret" not in answer
    assert answer["redirectUri"] == CALLBACK
    assert provider.client_secret not in orjson.dumps(answer).decode()
    status, shown, _ = await client.get("/api/system/oidc", token=admin.token)
    assert status == 200 and shown == answer
    # Changing another field keeps the secret; the audit entry masks it.
    status, kept, _ = await client.put(
        "/api/system/oidc", json={"label": "Company login", "clientSecret": ""}, token=admin.token
    )
    assert status == 200 and kept["hasClientSecret"] is True and kept["label"] == "Company login"
    everything = orjson.dumps(await AuditEntry.all().values()).decode()
    assert provider.client_secret not in everything
    entry = await AuditEntry.filter(action="oidc_settings.put_settings").order_by("-id").first()
    assert entry is not None and entry.after == {"label": "Company login"}
    bad: list[tuple[dict[str, Any], str]] = [
        ({"issuer": "ftp://idp.example"}, "issuer"),
        ({"issuer": 7}, "issuer"),
        ({"scopes": "profile email"}, "scopes"),
        ({"groupsByRole": {"root": ["x"]}}, "groupsByRole"),
        ({"groupsByRole": {"admin": "pp-admins"}}, "groupsByRole"),
        ({"defaultRole": "root"}, "defaultRole"),
        ({"enabled": "yes"}, "enabled"),
        ({"clientSecret": None, "enabled": True}, "enabled"),
        ({"label": "x" * 61}, "label"),
    ]
    for body, field in bad:
        status, err, _ = await client.put("/api/system/oidc", json=body, token=admin.token)
        assert status == 400 and err.get("field") == field, (body, err)
    assert (await client.get("/api/system/oidc", token=admin.token))[1] == kept  # nothing lost
    assert (await client.put("/api/system/oidc", json={}, token=member.token))[0] == 403


async def test_one_local_administrator_always_remains(
    client: Client, admin: Account, configured: OidcProvider
) -> None:
    ada = await _me(client, (await _sign_on(client, configured, "ada"))["sso"])
    # Two admins, but ada has no password here: the local one can be neither demoted nor
    # deleted, by ada or by anyone.
    ada_token = (await _sign_on(client, configured, "ada"))["sso"]
    status, err, _ = await client.put(
        f"/api/users/{admin.id}", json={"role": "user"}, token=ada_token
    )
    assert status == 409 and err["error"] == "last_admin"
    status, err, _ = await client.delete(f"/api/users/{admin.id}", token=ada_token)
    assert status == 409 and err["error"] == "last_admin"
    # A second local admin makes it possible; the sign-on admin can always go.
    second = await make_user("root2", "admin")
    assert (await client.delete(f"/api/users/{second.id}", token=admin.token))[0] == 200
    assert (await client.delete(f"/api/users/{ada['id']}", token=admin.token))[0] == 200
    assert not await OidcIdentity.filter(subject="ada").exists()


async def test_two_factor_policy_is_the_providers_business_for_sign_on_accounts(
    client: Client, admin: Account, configured: OidcProvider
) -> None:
    status, _, _ = await client.put(
        "/api/system/security", json={"totpRequiredFrom": "viewer"}, token=admin.token
    )
    assert status == 200
    token = (await _sign_on(client, configured, "vera"))["sso"]
    me = await _me(client, token)
    assert "totpEnrolmentRequired" not in me
    assert (await client.get("/api/ups-systems", token=token))[0] == 200


async def test_an_admin_given_password_makes_a_sign_on_account_local_too(
    app: Sanic, client: Client, admin: Account, configured: OidcProvider
) -> None:
    vera = await _me(client, (await _sign_on(client, configured, "vera"))["sso"])
    login = {"username": "vera", "password": "a new password 1"}
    assert (await client.post("/api/auth/login", json=login))[0] == 401
    status, _, _ = await client.put(
        f"/api/users/{vera['id']}/password",
        json={"password": login["password"]},
        token=admin.token,
    )
    assert status == 200
    status, answer, _ = await client.post("/api/auth/login", json=login)
    assert status == 200 and answer["user"]["username"] == "vera"
    assert (await _me(client, answer["token"]))["sso"] is False
