"""Real device data through a real upsd, and an independent oracle of what PowerPulse shows.

- `DevFileServer`: `tests/support/nut_server.NutServer` serving `.dev` files byte for byte
  (device dumps, or bytes a test writes) instead of its generated ones.
- `served_variables`: a raw `LIST VAR` on the test's own socket, parsed here (not with
  PowerPulse's protocol module): what upsd really serves, which is not always what the file
  says (dummy-ups drops lines it cannot parse, collapses spaces, adds defaults).
- `expected_readings`: the headline fields as documented (whole numbers rounded half up, one
  decimal for voltages and temperatures, runtime in minutes; null outside the physical range
  of the quantity, from the table the README quotes).
- `RewritingProxy`: a TCP proxy in front of upsd that replaces marker values line by line.
  upsd 2.8 strips bytes above 0x7f and control characters and cuts values at 128 bytes, so
  Latin-1, control characters and very long values only reach PowerPulse from other servers
  (older or patched upsd, NUT-compatible appliances): the proxy plays that server.
"""

from __future__ import annotations

import contextlib
import math
import re
import socket
import threading
import time
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from powerpulse.nut.variables import CHARGE, LOAD, RUNTIME, TEMPERATURE, VOLTAGE, Quantity
from tests.support.nut_server import NutServer

REPO = Path(__file__).resolve().parents[2]
DDL_SAMPLE = REPO.parent / "shared" / "reference" / "nut-ddl-sample"

_VAR = re.compile(rb'^VAR (\S+) (\S+) "((?:[^"\\]|\\.)*)"$')
_UNESCAPE = re.compile(rb"\\(.)")


class DevFileServer(NutServer):
    """One upsd with one dummy-ups per `.dev` content given (`{ups name: bytes}`)."""

    def __init__(self, devs: Mapping[str, bytes], **kwargs: Any) -> None:
        super().__init__(list(devs), **kwargs)
        self.devs = dict(devs)

    def _write_config(self) -> None:
        super()._write_config()
        for name, content in self.devs.items():
            self.dev_path(name).write_bytes(content)  # as it is: no parsing, no rewriting

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Every UPS past dummy-ups' start-up "WAIT", and what upsd serves stable."""
        deadline = time.monotonic() + timeout
        pending = list(self.ups_names)
        previous: dict[str, dict[str, str]] = {}
        while pending:
            with contextlib.suppress(OSError):
                still = []
                for name in pending:
                    now = served_variables(self.host, self.port, name)
                    if now.get("ups.status", "WAIT") == "WAIT" or previous.get(name) != now:
                        still.append(name)
                    previous[name] = now
                pending = still
            if not pending:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"upsd on port {self.port} not ready for {pending[:5]}")
            time.sleep(0.3)


def copy_dumps(source: Path, limit: int | None = None) -> dict[str, bytes]:
    """`{ups name: .dev bytes}` for every dump in `source`, named dev000, dev001, …"""
    if not source.is_dir():
        raise FileNotFoundError(
            f"The NUT device dump sample is missing: expected {source} (a copy of shared/ "
            "beside the repository clone)"
        )
    files = sorted(source.glob("*.dev"))[:limit]
    return {f"dev{i:03d}": path.read_bytes() for i, path in enumerate(files)}


def dump_names(source: Path) -> dict[str, str]:
    return {f"dev{i:03d}": path.name for i, path in enumerate(sorted(source.glob("*.dev")))}


