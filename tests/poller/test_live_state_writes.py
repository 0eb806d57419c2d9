"""The live-state writes are plain SQL (one statement per kind of change): what they store must
read back through the ORM exactly as if the ORM had written it, on either engine."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from powerpulse.config import Settings
from powerpulse.db import counters
from powerpulse.db.models import NutServer, UpsLiveState, UpsSystem
from powerpulse.poller import live_state
from powerpulse.poller.live_state import LiveRow, RowChange, SweepWrite, load_rows, write_sweep
from powerpulse.timeutil import utcnow


async def test_changed_rows_state_only_rows_and_freshness_read_back_unchanged(db: Settings) -> None:
    server = await NutServer.create(host="127.0.0.1", port=1)
    ids = [
        (await UpsSystem.create(name=f"u{i}", nut_server=server, ups_name=f"u{i}")).id
        for i in range(4)
    ]
    rows = await load_rows(ids)
    ok, failing, state_only, untouched = (rows[i] for i in ids)
    first_at = utcnow()
    model = 'Smart-UPS "1500" \u2013 Ünïcode ⚡'
    ok.variables = {"ups.status": "OL", "device.model": model, "x": "\\n"}
    ok.status_tokens = "OL"
    ok.event_state = {"v": 1, "power": "OL", "flags": [], "nested": {"a": [1, 2.5, None]}}
    failing.variables, failing.status_tokens = {"ups.status": "OB"}, "OB"
    await write_sweep(
        SweepWrite(
            at=first_at,
            attempted=ids,
            succeeded=ids,
            changes=[RowChange(ok, True, True), RowChange(failing, True, False)],
        )
    )
    before = await counters.read(counters.LIVE)
    later = first_at + timedelta(seconds=5)
    failing.error_code, failing.error_message = "data-stale", "no fresh data; it's stale"
    state_only.event_state = {"v": 1, "commOk": False}
    await write_sweep(
        SweepWrite(
            at=later,
            attempted=ids,
            succeeded=[ok.ups_id, state_only.ups_id, untouched.ups_id],
            changes=[RowChange(failing, True, True), RowChange(state_only, False, True)],
        )
    )
    stored = {r.ups_id: r for r in await UpsLiveState.filter(ups_id__in=ids)}  # type: ignore[attr-defined]
    a, f, s, u = (stored[i] for i in ids)
    assert a.variables == ok.variables and a.event_state == ok.event_state
    assert (a.status_tokens, a.error_code, a.last_success_at, a.last_attempt_at) == (
        "OL",
        None,
        later,  # freshness of an unchanged row
        later,
    )
    # A failing row: new content, versioned, attempted now; its last success stays.
    assert (f.error_code, f.error_message) == ("data-stale", "no fresh data; it's stale")
    assert f.variables == {"ups.status": "OB"} and f.last_success_at == first_at
    assert f.last_attempt_at == later and f.version == before + 1
    # State only: no new version, content untouched.
    assert s.event_state == {"v": 1, "commOk": False} and s.version == 0
    assert u.event_state is None and u.variables == {} and u.last_success_at == later
    assert await counters.read(counters.LIVE) == before + 1
    # And the poller's own loader sees exactly what it wrote.
    again = await load_rows(ids)
    assert again[ok.ups_id].content() == ok.content()
    assert again[failing.ups_id].content() == failing.content()
    assert isinstance(again[untouched.ups_id], LiveRow)


@pytest.mark.parametrize("chunk", [500, 2])
async def test_freshness_alone_keeps_the_last_success_of_failing_rows(
    db: Settings, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One statement on its own when it fits (no transaction), a transaction over chunks
    otherwise; either way only the good rows get a new last success."""
    monkeypatch.setattr(live_state, "FRESHNESS_CHUNK", chunk)
    server = await NutServer.create(host="127.0.0.1", port=1)
    ids = [
        (await UpsSystem.create(name=f"u{i}", nut_server=server, ups_name=f"u{i}")).id
        for i in range(5)
    ]
    await load_rows(ids)
    start = utcnow()
    await write_sweep(SweepWrite(at=start, attempted=ids, succeeded=ids))
    later = start + timedelta(seconds=3)
    good = [ids[0], ids[2], ids[4]]
    await write_sweep(SweepWrite(at=later, attempted=ids, succeeded=good))
    stored = {r.ups_id: r for r in await UpsLiveState.filter(ups_id__in=ids)}  # type: ignore[attr-defined]
    for ups_id in ids:
        row = stored[ups_id]
        assert row.last_attempt_at == later
        assert row.last_success_at == (later if ups_id in good else start), ups_id
        assert row.version == 0  # freshness never renumbers a row
    await write_sweep(SweepWrite(at=later + timedelta(seconds=3), attempted=ids, succeeded=[]))
    assert {r.last_success_at for r in await UpsLiveState.filter(ups_id__in=ids[1:2])} == {start}


async def test_rows_created_at_once_by_two_loaders_are_one_row_each(db: Settings) -> None:
    """Two pollers (or a handover) loading the same new UPS at the same moment: both get the
    row, none fails on the other's insert; a UPS deleted before its row existed is left out."""
    server = await NutServer.create(host="127.0.0.1", port=1)
    ids = [
        (await UpsSystem.create(name=f"u{i}", nut_server=server, ups_name=f"u{i}")).id
        for i in range(6)
    ]
    gone = ids[-1]
    await UpsSystem.filter(id=gone).delete()
    first, second = await asyncio.gather(load_rows(ids), load_rows(ids))
    assert set(first) == set(second) == set(ids[:-1])
    assert all(first[i].status_tokens == "" and first[i].variables == {} for i in ids[:-1])
    assert await UpsLiveState.filter(ups_id__in=ids).count() == len(ids) - 1
