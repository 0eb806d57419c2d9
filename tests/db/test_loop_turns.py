"""Reading many rows leaves the event loop free between small runs, on both engines: the api
worker reads 1,000 live rows every second with 1,000 UPS, and answers requests meanwhile."""

from __future__ import annotations

import asyncio

import pytest

from powerpulse.config import Settings
from powerpulse.db import setup
from powerpulse.db.models import NutServer, UpsSystem

ROWS = 1000


async def test_a_thousand_rows_become_objects_in_runs_that_let_the_loop_turn(
    db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = await NutServer.create(host="127.0.0.1", port=3493)
    await UpsSystem.bulk_create(
        [UpsSystem(name=f"u{i}", ups_name=f"u{i}", nut_server=server) for i in range(ROWS)]
    )
    turns = 0
    seen: list[int] = []  # the turn count at each row's conversion into an object
    convert = UpsSystem._init_from_db.__func__  # type: ignore[attr-defined]

    def counting(cls: type[UpsSystem], **row: object) -> UpsSystem:
        seen.append(turns)
        return convert(cls, **row)  # type: ignore[no-any-return]

    async def ticker() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    monkeypatch.setattr(UpsSystem, "_init_from_db", classmethod(counting))
    task = asyncio.create_task(ticker())
    try:
        rows = await UpsSystem.all()
    finally:
        task.cancel()
    assert len(rows) == ROWS == len(seen)
    # While the rows became objects, the loop ran others about every ROWS_PER_LOOP_TURN rows.
    assert seen[-1] - seen[0] >= ROWS // setup.ROWS_PER_LOOP_TURN - 1, (seen[0], seen[-1])
