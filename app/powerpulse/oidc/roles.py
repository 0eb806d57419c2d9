"""The role a sign-on gets from the provider's claims (pure): the highest role whose groups
(or claim values) the user has; `default_role` when none matches (None: refused)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from powerpulse.roles import ROLES


def claim_values(claims: Mapping[str, Any], claim: str) -> set[str]:
    """A claim as a set of strings: a list of names, one name, or a space-separated string.
    A dotted name reaches into objects (`realm_access.roles`, as Keycloak nests them)."""
    value: Any = claims
    for part in claim.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return set(value.split())
    if isinstance(value, Sequence):
        return {v for v in value if isinstance(v, str)}
    return set()


def role_for(
    claims: Mapping[str, Any],
    claim: str,
    groups_by_role: Mapping[str, Sequence[str]],
    default_role: str | None,
) -> str | None:
    have = claim_values(claims, claim)
    for role in reversed(ROLES):  # the highest first
        if have & set(groups_by_role.get(role, ())):
            return role
    return default_role
