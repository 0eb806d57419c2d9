"""The list cache: one build for many waiting requests, and no stale answer after a write."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from powerpulse.api import list_cache
from powerpulse.api.list_cache import ListCache
from powerpulse.config import Settings
from powerpulse.db import counters


class SlowBuilder:
    def __init__(self) -> None:
        self.calls = 0
        self.value = "first"

    async def __call__(self, public: bool) -> list[dict[str, Any]]:
        self.calls += 1
        seen = self.value  # what the database held when this build read it
        await asyncio.sleep(0.05)
        return [{"value": seen, "public": public}]


async def test_single_flight(db: Settings) -> None:
    build = SlowBuilder()
    cache = ListCache(build)
    bodies = await asyncio.gather(*(cache.get(public=False) for _ in range(50)))
    assert build.calls == 1
    assert {b.plain for b in bodies} == {b'[{"value":"first","public":false}]'}
    await cache.get(public=True)
    assert build.calls == 2  # the kiosk answer is its own entry
    await cache.get(public=False)
    assert build.calls == 2  # nothing changed: served from memory


async def test_invalidate_during_a_build_is_not_lost(db: Settings) -> None:
    build = SlowBuilder()
    cache = ListCache(build)
    early = asyncio.ensure_future(cache.get(public=False))
    await asyncio.sleep(0.01)  # the build has read "first"
    build.value = "second"  # a write through this worker...
    cache.invalidate()  # ...which invalidates
    late = await cache.get(public=False)
    assert orjson.loads(late.plain)[0]["value"] == "second"
    await early
    assert orjson.loads((await cache.get(public=False)).plain)[0]["value"] == "second"


async def test_counter_change_rebuilds(db: Settings) -> None:
    build = SlowBuilder()
    cache = ListCache(build)
    await cache.get(public=False)
    build.value = "after poll"
    await counters.bump(counters.LIVE)  # what the poller does in its own process
    body = await cache.get(public=False)
    assert orjson.loads(body.plain)[0]["value"] == "after poll" and build.calls == 2


async def test_previous_answer_served_while_rebuilding(db: Settings, monkeypatch: Any) -> None:
    monkeypatch.setattr(list_cache, "STALE_WHILE_REBUILDING", True)
    build = SlowBuilder()
    cache = ListCache(build)
    await cache.get(public=False)
    build.value = "after poll"
    await counters.bump(counters.LIVE)
    during = await cache.get(public=False)  # returns at once: the rebuild takes 50 ms
    assert orjson.loads(during.plain)[0]["value"] == "first"
    await asyncio.sleep(0.1)
    after = await cache.get(public=False)
    assert orjson.loads(after.plain)[0]["value"] == "after poll" and build.calls == 2
    # A write through this worker is never answered from the old list.
    build.value = "written here"
    cache.invalidate()
    assert orjson.loads((await cache.get(public=False)).plain)[0]["value"] == "written here"
