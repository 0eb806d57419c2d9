#!/usr/bin/env python3
"""Print the API's OpenAPI document (what `GET /docs/openapi.json` serves), built offline.

    .venv/bin/python scripts/openapi_dump.py [OUTPUT]     # stdout when OUTPUT is not given

The app is built and started in-process over ASGI on a migrated SQLite database in a temporary
directory (no port, no network, nothing kept) and asked for /docs/openapi.json. Paths, tags and
component names are sorted so that the same code always gives the same file (the router's order
is not stable from one start to the next). `scripts/gen-api-types.sh` turns the result into the
web UI's TypeScript types.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

DOC_PATH = "/docs/openapi.json"
ENV = {
    "JWT_SECRET": "openapi-dump-only-never-used-for-a-real-token",
    "LOG_LEVEL": "ERROR",
}


async def fetch_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="powerpulse-openapi-") as data_dir:
        return await _fetch(data_dir)


async def _fetch(data_dir: str) -> dict[str, Any]:
    import httpx
    from sanic import Sanic

    from powerpulse.api.app import create_app
    from powerpulse.config import Settings
    from powerpulse.db.setup import run_migrations

    settings = Settings.from_env({**ENV, "POWERPULSE_DATA_DIR": data_dir})
    # Migrated, so that the workers the app starts (the live watcher) find their tables.
    await run_migrations(settings)
    Sanic.test_mode = True
    app = create_app(settings, name="powerpulse_openapi_dump")
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def send(message: dict[str, Any]) -> None:
        await outbox.put(message)

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    task = asyncio.create_task(app(scope, inbox.get, send))  # type: ignore[arg-type]
    await inbox.put({"type": "lifespan.startup"})
    started = await asyncio.wait_for(outbox.get(), 30)
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the app did not start: {started}")
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://openapi") as client:
            response = await client.get(DOC_PATH)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(outbox.get(), 30)
        await asyncio.wait_for(task, 30)
    return document


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """The same document with its unordered parts in a fixed order."""
    out = dict(document)
    out["paths"] = {
        path: dict(sorted(ops.items())) for path, ops in sorted(document.get("paths", {}).items())
    }
    if "tags" in out:
        out["tags"] = sorted(out["tags"], key=lambda tag: tag.get("name", ""))
    components = dict(out.get("components") or {})
    for kind, entries in components.items():
        components[kind] = dict(sorted(entries.items()))
    out["components"] = components
    return out


def render(document: dict[str, Any]) -> str:
    return json.dumps(canonical(document), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.ERROR)
    text = render(asyncio.run(fetch_document()))
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
