"""What the poller should poll: NUT servers and their UPS, reloaded when `counters.CONFIG` moves.

The api worker bumps the counter in the same transaction as every configuration write, so
reading one integer per tick is enough to notice a change; only then is the full list loaded.
The poller adds UPS only through rediscovery (`powerpulse.discovery`, a server's `auto_add`),
for names upsd lists that are not configured: a UPS an admin deleted comes back only if upsd
still serves it and auto-add is on (the original re-created them behind the admin's back).
"""

from __future__ import annotations

from dataclasses import dataclass

from powerpulse.db import counters
from powerpulse.db.models import NutServer, Threshold, UpsSystem
from powerpulse.poller.thresholds import METRICS, ThresholdSpec


@dataclass(frozen=True)
class UpsConfig:
    id: int
    name: str  # the NUT UPS name
    thresholds: tuple[ThresholdSpec, ...] = ()


@dataclass(frozen=True)
class ServerConfig:
    id: int
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    ups: tuple[UpsConfig, ...]
    auto_add: bool = True
    site: str | None = None

    @property
    def connection_key(self) -> tuple[object, ...]:
        """Changes when the connection must be reopened (address or credentials)."""
        return (self.host, self.port, self.username, self.password, self.starttls)

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"


async def load_config() -> dict[int, ServerConfig]:
    """Every server with its UPS, in one pass over each table."""
    thresholds = await load_thresholds()
    by_server: dict[int, list[UpsConfig]] = {}
    for ups in await UpsSystem.all().order_by("id").values("id", "ups_name", "nut_server_id"):
        specs = tuple(s for ups_ids, s in thresholds if ups_ids is None or ups["id"] in ups_ids)
        by_server.setdefault(ups["nut_server_id"], []).append(
            UpsConfig(ups["id"], ups["ups_name"], specs)
        )
    servers = {}
    for row in await NutServer.all().order_by("id"):
        servers[row.id] = ServerConfig(
            id=row.id,
            host=row.host,
            port=row.port,
            username=row.username or None,
            password=row.password or None,
            starttls=bool(row.starttls),
            ups=tuple(by_server.get(row.id, ())),
            auto_add=bool(row.auto_add),
            site=row.site or None,
        )
    return servers


class ConfigWatcher:
    """Tells whether the configuration counter moved since the last load."""

    def __init__(self) -> None:
        self.seen: int | None = None

    async def poll(self) -> int | None:
        """The new counter value when it changed (or on the first call), else None."""
        value = await counters.read(counters.CONFIG)
        if value == self.seen:
            return None
        return value

    def loaded(self, value: int) -> None:
        self.seen = value


async def load_thresholds() -> list[tuple[frozenset[int] | None, ThresholdSpec]]:
    """Every enabled threshold with the UPS it applies to (None: all)."""
    out: list[tuple[frozenset[int] | None, ThresholdSpec]] = []
    for row in await Threshold.filter(enabled=True).order_by("id"):
        if row.metric not in METRICS:
            continue
        ups = None if row.ups is None else frozenset(int(i) for i in row.ups)
        spec = ThresholdSpec(
            row.id, row.metric, row.above, row.below, float(row.hold), row.hysteresis, row.name
        )
        out.append((ups, spec))
    return out
