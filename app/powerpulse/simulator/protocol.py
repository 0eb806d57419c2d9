"""The upsd side of the NUT network protocol, as pure functions (no sockets, no clock).

`handle_line(site, session, line, t)` turns one command line into the reply lines `upsd` would
send, reading the simulated UPS at time `t`. Quoting follows docs/net-protocol.txt: values in
double quotes, `\\"` and `\\\\` escapes, the same rules for arguments the client sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from powerpulse.simulator.scenario import DEFAULT_CYCLE, UpsSpec, variables_at

SERVER_VERSION = (
    "Network UPS Tools upsd 2.8.0 (PowerPulse simulator) - https://networkupstools.org/"
)
PROTOCOL_VERSION = "1.3"
HELP_TEXT = "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

RW_RANGES: dict[str, tuple[str, str]] = {"ups.delay.shutdown": ("0", "600")}
RW_ENUMS: dict[str, tuple[str, ...]] = {"input.sensitivity": ("low", "medium", "high")}
COMMANDS: dict[str, str] = {
    "beeper.disable": "Disable the UPS beeper",
    "beeper.enable": "Enable the UPS beeper",
    "beeper.mute": "Temporarily mute the UPS beeper",
    "test.battery.start.quick": "Start a quick battery test",
    "test.battery.stop": "Stop the battery test",
}
BEEPER = {"beeper.disable": "disabled", "beeper.enable": "enabled", "beeper.mute": "muted"}
DESCRIPTIONS: dict[str, str] = {
    "battery.charge": "Battery charge (percent of full)",
    "battery.charge.low": "Remaining battery level when UPS switches to LB (percent)",
    "battery.runtime": "Battery runtime (seconds)",
    "battery.voltage": "Battery voltage (V)",
    "input.voltage": "Input voltage (V)",
    "input.sensitivity": "Input power sensitivity",
    "output.voltage": "Output voltage (V)",
    "ups.delay.shutdown": "Interval to wait after shutdown with delay command (seconds)",
    "ups.load": "Load on UPS (percent of full)",
    "ups.status": "UPS status",
    "ups.temperature": "UPS temperature (degrees C)",
}
UNAVAILABLE = "Description unavailable"


class ArgumentError(ValueError):
    """A command line the tokenizer cannot read (an unterminated quote)."""


def quote(value: str) -> str:
    """`value` as a protocol string: in double quotes, `\\` and `"` escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def split_args(line: str) -> list[str]:
    """Split a command line into words; quoted words may hold spaces and escapes."""
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        if line[i] in " \t":
            i += 1
            continue
        word: list[str] = []
        quoted = line[i] == '"'
        i += 1 if quoted else 0
        while i < n:
            ch = line[i]
            if ch == "\\" and i + 1 < n:
                word.append(line[i + 1])
                i += 2
                continue
            if quoted and ch == '"':
                quoted = False
                i += 1
                break
            if not quoted and ch in " \t":
                break
            word.append(ch)
            i += 1
        if quoted:
            raise ArgumentError("unterminated quote")
        words.append("".join(word))
    return words


@dataclass
class Site:
    """Everything one simulated upsd serves: the UPS, the loop length, writable state."""

    specs: list[UpsSpec]
    cycle: float = DEFAULT_CYCLE
    username: str = "admin"
    password: str = "simulator"  # noqa: S105 (the documented demo credential for writes)
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)

    def spec(self, name: str) -> UpsSpec | None:
        return next((s for s in self.specs if s.name == name), None)

    def variables(self, spec: UpsSpec, t: float) -> dict[str, str]:
        return {**variables_at(spec, t, self.cycle), **self.overrides.get(spec.name, {})}


@dataclass
class Session:
    """Per-connection state: the credentials the client sent."""

    username: str | None = None
    password: str | None = None
    closed: bool = False


def err(code: str) -> list[str]:
    return [f"ERR {code}"]


def handle_line(site: Site, session: Session, line: str, t: float) -> list[str]:
    """The reply lines for one command line at simulated time `t`."""
    try:
        words = split_args(line.strip())
    except ArgumentError:
        return err("INVALID-ARGUMENT")
    if not words:
        return []
    verb, args = words[0].upper(), words[1:]
    if verb == "LIST":
        return _list(site, args, t)
    if verb == "GET":
        return _get(site, args, t)
    if verb == "VER":
        return [SERVER_VERSION]
    if verb == "HELP":
        return [HELP_TEXT]
    if verb in ("NETVER", "PROTVER"):
        return [PROTOCOL_VERSION]
    if verb in ("USERNAME", "PASSWORD"):
        return _credential(session, verb, args)
    if verb == "LOGOUT":
        session.closed = True
        return ["OK Goodbye"]
    if verb == "STARTTLS":
        return err("FEATURE-NOT-CONFIGURED")
    if verb in ("SET", "INSTCMD"):
        return _write(site, session, verb, args, t)
    if verb in ("LOGIN", "PRIMARY", "MASTER", "FSD"):
        return err("ACCESS-DENIED")  # the simulator has no upsmon users
    return err("UNKNOWN-COMMAND")


def _credential(session: Session, verb: str, args: list[str]) -> list[str]:
    if len(args) != 1:
        return err("INVALID-ARGUMENT")
    if verb == "USERNAME":
        if session.username is not None:
            return err("ALREADY-SET-USERNAME")
        session.username = args[0]
    else:
        if session.password is not None:
            return err("ALREADY-SET-PASSWORD")
        session.password = args[0]
    return ["OK"]


