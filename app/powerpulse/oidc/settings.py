"""The admin's single sign-on settings, one `key_values` row (`oidc_settings`); the client
secret is stored sealed (`secret_box`) and never answered back (`hasClientSecret`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from powerpulse.db.models import KeyValue
from powerpulse.roles import ROLES

KEY = "oidc_settings"
DEFAULT_SCOPES = "openid profile email groups"
DEFAULT_LABEL = "Sign in with single sign-on"
MAX_GROUPS = 50


class SettingsError(ValueError):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class OidcSettings:
    enabled: bool = False
    issuer: str = ""
    client_id: str = ""
    client_secret: str | None = field(default=None, repr=False)  # sealed
    label: str = DEFAULT_LABEL
    scopes: str = DEFAULT_SCOPES
    role_claim: str = "groups"
    groups_by_role: dict[str, list[str]] = field(default_factory=dict)
    default_role: str | None = None  # for users none of whose groups match; None: refused

    @property
    def ready(self) -> bool:
        return self.enabled and bool(self.issuer and self.client_id and self.client_secret)


def from_stored(value: Any) -> OidcSettings:
    if not isinstance(value, Mapping):
        return OidcSettings()
    groups = value.get("groupsByRole")
    return OidcSettings(
        enabled=value.get("enabled") is True,
        issuer=str(value.get("issuer") or ""),
        client_id=str(value.get("clientId") or ""),
        client_secret=value.get("clientSecret") or None,
        label=str(value.get("label") or DEFAULT_LABEL),
        scopes=str(value.get("scopes") or DEFAULT_SCOPES),
        role_claim=str(value.get("roleClaim") or "groups"),
        groups_by_role={
            r: [str(g) for g in groups.get(r, [])]
            for r in ROLES
            if isinstance(groups, Mapping) and isinstance(groups.get(r), list)
        },
        default_role=value.get("defaultRole") if value.get("defaultRole") in ROLES else None,
    )


def view(settings: OidcSettings) -> dict[str, Any]:
    """What the admin API answers (never the secret)."""
    return {
        "enabled": settings.enabled,
        "issuer": settings.issuer,
        "clientId": settings.client_id,
        "hasClientSecret": settings.client_secret is not None,
        "label": settings.label,
        "scopes": settings.scopes,
        "roleClaim": settings.role_claim,
        "groupsByRole": {r: settings.groups_by_role.get(r, []) for r in ROLES},
        "defaultRole": settings.default_role,
    }


def _text(body: Mapping[str, Any], name: str, current: str, max_length: int) -> str:
    if name not in body:
        return current
    value = body[name]
    if not isinstance(value, str) or len(value.strip()) > max_length:
        raise SettingsError(name, f"{name} must be text of at most {max_length} characters")
    return value.strip()


def _issuer(value: str) -> str:
    parts = urlsplit(value)
    if value and (parts.scheme not in ("https", "http") or not parts.hostname or parts.query):
        raise SettingsError("issuer", "issuer must be the provider's https:// issuer URL")
    return value.rstrip("/") if value.endswith("/") and parts.path in ("", "/") else value


def _groups(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, Mapping) or set(value) - set(ROLES):
        raise SettingsError(
            "groupsByRole", f"groupsByRole maps roles ({', '.join(ROLES)}) to groups"
        )
    out: dict[str, list[str]] = {}
    for role, groups in value.items():
        if (
            not isinstance(groups, list)
            or len(groups) > MAX_GROUPS
            or not all(isinstance(g, str) and 0 < len(g.strip()) <= 200 for g in groups)
        ):
            raise SettingsError(
                "groupsByRole", f"groupsByRole.{role} must be a list of group names"
            )
        out[role] = [g.strip() for g in groups]
    return out


def merged(
    current: OidcSettings, body: Mapping[str, Any], seal: Callable[[str], str]
) -> OidcSettings:
    """`current` with the fields `body` sets (a `SettingsError` names a bad one). An empty or
    absent `clientSecret` keeps the stored one; `null` clears it."""
    enabled = body.get("enabled", current.enabled)
    if not isinstance(enabled, bool):
        raise SettingsError("enabled", "enabled must be true or false")
    secret = current.client_secret
    if "clientSecret" in body:
        raw = body["clientSecret"]
        if raw is None:
            secret = None
        elif not isinstance(raw, str) or len(raw) > 500:
            raise SettingsError("clientSecret", "clientSecret must be text")
        elif raw:
            secret = seal(raw)
    default_role = body.get("defaultRole", current.default_role)
    if default_role is not None and default_role not in ROLES:
        raise SettingsError(
            "defaultRole", f"defaultRole must be null or one of: {', '.join(ROLES)}"
        )
    scopes = _text(body, "scopes", current.scopes, 300) or DEFAULT_SCOPES
    if "openid" not in scopes.split():
        raise SettingsError("scopes", "scopes must include openid")
    out = OidcSettings(
        enabled=enabled,
        issuer=_issuer(_text(body, "issuer", current.issuer, 255)),
        client_id=_text(body, "clientId", current.client_id, 255),
        client_secret=secret,
        label=_text(body, "label", current.label, 60) or DEFAULT_LABEL,
        scopes=scopes,
        role_claim=_text(body, "roleClaim", current.role_claim, 100) or "groups",
        groups_by_role=_groups(body["groupsByRole"])
        if "groupsByRole" in body
        else current.groups_by_role,
        default_role=default_role,
    )
    if out.enabled and not (out.issuer and out.client_id and out.client_secret):
        raise SettingsError("enabled", "Set the issuer, client id and client secret to turn it on")
    return out


def stored(settings: OidcSettings) -> dict[str, Any]:
    return {**view(settings), "clientSecret": settings.client_secret, "hasClientSecret": None}


async def load() -> OidcSettings:
    row = await KeyValue.get_or_none(key=KEY)
    return from_stored(row.value if row else None)


async def save(settings: OidcSettings) -> None:
    await KeyValue.update_or_create(defaults={"value": stored(settings)}, key=KEY)
