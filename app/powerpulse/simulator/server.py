"""The asyncio TCP server around `protocol.handle_line`: one session per connection."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable

from powerpulse.simulator.protocol import Session, Site, handle_line
from powerpulse.simulator.scenario import DEFAULT_CYCLE, build_specs

log = logging.getLogger(__name__)
MAX_LINE = 4096  # upsd refuses longer lines too


class SimulatorServer:
    """Serves `site` on host:port. `clock` gives the simulated time in seconds."""

    def __init__(
        self,
        site: Site,
        host: str = "127.0.0.1",
        port: int = 3493,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.site = site
        self.host = host
        self.port = port
        started = time.monotonic()
        self.clock = clock or (lambda: time.monotonic() - started)
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port, limit=MAX_LINE)
        sock = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        session = Session()
        try:
            while not session.closed:
                try:
                    raw = await reader.readline()
                except ValueError:  # line longer than MAX_LINE
                    writer.write(b"ERR TOO-LONG\n")
                    break
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                reply = handle_line(self.site, session, line, self.clock())
                if reply:
                    # One write per reply: a multi-line list in one segment, no delayed-ACK stall.
                    writer.write("".join(r + "\n" for r in reply).encode())
                    await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()


async def serve_forever(host: str, port: int, ups_count: int, cycle: float = DEFAULT_CYCLE) -> None:
    """Run the simulator until SIGINT/SIGTERM."""
    site = Site(build_specs(ups_count), cycle=cycle)
    server = SimulatorServer(site, host, port)
    await server.start()
    names = ", ".join(s.name for s in site.specs)
    print(f"NUT simulator on {host}:{server.port} serving {names} (cycle {cycle:g} s)", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()


def run(host: str, port: int, ups_count: int, cycle: float = DEFAULT_CYCLE) -> int:
    if not 1 <= ups_count <= 200:
        print("powerpulse simulate: --ups must be between 1 and 200", flush=True)
        return 2
    if cycle < 10:
        print("powerpulse simulate: --cycle must be at least 10 seconds", flush=True)
        return 2
    try:
        asyncio.run(serve_forever(host, port, ups_count, cycle))
    except OSError as err:
        print(f"powerpulse simulate: cannot listen on {host}:{port}: {err}", flush=True)
        return 1
    return 0
