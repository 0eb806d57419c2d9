"""Finding the UPS of a NUT server (`LIST UPS`) and adding the ones not configured yet.

The one owner of "add the UPS this server lists that PowerPulse does not know": first-time
setup, adding a server and the rescan endpoint (api worker) and rediscovery (poller, on every
(re)connect and every DISCOVERY_INTERVAL) all go through `reconcile()`. It adds only when asked
(the server's `auto_add` switch), logs each addition as an `ups_added` event (recorded, never
sent: see notify/recipients.py), and bumps the config counter so the poller picks them up.

A UPS the server no longer lists is never deleted here: it keeps its history and is flagged by
the poller (UNKNOWN-UPS, `ups_removed`) until an admin deletes it. A UPS an admin deletes while
upsd still serves it is remembered as dismissed (`dismiss()`, a `KeyValue` row per server) and
not added again: the original PowerPulse re-created deleted UPS behind the admin's back. Adding
it by hand (POST /api/ups-systems) takes it off that list.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from powerpulse.db import counters, locks
from powerpulse.db.models import Event, KeyValue, NutServer, UpsSystem
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutError, NutTimeoutError
from powerpulse.timeutil import utcnow

log = logging.getLogger(__name__)

UPS_ADDED = "ups_added"


@dataclass
class Discovery:
    """What one `LIST UPS` found, compared with the configuration."""

    found: list[str] = field(default_factory=list)  # every UPS name upsd listed
    added: list[UpsSystem] = field(default_factory=list)  # configured just now
    missing: list[str] = field(default_factory=list)  # configured, no longer listed
    # Listed, not configured, not added: auto-add is off, or an admin deleted it (dismissed).
    not_added: list[str] = field(default_factory=list)
    error: NutError | None = None  # upsd could not be asked

    @property
    def reachable(self) -> bool:
        return self.error is None


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


async def reconcile(server_id: int, names: Iterable[str], *, add: bool, source: str) -> Discovery:
    """Compare the names upsd listed with the server's UPS; add the new ones when `add`.

    One transaction under the server's discovery lock: the api worker and the poller (or two
    pollers) may run this at the same moment for the same server, and the second sees what the
    first added.
    """
    result = Discovery(found=sorted(set(names)))
    try:
        async with in_transaction():
            await locks.hold(locks.discovery(server_id))
            server = await NutServer.get_or_none(id=server_id)
            if server is None:  # deleted meanwhile: nothing to compare with
                return result
            rows = await UpsSystem.filter(nut_server_id=server_id).values_list(
                "ups_name", flat=True
            )
            configured: set[str] = {str(name) for name in rows}
            new = [n for n in result.found if n not in configured]
            result.missing = sorted(configured - set(result.found))
            dismissed = await _dismissed(server_id)
            if dismissed & configured:  # added again by hand since
                await _set_dismissed(server_id, dismissed - configured)
            if not add:
                result.not_added = new
                return result
            result.not_added = [n for n in new if n in dismissed]
            new = [n for n in new if n not in dismissed]
            at = utcnow()
            for name in new:
                ups = await UpsSystem.create(name=name, ups_name=name, nut_server_id=server_id)
                result.added.append(ups)
                await Event.create(
                    ups_id=ups.id,
                    kind=UPS_ADDED,
                    occurred_at=at,
                    details={
                        "upsName": name,
                        "server": f"{server.host}:{server.port}",
                        "source": source,
                    },
                    dispatched=False,
                )
            if result.added:
                await counters.bump(counters.CONFIG)
    except IntegrityError:
        # The server was deleted between the read and the insert: nothing was stored.
        log.info("NUT server %s vanished while its UPS were being added", server_id)
        return Discovery(found=result.found)
    return result


async def discover(
    server: NutServer, timeout: float, *, add: bool | None = None, source: str = "api"
) -> Discovery:
    """`LIST UPS` on a fresh connection, then `reconcile()` (adding when the server's
    `auto_add` is on, unless `add` says otherwise). The network call holds no transaction."""
    try:
        names = await list_ups(
            server.host, server.port, server.username, server.password, server.starttls, timeout
        )
    except NutError as err:
        return Discovery(error=err)
    wanted = bool(server.auto_add) if add is None else add
    return await reconcile(server.id, names, add=wanted, source=source)


async def dismiss(server_id: int, ups_name: str) -> None:
    """Remember that an admin deleted this UPS: rediscovery does not add it back. Call it in
    the transaction that deletes the UPS."""
    names = await _dismissed(server_id)
    if ups_name not in names:
        await _set_dismissed(server_id, names | {ups_name})


def _dismissed_key(server_id: int) -> str:
    return f"discovery.dismissed.{server_id}"


async def _dismissed(server_id: int) -> set[str]:
    row = await KeyValue.get_or_none(key=_dismissed_key(server_id))
    value = row.value if row is not None else None
    return {str(n) for n in value} if isinstance(value, list) else set()


async def _set_dismissed(server_id: int, names: set[str]) -> None:
    key = _dismissed_key(server_id)
    if names:
        await KeyValue.update_or_create(key=key, defaults={"value": sorted(names)})
    else:
        await KeyValue.filter(key=key).delete()


def error_dict(err: NutError) -> dict[str, str]:
    return {"code": err.code, "message": err.message}


def not_reachable_yet(server: NutServer, err: NutError) -> str:
    """What setup and "add server" say when upsd could not be asked (the server is saved)."""
    then = (
        "its UPS will be added automatically once it answers"
        if server.auto_add
        else "rescan it once it answers to see its UPS"
    )
    return f"NUT server {server.host}:{server.port} is not reachable yet ({err.message}); {then}"
