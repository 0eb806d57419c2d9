"""Protection coverage: are the hosts that must be protected by a UPS still listening to it?

Pure: no I/O, no clock. A host is expected on a UPS because an operator said so (a
`ProtectedHost` row) or a shutdown plan does (its `protected_hosts`); upsd's `LIST CLIENT` lists
the addresses of the upsmon clients logged in to the UPS. `evaluate` takes the stored state, the
expected hosts (their addresses already resolved by the caller) and one read of the clients, and
returns the new state and the events:

* `host_unprotected` when an expected host is not attached on `Rules.grace_reads` consecutive
  reads spanning at least `Rules.grace_seconds` (an upsmon restart, or upsd restarting under
  everyone, is a miss or two inside that and alerts nobody). A host never seen attached since it
  became expected alerts the same way, once (`details.neverAttached`): a host whose upsmon was
  never set up right is the case the operator most needs to hear about.
* `host_protected` when a host that alerted is attached again.

A read that could not tell (`clients` None: the server refused LIST CLIENT, it failed, the UPS
is gone) changes nothing: coverage is unknown, not lost. So is a host whose name does not
resolve (`Expected.addresses` None). The state is JSON, kept by the caller so that a restart
neither repeats nor misses an event.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

HOST_UNPROTECTED = "host_unprotected"
HOST_PROTECTED = "host_protected"
EVENT_KINDS = (HOST_UNPROTECTED, HOST_PROTECTED)
ATTACHED = "Attached"
NOT_ATTACHED = "Not attached"
STATE_VERSION = 1
OPERATOR = "operator"
PLAN = "plan"


@dataclass(frozen=True)
class Rules:
    grace_reads: int = 2
    grace_seconds: float = 20.0


@dataclass(frozen=True)
class Source:
    """Why a host is expected: the operator said so (with a label) or a plan does."""

    kind: str  # OPERATOR or PLAN
    label: str = ""
    host_id: int | None = None  # the ProtectedHost row (operator)
    plan_id: int | None = None
    plan_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        if self.kind == OPERATOR:
            return {"source": OPERATOR, "label": self.label}
        return {"source": PLAN, "planId": self.plan_id, "planName": self.plan_name}


@dataclass(frozen=True)
class Expected:
    """One host that must be attached to the UPS. `addresses`: what it stands for (an IP is
    itself; a name is what it resolves to), None when a name could not be resolved."""

    host: str  # `host_key` of what was written
    addresses: frozenset[str] | None
    sources: tuple[Source, ...] = ()

    @property
    def label(self) -> str:
        """The operator's label, when one gave it."""
        return next((s.label for s in self.sources if s.kind == OPERATOR and s.label), "")

    @property
    def shown(self) -> str:
        """How a message names it: `db1` (its label), else the host as written."""
        return self.label or self.host


@dataclass(frozen=True)
class CoverageEvent:
    kind: str
    host: str
    previous_status: str
    new_status: str
    details: dict[str, Any] = field(default_factory=dict)


def host_key(host: str) -> str:
    """The form hosts are compared and stored in: an IP address normalised (`normalise`), a
    name lowercased without a trailing dot."""
    text = host.strip()
    address = normalise(text)
    return address if address is not None else text.lower().rstrip(".")


def normalise(text: str) -> str | None:
    """An IP address in its canonical form (an IPv4-mapped IPv6 address, as a dual-stack upsd
    lists IPv4 clients, as the IPv4 one; an IPv6 zone dropped), or None when `text` is not
    one."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def is_address(host: str) -> bool:
    return normalise(host.strip()) is not None


def client_addresses(clients: Iterable[str]) -> frozenset[str]:
    """LIST CLIENT's addresses, normalised for comparison."""
    return frozenset(host_key(c) for c in clients)


def is_attached(expected: Expected, clients: frozenset[str]) -> bool | None:
    """Whether the host is among the clients (None: its name did not resolve)."""
    if expected.host in clients:
        return True
    if expected.addresses is None:
        return None
    return not expected.addresses.isdisjoint(clients)


