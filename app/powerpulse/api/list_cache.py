"""The UPS list answers, serialised once and reused while nothing they show has changed.

One dashboard poll is cheap to answer from memory but costs ~10 ms to build from 100 live
rows, so the built bytes (and their gzip form) are kept, keyed by a one-query change key:
the counters both workers bump plus the live rows' newest version and times (tests and tools
may write rows without bumping). The key is re-read at most every `KEY_CHECK_SECONDS`; writes
through this worker call `invalidate()`; an answer is rebuilt at least every `CACHE_SECONDS`
so that its time-based `stale` flags stay right.

Single flight: the rebuild for a key runs as its own task, and every request that wants that
key awaits the same task (50 parallel rebuilds would stall the worker; a client that goes away
does not cancel the rebuild the others wait for) — or, while the previous answer is younger
than `CACHE_SECONDS`, gets that answer until the rebuild is done.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import orjson
from sanic import Request
from sanic.response import HTTPResponse

from powerpulse.db import dialect

CACHE_SECONDS = 2.0
KEY_CHECK_SECONDS = 0.05
# When the poller changed something, requests keep getting the previous answer (younger than
# CACHE_SECONDS) until the rebuild is done, instead of all waiting for it. Writes through this
# worker never see this: they invalidate the entry.
STALE_WHILE_REBUILDING = True
_CHANGE_KEY_SQL = (
    "SELECT (SELECT value FROM counters WHERE name = 'config') AS c,"
    " (SELECT value FROM counters WHERE name = 'live') AS l,"
    " (SELECT COUNT(*) FROM ups_systems) AS n,"
    " (SELECT MAX(id) FROM ups_systems) AS m,"
    " (SELECT COUNT(*) FROM ups_live_state) AS ln,"
    " (SELECT MAX(version) FROM ups_live_state) AS v,"
    " (SELECT MAX(last_attempt_at) FROM ups_live_state) AS a,"
    " (SELECT MAX(last_success_at) FROM ups_live_state) AS s"
)

# Distinct views (the kiosk's answer, the signed-in one, each filter of them) kept at once: a
# dashboard asks for a handful; a client that walks through filters must not fill the memory.
MAX_VIEWS = 32

# A view → its rows. A view is any hashable the builder understands (the UPS lists pass
# `ups_systems.ListView`: public or not, and a site/tag filter).
Builder = Callable[[Any], Awaitable[list[dict[str, Any]]]]
# (rows, view) → the JSON body. The UPS lists pass `safe_ups.encode_ups_list`, which encodes
# UPS by UPS when the whole list fails, so one bad UPS never turns the list into a 500.
Encoder = Callable[[list[dict[str, Any]], Any], bytes]


def _plain_encode(rows: list[dict[str, Any]], view: Any) -> bytes:
    return orjson.dumps(rows)


class Encoded:
    """A JSON body, its gzip form (served to clients that accept it: every browser does, and it
    is about a tenth of the size) and its ETag. The ETag is a digest of the body, so every api
    instance gives the same answer the same tag; a client that sends it back in
    `If-None-Match` gets a bodiless 304 while nothing changed."""

    __slots__ = ("etag", "gzipped", "plain")

    def __init__(self, plain: bytes) -> None:
        self.plain = plain
        self.gzipped = gzip.compress(plain, compresslevel=1, mtime=0)
        self.etag = '"' + hashlib.blake2b(plain, digest_size=12).hexdigest() + '"'

    def matches(self, request: Request) -> bool:
        wanted = request.headers.get("if-none-match", "")
        # A list of tags, weak or strong (`W/` compares equal here: the body is the same JSON).
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        return self.etag in tags or "*" in tags

    def response(self, request: Request) -> HTTPResponse:
        # `private, no-cache`: a browser may keep it but must ask again each time (with the
        # ETag); shared caches never store a signed-in answer.
        headers = {
            "Vary": "Accept-Encoding, Authorization",
            "ETag": self.etag,
            "Cache-Control": "private, no-cache",
        }
        if self.matches(request):
            return HTTPResponse(status=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return HTTPResponse(self.gzipped, content_type="application/json", headers=headers)
        return HTTPResponse(self.plain, content_type="application/json", headers=headers)


class ListCache:
    """Cached list answers by view (the kiosk's differs from the logged-in list, and a filtered
    list from the whole one)."""

    def __init__(self, build: Builder, encode: Encoder = _plain_encode) -> None:
        self._build = build
        self._encode = encode
        self._entries: dict[Hashable, tuple[tuple[Any, ...], float, Encoded]] = {}
        self._building: dict[Hashable, tuple[tuple[Any, ...], asyncio.Task[Encoded]]] = {}
        self._key: tuple[Any, ...] = ()
        self._key_read_at = -1e9
        self._key_read: asyncio.Future[tuple[Any, ...]] | None = None
        self._generation = 0

    def invalidate(self) -> None:
        """Forget everything, including reads and rebuilds already under way (they may have
        read the database before the write that calls this)."""
        self._generation += 1
        self._entries.clear()
        self._building.clear()
        self._key_read = None
        self._key_read_at = -1e9

    async def _change_key(self) -> tuple[Any, ...]:
        if time.monotonic() - self._key_read_at < KEY_CHECK_SECONDS:
            return self._key
        if self._key_read is None:  # one read serves every request arriving meanwhile
            self._key_read = asyncio.ensure_future(self._read_key(self._generation))
        return await asyncio.shield(self._key_read)

    async def _read_key(self, generation: int) -> tuple[Any, ...]:
        started = time.monotonic()
        try:
            rows = await dialect.fetch(_CHANGE_KEY_SQL)
        except BaseException:
            if generation == self._generation:
                self._key_read = None  # the next request tries again
            raise
        key = tuple(rows[0].values())
        if generation == self._generation:
            self._key, self._key_read_at, self._key_read = key, started, None
        return key

    async def get(self, view: Hashable) -> Encoded:
        key = await self._change_key()
        hit = self._entries.get(view)
        if hit is not None and hit[0] == key and time.monotonic() - hit[1] < CACHE_SECONDS:
            return hit[2]
        building = self._building.get(view)
        if building is None or building[0] != key:
            task = asyncio.ensure_future(self._rebuild(key, view, self._generation))
            self._building[view] = building = (key, task)
        if (
            STALE_WHILE_REBUILDING
            and hit is not None
            and time.monotonic() - hit[1] < CACHE_SECONDS
            and not building[1].done()
        ):
            return hit[2]
        return await asyncio.shield(building[1])

    async def _rebuild(self, key: tuple[Any, ...], view: Hashable, generation: int) -> Encoded:
        try:
            rows = await self._build(view)
            body = await asyncio.to_thread(lambda: Encoded(self._encode(rows, view)))
        finally:
            current = self._building.get(view)
            if current is not None and current[1] is asyncio.current_task():
                del self._building[view]
        if generation == self._generation:
            self._entries.pop(view, None)  # re-inserted last: the oldest view goes first
            while len(self._entries) >= MAX_VIEWS:
                del self._entries[next(iter(self._entries))]
            self._entries[view] = (key, time.monotonic(), body)
        return body
