"""`wait_down`: wait until a host has really gone down (its TCP port stops answering), so the
next phase (cutting the UPS load, say) does not pull power from a host still writing to disk.

Checked once a second; "down" is a refused connection or no answer within a second, twice in a
row (one lost SYN is not a shutdown). A name that does not resolve at the first check is an
error, not "down": a typo must not let the plan cut power at once.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from powerpulse.shutdown.actions import fields as f
from powerpulse.shutdown.actions.base import ActionContext, Outcome

CHECK_EVERY = 1.0  # seconds between checks
ANSWER_WITHIN = 1.0  # seconds a connection may take before it counts as no answer
DOWN_CHECKS = 2  # consecutive "down" checks that make it down


@dataclass(frozen=True)
class Params:
    host: str
    port: int
    timeout_seconds: float


async def answers(host: str, port: int) -> bool:
    """Whether host:port accepts a TCP connection within ANSWER_WITHIN; socket.gaierror when
    the name does not resolve."""
    try:
        async with asyncio.timeout(ANSWER_WITHIN):
            _, writer = await asyncio.open_connection(host, port)
    except socket.gaierror:
        raise
    except (OSError, TimeoutError):
        return False
    writer.close()
    try:
        async with asyncio.timeout(ANSWER_WITHIN):
            await writer.wait_closed()
    except (OSError, TimeoutError):
        pass
    return True


class WaitDownType:
    name: ClassVar[str] = "wait_down"
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def parse(self, raw: Mapping[str, Any]) -> Params:
        f.only(raw, ("host", "port", "timeout_seconds"))
        return Params(f.host(raw), f.port(raw), f.seconds(raw, "timeout_seconds", 300.0, 1, 86_400))

    def to_json(self, params: Params) -> dict[str, Any]:
        return {"host": params.host, "port": params.port, "timeout_seconds": params.timeout_seconds}

    def describe(self, params: Params) -> str:
        return f"wait until {params.host}:{params.port} stops answering"

    def destructive(self, params: Params) -> str | None:
        return None

    def timeout(self, params: Params) -> float | None:
        return params.timeout_seconds

    def ups_ids(self, params: Params) -> tuple[int, ...]:
        return ()

    async def run(self, params: Params, ctx: ActionContext) -> Outcome:
        where = f"{params.host}:{params.port}"
        limit = max(min(params.timeout_seconds, ctx.timeout), 0.1)
        started = time.monotonic()
        deadline = started + limit
        down = 0
        first = True
        while True:
            check = time.monotonic()
            try:
                up = await answers(params.host, params.port)
            except socket.gaierror:
                if first:
                    return Outcome(False, error=f"the host name {params.host} does not resolve")
                up = False  # its DNS server may be going down with it
            first = False
            down = 0 if up else down + 1
            if down >= DOWN_CHECKS:
                took = time.monotonic() - started
                return Outcome(True, f"{where} stopped answering after {took:.0f} s")
            now = time.monotonic()
            if now + max(0.0, check + CHECK_EVERY - now) >= deadline:
                return Outcome(False, error=f"{where} still answers after {limit:g} s")
            await asyncio.sleep(max(0.0, check + CHECK_EVERY - now))


TYPE = WaitDownType()
