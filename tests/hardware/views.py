"""Everything a user or a tool reads from a running PowerPulse, fetched the way they do."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from tests.stream.sse import SseClient
from tests.support.stack import Stack

Samples = dict[tuple[str, str], list[tuple[dict[str, str], float]]]  # (ups_id, name)


def get_json(stack: Stack, path: str, token: str | None = None) -> Any:
    status, body = stack.request("GET", path, token=token, timeout=30)
    assert status == 200, f"GET {path}: {status} {str(body)[:500]}"
    return body


def wait_live(stack: Stack, token: str, ups_names: Collection[str], timeout: float = 90) -> list:
    """The UPS list once every UPS named is listed with a successful, fresh poll."""
    deadline = time.monotonic() + timeout
    while True:
        rows = get_json(stack, "/api/ups-systems", token)
        fresh = {
            row["upsName"]
            for row in rows
            if row.get("lastUpdated") and not row.get("stale") and row.get("error") is None
        }
        if set(ups_names) <= fresh:
            return list(rows)
        if time.monotonic() > deadline:
            missing = sorted(set(ups_names) - fresh)
            raise AssertionError(
                f"{len(missing)} UPS never listed live: {missing[:10]}\n"
                f"poller log:\n{stack.log('poller')[-2000:]}\napi log:\n{stack.log('api')[-2000:]}"
            )
        time.sleep(0.5)


def _all_live(rows: list[dict], ups_names: Collection[str]) -> bool:
    fresh = {row["upsName"] for row in rows if row.get("lastUpdated") and not row.get("stale")}
    return set(ups_names) <= fresh


def stream_snapshots(
    stack: Stack, token: str, ups_names: Collection[str], timeout: float = 30
) -> tuple[list[dict], list[dict]]:
    """The `snapshot` message of the logged-in stream and of the kiosk stream, once it shows
    every UPS named live (the stream's watcher looks at the database every 0.25 s: it may be
    a look behind the list a test has just read)."""

    async def read(path: str) -> list[dict]:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session,
            SseClient(session, stack.url(path)) as stream,
        ):
            assert stream.response is not None and stream.response.status == 200
            return list((await stream.next("snapshot", timeout=20)).data)

    async def ticket() -> str:
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                stack.url("/api/stream/ticket"), headers={"Authorization": f"Bearer {token}"}
            ) as resp,
        ):
            assert resp.status == 200, await resp.text()
            return str((await resp.json())["ticket"])

    deadline = time.monotonic() + timeout
    while True:
        full = asyncio.run(read(f"/api/stream?ticket={asyncio.run(ticket())}"))
        public = asyncio.run(read("/api/stream/kiosk"))
        if _all_live(full, ups_names) and _all_live(public, ups_names):
            return full, public
        if time.monotonic() > deadline:
            return full, public  # the caller's checks say what is wrong
        time.sleep(0.25)


def scrape(stack: Stack) -> Samples:
    """`/metrics` read with prometheus_client's parser (it raises on anything malformed)."""
    status, text = stack.request("GET", "/metrics", timeout=30)
    assert status == 200, f"/metrics: {status} {str(text)[:500]}"
    samples: Samples = {}
    for family in text_string_to_metric_families(str(text)):
        for sample in family.samples:
            labels = dict(sample.labels)
            key = (labels.pop("ups_id", ""), sample.name)
            samples.setdefault(key, []).append((labels, sample.value))
    return samples


def metric(samples: Samples, ups_id: int, name: str, **labels: str) -> float | None:
    """One UPS's sample of `powerpulse_<name>` (matching the labels given), or None."""
    for have, value in samples.get((str(ups_id), f"powerpulse_{name}"), []):
        if all(have.get(k) == v for k, v in labels.items()):
            return value
    return None


def metric_labels(samples: Samples, ups_id: int, name: str) -> dict[str, str] | None:
    found = samples.get((str(ups_id), f"powerpulse_{name}"))
    return found[0][0] if found else None
