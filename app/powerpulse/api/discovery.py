"""Finding the UPS of a NUT server (`LIST UPS`) and adding the ones not configured yet."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tortoise.transactions import in_transaction

from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsSystem
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutError, NutTimeoutError


@dataclass
class Discovery:
    found: list[str] = field(default_factory=list)
    added: list[UpsSystem] = field(default_factory=list)
    error: NutError | None = None


async def list_ups(
    host: str,
    port: int,
    username: str | None,
    password: str | None,
    starttls: bool,
    timeout: float,
) -> dict[str, str]:
    """`LIST UPS` on a fresh connection, bounded by `timeout` for the whole exchange."""
    client = NutClient(host, port, username, password, starttls=starttls, timeout=timeout)
    try:
        # The client times each call; the outer bound covers connect + auth + list together.
        async with asyncio.timeout(timeout * 3 + 1):
            await client.connect()
            return await client.list_ups()
    except TimeoutError:
        raise NutTimeoutError(f"NUT server {host}:{port} did not answer in time") from None
    finally:
        await client.close()


async def discover(server: NutServer, timeout: float) -> Discovery:
    """List the server's UPS and insert each (server, UPS name) pair that is new.

    The network call happens outside any transaction; the inserts are one transaction that
    also bumps the config counter so the poller starts watching them.
    """
    result = Discovery()
    try:
        names = await list_ups(
            server.host, server.port, server.username, server.password, server.starttls, timeout
        )
    except NutError as err:
        result.error = err
        return result
    result.found = sorted(names)
    async with in_transaction():
        existing = set(
            await UpsSystem.filter(nut_server_id=server.id).values_list("ups_name", flat=True)
        )
        for name in result.found:
            if name not in existing:
                ups = await UpsSystem.create(name=name, ups_name=name, nut_server_id=server.id)
                result.added.append(ups)
        if result.added:
            await counters.bump(counters.CONFIG)
    return result


def error_dict(err: NutError) -> dict[str, str]:
    return {"code": err.code, "message": err.message}
