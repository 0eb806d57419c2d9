"""Real HTTP webhook receivers (aiohttp on 127.0.0.1) that behave like Discord and Slack.

Each receiver runs its own event loop in a thread, so it keeps answering while a test blocks
(waiting on `upsd`, killing a process). It records every request and answers from a script of
behaviours, then with success: Discord-like 204, Slack-like 200 `ok`.

    with WebhookReceiver("discord") as hook:
        hook.script("429:0.3", "500", "hang")   # the next three requests
        ...
        hook.wait_delivered(1)                   # payloads answered with success
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.nut_server import free_port

DISCORD_PATH = "/api/webhooks/123456/test-token"
SLACK_PATH = "/services/T000/B000/test-token"


@dataclass
class Received:
    path: str
    body: Any
    behaviour: str
    at: float = field(default_factory=time.time)


class WebhookReceiver:
    """`kind` is "discord" or "slack": how success and errors are answered."""

    def __init__(self, kind: str = "discord") -> None:
        self.kind = kind
        self.port = free_port()
        self.requests: list[Received] = []
        self._script: deque[str] = deque()
        self._cond = threading.Condition()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._release: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None

    # --- control (any thread) ---------------------------------------------------------------

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}{DISCORD_PATH if self.kind == 'discord' else SLACK_PATH}"

    def script(self, *behaviours: str) -> None:
        """Queue answers for the next requests: "ok", "500", "401", "404", "429:<seconds>",
        "hang" (never answers until the receiver stops)."""
        with self._cond:
            self._script.extend(behaviours)

    @property
    def delivered(self) -> list[Any]:
        """Bodies of the requests answered with success, in arrival order."""
        with self._cond:
            return [r.body for r in self.requests if r.behaviour == "ok"]

    def wait_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        return self._wait(lambda: len(self.requests) >= count, timeout, f"{count} requests")

    def wait_delivered(self, count: int, timeout: float = 10.0) -> list[Any]:
        self._wait(lambda: len(self.delivered) >= count, timeout, f"{count} deliveries")
        return self.delivered

    async def await_delivered(self, count: int, timeout: float = 10.0) -> list[Any]:
        return await asyncio.to_thread(self.wait_delivered, count, timeout)

    async def await_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        return await asyncio.to_thread(self.wait_requests, count, timeout)

    def _wait(self, ready: Any, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{self.kind} receiver: timed out waiting for {what}; "
                        f"got {[(r.behaviour, r.path) for r in self.requests]}"
                    )
                self._cond.wait(left)
            return list(self.requests)

    # --- server (its own loop) -------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            body: Any = await request.json()
        except ValueError:
            body = await request.text()
        with self._cond:
            behaviour = self._script.popleft() if self._script else "ok"
            self.requests.append(Received(request.path, body, behaviour))
            self._cond.notify_all()
        if behaviour == "hang":
            assert self._release is not None
            await self._release.wait()
            return web.Response(status=503)
        if behaviour.startswith("429"):
            retry_after = float(behaviour.partition(":")[2] or "1")
            if self.kind == "discord":
                return web.json_response(
                    {
                        "message": "You are being rate limited.",
                        "retry_after": retry_after,
                        "global": False,
                    },
                    status=429,
                )
            return web.Response(
                status=429, text="rate_limited", headers={"Retry-After": f"{retry_after:g}"}
            )
        if behaviour == "ok":
            if self.kind == "discord":
                return web.Response(status=204)
            return web.Response(status=200, text="ok")
        status = int(behaviour)
        if self.kind == "discord":
            messages = {401: "Invalid Webhook Token", 404: "Unknown Webhook"}
            return web.json_response(
                {"message": messages.get(status, "Internal Server Error"), "code": 0},
                status=status,
            )
        words = {401: "invalid_token", 403: "invalid_token", 404: "no_service"}
        return web.Response(status=status, text=words.get(status, "internal_error"))

    async def _serve(self, started: threading.Event) -> None:
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        started.set()

    def start(self) -> WebhookReceiver:
        self._loop = asyncio.new_event_loop()
        started = threading.Event()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(started), self._loop).result(10)
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def shutdown() -> None:
            assert self._release is not None and self._runner is not None
            self._release.set()
            await self._runner.cleanup()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        assert self._thread is not None
        self._thread.join(5)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
