"""What NutClient puts on the wire, checked with a scripted line server on 127.0.0.1.

These cover cases real upsd cannot produce on demand: a kept-open connection that dies
exactly when a command is sent (read-only commands are retried once, INSTCMD is not), and
the exact order of USERNAME / PASSWORD / LOGOUT lines.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import NutConnectionError, NutProtocolError

Reply = Callable[[int, str], bytes | None]
LIST_UPS = b'BEGIN LIST UPS\nUPS ups1 "Rack \\"A\\""\nEND LIST UPS\n'


class ScriptedServer:
    """Answers each line with `reply(connection_index, line)`; None closes the connection."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.lines: list[list[str]] = []
        self.port = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        index = len(self.lines)
        self.writers.append(writer)
        seen: list[str] = []
        self.lines.append(seen)
        while raw := await reader.readline():
            line = raw.decode().rstrip("\n")
            seen.append(line)
            answer = self.reply(index, line)
            if answer is None:
                break
            writer.write(answer)
            await writer.drain()
        writer.close()


def answer(line: str) -> bytes:
    if line == "LIST UPS":
        return LIST_UPS
    if line == "LOGOUT":
        return b"OK Goodbye\n"
    return b"OK\n"


Starter = Callable[[Reply], Awaitable["ScriptedServer"]]


@pytest.fixture
async def scripted() -> AsyncIterator[Starter]:
    servers: list[asyncio.Server] = []
    scripts: list[ScriptedServer] = []

    async def start(reply: Reply) -> ScriptedServer:
        scripted = ScriptedServer(reply)
        server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
        scripted.port = server.sockets[0].getsockname()[1]
        servers.append(server)
        scripts.append(scripted)
        return scripted

    yield start
    for script in scripts:
        for writer in script.writers:
            writer.close()
    for server in servers:
        server.close()
        await server.wait_closed()


def dies_on_second_command(conn: int, line: str) -> bytes | None:
    """The first connection closes without a reply on its 2nd command (after credentials)."""
    return None if conn == 0 and line.startswith(("INSTCMD", "GET")) else answer(line)


async def test_credentials_are_sent_first_and_logout_last(scripted: Starter) -> None:
    server = await scripted(lambda conn, line: answer(line))
    async with NutClient("127.0.0.1", server.port, "monuser", 'pa ss"word', timeout=2) as c:
        assert await c.list_ups() == {"ups1": 'Rack "A"'}
    await asyncio.sleep(0.05)
    assert server.lines == [
        ['USERNAME "monuser"', 'PASSWORD "pa ss\\"word"', "LIST UPS", "LOGOUT"],
    ]


async def test_no_credentials_no_login_lines(scripted: Starter) -> None:
    server = await scripted(lambda conn, line: answer(line))
    client = NutClient("127.0.0.1", server.port, timeout=2)
    await client.list_ups()
    await client.close()
    await asyncio.sleep(0.05)
    assert server.lines == [["LIST UPS", "LOGOUT"]]
    assert not any(line.startswith("LOGIN") for line in server.lines[0])


async def test_read_is_retried_once_when_the_kept_connection_died(scripted: Starter) -> None:
    def reply(conn: int, line: str) -> bytes | None:
        if conn == 0 and line.startswith("GET"):
            return None
        if line.startswith("GET VAR"):
            return b'VAR ups1 ups.status "OL"\n'
        return answer(line)

    server = await scripted(reply)
    async with NutClient("127.0.0.1", server.port, "u", "p", timeout=2) as c:
        await c.list_ups()
        assert await c.get_var("ups1", "ups.status") == "OL"
    await asyncio.sleep(0.05)
    assert len(server.lines) == 2
    # The new connection logged in again before repeating the command.
    assert server.lines[1][:3] == ['USERNAME "u"', 'PASSWORD "p"', "GET VAR ups1 ups.status"]


async def test_instcmd_is_never_retried(scripted: Starter) -> None:
    server = await scripted(dies_on_second_command)
    async with NutClient("127.0.0.1", server.port, "u", "p", timeout=2) as c:
        await c.list_ups()
        with pytest.raises(NutConnectionError):
            await c.instcmd("ups1", "load.off")
        sent = [line for conn in server.lines for line in conn]
        assert sent.count("INSTCMD ups1 load.off") == 1
        assert len(server.lines) == 1
        # ...and the client recovers on the next call.
        assert await c.list_ups() == {"ups1": 'Rack "A"'}
    assert len(server.lines) == 2


async def test_a_fresh_connection_that_dies_is_not_retried(scripted: Starter) -> None:
    server = await scripted(lambda conn, line: None)
    client = NutClient("127.0.0.1", server.port, timeout=2)
    with pytest.raises(NutConnectionError) as info:
        await client.list_ups()
    assert "closed the connection" in str(info.value)
    assert len(server.lines) == 1


async def test_garbage_reply_is_a_protocol_error_and_resets(scripted: Starter) -> None:
    def reply(conn: int, line: str) -> bytes | None:
        return b'BEGIN LIST UPS\nUPS "broken\nEND LIST UPS\n' if conn == 0 else answer(line)

    server = await scripted(reply)
    client = NutClient("127.0.0.1", server.port, timeout=2)
    with pytest.raises(NutProtocolError):
        await client.list_ups()
    assert not client.connected
    assert await client.list_ups() == {"ups1": 'Rack "A"'}
    await client.close()


async def test_pipelined_batch_is_retried_when_the_kept_connection_died(
    scripted: Starter,
) -> None:
    def reply(conn: int, line: str) -> bytes | None:
        if line.startswith("LIST VAR"):
            if conn == 0:
                return None
            ups = line.split()[-1]
            return f'BEGIN LIST VAR {ups}\nVAR {ups} ups.status "OL"\nEND LIST VAR {ups}\n'.encode()
        return answer(line)

    server = await scripted(reply)
    async with NutClient("127.0.0.1", server.port, timeout=2) as c:
        await c.list_ups()
        result = await c.list_var_many(["a", "b"])
        assert result == {"a": {"ups.status": "OL"}, "b": {"ups.status": "OL"}}
    assert server.lines[1][:2] == ["LIST VAR a", "LIST VAR b"]
