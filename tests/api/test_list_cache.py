"""The list cache: one build for many waiting requests, no stale answer after a write, and
no answer about many UPS broken by one of them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from powerpulse.api import list_cache, safe_ups, serializers
from powerpulse.api.list_cache import ListCache
from powerpulse.api.live_watcher import LiveWatcher
from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import UpsSystem
from tests.api.conftest import Account, Client, add_server, add_ups, write_live
from tests.support.nut_server import DEFAULT_VARS


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
    bodies = await asyncio.gather(*(cache.get(False) for _ in range(50)))
    assert build.calls == 1
    assert {b.plain for b in bodies} == {b'[{"value":"first","public":false}]'}
    await cache.get(True)
    assert build.calls == 2  # the kiosk answer is its own entry
    await cache.get(False)
    assert build.calls == 2  # nothing changed: served from memory


async def test_invalidate_during_a_build_is_not_lost(db: Settings) -> None:
    build = SlowBuilder()
    cache = ListCache(build)
    early = asyncio.ensure_future(cache.get(False))
    await asyncio.sleep(0.01)  # the build has read "first"
    build.value = "second"  # a write through this worker...
    cache.invalidate()  # ...which invalidates
    late = await cache.get(False)
    assert orjson.loads(late.plain)[0]["value"] == "second"
    await early
    assert orjson.loads((await cache.get(False)).plain)[0]["value"] == "second"


async def test_counter_change_rebuilds(db: Settings) -> None:
    build = SlowBuilder()
    cache = ListCache(build)
    await cache.get(False)
    build.value = "after poll"
    await counters.bump(counters.LIVE)  # what the poller does in its own process
    body = await cache.get(False)
    assert orjson.loads(body.plain)[0]["value"] == "after poll" and build.calls == 2


async def test_previous_answer_served_while_rebuilding(db: Settings, monkeypatch: Any) -> None:
    monkeypatch.setattr(list_cache, "STALE_WHILE_REBUILDING", True)
    build = SlowBuilder()
    cache = ListCache(build)
    await cache.get(False)
    build.value = "after poll"
    await counters.bump(counters.LIVE)
    during = await cache.get(False)  # returns at once: the rebuild takes 50 ms
    assert orjson.loads(during.plain)[0]["value"] == "first"
    await asyncio.sleep(0.1)
    after = await cache.get(False)
    assert orjson.loads(after.plain)[0]["value"] == "after poll" and build.calls == 2
    # A write through this worker is never answered from the old list.
    build.value = "written here"
    cache.invalidate()
    assert orjson.loads((await cache.get(False)).plain)[0]["value"] == "written here"


# -- per-UPS isolation (api/safe_ups.py) ----------------------------------------------------
# Whatever goes wrong while one UPS is shown, the answers about many UPS keep answering: that
# UPS is listed with a "bad-data" error, logged once, and every other UPS is untouched.

GOOD = {**DEFAULT_VARS, "ups.status": "OL", "battery.charge": "87", "ups.load": "23"}


@pytest.fixture(autouse=True)
def _fresh_failure_log() -> Iterator[None]:
    safe_ups.failures.reset()
    yield
    safe_ups.failures.reset()


async def _two_ups() -> tuple[UpsSystem, UpsSystem]:
    server = await add_server()
    good, bad = await add_ups(server, "good"), await add_ups(server, "bad")
    await write_live(good, GOOD)
    await write_live(bad, {**GOOD, "battery.charge": "55"})
    return good, bad


def _breaking(bad_id: int, make: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[..., Any]:
    real = serializers.ups_to_dict

    def ups_to_dict(ups: UpsSystem, *args: Any, **kwargs: Any) -> dict[str, Any]:
        obj = real(ups, *args, **kwargs)
        return make(obj) if ups.id == bad_id else obj

    return ups_to_dict


def _raise(obj: dict[str, Any]) -> dict[str, Any]:
    raise ValueError("a serializer bug triggered by what this UPS reported")


def _unencodable(obj: dict[str, Any]) -> dict[str, Any]:
    # Fine for Python, not for orjson: the kind of value the old as_int produced (4.6e251).
    return {**obj, "upsDetails": {**obj["upsDetails"], "load": 46 * 10**250}}


def _bad_entries(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == safe_ups.__name__ and r.levelname == "ERROR"]


def _check_isolated(rows: list[dict[str, Any]], good: UpsSystem, bad: UpsSystem) -> None:
    by_id = {row["id"]: row for row in rows}
    assert by_id[good.id]["batteryCharge"] == 87 and by_id[good.id]["load"] == 23
    assert by_id[good.id]["status"] == "Online" and by_id[good.id]["error"] is None
    shown = by_id[bad.id]
    assert shown["error"] == {"code": "bad-data", "message": safe_ups.BAD_DATA_MESSAGE}
    assert shown["status"] == "Unknown" and shown["batteryCharge"] is None
    assert (shown["name"], shown["upsName"], shown["displayName"]) == ("bad", "bad", "bad")
    assert shown["summaryBucket"] == "unknown" and shown["stale"] is True


@pytest.mark.parametrize("breakage", [_raise, _unencodable], ids=["raises", "unencodable"])
async def test_one_ups_that_cannot_be_shown_is_an_error_in_every_answer(
    client: Client,
    member: Account,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    breakage: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    good, bad = await _two_ups()
    monkeypatch.setattr(serializers, "ups_to_dict", _breaking(bad.id, breakage))
    caplog.set_level(logging.INFO, logger=safe_ups.__name__)
    for _ in range(3):  # three rebuilds (a poll bumps the live counter each time)
        status, rows, _ = await client.get("/api/ups-systems", token=member.token)
        assert status == 200, rows
        _check_isolated(rows, good, bad)
        status, kiosk, _ = await client.get("/api/ups-systems/kiosk")
        assert status == 200, kiosk
        _check_isolated(kiosk, good, bad)
        assert all("driverDetails" not in row for row in kiosk)
        status, detail, _ = await client.get(f"/api/ups-systems/{bad.id}", token=member.token)
        assert status == 200 and detail["error"]["code"] == "bad-data"
        status, text, _ = await client.get("/metrics")
        assert status == 200
        families = {f.name: f for f in text_string_to_metric_families(text)}
        up = {s.labels["ups"]: s.value for s in families["powerpulse_ups_up"].samples}
        # A build failure shows the UPS down; an encode failure is about JSON only.
        assert up == {"good": 1, "bad": 0 if breakage is _raise else 1}
        await counters.bump(counters.LIVE)
    logged = _bad_entries(caplog)
    assert len(logged) == 1, [r.getMessage() for r in logged]  # once, not once per rebuild
    assert "'bad'" in logged[0].getMessage() and logged[0].exc_info is not None
    assert "serializer bug" not in orjson.dumps(rows).decode()  # the log has it, not the API


async def test_a_ups_that_recovers_is_shown_again_and_a_new_failure_is_logged_again(
    client: Client,
    member: Account,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good, bad = await _two_ups()
    real = serializers.ups_to_dict
    monkeypatch.setattr(serializers, "ups_to_dict", _breaking(bad.id, _raise))
    caplog.set_level(logging.INFO, logger=safe_ups.__name__)
    # A new change key: this answer is built now, with the breaking serializer (not one built
    # in the background from the rows just written, before the patch).
    await counters.bump(counters.LIVE)
    status, rows, _ = await client.get("/api/ups-systems", token=member.token)
    assert status == 200
    assert next(r for r in rows if r["id"] == bad.id)["error"]["code"] == "bad-data"
    monkeypatch.setattr(serializers, "ups_to_dict", real)
    await counters.bump(counters.LIVE)
    # While the rebuild runs, a request may still get the answer built before it (younger than
    # CACHE_SECONDS): ask until the rebuilt one arrives.
    deadline = time.monotonic() + 10
    while True:
        rows = (await client.get("/api/ups-systems", token=member.token))[1]
        shown = next(r for r in rows if r["id"] == bad.id)
        recovered = any("shown normally again" in r.getMessage() for r in caplog.records)
        if (shown.get("error") or {}).get("code") != "bad-data" and recovered:
            break
        assert time.monotonic() < deadline, (shown, [r.getMessage() for r in caplog.records])
        await asyncio.sleep(0.1)
    assert {row["id"]: row["batteryCharge"] for row in rows} == {good.id: 87, bad.id: 55}
    monkeypatch.setattr(serializers, "ups_to_dict", _breaking(bad.id, _raise))
    await counters.bump(counters.LIVE)
    deadline = time.monotonic() + 10
    while len(_bad_entries(caplog)) < 2:  # the same wait for the rebuild with the new failure
        assert (await client.get("/api/ups-systems", token=member.token))[0] == 200
        assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
        await asyncio.sleep(0.1)
    assert len(_bad_entries(caplog)) == 2


async def test_the_live_stream_keeps_the_other_ups(
    db: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    good, bad = await _two_ups()
    monkeypatch.setattr(serializers, "ups_to_dict", _breaking(bad.id, _unencodable))
    watcher = LiveWatcher(poll_interval=0.5)
    sub = watcher.subscribe(public=False)
    await watcher.load()
    snapshot = watcher.snapshot(public=False)
    _check_isolated(snapshot, good, bad)
    orjson.dumps(snapshot)  # what stream.py sends as the snapshot frame
    await write_live(good, {**GOOD, "battery.charge": "80"})
    await write_live(bad, {**GOOD, "battery.charge": "40"})
    await watcher.poll_once()
    frames = [sub.queue.get_nowait() for _ in range(sub.queue.qsize())]
    sent = [orjson.loads(f.split("data: ", 1)[1]) for f in frames if f and "event: ups" in f]
    latest = {obj["id"]: obj for obj in sent}
    assert latest[good.id]["batteryCharge"] == 80
    assert latest[bad.id]["error"]["code"] == "bad-data"
    assert len(_bad_entries(caplog)) == 1


def test_safe_values_makes_texts_and_numbers_safe_and_copies_only_when_needed() -> None:
    clean = {"a": "Online", "b": [1, 2.5, None, True], "c": {"d": "x"}}
    assert safe_ups.safe_values(clean) is clean
    dirty: dict[str, Any] = {"a": "x" * 5000, "b": [2**64, float("nan")], "c": {"d": "bell\x07"}}
    safe = safe_ups.safe_values(dirty)
    assert len(safe["a"]) == 256 and safe["a"].endswith("…")
    assert safe["b"] == [None, None] and safe["c"] == {"d": "bell\\x07"}
    assert dirty["b"][0] == 2**64  # the input is not changed
    assert orjson.loads(safe_ups.encode_ups_list([clean, {"id": 3, "v": 2**64}])) == [
        clean,
        safe_ups._bad_data(
            {"id": 3, "name": None, "nickname": None, "displayName": None, "upsName": None,
             "nutServerId": None, "site": None, "tags": []},
            public=False,
            last_updated=None,
        ),
    ]  # fmt: skip
