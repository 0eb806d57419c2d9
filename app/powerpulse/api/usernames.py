"""Usernames are compared case-insensitively: `ADMIN` is `admin` at login, and no second user
may be called `Admin` next to `admin` (register, setup, rename, the CLI).

The column stays as it is (unique, case-sensitive; no migration): callers run `username_taken`
inside the transaction that writes the row, holding `db.locks.USERS` (SQLite's
`BEGIN IMMEDIATE`, PostgreSQL's advisory lock), so two racing registrations cannot both pass
the check. The user table is small (people, not devices), so comparing in Python is cheap and
exact for every script, where SQLite's `LIKE`/`UPPER` only fold ASCII.
"""

from __future__ import annotations

from powerpulse.db.models import User

USERNAME_MAX = 64  # the column's length: a longer name can match nobody


def same_username(a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


async def username_taken(username: str, *, exclude_id: int | None = None) -> bool:
    """Is `username` (in any case) someone's other than user `exclude_id`'s?"""
    rows = await User.all().values_list("id", "username")
    return any(uid != exclude_id and same_username(name, username) for uid, name in rows)


async def find_user(username: str) -> User | None:
    """The user called `username` in any case. An exact match wins (rows from before this
    rule may differ only in case); several inexact ones are ambiguous: nobody."""
    if len(username) > USERNAME_MAX:
        return None
    exact = await User.get_or_none(username=username)
    if exact is not None:
        return exact
    rows = await User.all().values_list("id", "username")
    matches = [uid for uid, name in rows if same_username(name, username)]
    if len(matches) != 1:
        return None
    return await User.get_or_none(id=matches[0])
