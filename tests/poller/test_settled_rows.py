"""The sweep skips detection for a UPS whose readings did not change on a settled state.

That is only right if such a state stays put however much time passes: checked here over every
short sequence of statuses, then end to end against a replay that runs detection on every poll.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from powerpulse.config import Settings
from powerpulse.db.models import Event, NutServer, UpsSystem
from powerpulse.history import SampleSchedule
from powerpulse.poller import events as ev
from powerpulse.poller import sweep
from powerpulse.poller.config_cache import ServerConfig, UpsConfig
from powerpulse.poller.live_state import load_rows
from powerpulse.poller.sweep import ServerPoller, observe

RULES = ev.Rules(comm_grace=30.0, restore_hold=10.0, restore_polls=2)
STATUSES = [
    "OL",
    "OB DISCHRG",
    "OB LB",
    "OL RB",
    "OL CAL",
    "OB CAL",
    "OB TEST",
    "OL TEST LB",
    "FSD OB",
    "OFF",
    "WAIT",
    "",
    "OL BYPASS OVER",
]


def _vars(status: str, charge: str = "100") -> dict[str, str]:
    return {"ups.status": status, "battery.charge": charge, "battery.charge.low": "20"}


OBSERVATIONS = [observe(_vars(s)) for s in STATUSES] + [observe(_vars("OB DISCHRG", "5"))]


def test_a_state_detection_leaves_alone_stays_alone_at_any_later_time() -> None:
    checked = 0
    for sequence in itertools.product(range(len(OBSERVATIONS)), repeat=3):
        state: dict[str, Any] | None = None
        now = 0.0
        for index in sequence:
            state, _ = ev.detect(state, OBSERVATIONS[index], now, RULES)
            now += 3.0
        for obs in OBSERVATIONS:
            again, found = ev.detect(state, obs, now, RULES)
            if again != state or found:
                continue
            checked += 1
            for later in (now + 1, now + RULES.restore_hold, now + RULES.comm_grace * 10):
                assert ev.detect(state, obs, later, RULES) == (state, []), (sequence, obs)
    assert checked > 1000  # the property was exercised, not vacuous


async def test_the_sweep_with_skipped_detection_matches_a_full_replay(
    db: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [datetime(2026, 1, 1, tzinfo=UTC)]
    monkeypatch.setattr(sweep, "utcnow", lambda: clock[0])
    server = await NutServer.create(host="127.0.0.1", port=1)
    ups = await UpsSystem.create(name="u", nut_server=server, ups_name="u")
    config = ServerConfig(server.id, "127.0.0.1", 1, None, None, False, (UpsConfig(ups.id, "u"),))
    rows = await load_rows([ups.id])
    poller = ServerPoller(config, db, rows, SampleSchedule(3600.0))
    replay: dict[str, Any] | None = None
    expected: list[str] = []
    skipped = 0
    # Long runs of identical readings (skipped) between changes, including during a restore.
    script = ["OL"] * 4 + ["OB DISCHRG"] * 3 + ["OL"] * 6 + ["OL RB"] * 3 + ["OL"] * 5
    script += ["OB CAL"] * 3 + ["OL"] * 3 + ["OB LB"] * 2 + ["OL"] * 6
    try:
        for status in script:
            clock[0] += timedelta(seconds=1)
            variables = _vars(status)
            skipped += rows[ups.id].settled is not None and rows[ups.id].variables == variables
            result = await poller._store({ups.id: dict(variables)}, attempted=True)
            assert result.ok == 1
            now = clock[0].timestamp()
            replay, found = ev.detect(replay, observe(variables), now, poller.rules)
            expected += [e.kind for e in found]
            assert rows[ups.id].event_state == replay, status
        stored = [e.kind for e in await Event.filter(ups_id=ups.id).order_by("id")]
        assert stored == expected
        assert {"on_battery", "online", "replace_battery", "self_test", "low_battery"} <= set(
            stored
        )
        assert skipped > len(script) // 3  # the skip did happen, often
    finally:
        await poller.close()
