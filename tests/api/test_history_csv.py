"""`GET /api/ups-systems/<id>/history?format=csv` and `GET /api/history/metrics`: the CSV file
(header with units, rows, range, auth, bad input) and the metric table the UI derives from."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from powerpulse.api import schemas
from powerpulse.db.models import UpsSystem
from powerpulse.history import METRICS, build_sample, write_samples
from powerpulse.timeutil import iso
from tests.api.conftest import Account, Client, add_server, add_ups

T0 = datetime(2025, 3, 1, tzinfo=UTC)
VARS = {
    "battery.charge": "90",
    "battery.runtime": "1200",
    "ups.load": "25",
    "input.voltage": "230.4",
    "ups.temperature": "31.5",
    "input.frequency": "50.02",
    "ups.realpower": "410",
}


async def store(ups_id: int, times: list[datetime], variables: dict[str, str]) -> None:
    samples = [build_sample(ups_id, variables, ("OL",), t) for t in times]
    async with in_transaction() as conn:
        await write_samples(samples, conn)


def url(ups_id: int, start: datetime, end: datetime, extra: str = "") -> str:
    return f"/api/ups-systems/{ups_id}/history?from={iso(start)}&to={iso(end)}{extra}"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def test_csv_has_units_in_its_header_and_one_row_per_bucket(
    client: Client, member: Account
) -> None:
    u = await add_ups(await add_server(), "rack a/ups")  # a name unsafe for a file name
    await store(u.id, [T0 + timedelta(minutes=i) for i in range(60)], VARS)
    await store(u.id, [T0 - timedelta(minutes=5), T0 + timedelta(hours=2)], VARS)  # outside
    status, _, resp = await client.get(
        url(u.id, T0, T0 + timedelta(hours=1), "&points=4&format=csv"), token=member.token
    )
    assert status == 200, resp.text
    assert resp.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = resp.headers["content-disposition"]
    assert disposition == (
        'attachment; filename="powerpulse-rack-a-ups-20250301T000000Z-20250301T010000Z.csv"'
    )
    header = next(csv.reader(io.StringIO(resp.text)))
    assert header[:5] == [
        "time",
        "samples",
        "charge [%]",
        "charge.min [%]",
        "charge.max [%]",
    ]
    for column in ("runtimeSeconds [s]", "inputVoltage [V]", "temperature [°C]"):
        assert column in header
    assert "inputFrequency.max [Hz]" in header and "realPower.min [W]" in header
    rows = rows_of(resp.text)
    assert [r["time"] for r in rows] == [iso(T0 + timedelta(minutes=15 * i)) for i in range(4)]
    assert [r["samples"] for r in rows] == ["15"] * 4  # the two samples outside are not in it
    assert rows[0]["charge [%]"] == "90.0" and rows[0]["temperature [°C]"] == "31.5"
    assert rows[0]["inputFrequency [Hz]"] == "50.02" and rows[0]["realPower [W]"] == "410.0"
    assert rows[0]["outputVoltage [V]"] == ""  # not reported: empty, never 0
    # The CSV holds the same buckets as the JSON.
    _, body, _ = await client.get(
        url(u.id, T0, T0 + timedelta(hours=1), "&points=4"), token=member.token
    )
    assert [p["time"] for p in body["points"]] == [r["time"] for r in rows]
    assert body["points"][0]["realPower"] == {"min": 410.0, "avg": 410.0, "max": 410.0}


async def test_csv_of_an_empty_range_is_just_the_header(client: Client, member: Account) -> None:
    u = await add_ups(await add_server(), "ups1")
    status, _, resp = await client.get(
        url(u.id, T0, T0 + timedelta(hours=1), "&format=csv"), token=member.token
    )
    assert status == 200
    assert resp.text.count("\r\n") == 1 and resp.text.startswith("time,samples,charge [%]")


async def test_csv_needs_a_login_and_rejects_bad_input(client: Client, member: Account) -> None:
    u = await add_ups(await add_server(), "ups1")
    status, body, _ = await client.get(url(u.id, T0, T0 + timedelta(hours=1), "&format=csv"))
    assert status == 401, body
    for extra, field in (
        ("&format=xml", "format"),
        ("&format=csv&points=0", "points"),
        ("&format=csv&points=abc", "points"),
    ):
        status, body, _ = await client.get(
            url(u.id, T0, T0 + timedelta(hours=1), extra), token=member.token
        )
        assert status == 400 and body["field"] == field, (extra, body)
        assert body["message"] and body["error"]
    status, body, _ = await client.get(
        url(u.id, T0 + timedelta(hours=1), T0, "&format=csv"), token=member.token
    )
    assert status == 400 and body["field"] == "from"
    status, body, _ = await client.get(
        f"/api/ups-systems/{u.id}/history?format=csv&to=yesterday", token=member.token
    )
    assert status == 400 and body["field"] == "to"
    status, body, _ = await client.get(
        "/api/ups-systems/999/history?format=csv", token=member.token
    )
    assert status == 404


async def test_absurd_values_never_reach_json_or_csv(client: Client, member: Account) -> None:
    u = await add_ups(await add_server(), "ups1")
    absurd = {
        "battery.charge": "1" + "0" * 30,
        "battery.runtime": "99999999999999999999",
        "ups.load": "4.6e251",
        "battery.voltage": "nan",
        "input.voltage": "-230",
        "output.voltage": "inf",
        "ups.temperature": "-inf",
        "battery.temperature": "302.0",
        "input.frequency": "1e400",
        "ups.realpower": "NaN",
    }
    await store(u.id, [T0 + timedelta(minutes=i) for i in range(3)], absurd)
    sample = build_sample(u.id, absurd, ("OL",), T0)
    assert all(getattr(sample, m.column) is None for m in METRICS)
    for source in ("", "&points=1"):
        status, body, resp = await client.get(
            url(u.id, T0, T0 + timedelta(hours=1), source), token=member.token
        )
        assert status == 200, resp.text
        schemas.validator(schemas.HistoryResponse).validate_json(resp.content, strict=True)
        assert body["points"][0]["charge"] == {"min": None, "avg": None, "max": None}
        status, _, resp = await client.get(
            url(u.id, T0, T0 + timedelta(hours=1), source + "&format=csv"), token=member.token
        )
        assert status == 200 and "inf" not in resp.text.lower() and "nan" not in resp.text
    # A long range comes from the hourly rollups: nothing absurd there either.
    status, body, _ = await client.get(
        url(u.id, T0 - timedelta(days=100), T0 + timedelta(hours=1), "&points=2"),
        token=member.token,
    )
    assert status == 200 and body["source"] == "hourly"
    assert body["points"][0]["samples"] == 3
    assert body["points"][0]["load"] == {"min": None, "avg": None, "max": None}


async def test_metrics_describe_every_history_field(client: Client) -> None:
    status, body, resp = await client.get("/api/history/metrics")  # public, like the status model
    assert status == 200
    schemas.validator(schemas.HistoryMetrics).validate_json(resp.content, strict=True)
    units = {m["name"]: m["unit"] for m in body["metrics"]}
    assert units == {
        "charge": "%",
        "runtimeSeconds": "s",
        "load": "%",
        "inputVoltage": "V",
        "outputVoltage": "V",
        "batteryVoltage": "V",
        "temperature": "°C",
        "inputFrequency": "Hz",
        "realPower": "W",
    }
    charts = [m["chart"] for m in body["metrics"]]
    assert charts.count("voltage") == 3 and len(set(charts)) == 7
    temperature = next(m for m in body["metrics"] if m["name"] == "temperature")
    assert temperature["variables"] == ["ups.temperature", "battery.temperature"]
    # Every metric described is a field of every history point, and nothing else is.
    point_fields = set(schemas.HistoryPoint.__annotations__) - {"time", "samples"}
    assert point_fields == set(units)


async def test_temperature_falls_back_to_the_battery_sensor(db: object) -> None:
    ups: UpsSystem = await add_ups(await add_server(), "ups1")
    both = build_sample(ups.id, {"ups.temperature": "30", "battery.temperature": "40"}, (), T0)
    battery_only = build_sample(ups.id, {"battery.temperature": "40"}, (), T0)
    neither = build_sample(ups.id, {"battery.charge": "50"}, (), T0)
    assert (both.temperature, battery_only.temperature, neither.temperature) == (30, 40, None)
    assert neither.input_frequency is None and neither.realpower is None


async def test_json_names_the_oldest_sample_and_the_sample_interval(
    client: Client, member: Account
) -> None:
    u = await add_ups(await add_server(), "ups1")
    _, body, _ = await client.get(url(u.id, T0, T0 + timedelta(hours=1)), token=member.token)
    assert body["firstSample"] is None and body["sampleSeconds"] == 60.0
    await store(u.id, [T0 - timedelta(days=3), T0 + timedelta(minutes=5)], VARS)
    # The oldest sample of the UPS, even outside the range asked for (the UI sizes its default
    # range to it).
    _, body, _ = await client.get(url(u.id, T0, T0 + timedelta(hours=1)), token=member.token)
    assert body["firstSample"] == iso(T0 - timedelta(days=3))
    assert len(body["points"]) == 1
