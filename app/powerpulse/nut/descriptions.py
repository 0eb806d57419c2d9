"""NUT's descriptions of variables (`GET DESC`), fetched on demand and remembered.

upsd answers descriptions from its `cmdvartab`, so they are the same for every poll: they are
fetched only when a page asks for them (never by the poller), for all missing variables of a
UPS in one pipelined exchange, and kept in a bounded LRU keyed by server, driver and variable.

- An `ERR` for one variable (older upsd, a name it has no entry for) or upsd's own
  "Description unavailable" means no description, remembered like one.
- An error that says nothing about the variable (unknown UPS, stale data, a connection that
  fails or times out) is not remembered; that server is left alone for `RETRY_AFTER` seconds
  so a down server does not make every page wait.
- Concurrent lookups of the same UPS share one fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable

from powerpulse.nut import protocol
from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import (
    NutDataStale,
    NutDriverNotConnected,
    NutError,
    NutResponseError,
    NutUnknownUps,
)
from powerpulse.nut.variables import display_text

log = logging.getLogger(__name__)

MAX_ENTRIES = 8192
RETRY_AFTER = 60.0
UNAVAILABLE = "Description unavailable"  # upsd's answer for a variable not in its cmdvartab
# Errors about the UPS or the link, not about the variable: not an answer to remember.
_TRANSIENT = (NutUnknownUps, NutDataStale, NutDriverNotConnected)

Key = tuple[Hashable, str]  # (server/driver key, variable)


def _askable(name: str) -> bool:
    try:
        protocol.check_name(name, "variable")
    except ValueError:
        return False
    return True


class DescriptionCache:
    def __init__(self, max_entries: int = MAX_ENTRIES, retry_after: float = RETRY_AFTER) -> None:
        self.max_entries = max_entries
        self.retry_after = retry_after
        self._entries: OrderedDict[Key, str | None] = OrderedDict()
        self._failed_at: dict[Hashable, float] = {}
        self._fetches: dict[tuple[Hashable, str], asyncio.Task[None]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def cached(self, scope: Hashable, names: Iterable[str]) -> dict[str, str | None]:
        """What is known already: {variable: description or None (none exists)}."""
        out: dict[str, str | None] = {}
        for name in names:
            key = (scope, name)
            if key in self._entries:
                self._entries.move_to_end(key)
                out[name] = self._entries[key]
        return out

    def _store(self, scope: Hashable, name: str, description: str | None) -> None:
        key = (scope, name)
        self._entries[key] = description
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    async def lookup(
        self,
        scope: Hashable,
        server: Hashable,
        ups: str,
        names: Iterable[str],
        connect: Callable[[], NutClient],
        wait: float,
    ) -> dict[str, str | None]:
        """Descriptions of `names` ({variable: text or None}); a variable whose description is
        not known yet after `wait` seconds is left out (the fetch goes on and fills the cache).

        `scope` keys the cache (server and driver), `server` the back-off after a failure;
        `connect` makes a client (closed here)."""
        names = [n for n in dict.fromkeys(names) if _askable(n)]
        found = self.cached(scope, names)
        missing = [n for n in names if n not in found]
        if not missing or self._backing_off(server):
            return found
        flight = (scope, ups)
        task = self._fetches.get(flight)
        if task is None:
            task = asyncio.create_task(self._fetch(scope, server, ups, missing, connect))
            self._fetches[flight] = task
            task.add_done_callback(lambda _t: self._fetches.pop(flight, None))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), wait)
        return self.cached(scope, names)

    def _backing_off(self, server: Hashable) -> bool:
        failed = self._failed_at.get(server)
        if failed is None:
            return False
        if time.monotonic() - failed < self.retry_after:
            return True
        del self._failed_at[server]
        return False

    async def _fetch(
        self,
        scope: Hashable,
        server: Hashable,
        ups: str,
        names: list[str],
        connect: Callable[[], NutClient],
    ) -> None:
        client = connect()
        try:
            answers = await client.get_desc_many(ups, names)
        except (NutError, OSError) as err:  # OSError: belt and braces, the client maps them
            self._failed_at[server] = time.monotonic()
            log.info("No NUT variable descriptions from %s for now: %s", server, err)
            return
        finally:
            with contextlib.suppress(Exception):
                await client.close()
        for name, answer in answers.items():
            if isinstance(answer, _TRANSIENT):
                continue
            if isinstance(answer, NutResponseError):
                self._store(scope, name, None)
                continue
            text = display_text(answer.strip())
            self._store(scope, name, None if not text or text == UNAVAILABLE else text)
