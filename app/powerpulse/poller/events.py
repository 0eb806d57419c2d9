"""Power-event detection: pure functions from (stored state, one poll's observation) to events.

No I/O, no clock: the caller passes `now` (epoch seconds) and persists the returned state in
`UpsLiveState.event_state`, so a restart neither repeats nor misses an event.

The rules (also in the README):

* **Power** is the stable pair OL / OB. A poll whose status has neither (``WAIT`` after an upsd
  restart, an empty status, ``OFF`` alone) or that failed leaves it untouched, so an error or a
  restart between two OL polls never produces "online".
* ``on_battery`` fires on the *first* poll that reads OB after a stable OL — losing mains is
  urgent, and the latency target is one poll interval.
* ``online`` fires only when OL has been read on at least `restore_polls` consecutive polls
  spanning at least `restore_hold` seconds after a stable OB (in production: the third
  consecutive OL poll, about 2 x POLL_INTERVAL of steady mains, 10 s by default). An OB read, an
  unknown status or a failed poll in between restarts that count. So a UPS flapping OL/OB gives
  one ``on_battery`` and, once mains is steady, one ``online`` — never a storm. A single OB
  reading between OLs is a real (short) outage: it gives one pair.
* **Flags** ``fsd``, ``low_battery``, ``overload``, ``bypass``, ``off``, ``replace_battery`` fire
  on their rising edge at once, and re-arm only after the condition has been absent for the same
  hold (so a charge hovering around ``battery.charge.low`` alerts once). Low battery is the LB
  token, or — while on battery — charge below ``battery.charge.low`` or runtime below
  ``battery.runtime.low`` when the UPS reports them.
* **Battery tests**: ``CAL`` or ``TEST`` (with or without ``OB``) is a self-test or calibration,
  not lost mains: it never fires ``on_battery`` (so no ``online`` when it ends) and it leaves the
  stable power state alone. ``self_test`` fires when the test starts and again when the flag has
  gone (``details.phase`` "started" / "ended", the ``ups.test.result`` then, and the duration).
  ``LB`` and ``FSD`` during a test still fire; plain ``OB`` after the flag has gone is a real
  power failure.
* **Communication**: any failed poll (server unreachable or timing out, DATA-STALE,
  DRIVER-NOT-CONNECTED, auth or unknown-UPS errors) starts a clock; ``comm_lost`` fires when
  failures have lasted `comm_grace` seconds, ``comm_restored`` on the first good poll after it.
* **Rediscovery**: a UPS upsd no longer knows (UNKNOWN-UPS: it left the server's ups.conf)
  fires ``ups_removed`` once, on the first such poll after it had data; the comm-lost rules
  above apply as to any failure. It can fire again only after a good poll (it came back).
* The first observation of a UPS (no stored state) sets the state without events.

A successful observation that leaves the state unchanged and fires nothing leaves it unchanged
at any later time too: every rule that waits for time also counts polls, and counting changes the
state. The sweep relies on this to skip detection while a UPS's variables stay the same
(tests/poller/test_settled_rows.py checks it); keep it true when adding a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from powerpulse.nut.test_result import normalise_test_result

# Flag name -> event kind, in the order events are emitted within one poll.
FLAG_KINDS: dict[str, str] = {
    "FSD": "fsd",
    "LB": "low_battery",
    "OVER": "overload",
    "BYPASS": "bypass",
    "OFF": "off",
    "RB": "replace_battery",
}
UNKNOWN_STATUS = "Unknown"
UNKNOWN_UPS = "unknown-ups"  # the error code of a UPS its server no longer lists
STATE_VERSION = 1


@dataclass(frozen=True)
class Rules:
    comm_grace: float = 30.0
    restore_hold: float = 10.0
    restore_polls: int = 2

    @classmethod
    def for_interval(cls, poll_interval: float, comm_grace: float) -> Rules:
        """Defaults tied to the poll interval: OL (or a cleared flag) on three consecutive polls,
        i.e. two intervals of steady readings (10 s at the default 5 s). 1.8 rather than 2 so
        that a poll arriving a few milliseconds early does not push the restore one poll later."""
        return cls(comm_grace=comm_grace, restore_hold=1.8 * poll_interval, restore_polls=2)


@dataclass(frozen=True)
class Observation:
    """What one poll of one UPS saw. `error_code` set means the poll failed (no fresh data)."""

    tokens: tuple[str, ...] = ()
    display: str = UNKNOWN_STATUS
    charge: float | None = None
    charge_low: float | None = None
    runtime: float | None = None
    runtime_low: float | None = None
    load: float | None = None
    test_result: str | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None

    @property
    def testing(self) -> str | None:
        """ "calibration" or "self_test" while the UPS runs a battery test, else None."""
        if "CAL" in self.tokens:
            return "calibration"
        if "TEST" in self.tokens:
            return "self_test"
        return None

    @property
    def power(self) -> str | None:
        """ "OB", "OL" or None when the status says neither (WAIT, empty, OFF alone) or when
        OB only means a battery test is running."""
        if "OB" in self.tokens:
            return None if self.testing else "OB"
        if "OL" in self.tokens:
            return "OL"
        return None

    @property
    def known(self) -> bool:
        """True when the status is real data (not empty, not WAIT alone)."""
        return self.ok and any(t != "WAIT" for t in self.tokens)

    def flags(self) -> set[str]:
        found = {f for f in FLAG_KINDS if f in self.tokens}
        if self.power == "OB" and _below(self.charge, self.charge_low):
            found.add("LB")
        if self.power == "OB" and _below(self.runtime, self.runtime_low):
            found.add("LB")
        return found

    def details(self) -> dict[str, Any]:
        out: dict[str, Any] = {"charge": self.charge, "runtime": self.runtime, "load": self.load}
        if self.error_code is not None:
            out["error"] = self.error_code
            out["errorMessage"] = self.error_message
        return out


def _below(value: float | None, limit: float | None) -> bool:
    return value is not None and limit is not None and value < limit


@dataclass(frozen=True)
class DetectedEvent:
    kind: str
    previous_status: str
    new_status: str
    details: dict[str, Any] = field(default_factory=dict)


def detect(
    stored: Mapping[str, Any] | None, obs: Observation, now: float, rules: Rules
) -> tuple[dict[str, Any], list[DetectedEvent]]:
    """Apply one observation to the stored state; return the new state and the events."""
    state = _initial(stored)
    events: list[DetectedEvent] = []
    if not obs.ok:
        _departure(state, obs, events)
        _comm_failure(state, obs, now, rules, events)
        state["olSince"], state["olPolls"] = None, 0
        return state, events
    _comm_success(state, obs, events)
    if not obs.known:
        # WAIT or an empty status: keep everything, and do not let it confirm a restore.
        state["olSince"], state["olPolls"] = None, 0
        return state, events
    if state["power"] is None and state["flags"] is None:
        _seed(state, obs, now)
        return state, events
    _test_edges(state, obs, now, events)
    _power(state, obs, now, rules, events)
    _flag_edges(state, obs, now, rules, events)
    state["display"] = _stable_display(state, obs)
    return state, events


def _initial(stored: Mapping[str, Any] | None) -> dict[str, Any]:
    base: dict[str, Any] = {
        "v": STATE_VERSION,
        "power": None,  # stable "OL" / "OB" / None (never seen)
        "obSince": None,  # when the stable power became OB (shutdown plans time it)
        "flags": None,  # stable set of FLAG_KINDS keys, None until the first known status
        "flagClearSince": {},  # flag -> [first absent time, absent polls]
        "olSince": None,
        "olPolls": 0,
        "display": UNKNOWN_STATUS,
        "commOk": True,
        "failSince": None,
        "test": None,  # {"mode", "since"} while a battery test runs
        "gone": False,  # upsd stopped listing the UPS (ups_removed sent); reset by a good poll
    }
    if stored:
        base.update({k: stored[k] for k in base if k in stored})
        base["flagClearSince"] = dict(base["flagClearSince"] or {})
    return base


def _seed(state: dict[str, Any], obs: Observation, now: float) -> None:
    state["power"] = obs.power
    state["obSince"] = now if obs.power == "OB" else None
    state["flags"] = sorted(obs.flags())
    state["display"] = obs.display
    if obs.testing:
        state["test"] = {"mode": obs.testing, "since": None}


def _event(kind: str, state: dict[str, Any], obs: Observation) -> DetectedEvent:
    return DetectedEvent(kind, state["display"], obs.display, obs.details())


def _power(
    state: dict[str, Any], obs: Observation, now: float, rules: Rules, out: list[DetectedEvent]
) -> None:
    seen, stable = obs.power, state["power"]
    if seen is None:
        state["olSince"], state["olPolls"] = None, 0
        return
    if stable is None:
        state["power"] = seen  # first poll that says OL/OB after only WAIT/OFF: no event
        state["obSince"] = now if seen == "OB" else None
    elif seen == "OB":
        state["olSince"], state["olPolls"] = None, 0
        if stable == "OL":
            out.append(_event("on_battery", state, obs))
            state["power"] = "OB"
            state["obSince"] = now
    elif stable == "OB":
        if state["olSince"] is None:
            state["olSince"], state["olPolls"] = now, 0
        state["olPolls"] += 1
        held = now - state["olSince"] >= rules.restore_hold
        if held and state["olPolls"] >= rules.restore_polls:
            out.append(_event("online", state, obs))
            state["power"] = "OL"
            state["obSince"] = None
            state["olSince"], state["olPolls"] = None, 0


def _flag_edges(
    state: dict[str, Any], obs: Observation, now: float, rules: Rules, out: list[DetectedEvent]
) -> None:
    stable = set(state["flags"] or ())
    seen = obs.flags()
    clearing: dict[str, list[float]] = state["flagClearSince"]
    for flag, kind in FLAG_KINDS.items():
        if flag in seen:
            clearing.pop(flag, None)
            if flag not in stable:
                out.append(_event(kind, state, obs))
                stable.add(flag)
        elif flag in stable:
            since, polls = clearing.get(flag, [now, 0])
            polls += 1
            if now - since >= rules.restore_hold and polls >= rules.restore_polls:
                stable.discard(flag)
                clearing.pop(flag, None)
            else:
                clearing[flag] = [since, polls]
    state["flags"] = sorted(stable)


def _test_edges(
    state: dict[str, Any], obs: Observation, now: float, out: list[DetectedEvent]
) -> None:
    running = state.get("test")
    if obs.testing and running is None:
        state["test"] = {"mode": obs.testing, "since": now}
        details = {**obs.details(), "phase": "started", "mode": obs.testing}
        out.append(DetectedEvent("self_test", state["display"], obs.display, details))
    elif not obs.testing and running is not None:
        state["test"] = None
        since = running.get("since")
        details = {
            **obs.details(),
            "phase": "ended",
            "mode": running.get("mode"),
            "result": obs.test_result,
            "outcome": normalise_test_result(obs.test_result),
            "durationSeconds": None if since is None else round(now - since),
        }
        out.append(DetectedEvent("self_test", state["display"], obs.display, details))


def _stable_display(state: dict[str, Any], obs: Observation) -> str:
    # While an OL restore is still being confirmed the stable status stays "On Battery", so the
    # eventual "online" event names the right previous status.
    if state["power"] == "OB" and obs.power == "OL":
        return str(state["display"])
    return obs.display


def _comm_failure(
    state: dict[str, Any], obs: Observation, now: float, rules: Rules, out: list[DetectedEvent]
) -> None:
    if state["failSince"] is None:
        state["failSince"] = now
    if state["commOk"] and now - state["failSince"] >= rules.comm_grace:
        out.append(DetectedEvent("comm_lost", state["display"], UNKNOWN_STATUS, obs.details()))
        state["commOk"] = False


def _departure(state: dict[str, Any], obs: Observation, out: list[DetectedEvent]) -> None:
    if obs.error_code != UNKNOWN_UPS or state["gone"]:
        return
    state["gone"] = True
    if state["flags"] is not None:  # it had data, so it left (a name upsd never knew did not)
        out.append(DetectedEvent("ups_removed", state["display"], UNKNOWN_STATUS, obs.details()))


def _comm_success(state: dict[str, Any], obs: Observation, out: list[DetectedEvent]) -> None:
    state["failSince"] = None
    state["gone"] = False
    if not state["commOk"]:
        new = obs.display if obs.known else UNKNOWN_STATUS
        out.append(DetectedEvent("comm_restored", UNKNOWN_STATUS, new, obs.details()))
        state["commOk"] = True
