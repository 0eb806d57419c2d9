"""A shutdown plan's definition: parsed and checked from the API's JSON, stored as JSON.

Pure apart from sealing secrets (the caller passes `seal`). Shape (the API's, snake_case as
scripts write it):

    {name, enabled, ups: [ids], min_healthy, triggers: {on_battery_seconds,
     runtime_below_minutes, charge_below_percent, low_battery, fsd,
     comm_lost_on_battery_seconds}, stabilise_seconds, cancel_on_restore,
     phases: [{name, delay_seconds, timeout_seconds, actions: [action]}],
     restore: {after_seconds, min_charge_percent, actions: [action]},
     protected_hosts: [{ups_id, host}]}

Every action gets an `id` (kept across edits, so a run's steps and `…/actions/:id/test` name
it). Secrets are write-only: the API shows `{"set": true}`, and an edit that leaves a secret out
(or sends `{"set": true}`) keeps the stored one of the action with the same id and type.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from powerpulse.secret_box import is_sealed
from powerpulse.shutdown.actions import ACTION_TYPES
from powerpulse.shutdown.actions.base import ActionError, ActionType

SET = {"set": True}
NAME_MAX = 100
MAX_PHASES = 20
MAX_ACTIONS = 50  # per phase, and in the restore sequence
MAX_UPS = 100
DAY = 86_400.0
DEFAULT_STABILISE = 5.0  # seconds a trigger must hold before a plan starts (one-poll glitches)
DEFAULT_PHASE_TIMEOUT = 300.0


class PlanError(ValueError):
    """A plan that cannot be used; `field` is the culprit's path ("phases[1].delay_seconds")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Action:
    id: str
    type: str
    params: Any

    @property
    def kind(self) -> ActionType:
        return ACTION_TYPES[self.type]

    def describe(self) -> str:
        return self.kind.describe(self.params)


@dataclass(frozen=True)
class Phase:
    name: str
    delay_seconds: float
    timeout_seconds: float
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Restore:
    after_seconds: float
    min_charge_percent: float | None
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class Triggers:
    on_battery_seconds: float | None = None
    runtime_below_minutes: float | None = None
    charge_below_percent: float | None = None
    low_battery: bool = False
    fsd: bool = False
    comm_lost_on_battery_seconds: float | None = None

    def any(self) -> bool:
        return any(
            v is not None and v is not False  # 0 is a trigger ("at once"), not an absent one
            for v in (
                self.on_battery_seconds,
                self.runtime_below_minutes,
                self.charge_below_percent,
                self.low_battery,
                self.fsd,
                self.comm_lost_on_battery_seconds,
            )
        )


@dataclass(frozen=True)
class ProtectedHost:
    ups_id: int
    host: str


@dataclass(frozen=True)
class Plan:
    name: str
    enabled: bool
    ups: tuple[int, ...]
    min_healthy: int | None
    triggers: Triggers
    stabilise_seconds: float
    cancel_on_restore: bool
    phases: tuple[Phase, ...]
    restore: Restore | None
    protected_hosts: tuple[ProtectedHost, ...] = ()

    def actions(self) -> Iterator[Action]:
        for phase in self.phases:
            yield from phase.actions
        if self.restore:
            yield from self.restore.actions

    def action(self, action_id: str) -> Action | None:
        return next((a for a in self.actions() if a.id == action_id), None)

    def ups_ids(self) -> set[int]:
        """Every UPS the plan names: watched ones and those its actions address."""
        found = set(self.ups) | {h.ups_id for h in self.protected_hosts}
        for action in self.actions():
            found.update(action.kind.ups_ids(action.params))
        return found


# -- reading the API's JSON ------------------------------------------------------------------------
def _number(
    raw: Mapping[str, Any], key: str, path: str, lo: float, hi: float, default: float | None = None
) -> float | None:
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise PlanError(path + key, f"{key} must be a number")
    if not lo <= value <= hi:
        raise PlanError(path + key, f"{key} must be between {lo:g} and {hi:g}")
    return float(value)


