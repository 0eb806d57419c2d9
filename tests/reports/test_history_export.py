"""`GET /api/ups-systems/:id/history?raw=true&format=csv|json`: every stored sample streamed,
the existing bucketed answers unchanged."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import orjson

from powerpulse.history.metrics import METRICS
from powerpulse.timeutil import iso
from tests.api.conftest import Account, Client
from tests.reports.rows import insert_samples, ups

T0 = datetime(2025, 3, 1, tzinfo=UTC)


def url(ups_id: int, start: datetime, end: datetime, extra: str = "") -> str:
    return f"/api/ups-systems/{ups_id}/history?raw=true&from={iso(start)}&to={iso(end)}{extra}"


async def test_csv_has_every_sample_with_a_bom_and_the_metric_columns(
    client: Client, member: Account
) -> None:
    u = await ups("küche/ups")
    await insert_samples(u.id, T0 - timedelta(minutes=2), 200)
    status, _, resp = await client.get(
        url(u.id, T0, T0 + timedelta(minutes=99), "&format=csv"), token=member.token
    )
    assert status == 200, resp.text
    assert resp.headers["content-type"] == "text/csv; charset=utf-8"
    assert resp.headers["content-disposition"] == (
        'attachment; filename="powerpulse-k-che-ups-samples-20250301T000000Z-20250301T013900Z.csv"'
    )
    assert resp.content.startswith(b"\xef\xbb\xbf")
    text = resp.content.decode("utf-8-sig")
    assert text.endswith("\r\n")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == [
        "time",
        *(f"{m.api_name} [{m.unit}]" for m in METRICS),
        "powerSource",
        "status",
    ]
    assert len(rows) == 100  # minutes 0..99 inclusive of both ends
    first = dict(zip(header, rows[0], strict=True))
    assert first["time"] == iso(T0) and first["charge [%]"] == str(100.0 - 2 % 50)
    assert first["outputVoltage [V]"] == ""  # not stored: empty, never 0
    assert first["powerSource"] == "measured" and first["status"] == "OL"
    assert rows[-1][0] == iso(T0 + timedelta(minutes=99))


async def test_json_is_one_array_and_accept_picks_csv(client: Client, member: Account) -> None:
    u = await ups("ups1")
    await insert_samples(u.id, T0, 10)
    status, _, resp = await client.get(
        url(u.id, T0, T0 + timedelta(hours=1), "&format=json"), token=member.token
    )
    assert status == 200 and resp.headers["content-type"] == "application/json"
    rows = orjson.loads(resp.content)
    assert len(rows) == 10 and rows[0]["time"] == iso(T0)
    assert rows[0]["realPower"] == 150.0 and rows[0]["powerSource"] == "measured"
    assert set(rows[0]) == {"time", *(m.api_name for m in METRICS), "powerSource", "status"}
    status, _, resp = await client.get(
        url(u.id, T0, T0 + timedelta(hours=1)), token=member.token, headers={"Accept": "text/csv"}
    )
    assert status == 200 and resp.text.count("\r\n") == 11
    # Without `raw` the answer is the bucketed history, as before.
    status, body, _ = await client.get(
        f"/api/ups-systems/{u.id}/history?from={iso(T0)}&to={iso(T0 + timedelta(hours=1))}"
        "&points=2",
        token=member.token,
    )
    assert status == 200 and body["points"][0]["samples"] == 10 and "bucketSeconds" in body


async def test_bad_input_is_a_400_before_anything_streams(client: Client, member: Account) -> None:
    u = await ups("ups1")
    status, _, _ = await client.get(url(u.id, T0, T0 + timedelta(hours=1)))
    assert status == 401
    base = f"/api/ups-systems/{u.id}/history?raw=true"
    for extra, field in (("&format=xml", "format"), ("&to=yesterday", "to"), ("&from=x", "from")):
        status, body, _ = await client.get(base + extra, token=member.token)
        assert status == 400 and body["field"] == field, body
    status, body, _ = await client.get(url(u.id, T0 + timedelta(hours=1), T0), token=member.token)
    assert status == 400 and body["field"] == "from"
    status, _, _ = await client.get(url(999, T0, T0 + timedelta(hours=1)), token=member.token)
    assert status == 404
