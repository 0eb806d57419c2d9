"""Who may do what: the four roles, the kinds of access a handler asks for, and the one rule
that decides between them. Pure logic; `api.auth` applies it to each request.

Roles are ordered, each one able to do everything the one before it can:

- `viewer`   reads what a user reads; changes nothing but their own password and settings;
- `user`     the seed's user (as the seed says);
- `operator` also: instant commands that do not cut the load, mute, run a self-test or a drill;
- `admin`    everything (as the seed says).

An API token acts with its owner's current role (scope `role`) or only reads (scope `read`).
"""

from __future__ import annotations

from enum import Enum

ROLE_VIEWER = "viewer"
ROLE_USER = "user"
ROLE_OPERATOR = "operator"
ROLE_ADMIN = "admin"
# Lowest first. The seed's two keep their meaning; the messages list them in this order.
ROLES = (ROLE_VIEWER, ROLE_USER, ROLE_OPERATOR, ROLE_ADMIN)

ROLE_DESCRIPTIONS = {
    ROLE_VIEWER: "Reads everything a user reads; changes only their own password and settings",
    ROLE_USER: "Reads everything, manages their own notifications, acknowledges alerts",
    ROLE_OPERATOR: "A user who may also mute, run self-tests, drills and harmless commands",
    ROLE_ADMIN: "Everything: servers, users, settings, plans, load-cutting commands",
}

SCOPE_READ = "read"
SCOPE_ROLE = "role"
TOKEN_SCOPES = (SCOPE_READ, SCOPE_ROLE)


class Need(Enum):
    """What a handler needs from the caller."""

    READ = "read"  # any role, any token: reading, even when the method is POST
    SELF = "self"  # any role: one's own password and settings (a read token cannot)
    SESSION = "session"  # as SELF, but only from a password login: managing API tokens
    WRITE = "write"  # user or above
    OPERATE = "operate"  # operator or above
    ADMIN = "admin"  # admin only


_MINIMUM = {
    Need.READ: ROLE_VIEWER,
    Need.SELF: ROLE_VIEWER,
    Need.SESSION: ROLE_VIEWER,
    Need.WRITE: ROLE_USER,
    Need.OPERATE: ROLE_OPERATOR,
    Need.ADMIN: ROLE_ADMIN,
}

MESSAGES = {
    Need.WRITE: "Viewers can only read",
    Need.OPERATE: "Operator access required",
    Need.ADMIN: "Administrator access required",
}
READ_ONLY_MESSAGE = "This API token can only read"
SESSION_MESSAGE = "API tokens cannot manage API tokens: log in with a password"


def rank(role: str) -> int:
    """The role's place in `ROLES`; an unknown role (a hand-edited row) ranks below viewer."""
    return ROLES.index(role) if role in ROLES else -1


def at_least(role: str, minimum: str) -> bool:
    return rank(role) >= rank(minimum)


def denial(role: str, scope: str | None, need: Need, reading: bool) -> str | None:
    """Why the caller may not do this, or None when they may.

    `scope` is None for a password login and the token's scope for an API token; `reading`
    says whether the request only reads (GET or HEAD) — a read token may do nothing else,
    and a viewer's writes are refused unless the handler is their own settings.
    """
    if scope is not None and need is Need.SESSION:
        return SESSION_MESSAGE
    if scope == SCOPE_READ and not reading and need is not Need.READ:
        return READ_ONLY_MESSAGE
    if not at_least(role, ROLE_VIEWER):
        return MESSAGES[Need.ADMIN]
    if need is Need.WRITE and reading:
        return None  # a read behind a user-level handler: every role reads
    if not at_least(role, _MINIMUM[need]):
        return MESSAGES[need]
    return None
