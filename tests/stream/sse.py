"""A small Server-Sent Events reader on aiohttp (what a browser's EventSource does)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson


@dataclass
class Message:
    event: str
    data: Any
    id: str | None


class SseClient:
    """`async with SseClient(session, url) as c: msg = await c.next("ups")`."""

    def __init__(
        self, session: aiohttp.ClientSession, url: str, headers: dict[str, str] | None = None
    ) -> None:
        self.session = session
        self.url = url
        self.headers = headers or {}
        self.response: aiohttp.ClientResponse | None = None
        self.comments: list[str] = []
        self.backlog: list[Message] = []  # read while waiting for another kind
        self.retry: int | None = None

    async def __aenter__(self) -> SseClient:
        self.response = await self.session.get(
            self.url, headers={"Accept": "text/event-stream", **self.headers}
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.response is not None:
            self.response.close()

    async def read(self) -> Message:
        """The next message (comments and retry hints are recorded, not returned)."""
        assert self.response is not None
        event, data, ident = "message", [], None
        while True:
            raw = await self.response.content.readline()
            if not raw:
                raise EOFError("stream closed")
            line = raw.decode().rstrip("\n")
            if not line:
                if data:
                    return Message(event, orjson.loads("\n".join(data)), ident)
                continue
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            key, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if key == "event":
                event = value
            elif key == "data":
                data.append(value)
            elif key == "id":
                ident = value
            elif key == "retry":
                self.retry = int(value)

    async def next(self, event: str, timeout: float = 5.0, match: Any = None) -> Message:
        """The next message of type `event` (for which `match(data)` holds, when given).

        Messages of other kinds read meanwhile are kept and looked at first next time."""

        def wanted(msg: Message) -> bool:
            return msg.event == event and (match is None or match(msg.data))

        for i, msg in enumerate(self.backlog):
            if wanted(msg):
                return self.backlog.pop(i)
        async with asyncio.timeout(timeout):
            while True:
                msg = await self.read()
                if wanted(msg):
                    return msg
                self.backlog.append(msg)
