"""A worker process for the two-process database test: read-then-write transactions.

`python -m tests.poller.db_writer <sqlite file> <immediate|stock> <count>` increments the counter
"race" `count` times, each in a transaction that reads the value and then writes value + 1 (the
shape of most of our transactions), and prints JSON with how many succeeded and how failed.

It prints "ready" once connected and waits for a line on stdin before it starts, so the test can
start both workers together: on a loaded machine one process could otherwise finish its loop
before the other has imported Tortoise, and nothing would race.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from powerpulse.db.models import Counter
from powerpulse.db.setup import tortoise_config


async def main(path: str, engine: str, count: int) -> dict[str, int]:
    config = tortoise_config(db_url=f"sqlite://{path}")
    if engine == "stock":
        config["connections"]["default"]["engine"] = "tortoise.backends.sqlite"
    await Tortoise.init(config=config)
    result = {"ok": 0, "locked": 0, "other": 0}
    try:
        await Counter.get(name="race")  # connected and the file opened before "ready"
        print("ready", flush=True)
        await asyncio.to_thread(sys.stdin.readline)
        for _ in range(count):
            try:
                async with in_transaction():
                    row = await Counter.get(name="race")
                    await asyncio.sleep(0.001)  # the other process gets its turn in between
                    await Counter.filter(name="race").update(value=row.value + 1)
                result["ok"] += 1
            except Exception as err:  # counted and reported
                key = "locked" if "database is locked" in str(err) else "other"
                result[key] += 1
    finally:
        await connections.close_all()
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))))