def _flag(raw: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    value = raw.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise PlanError(path + key, f"{key} must be true or false")
    return value


def _object(raw: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise PlanError(path, f"{path or 'the plan'} must be an object")
    return raw


def _list(raw: Any, path: str, limit: int) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise PlanError(path, f"{path} must be a list")
    if len(raw) > limit:
        raise PlanError(path, f"{path} may have at most {limit} entries")
    return raw


def _text(raw: Mapping[str, Any], key: str, path: str, limit: int, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PlanError(
            path + key, f"{key} is required" if value is None else f"{key} must be text"
        )
    value = value.strip()
    if len(value) > limit:
        raise PlanError(path + key, f"{key} may be at most {limit} characters")
    return value


def _ups_id(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31 - 1:
        raise PlanError(path, "a UPS is named by its id (a positive integer)")
    return value


SealFn = Callable[[str], str]


def _action(
    raw: Any, path: str, previous: Mapping[str, Action], seal: SealFn, used: set[str]
) -> Action:
    raw = _object(raw, path)
    type_name = raw.get("type")
    kind = ACTION_TYPES.get(type_name) if isinstance(type_name, str) else None
    if kind is None:
        raise PlanError(path + ".type", f"type must be one of {', '.join(ACTION_TYPES)}")
    action_id = raw.get("id")
    before = previous.get(action_id) if isinstance(action_id, str) else None
    if before is not None and before.type != type_name:
        before = None  # the same id on another type: a new action, nothing carried over
    if before is None or action_id in used:
        action_id = secrets.token_hex(4)
        while action_id in used or action_id in previous:
            action_id = secrets.token_hex(4)
    used.add(action_id)
    fields = {k: v for k, v in raw.items() if k not in ("type", "id")}
    stored = kind.to_json(before.params) if before is not None else {}
    for key in kind.secret_fields:
        sent = fields.get(key)
        if sent is None or sent == SET:
            if key in stored and stored[key] is not None:
                fields[key] = stored[key]  # kept: already sealed
            else:
                fields.pop(key, None)
        else:
            # An object (HTTP headers) is sealed as its JSON text; the type reads it back.
            plain = sent if isinstance(sent, str) else orjson.dumps(sent).decode()
            check = getattr(kind, "check_secret", None)
            # A sealed value is a stored one (`load_plan`): it was checked when it was sent.
            if check is not None and plain and not is_sealed(sent):
                try:
                    check(key, sent)
                except ActionError as err:
                    raise PlanError(f"{path}.{err.field}", err.message) from None
            fields[key] = seal(plain) if plain else None
    try:
        params = kind.parse(fields)
    except ActionError as err:
        raise PlanError(f"{path}.{err.field}", err.message) from None
    return Action(action_id, type_name, params)


def _actions(
    raw: Any, path: str, previous: Mapping[str, Action], seal: SealFn, used: set[str]
) -> tuple[Action, ...]:
    items = _list(raw, path, MAX_ACTIONS)
    return tuple(_action(a, f"{path}[{i}]", previous, seal, used) for i, a in enumerate(items))


def parse_plan(raw: Any, previous: Plan | None = None, seal: SealFn = lambda s: s) -> Plan:
    """The plan in `raw` (the API's JSON), secrets sealed with `seal`; `previous` is the stored
    plan an edit replaces (its secrets are kept where the edit leaves them out)."""
    raw = _object(raw, "")
    name = _text(raw, "name", "", NAME_MAX)
    ups = tuple(
        _ups_id(u, f"ups[{i}]") for i, u in enumerate(_list(raw.get("ups"), "ups", MAX_UPS))
    )
    if not ups:
        raise PlanError("ups", "a plan watches at least one UPS")
    if len(set(ups)) != len(ups):
        raise PlanError("ups", "a UPS is listed twice")
    min_healthy = raw.get("min_healthy")
    if min_healthy is not None:
        if isinstance(min_healthy, bool) or not isinstance(min_healthy, int):
            raise PlanError("min_healthy", "min_healthy must be a whole number")
        if not 1 <= min_healthy <= len(ups):
            raise PlanError(
                "min_healthy", f"min_healthy must be between 1 and the {len(ups)} UPS watched"
            )
    t = _object(raw.get("triggers") or {}, "triggers")
    p = "triggers."
    triggers = Triggers(
        on_battery_seconds=_number(t, "on_battery_seconds", p, 0, DAY),
        runtime_below_minutes=_number(t, "runtime_below_minutes", p, 0, 24 * 60),
        charge_below_percent=_number(t, "charge_below_percent", p, 0, 100),
        low_battery=_flag(t, "low_battery", p, False),
        fsd=_flag(t, "fsd", p, False),
        comm_lost_on_battery_seconds=_number(t, "comm_lost_on_battery_seconds", p, 0, DAY),
    )
    unknown = set(t) - set(Triggers.__dataclass_fields__)
    if unknown:
        raise PlanError("triggers", f"unknown trigger: {sorted(unknown)[0]}")
    if not triggers.any() and min_healthy is None:
        raise PlanError("triggers", "a plan needs at least one trigger (or min_healthy)")
    stored = {a.id: a for a in previous.actions()} if previous else {}
    used: set[str] = set()
    phases = []
    for i, item in enumerate(_list(raw.get("phases"), "phases", MAX_PHASES)):
        path = f"phases[{i}]"
        item = _object(item, path)
        phases.append(
            Phase(
                name=_text(item, "name", path + ".", NAME_MAX, required=False) or f"Phase {i + 1}",
                delay_seconds=_number(item, "delay_seconds", path + ".", 0, DAY, 0.0) or 0.0,
                timeout_seconds=_number(
                    item, "timeout_seconds", path + ".", 1, DAY, DEFAULT_PHASE_TIMEOUT
                )
                or DEFAULT_PHASE_TIMEOUT,
                actions=_actions(item.get("actions"), path + ".actions", stored, seal, used),
            )
        )
    if not phases:
        raise PlanError("phases", "a plan has at least one phase")
    restore = None
    if raw.get("restore") is not None:
        r = _object(raw["restore"], "restore")
        restore = Restore(
            after_seconds=_number(r, "after_seconds", "restore.", 0, DAY, 60.0) or 0.0,
            min_charge_percent=_number(r, "min_charge_percent", "restore.", 0, 100),
            actions=_actions(r.get("actions"), "restore.actions", stored, seal, used),
        )
    hosts = []
    for i, item in enumerate(_list(raw.get("protected_hosts"), "protected_hosts", 500)):
        path = f"protected_hosts[{i}]"
        item = _object(item, path)
        hosts.append(
            ProtectedHost(
                _ups_id(item.get("ups_id"), path + ".ups_id"), _text(item, "host", path + ".", 255)
            )
        )
    return Plan(
        name=name,
        enabled=_flag(raw, "enabled", "", True),
        ups=ups,
        min_healthy=min_healthy,
        triggers=triggers,
        stabilise_seconds=_number(raw, "stabilise_seconds", "", 0, 600, DEFAULT_STABILISE) or 0.0,
        cancel_on_restore=_flag(raw, "cancel_on_restore", "", True),
        phases=tuple(phases),
        restore=restore,
        protected_hosts=tuple(hosts),
    )


# -- writing it out -----------------------------------------------------------------------------
def _action_json(action: Action, *, masked: bool) -> dict[str, Any]:
    body = action.kind.to_json(action.params)
    if masked:
        for key in action.kind.secret_fields:
            if body.get(key) is not None:
                body[key] = dict(SET)
            else:
                body.pop(key, None)
    return {"id": action.id, "type": action.type, **body}


def plan_json(plan: Plan, *, masked: bool) -> dict[str, Any]:
    """The plan as stored (`masked` False: secrets sealed) or as the API shows it (masked)."""
    t = plan.triggers
    triggers = {k: getattr(t, k) for k in Triggers.__dataclass_fields__}
    triggers = {k: v for k, v in triggers.items() if v is not None and v is not False}
    out: dict[str, Any] = {
        "name": plan.name,
        "enabled": plan.enabled,
        "ups": list(plan.ups),
        "min_healthy": plan.min_healthy,
        "triggers": triggers,
        "stabilise_seconds": plan.stabilise_seconds,
        "cancel_on_restore": plan.cancel_on_restore,
        "phases": [
            {
                "name": ph.name,
                "delay_seconds": ph.delay_seconds,
                "timeout_seconds": ph.timeout_seconds,
                "actions": [_action_json(a, masked=masked) for a in ph.actions],
            }
            for ph in plan.phases
        ],
        "restore": None,
        "protected_hosts": [{"ups_id": h.ups_id, "host": h.host} for h in plan.protected_hosts],
    }
    if plan.restore is not None:
        out["restore"] = {
            "after_seconds": plan.restore.after_seconds,
            "min_charge_percent": plan.restore.min_charge_percent,
            "actions": [_action_json(a, masked=masked) for a in plan.restore.actions],
        }
    return out


def load_plan(stored: Mapping[str, Any]) -> Plan:
    """A stored definition back into a Plan, its action ids and sealed secrets as they are."""
    plan = parse_plan(stored, None, seal=lambda s: s)  # sealed values pass through unchanged
    ids = iter([a.get("id") for a in _stored_actions(stored)])

    def keep(actions: tuple[Action, ...]) -> tuple[Action, ...]:
        return tuple(replace(a, id=str(next(ids) or a.id)) for a in actions)

    phases = tuple(replace(p, actions=keep(p.actions)) for p in plan.phases)  # stored order
    restore = plan.restore and replace(plan.restore, actions=keep(plan.restore.actions))
    return replace(plan, phases=phases, restore=restore)


def _stored_actions(stored: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for phase in stored.get("phases") or []:
        yield from phase.get("actions") or []
    yield from (stored.get("restore") or {}).get("actions") or []