def _lookup(site: Site, name: str, t: float) -> tuple[UpsSpec | None, dict[str, str]]:
    spec = site.spec(name)
    return spec, (site.variables(spec, t) if spec else {})


def _list(site: Site, args: list[str], t: float) -> list[str]:
    if not args:
        return err("INVALID-ARGUMENT")
    kind, rest = args[0].upper(), args[1:]
    if kind == "UPS" and not rest:
        return [
            "BEGIN LIST UPS",
            *(f"UPS {s.name} {quote(s.description)}" for s in site.specs),
            "END LIST UPS",
        ]
    if kind in ("VAR", "RW", "CMD", "CLIENT") and len(rest) == 1:
        spec, variables = _lookup(site, rest[0], t)
        if spec is None:
            return err("UNKNOWN-UPS")
        items = _list_items(kind, spec.name, variables)
        return [f"BEGIN LIST {kind} {spec.name}", *items, f"END LIST {kind} {spec.name}"]
    if kind in ("ENUM", "RANGE") and len(rest) == 2:
        spec, variables = _lookup(site, rest[0], t)
        if spec is None:
            return err("UNKNOWN-UPS")
        var = rest[1]
        if var not in variables:
            return err("VAR-NOT-SUPPORTED")
        head = f"{spec.name} {var}"
        if kind == "ENUM":
            items = [f"ENUM {head} {quote(v)}" for v in RW_ENUMS.get(var, ())]
        else:
            rng = RW_RANGES.get(var)
            items = [f"RANGE {head} {quote(rng[0])} {quote(rng[1])}"] if rng else []
        return [f"BEGIN LIST {kind} {head}", *items, f"END LIST {kind} {head}"]
    return err("INVALID-ARGUMENT")


def _list_items(kind: str, name: str, variables: dict[str, str]) -> list[str]:
    if kind == "VAR":
        return [f"VAR {name} {k} {quote(v)}" for k, v in sorted(variables.items())]
    if kind == "RW":
        rw = sorted(set(RW_RANGES) | set(RW_ENUMS))
        return [f"RW {name} {k} {quote(variables[k])}" for k in rw if k in variables]
    if kind == "CMD":
        return [f"CMD {name} {c}" for c in sorted(COMMANDS)]
    return []  # LIST CLIENT: nobody is logged in (LOGIN is refused)


def _get(site: Site, args: list[str], t: float) -> list[str]:
    if not args:
        return err("INVALID-ARGUMENT")
    kind, rest = args[0].upper(), args[1:]
    if not rest:
        return err("INVALID-ARGUMENT")
    spec, variables = _lookup(site, rest[0], t)
    if spec is None:
        return err("UNKNOWN-UPS")
    name = spec.name
    if kind == "UPSDESC" and len(rest) == 1:
        return [f"UPSDESC {name} {quote(spec.description)}"]
    if kind == "NUMLOGINS" and len(rest) == 1:
        return [f"NUMLOGINS {name} 0"]
    if len(rest) != 2:
        return err("INVALID-ARGUMENT")
    item = rest[1]
    if kind == "CMDDESC":
        if item not in COMMANDS:
            return err("CMD-NOT-SUPPORTED")
        return [f"CMDDESC {name} {item} {quote(COMMANDS[item])}"]
    if kind not in ("VAR", "TYPE", "DESC"):
        return err("INVALID-ARGUMENT")
    if item not in variables:
        return err("VAR-NOT-SUPPORTED")
    if kind == "VAR":
        return [f"VAR {name} {item} {quote(variables[item])}"]
    if kind == "DESC":
        return [f"DESC {name} {item} {quote(DESCRIPTIONS.get(item, UNAVAILABLE))}"]
    return [f"TYPE {name} {item} {var_type(item, variables[item])}"]


def var_type(var: str, value: str) -> str:
    if var in RW_RANGES:
        return "RW RANGE"
    if var in RW_ENUMS:
        return "RW ENUM"
    return "NUMBER" if NUMBER.match(value) else "STRING:64"


def _write(site: Site, session: Session, verb: str, args: list[str], t: float) -> list[str]:
    if session.username is None:
        return err("USERNAME-REQUIRED")
    if session.password is None:
        return err("PASSWORD-REQUIRED")
    if (session.username, session.password) != (site.username, site.password):
        return err("ACCESS-DENIED")
    if verb == "INSTCMD":
        return _instcmd(site, args)
    if len(args) != 4 or args[0].upper() != "VAR":
        return err("INVALID-ARGUMENT")
    spec, variables = _lookup(site, args[1], t)
    if spec is None:
        return err("UNKNOWN-UPS")
    var, value = args[2], args[3]
    if var not in variables:
        return err("VAR-NOT-SUPPORTED")
    if var not in RW_RANGES and var not in RW_ENUMS:
        return err("READONLY")
    if not _valid(var, value):
        return err("INVALID-VALUE")
    site.overrides.setdefault(spec.name, {})[var] = value
    return ["OK"]


def _valid(var: str, value: str) -> bool:
    if var in RW_ENUMS:
        return value in RW_ENUMS[var]
    lo, hi = RW_RANGES[var]
    return value.isdigit() and int(lo) <= int(value) <= int(hi)


def _instcmd(site: Site, args: list[str]) -> list[str]:
    if len(args) not in (2, 3):
        return err("INVALID-ARGUMENT")
    spec = site.spec(args[0])
    if spec is None:
        return err("UNKNOWN-UPS")
    if args[1] not in COMMANDS:
        return err("CMD-NOT-SUPPORTED")
    if args[1] in BEEPER:
        site.overrides.setdefault(spec.name, {})["ups.beeper.status"] = BEEPER[args[1]]
    return ["OK"]
