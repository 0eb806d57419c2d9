"""Samples and retention: when samples are written, and what retention deletes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from powerpulse.config import Settings
from powerpulse.db import dialect
from powerpulse.db.models import Event, Sample, SampleRollup
from powerpulse.history import (
    SampleSchedule,
    bucket_sql,
    build_sample,
    prune_once,
    write_samples,
)
from powerpulse.poller.loop import Poller
from tests.poller.conftest import add_nut, add_server, sweep_until
from tests.support.nut_server import NutServer as RealNut

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_schedule_interval_and_status_change() -> None:
    schedule = SampleSchedule(60.0)
    assert schedule.due(1, ("OL",), 0.0)  # never sampled
    schedule.mark(1, ("OL",), 0.0)
    assert not schedule.due(1, ("OL",), 59.0)
    assert schedule.due(1, ("OL",), 60.0)
    assert schedule.due(1, ("OB", "DISCHRG"), 5.0)  # a status change is sampled at once


async def test_retention_deletes_only_what_is_old(db: Settings) -> None:
    ids = await add_server("127.0.0.1", 1, ["u"])
    ups_id = ids["u"]
    old = [NOW - timedelta(days=31, minutes=i) for i in range(25)]
    new = [NOW - timedelta(days=29, minutes=i) for i in range(5)]
    samples = [build_sample(ups_id, {"battery.charge": "90"}, ("OL",), t) for t in [*old, *new]]
    async with in_transaction() as conn:
        await write_samples(samples, conn)
    for days in (400, 300):
        await Event.create(ups_id=ups_id, kind="on_battery", occurred_at=NOW - timedelta(days=days))
    removed = await prune_once(NOW, 30, batch=10, pause=0)
    assert removed["samples"] == 25 and removed["events"] == 1
    assert await Sample.filter(ups_id=ups_id).count() == 5
    assert await SampleRollup.filter(ups_id=ups_id).count() >= 1
    assert min(s.timestamp for s in await Sample.all()) > NOW - timedelta(days=30)
    assert [e.occurred_at.date() for e in await Event.all()] == [(NOW - timedelta(days=300)).date()]


async def test_samples_every_interval_and_on_status_change(nut: RealNut, db: Settings) -> None:
    poller = Poller(replace(db, history_interval=3600.0))
    try:
        ids = await add_nut(nut)
        u = ids["ups1"]
        await poller.sweep_once()
        await poller.sweep_once()
        assert await Sample.filter(ups_id=u).count() == 1  # the hour has not passed
        nut.set_status("ups1", "OB DISCHRG")

        async def two() -> bool:
            return await Sample.filter(ups_id=u).count() == 2

        await sweep_until(poller, two, interval=0.3)
        latest = await Sample.filter(ups_id=u).order_by("-id").first()
        assert latest is not None and latest.status == "OB DISCHRG"
        rollup = await SampleRollup.get(ups_id=u)
        assert rollup.samples == 2 and rollup.charge_n == 2
    finally:
        await poller.close()


async def test_new_metrics_sampled_from_a_real_device_and_null_when_not_reported(
    nut_factory: Callable[..., RealNut], db: Settings
) -> None:
    # "full" reports frequency, real power and only a battery temperature sensor; "bare" has
    # none of them (the default dummy's ups.temperature removed) and an absurd load.
    nut = nut_factory(
        {
            "full": {
                "input.frequency": "49.98",
                "ups.realpower": "612",
                "battery.temperature": "33.4",
                "ups.temperature": None,
            },
            "bare": {"ups.temperature": None, "ups.load": "4.6e251"},
        }
    )
    poller = Poller(replace(db, history_interval=3600.0))
    try:
        ids = await add_nut(nut)

        async def both() -> bool:
            return await Sample.filter(ups_id__in=list(ids.values())).count() == 2

        await sweep_until(poller, both, interval=0.3)
        full = await Sample.get(ups_id=ids["full"])
        assert (full.input_frequency, full.realpower, full.temperature) == (49.98, 612.0, 33.4)
        bare = await Sample.get(ups_id=ids["bare"])
        assert (bare.input_frequency, bare.realpower, bare.temperature) == (None, None, None)
        assert bare.load is None and bare.charge == 100.0  # absurd: no reading, not the sample
        rollup = await SampleRollup.get(ups_id=ids["full"])
        assert (rollup.realpower_min, rollup.realpower_n, rollup.temperature_sum) == (612, 1, 33.4)
        assert (await SampleRollup.get(ups_id=ids["bare"])).input_frequency_n == 0
    finally:
        await poller.close()


async def test_history_queries_use_the_per_ups_indexes(db: Settings) -> None:
    # A year of one-minute samples must not scan the whole table: both bucket queries must
    # range-scan an index that starts with ups_id (a wrong index declaration once made the
    # samples query scan every UPS's rows by time).
    sql = dialect.of()
    for source, bounds in (("samples", [NOW - timedelta(days=1), NOW]), ("hourly", [0, 10**10])):
        query, params = bucket_sql(source, sql), [0, 3600, 1, *bounds]
        if sql.postgres:
            # A few test rows make a sequential scan cheapest: forbid it to see the index path.
            await dialect.execute("SET enable_seqscan = off")
            rows = await dialect.fetch("EXPLAIN " + query, params)
            plan = " ".join(str(r["QUERY PLAN"]) for r in rows)
            assert "Index" in plan and "ups_id = 1" in plan.replace("'", ""), plan
        else:
            rows = await dialect.fetch("EXPLAIN QUERY PLAN " + query, params)
            plan = " ".join(str(r["detail"]) for r in rows)
            assert "USING INDEX" in plan and "ups_id=?" in plan, plan
