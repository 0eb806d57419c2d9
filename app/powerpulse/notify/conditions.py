"""Which events start an ongoing condition, and whether it still holds.

An alert (`db.models.Alert`) opens with an event of a condition kind and stays open while the
poller's stable state (`UpsLiveState.event_state`, see `poller.events`) still shows the
condition; while open it may repeat (a rule's `repeat_every`) and be acknowledged. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Event kind -> the condition it starts. Flag kinds hold while the poller's stable flags have
# the token; thresholds while their state is active (`poller.thresholds`).
FLAG_CONDITIONS = {
    "fsd": "FSD",
    "low_battery": "LB",
    "overload": "OVER",
    "bypass": "BYPASS",
    "off": "OFF",
    "replace_battery": "RB",
}
CLEARED_BY = {"online": "on_battery", "comm_restored": "comm_lost"}


def condition_of(kind: str, details: Mapping[str, Any]) -> str | None:
    """The condition an event of `kind` starts, or None (not a condition: online, a test…)."""
    if kind == "on_battery":
        return "power:OB"
    if kind == "comm_lost":
        return "comm:lost"
    if kind in FLAG_CONDITIONS:
        return f"flag:{FLAG_CONDITIONS[kind]}"
    if details.get("threshold") is not None and details.get("phase") == "started":
        return f"threshold:{details['threshold']}"
    return None


def clears(kind: str, details: Mapping[str, Any]) -> str | None:
    """The condition an event of `kind` ends explicitly (a threshold's "cleared" phase)."""
    if kind in CLEARED_BY:
        return condition_of(CLEARED_BY[kind], {})
    if details.get("threshold") is not None and details.get("phase") == "cleared":
        return f"threshold:{details['threshold']}"
    return None


def holds(condition: str, state: Mapping[str, Any] | None) -> bool:
    """Does the UPS's stable state still show `condition`? Unknown state: assume it holds
    (a UPS that stopped answering has not proven it is back on mains)."""
    if not state:
        return True
    family, _, name = condition.partition(":")
    if family == "power":
        return state.get("power") == name
    if family == "comm":
        return state.get("commOk") is False
    if family == "flag":
        return name in (state.get("flags") or ())
    if family == "threshold":
        return bool(((state.get("thresholds") or {}).get(name) or {}).get("active"))
    return False
