"""Talking to the OpenID provider: discovery, the authorisation URL (with state, nonce and a
PKCE S256 challenge), the code exchange, and the ID token check (joserfc: the signature with
the provider's published keys, then issuer, audience, expiry and nonce).

Discovery and keys are cached for `CACHE_SECONDS`; a token signed with a key id we do not
know yet makes one fresh fetch of the keys (the provider rotated them).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from powerpulse.oidc.settings import OidcSettings

CACHE_SECONDS = 300.0
LOGIN_SECONDS = 600  # how long a started sign-on may take at the provider
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
LEEWAY = 60

_cache: dict[str, tuple[float, Any]] = {}


# Why a sign-on failed, as the login page is told (`/login#ssoError=<code>`).
SignOnCode = Literal[
    "not_configured",  # single sign-on is off, or its secret cannot be read
    "provider_unreachable",
    "provider_error",  # discovery or keys unusable
    "provider_refused",  # the provider answered with an error (the user cancelled)
    "bad_state",  # not a sign-on we started, or one already used
    "expired",
    "bad_code",
    "code_refused",  # the provider would not exchange the code (PKCE, client secret)
    "bad_token",  # the ID token's signature, issuer, audience, expiry or nonce
    "wrong_issuer",
    "no_role",  # in no group mapped to a role, and no default role
]


class SignOnError(Exception):
    """Why a sign-on failed, in words for the log; `code` for the user."""

    def __init__(self, code: SignOnCode, detail: str) -> None:
        super().__init__(detail)
        self.code = code


async def _get_json(url: str, *, headers: dict[str, str] | None = None) -> Any:
    try:
        async with (
            aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http,
            http.get(url, headers=headers) as response,
        ):
            if response.status != 200:
                raise SignOnError("provider_error", f"{url} answered HTTP {response.status}")
            return await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as err:
        raise SignOnError("provider_unreachable", f"{url}: {err}") from None


async def _cached(key: str, load: Any, *, fresh: bool = False) -> Any:
    hit = _cache.get(key)
    if hit and not fresh and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = await load()
    _cache[key] = (time.monotonic(), value)
    return value


async def discover(issuer: str) -> dict[str, Any]:
    async def load() -> dict[str, Any]:
        meta = await _get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        if not isinstance(meta, dict) or meta.get("issuer") != issuer:
            raise SignOnError("provider_error", "the discovery document names another issuer")
        for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(meta.get(key), str):
                raise SignOnError("provider_error", f"the discovery document has no {key}")
        return meta

    result: dict[str, Any] = await _cached(f"meta:{issuer}", load)
    return result


async def _keys(jwks_uri: str, *, fresh: bool = False) -> KeySet:
    async def load() -> KeySet:
        data = await _get_json(jwks_uri)
        try:
            return KeySet.import_key_set(data)
        except (JoseError, ValueError, TypeError, KeyError) as err:
            raise SignOnError("provider_error", f"the provider's keys do not load: {err}") from None

    keys: KeySet = await _cached(f"jwks:{jwks_uri}", load, fresh=fresh)
    return keys


def forget_cache() -> None:
    _cache.clear()


@dataclass(frozen=True)
class Started:
    state: str
    nonce: str
    verifier: str
    url: str


def challenge_of(verifier: str) -> str:
    """RFC 7636's S256 challenge."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def start(meta: dict[str, Any], settings: OidcSettings, redirect_uri: str) -> Started:
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(64)
    query = {
        "response_type": "code",
        "client_id": settings.client_id,
        "redirect_uri": redirect_uri,
        "scope": settings.scopes,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge_of(verifier),
        "code_challenge_method": "S256",
    }
    endpoint = str(meta["authorization_endpoint"])
    joiner = "&" if "?" in endpoint else "?"
    return Started(state, nonce, verifier, endpoint + joiner + urlencode(query))


async def exchange(
    meta: dict[str, Any], settings: OidcSettings, secret: str, code: str, verifier: str,
    redirect_uri: str,
) -> dict[str, Any]:  # fmt: skip
    """The tokens for `code` (client_secret_basic, as every provider takes)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    auth = aiohttp.BasicAuth(settings.client_id, secret)
    try:
        async with (
            aiohttp.ClientSession(timeout=HTTP_TIMEOUT) as http,
            http.post(str(meta["token_endpoint"]), data=form, auth=auth) as response,
        ):
            body = await response.json(content_type=None)
            if response.status != 200 or not isinstance(body, dict):
                error = body.get("error") if isinstance(body, dict) else None
                raise SignOnError("code_refused", f"token endpoint: {response.status} {error}")
            return body
    except (aiohttp.ClientError, TimeoutError, ValueError) as err:
        raise SignOnError("provider_unreachable", f"token endpoint: {err}") from None


async def verified_claims(
    meta: dict[str, Any], settings: OidcSettings, id_token: Any, nonce: str, now: float
) -> dict[str, Any]:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce hold."""
    if not isinstance(id_token, str) or not id_token:
        raise SignOnError("bad_token", "the provider sent no ID token")
    keys = await _keys(str(meta["jwks_uri"]))
    try:
        try:
            token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
        except JoseError:
            # Maybe signed with a key published since we fetched them: fetch once more.
            token = jwt.decode(
                id_token, await _keys(str(meta["jwks_uri"]), fresh=True), algorithms=ALGORITHMS
            )
        registry = jwt.JWTClaimsRegistry(
            now=int(now),
            leeway=LEEWAY,
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": settings.client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError, TypeError) as err:
        raise SignOnError("bad_token", f"the ID token was refused: {err}") from None
    claims = dict(token.claims)
    azp = claims.get("azp")
    if azp is not None and azp != settings.client_id:
        raise SignOnError("bad_token", "the ID token was issued to another client")
    return claims


async def userinfo(meta: dict[str, Any], access_token: Any) -> dict[str, Any]:
    """The userinfo claims (for providers that leave groups out of the ID token)."""
    endpoint = meta.get("userinfo_endpoint")
    if not isinstance(endpoint, str) or not isinstance(access_token, str):
        return {}
    data = await _get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
    return data if isinstance(data, dict) else {}