def decode(raw: bytes) -> str:
    """What a line of a reply means as text: UTF-8, else Latin-1 (the documented fallback)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def served_variables(host: str, port: int, name: str, timeout: float = 5.0) -> dict[str, str]:
    """`LIST VAR <name>` on a fresh connection, parsed here."""
    end = f"END LIST VAR {name}\n".encode()
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(f"LIST VAR {name}\n".encode())
        data = b""
        while not data.endswith(end) and not data.startswith(b"ERR"):
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            data += chunk
    out: dict[str, str] = {}
    for line in data.split(b"\n"):
        match = _VAR.match(line)
        if match is not None:
            out[decode(match.group(2))] = decode(_UNESCAPE.sub(rb"\1", match.group(3)))
    return out


_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def exact(raw: str | None, quantity: Quantity) -> Decimal | None:
    """The exact value of a reading when it is a physical one, else None."""
    if raw is None or not _PLAIN_NUMBER.fullmatch(raw.strip()):
        return None
    value = Decimal(raw.strip())
    if not value.is_finite() or not quantity.low <= value <= quantity.high:
        return None
    return value


def _half_up(value: Decimal, step: Decimal) -> Decimal:
    return (value / step + Decimal("0.5")).to_integral_value(rounding="ROUND_FLOOR") * step


# (field, NUT variable(s) in order of preference, quantity, step)
HEADLINE: tuple[tuple[str, tuple[str, ...], Quantity, Decimal], ...] = (
    ("batteryCharge", ("battery.charge",), CHARGE, Decimal(1)),
    ("batteryVoltage", ("battery.voltage",), VOLTAGE, Decimal("0.1")),
    ("inputVoltage", ("input.voltage",), VOLTAGE, Decimal("0.1")),
    ("outputVoltage", ("output.voltage",), VOLTAGE, Decimal("0.1")),
    ("load", ("ups.load",), LOAD, Decimal(1)),
    ("temperature", ("ups.temperature", "battery.temperature"), TEMPERATURE, Decimal("0.1")),
)


def expected_readings(variables: Mapping[str, str]) -> dict[str, Decimal | None]:
    """The exact (unrounded) value each headline field shows, None where it must be null."""
    out: dict[str, Decimal | None] = {}
    for field, names, quantity, _ in HEADLINE:
        out[field] = next(
            (v for v in (exact(variables.get(n), quantity) for n in names) if v is not None),
            None,
        )
    seconds = exact(variables.get("battery.runtime"), RUNTIME)
    out["runtimeRemaining"] = None if seconds is None else seconds / 60
    return out


STEPS = {field: step for field, _, _, step in HEADLINE} | {"runtimeRemaining": Decimal(1)}


def check_reading(field: str, shown: Any, want: Decimal | None) -> str | None:
    """None when `shown` is `want` rounded as documented, else what is wrong."""
    if want is None:
        return None if shown is None else f"{field}: {shown!r}, expected null"
    step = STEPS[field]
    if step == 1 and (not isinstance(shown, int) or isinstance(shown, bool)):
        return f"{field}: {shown!r} is not a whole number (expected {want})"
    if not isinstance(shown, int | float) or not math.isfinite(shown):
        return f"{field}: {shown!r}, expected about {want}"
    rounded = _half_up(want, step)
    if abs(Decimal(repr(shown)) - rounded) > Decimal("1e-9"):
        return f"{field}: {shown!r}, expected {rounded} ({want} rounded half up)"
    return None


def expected_model(variables: Mapping[str, str]) -> str | None:
    for name in ("device.model", "ups.model"):
        value = (variables.get(name) or "").strip()
        if value:
            return value
    return None


class RewritingProxy:
    """TCP proxy to upsd replacing marker bytes in upsd's reply lines (whole lines only, so a
    marker never straddles two reads)."""

    def __init__(self, target: tuple[str, int], rewrites: Mapping[bytes, bytes]) -> None:
        self.target = target
        self.rewrites = dict(rewrites)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = "127.0.0.1", int(self._listener.getsockname()[1])
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._closed = threading.Event()

    def start(self) -> RewritingProxy:
        self._spawn(self._accept)
        return self

    def _spawn(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self._sockets += [client, upstream]
            self._spawn(self._pipe, client, upstream, False)
            self._spawn(self._pipe, upstream, client, True)

    def _pipe(self, src: socket.socket, dst: socket.socket, rewrite: bool) -> None:
        buffer = b""
        with contextlib.suppress(OSError):
            while chunk := src.recv(1 << 16):
                if not rewrite:
                    dst.sendall(chunk)
                    continue
                buffer += chunk
                lines, newline, buffer = buffer.rpartition(b"\n")
                if newline:
                    dst.sendall(self._rewrite(lines + newline))
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _rewrite(self, data: bytes) -> bytes:
        for marker, replacement in self.rewrites.items():
            data = data.replace(marker, replacement)
        return data

    def close(self) -> None:
        self._closed.set()
        self._listener.close()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
