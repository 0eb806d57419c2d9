"""`wol`: wake a host with a Wake-on-LAN magic packet (restore sequences, after mains return).

The packet is 6 bytes 0xFF then the MAC 16 times (102 bytes), sent once over UDP with
SO_BROADCAST to `address:port` (the LAN broadcast by default; a directed broadcast such as
192.168.1.255 reaches another subnet when its router forwards it).
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from powerpulse.shutdown.actions import fields as f
from powerpulse.shutdown.actions.base import ActionContext, ActionError, Outcome

_MAC = re.compile(r"[0-9a-f]{2}([:-]?)[0-9a-f]{2}(\1[0-9a-f]{2}){4}")


@dataclass(frozen=True)
class Params:
    mac: str  # aa:bb:cc:dd:ee:ff
    address: str
    port: int


def normal_mac(raw: str) -> str:
    """aa:bb:cc:dd:ee:ff from aa:bb:…, aa-bb-… or aabbcc…; ValueError otherwise."""
    value = raw.strip().lower()
    if not _MAC.fullmatch(value):
        raise ValueError(raw)
    digits = re.sub(r"[:-]", "", value)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def magic_packet(mac: str) -> bytes:
    return b"\xff" * 6 + bytes.fromhex(mac.replace(":", "")) * 16


class WolType:
    name: ClassVar[str] = "wol"
    secret_fields: ClassVar[tuple[str, ...]] = ()

    def parse(self, raw: Mapping[str, Any]) -> Params:
        f.only(raw, ("mac", "address", "port"))
        try:
            mac = normal_mac(f.one_line(raw, "mac", limit=32))
        except ValueError:
            raise ActionError("mac", "mac must be a MAC address like aa:bb:cc:dd:ee:ff") from None
        address = f.host(raw, "address") if raw.get("address") is not None else "255.255.255.255"
        return Params(mac, address, f.port(raw, default=9))

    def to_json(self, params: Params) -> dict[str, Any]:
        return {"mac": params.mac, "address": params.address, "port": params.port}

    def describe(self, params: Params) -> str:
        return f"wake {params.mac} (magic packet to {params.address}:{params.port})"

    def destructive(self, params: Params) -> str | None:
        return None

    def timeout(self, params: Params) -> float | None:
        return None

    def ups_ids(self, params: Params) -> tuple[int, ...]:
        return ()

    async def run(self, params: Params, ctx: ActionContext) -> Outcome:
        loop = asyncio.get_running_loop()
        where = f"{params.address}:{params.port}"
        try:
            async with asyncio.timeout(max(min(5.0, ctx.timeout), 0.1)):
                infos = await loop.getaddrinfo(
                    params.address, params.port, family=socket.AF_INET, type=socket.SOCK_DGRAM
                )
        except (OSError, TimeoutError):
            return Outcome(False, error=f"the address {params.address} does not resolve")
        target = infos[0][4]
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                sock.sendto(magic_packet(params.mac), target)  # one datagram: never blocks long
        except OSError as err:
            return Outcome(
                False, error=f"cannot send the magic packet to {where}: {err.strerror or err}"
            )
        return Outcome(True, f"magic packet for {params.mac} sent to {where}")


TYPE = WolType()