def merge(entries: Iterable[tuple[str, Source]]) -> dict[str, list[Source]]:
    """(host as written, why) pairs → sources per `host_key`, in the order first named."""
    out: dict[str, list[Source]] = {}
    for host, source in entries:
        if host and host.strip():
            sources = out.setdefault(host_key(host), [])
            if source not in sources:
                sources.append(source)
    return out


def _host_state(stored: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"seen": False, "misses": 0, "missSince": None, "alerted": False}
    if isinstance(stored, Mapping):
        for key in base:
            value = stored.get(key)
            if key == "misses" and isinstance(value, int) and not isinstance(value, bool):
                base[key] = max(0, value)
            elif key == "missSince" and isinstance(value, int | float):
                base[key] = float(value)
            elif key in ("seen", "alerted") and isinstance(value, bool):
                base[key] = value
    return base


def load_state(stored: Any) -> dict[str, Any]:
    """A stored state in its current shape (anything unreadable: nothing known)."""
    hosts = stored.get("hosts") if isinstance(stored, Mapping) else None
    if not isinstance(hosts, Mapping):
        hosts = {}
    return {
        "v": STATE_VERSION,
        "hosts": {str(k): _host_state(v) for k, v in hosts.items() if isinstance(k, str)},
    }


def evaluate(
    stored: Any,
    expected: Sequence[Expected],
    clients: Sequence[str] | None,
    now: float,
    rules: Rules = Rules(),
) -> tuple[dict[str, Any], list[CoverageEvent]]:
    """Apply one read of the clients (None: unknown) to the stored state."""
    state = load_state(stored)
    old = state["hosts"]
    hosts: dict[str, Any] = {e.host: old.get(e.host, _host_state(None)) for e in expected}
    state["hosts"] = hosts  # hosts no longer expected are forgotten, silently
    if clients is None:
        return state, []
    attached_now = client_addresses(clients)
    events: list[CoverageEvent] = []
    for item in expected:
        host = dict(hosts[item.host])
        attached = is_attached(item, attached_now)
        if attached is None:
            continue  # the name did not resolve: unknown, not lost
        if attached:
            if host["alerted"]:
                events.append(_event(HOST_PROTECTED, item, host, clients))
            host = {"seen": True, "misses": 0, "missSince": None, "alerted": False}
        else:
            # Capped: a host that stays away leaves the state as it is (no write per read).
            host["misses"] = min(host["misses"] + 1, max(1, rules.grace_reads))
            if host["missSince"] is None:
                host["missSince"] = now
            due = host["misses"] >= rules.grace_reads
            if due and now - host["missSince"] >= rules.grace_seconds and not host["alerted"]:
                events.append(_event(HOST_UNPROTECTED, item, host, clients))
                host["alerted"] = True
        hosts[item.host] = host
    return state, events


def _event(
    kind: str, item: Expected, host: Mapping[str, Any], clients: Sequence[str]
) -> CoverageEvent:
    lost = kind == HOST_UNPROTECTED
    details: dict[str, Any] = {
        "host": item.host,
        "hostLabel": item.label,
        "shownAs": item.shown,
        "addresses": sorted(item.addresses or ()),
        "sources": [s.as_json() for s in item.sources],
        "clients": list(clients),
        "neverAttached": not host["seen"],
    }
    if lost:
        details["missingSince"] = host["missSince"]
    return CoverageEvent(
        kind=kind,
        host=item.host,
        previous_status="" if lost and not host["seen"] else (ATTACHED if lost else NOT_ATTACHED),
        new_status=NOT_ATTACHED if lost else ATTACHED,
        details=details,
    )


def alerting(stored: Any) -> set[str]:
    """The hosts whose `host_unprotected` has not been followed by `host_protected` yet."""
    return {h for h, s in load_state(stored)["hosts"].items() if s["alerted"]}
