"""May a battery self-test start on this UPS now? Pure: the caller gathers the facts.

A test drains the battery on purpose, so it only starts when losing the mains during it would
be survivable and nobody would be misled:

- `no_contact`: no fresh successful poll (comm lost, DATA-STALE, …): nothing else is known.
- `already_testing`: a test of this UPS is active, or its status shows CAL / TEST.
- `not_online`: the status must have OL and none of OB, LB, CAL, FSD.
- `low_charge`: charge below the limit; a UPS that reports no charge at all is blocked too
  (we cannot tell it is full).
- `recent_outage`: an outage (on_battery event or outage record) within the quiet hours.
- `muted`: the UPS is muted or in a maintenance window (someone is working on it).
- `group_testing`: another UPS of one of its redundancy groups (the UPS of a shutdown plan with
  `min_healthy`) is testing: never two of a redundant set at once.
- `unsupported`: the UPS lists no suitable instant command (`choose_command`).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

NO_CONTACT = "no_contact"
ALREADY_TESTING = "already_testing"
NOT_ONLINE = "not_online"
LOW_CHARGE = "low_charge"
RECENT_OUTAGE = "recent_outage"
MUTED = "muted"
GROUP_TESTING = "group_testing"
UNSUPPORTED = "unsupported"

MESSAGES = {
    NO_CONTACT: "PowerPulse has no fresh reading of this UPS",
    ALREADY_TESTING: "This UPS is already running a battery test",
    NOT_ONLINE: "The UPS is not on line power",
    LOW_CHARGE: "The battery charge is below the limit (or not reported)",
    RECENT_OUTAGE: "There was a power outage within the quiet hours",
    MUTED: "The UPS is muted or in a maintenance window",
    GROUP_TESTING: "Another UPS of its redundancy group is testing",
    UNSUPPORTED: "The UPS offers no battery test command",
}
TESTING_TOKENS = frozenset({"CAL", "TEST"})
_NOT_ONLINE_TOKENS = frozenset({"OB", "LB", "CAL", "FSD"})


def number(value: Any) -> float | None:
    """A finite number from a NUT value ("97", 97.0); None for garbage, NaN or infinity."""
    if value is None or isinstance(value, bool):
        return None
    try:
        parsed = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return parsed if math.isfinite(parsed) else None


def testing(tokens: Collection[str]) -> bool:
    return bool(TESTING_TOKENS & set(tokens))


@dataclass(frozen=True)
class Conditions:
    """What is known of one UPS at one moment."""

    tokens: frozenset[str]
    charge: float | None
    fresh: bool
    last_outage_at: datetime | None = None
    outage_ongoing: bool = False
    muted: bool = False
    group_testing: bool = False
    active_test: bool = False


def blocking_reason(
    c: Conditions, *, min_charge: float, quiet_hours: float, now: datetime
) -> str | None:
    """The first rule that blocks a test now, or None."""
    if not c.fresh:
        return NO_CONTACT
    if c.active_test or testing(c.tokens):
        return ALREADY_TESTING
    if "OL" not in c.tokens or _NOT_ONLINE_TOKENS & c.tokens:
        return NOT_ONLINE
    if c.charge is None or c.charge < min_charge:
        return LOW_CHARGE
    since = now - timedelta(hours=quiet_hours)
    if c.outage_ongoing or (c.last_outage_at is not None and c.last_outage_at >= since):
        return RECENT_OUTAGE
    if c.muted:
        return MUTED
    if c.group_testing:
        return GROUP_TESTING
    return None


def choose_command(test_type: str, commands: Collection[str]) -> str | None:
    """The instant command for `test_type` among those the UPS lists (LIST CMD), or None.

    quick: test.battery.start.quick, else the generic test.battery.start (a driver's default
    test, usually the quick one); deep: only test.battery.start.deep — a deep test drains the
    battery, so nothing else stands in for it."""
    if test_type == "deep":
        wanted: tuple[str, ...] = ("test.battery.start.deep",)
    else:
        wanted = ("test.battery.start.quick", "test.battery.start")
    return next((c for c in wanted if c in commands), None)


def redundancy_groups(definitions: Collection[Any]) -> list[frozenset[int]]:
    """The UPS sets of shutdown plans with `min_healthy` (their stored definitions)."""
    groups = []
    for definition in definitions:
        if not isinstance(definition, dict) or definition.get("min_healthy") is None:
            continue
        ids = definition.get("ups") or []
        members = frozenset(int(i) for i in ids if isinstance(i, int) and not isinstance(i, bool))
        if len(members) > 1:
            groups.append(members)
    return groups


def partners(ups_id: int, groups: Collection[frozenset[int]]) -> set[int]:
    """The other UPS sharing a redundancy group with `ups_id`."""
    out: set[int] = set()
    for group in groups:
        if ups_id in group:
            out |= group
    out.discard(ups_id)
    return out
