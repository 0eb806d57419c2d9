"""System settings an admin may change while PowerPulse runs: the poll, history and discovery
intervals, retention and the communication grace (`config.RUNTIME_BOUNDS`).

Saved in the database (`key_values` "system_settings", `{attr: value}`) so that every worker and
api instance sees them; an environment variable that is set wins over the saved value (and the
UI shows it locked). A save bumps `counters.CONFIG` in the same transaction: the poller reloads
within one tick of its lease loop (at most a second), without a restart. Api instances refresh
their `app.ctx.settings` every few seconds (`powerpulse.api.system_settings`).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import Any

from tortoise.transactions import in_transaction

from powerpulse.config import RUNTIME_BOUNDS, Bound, Settings
from powerpulse.db import counters, locks
from powerpulse.db.models import KeyValue
from powerpulse.energy import settings as energy_settings

log = logging.getLogger(__name__)

KEY = "system_settings"
LOCK = "powerpulse.system_settings"
BY_ATTR = {b.attr: b for b in RUNTIME_BOUNDS}
ENVIRONMENT, DATABASE, DEFAULT = "env", "database", "default"

Saved = dict[str, float]


def _valid(value: Any) -> Saved:
    """The saved values that still pass their bounds (a stored value out of today's bounds
    falls back rather than breaking the poller)."""
    out: Saved = {}
    if not isinstance(value, dict):
        return out
    for attr, raw in value.items():
        bound = BY_ATTR.get(attr)
        if bound is None:
            continue
        try:
            out[attr] = bound.check(raw)
        except ValueError:
            log.warning("ignoring saved system setting %s=%r: out of bounds", attr, raw)
    return out


async def load_saved() -> Saved:
    row = await KeyValue.get_or_none(key=KEY)
    return _valid(row.value if row else None)


def source(settings: Settings, bound: Bound, saved: Saved) -> str:
    if bound.env in settings.env_set:
        return ENVIRONMENT
    return DATABASE if bound.attr in saved else DEFAULT


def effective(base: Settings, saved: Saved) -> Settings:
    """`base` (the environment) with the saved values where no variable was set."""
    changes: dict[str, Any] = {
        b.attr: saved[b.attr]
        for b in RUNTIME_BOUNDS
        if b.attr in saved and source(base, b, saved) == DATABASE
    }
    return dataclasses.replace(base, **changes) if changes else base


async def current(base: Settings) -> Settings:
    # The energy settings ride along: the poller's sample builder reads them process-wide.
    energy_settings.set_current(await load_energy())
    return effective(base, await load_saved())


def describe(base: Settings, saved: Saved) -> list[dict[str, Any]]:
    """Each setting as the API shows it: the UI builds its form from this."""
    now = effective(base, saved)
    return [
        {
            "key": b.attr,
            "env": b.env,
            "value": getattr(now, b.attr),
            "default": b.kind(b.default),
            "min": b.kind(b.lo),
            "max": b.kind(b.hi),
            "unit": b.unit,
            "integer": b.kind is int,
            "source": source(base, b, saved),
        }
        for b in RUNTIME_BOUNDS
    ]


def check_changes(base: Settings, body: dict[str, Any]) -> dict[str, float | None]:
    """The changes in `body` (`{attr: number | null}`, null: back to the default), validated;
    SettingError naming the first bad one."""
    changes: dict[str, float | None] = {}
    for attr, raw in body.items():
        bound = BY_ATTR.get(attr)
        if bound is None:
            raise SettingError(attr, f"{attr} is not a system setting")
        if bound.env in base.env_set:
            raise SettingError(attr, f"{attr} is set by the environment ({bound.env})", "locked")
        if raw is None:
            changes[attr] = None
            continue
        try:
            changes[attr] = bound.check(raw)
        except ValueError as err:
            raise SettingError(attr, f"{attr} {err}") from None
    return changes


class SettingError(ValueError):
    def __init__(self, field: str, message: str, code: str = "validation_error") -> None:
        super().__init__(message)
        self.field, self.message, self.code = field, message, code


async def save(changes: dict[str, float | None]) -> Saved:
    """Apply `changes` (None removes a saved value) and tell the poller, atomically."""
    async with in_transaction() as conn:
        await locks.hold(LOCK, conn)  # two admins saving different settings keep both
        row = await KeyValue.filter(key=KEY).using_db(conn).get_or_none()
        saved = _valid(row.value if row else None)
        for attr, value in changes.items():
            if value is None:
                saved.pop(attr, None)
            else:
                saved[attr] = value
        await KeyValue.update_or_create(defaults={"value": saved}, key=KEY, using_db=conn)
        await counters.bump(counters.CONFIG, conn=conn)
    return saved


# -- energy settings (power factor, tariff): `powerpulse.energy.settings` --------------------
ENERGY_KEY = "energy_settings"


async def _energy_saved(conn: Any = None) -> dict[str, Any]:
    query = KeyValue.filter(key=ENERGY_KEY)
    row = await (query.using_db(conn) if conn is not None else query).get_or_none()
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


async def load_energy() -> energy_settings.EnergySettings:
    """The effective energy settings: saved values, the environment winning."""
    saved = energy_settings.from_saved(await _energy_saved())
    return energy_settings.with_env(saved, os.environ)


async def save_energy(body: Any) -> energy_settings.EnergySettings:
    """Apply a PUT body (EnergySettingError when bad) and tell the poller, atomically."""
    async with in_transaction() as conn:
        await locks.hold(LOCK, conn)
        saved = energy_settings.merge(await _energy_saved(conn), body, os.environ)
        await KeyValue.update_or_create(defaults={"value": saved}, key=ENERGY_KEY, using_db=conn)
        await counters.bump(counters.CONFIG, conn=conn)
    return await load_energy()
