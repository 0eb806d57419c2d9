"""Async client for one NUT server (`upsd`), over one persistent TCP connection.

- Commands are serialised with a lock; each public call runs under `timeout` as a whole
  (connect + send + complete reply) once it holds the lock. A timeout drops the connection:
  it may hold half a reply.
- The connection is opened lazily, and again on the next call after any failure. A read-only
  command that finds a kept-open connection dead before any reply byte arrived (EOF/reset:
  upsd restarted) is retried once on a fresh connection; INSTCMD and SET VAR never are.
- `TCP_QUICKACK` is re-armed after every read: upsd writes a list one line per write and,
  with Nagle on its side and delayed ACK on ours, a kept-open connection would stall ~40 ms
  per `LIST VAR`. `TCP_NODELAY` is set too.
- USERNAME/PASSWORD are sent right after connecting when configured; STARTTLS is opt-in.
  LOGIN is never sent (it needs upsmon rights and changes NUMLOGINS).
- OS errors and timeouts become `NutConnectionError`/`NutTimeoutError` in one place (`_call`).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from powerpulse.nut import protocol as p
from powerpulse.nut.errors import (
    NutAuthError,
    NutConnectionError,
    NutError,
    NutInvalidValue,
    NutProtocolError,
    NutResponseError,
    NutTimeoutError,
)

T = TypeVar("T")
DEFAULT_PORT = 3493
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only
_PIPELINE_WINDOW = 128  # commands written at once by list_var_many


class _DeadConnection(Exception):
    """EOF or reset before the first byte of a reply: the kept-open connection was dead."""


class _Protocol(asyncio.StreamReaderProtocol):
    """Stream protocol that re-arms TCP_QUICKACK each time data has been read."""

    def __init__(self, reader: asyncio.StreamReader, quickack: bool) -> None:
        super().__init__(reader)
        self._sock: Any = None
        self._quickack = quickack and _QUICKACK is not None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._quickack:
                self._sock = sock
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)

    def data_received(self, data: bytes) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
        super().data_received(data)


class NutClient:
    """One NUT server. `async with NutClient(host) as c: await c.list_ups()`."""

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 5.0,
        *,
        ssl_context: ssl.SSLContext | None = None,
        _quickack: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username or None
        self._password = password or None
        self.starttls = starttls
        self.timeout = timeout
        self._ssl_context = ssl_context
        self._quickack = _quickack
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:  # never shows the password
        return f"NutClient({self.host!r}, {self.port}, username={self.username!r})"

    async def __aenter__(self) -> NutClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._writer is not None and not self._writer.is_closing()

    # -- connection ---------------------------------------------------------------------------
    async def connect(self) -> None:
        """Open the connection now (otherwise the first command does it)."""
        await self._call(self._ensure_open)

    async def _ensure_open(self) -> bool:
        """Open the connection unless a live one exists; True when it was opened now."""
        reader, writer = self._reader, self._writer
        if reader is not None and writer is not None:
            if not writer.is_closing() and not reader.at_eof():
                return False
            self._drop()  # the server closed it while we were idle: safe to reopen
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=2**20, loop=loop)  # a LIST may be long
        try:
            transport, protocol = await loop.create_connection(
                lambda: _Protocol(reader, self._quickack), self.host, self.port
            )
        except ValueError as err:  # incl. UnicodeError: a host name the resolver cannot encode
            raise NutConnectionError(f"{self.host!r} is not a valid host name") from err
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        self._reader, self._writer = reader, writer
        try:
            if self.starttls:
                await self._start_tls()
            if self.username is not None:
                await self._simple(p.command("USERNAME", _credential(self.username, "USERNAME")))
            if self._password is not None:
                await self._simple(p.command("PASSWORD", _credential(self._password, "PASSWORD")))
        except BaseException:
            self._drop()
            raise
        return True

    async def _start_tls(self) -> None:
        assert self._writer is not None
        reply = p.parse_ok(await self._exchange_line(p.command("STARTTLS")))
        if reply != "STARTTLS":
            raise NutProtocolError("NUT server did not confirm STARTTLS")
        context = self._ssl_context or ssl.create_default_context()
        await self._writer.start_tls(context, server_hostname=self.host)

    def _drop(self) -> None:
        """Forget the connection without a goodbye (it may hold a half-read reply)."""
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.transport.abort()

    async def close(self) -> None:
        """Send LOGOUT (best effort, briefly) and close. The client can be used again."""
        if self._writer is None:
            return
        if self._lock.locked():  # a command is in flight: just cut it
            self._drop()
            return
        async with self._lock:
            writer = self._writer
            if writer is None:
                return
            with contextlib.suppress(Exception):
                async with asyncio.timeout(min(self.timeout, 1.0)):
                    writer.write(p.command("LOGOUT"))
                    await writer.drain()
                    assert self._reader is not None
                    await self._reader.readline()
            self._drop()

    # -- one place that turns I/O failures into NutErrors -------------------------------------
    async def _call(self, operation: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            try:
                async with asyncio.timeout(self.timeout):
                    return await operation()
            except NutProtocolError:
                self._drop()  # we may be out of step with the server
                raise
            except NutError:
                raise  # ERR replies leave the connection usable
            except TimeoutError as err:
                self._drop()
                raise NutTimeoutError(
                    f"NUT server {self.host}:{self.port} did not answer within {self.timeout:g} s"
                ) from err
            except (
                OSError,
                EOFError,
                _DeadConnection,
                asyncio.IncompleteReadError,
            ) as err:
                self._drop()
                raise NutConnectionError(self._describe(err)) from err
            except BaseException:
                self._drop()  # cancelled mid-command: the reply would be misread later
                raise

    def _describe(self, err: BaseException) -> str:
        where = f"NUT server {self.host}:{self.port}"
        if isinstance(err, ConnectionRefusedError):
            return f"{where} refused the connection"
        if isinstance(err, ssl.SSLError):
            return f"TLS with {where} failed: {err.reason or 'handshake error'}"
        if isinstance(err, (_DeadConnection, EOFError, asyncio.IncompleteReadError)):
            return f"{where} closed the connection"
        if isinstance(err, OSError) and err.strerror:
            return f"Cannot talk to {where}: {err.strerror}"
        return f"Cannot talk to {where}"

    # -- line I/O -----------------------------------------------------------------------------
    async def _exchange_line(self, line: bytes) -> str:
        """Send one line, return the first reply line; _DeadConnection if none came."""
        assert self._writer is not None
        try:
            self._writer.write(line)
            await self._writer.drain()
        except (ConnectionResetError, BrokenPipeError) as err:
            raise _DeadConnection() from err
        return await self._read_first()

    async def _read_first(self) -> str:
        """The first line of a reply; _DeadConnection on EOF/reset before any byte of it."""
        assert self._reader is not None
        try:
            raw = await self._reader.readline()
        except ConnectionResetError as err:
            raise _DeadConnection() from err
        if not raw:
            raise _DeadConnection()
        if not raw.endswith(b"\n"):
            raise EOFError("connection closed mid-reply")
        return decode_line(raw).rstrip("\r\n")

    async def _read_rest(self, line: bytes, first: str) -> list[str]:
        """The rest of the reply to `line` whose first reply line was `first`."""
        if not first.startswith("BEGIN LIST "):
            return [first]
        # upsd closes the list with `END LIST <query>` echoing the query as sent; no item line
        # can end that way (values are quoted), so one buffer scan finds the whole list.
        assert self._reader is not None
        end = b"END " + line  # b"LIST VAR ups1\n" → b"END LIST VAR ups1\n"
        try:
            block = await self._reader.readuntil(end)
        except asyncio.LimitOverrunError as err:
            raise NutProtocolError("NUT list reply too long") from err
        return [first, *decode_lines(block)[:-1]]

    async def _exchange(self, line: bytes, is_list: bool) -> list[str]:
        first = await self._exchange_line(line)
        return await self._read_rest(line, first) if is_list else [first]

    async def _pipeline(self, lines: list[bytes]) -> list[list[str]]:
        """Send every list command at once, then read the replies in order.

        upsd answers commands in the order received, so a batch costs one round trip
        instead of one per command. Only a failure before the first reply is "dead".
        """
        assert self._writer is not None
        replies: list[list[str]] = []
        for start in range(0, len(lines), _PIPELINE_WINDOW):
            window = lines[start : start + _PIPELINE_WINDOW]
            try:
                self._writer.write(b"".join(window))
                await self._writer.drain()
            except (ConnectionResetError, BrokenPipeError) as err:
                if replies:
                    raise
                raise _DeadConnection() from err
            for line in window:
                try:
                    first = await self._read_first()
                except _DeadConnection:
                    if replies:
                        raise EOFError("connection closed mid-reply") from None
                    raise
                replies.append(await self._read_rest(line, first))
        return replies

    async def _simple(self, line: bytes) -> str:
        return p.parse_ok(await self._exchange_line(line))

    async def _request(self, line: bytes, *, is_list: bool, retry: bool) -> list[str]:
        return await self._with_retry(lambda: self._exchange(line, is_list), retry)

    async def _with_retry(self, exchange: Callable[[], Awaitable[T]], retry: bool) -> T:
        fresh = await self._ensure_open()
        try:
            return await exchange()
        except _DeadConnection:
            self._drop()
            if fresh or not retry:
                raise
        await self._ensure_open()  # upsd restarted under a kept-open connection: once more
        return await exchange()

    async def _query(
        self, words: tuple[str, ...], parse: Callable[[list[str]], T], *, is_list: bool = False
    ) -> T:
        """A read-only command; parsing runs inside `_call` so a bad reply resets the link."""
        line = p.command(*words)

        async def run() -> T:
            return parse(await self._request(line, is_list=is_list, retry=True))

        return await self._call(run)

    async def _action(self, line: bytes) -> str:
        async def run() -> str:
            lines = await self._request(line, is_list=False, retry=False)
            return p.parse_ok(lines[0])

        return await self._call(run)

    # -- commands -----------------------------------------------------------------------------
    async def list_ups(self) -> dict[str, str]:
        """{UPS name: description} (description "Unavailable" when none is configured)."""
        return await self._query(("LIST", "UPS"), p.parse_ups_list, is_list=True)

    async def list_var(self, ups: str) -> dict[str, str]:
        ups = _name(ups, "UPS name")
        return await self._query(
            ("LIST", "VAR", ups), lambda r: p.parse_var_list(r, ups), is_list=True
        )

    async def list_var_many(
        self, ups_names: Iterable[str]
    ) -> dict[str, dict[str, str] | NutResponseError]:
        """`LIST VAR` for many UPS in one pipelined exchange (one poll of a whole server).

        Each UPS maps to its variables, or to the `ERR` it got (e.g. `NutDataStale`), so one
        stale UPS does not hide the others. Connection failures and timeouts still raise.
        """
        return await self._list_many("VAR", ups_names, p.parse_var_list)

    async def list_clients(self, ups: str) -> list[str]:
        """`LIST CLIENT`: the addresses of the upsmon clients logged in to `ups` (protocol 1.2,
        NUT >= 2.6.4; an older upsd answers ERR)."""
        ups = _name(ups, "UPS name")
        return await self._query(
            ("LIST", "CLIENT", ups), lambda r: p.parse_client_list(r, ups), is_list=True
        )

    async def list_clients_many(
        self, ups_names: Iterable[str]
    ) -> dict[str, list[str] | NutResponseError]:
        """`LIST CLIENT` for many UPS in one pipelined exchange; each UPS maps to its client
        addresses or to the `ERR` it got. Connection failures and timeouts still raise."""
        return await self._list_many("CLIENT", ups_names, p.parse_client_list)

    async def _list_many(
        self, what: str, ups_names: Iterable[str], parse: Callable[[list[str], str], T]
    ) -> dict[str, T | NutResponseError]:
        """`LIST <what> <ups>` for many UPS in one pipelined exchange (see list_var_many)."""
        names = list(dict.fromkeys(_name(n, "UPS name") for n in ups_names))
        lines = [p.command("LIST", what, name) for name in names]

        async def run() -> dict[str, T | NutResponseError]:
            replies = await self._with_retry(lambda: self._pipeline(lines), True)
            result: dict[str, T | NutResponseError] = {}
            for name, reply in zip(names, replies, strict=True):
                try:
                    result[name] = parse(reply, name)
                except NutResponseError as err:
                    result[name] = err
            return result

        if not names:
            return {}
        return await self._call(run)

    async def list_cmd(self, ups: str) -> list[str]:
        ups = _name(ups, "UPS name")
        return await self._query(
            ("LIST", "CMD", ups), lambda r: p.parse_cmd_list(r, ups), is_list=True
        )

    async def list_rw(self, ups: str) -> dict[str, str]:
        ups = _name(ups, "UPS name")
        return await self._query(
            ("LIST", "RW", ups), lambda r: p.parse_rw_list(r, ups), is_list=True
        )

    async def list_enum(self, ups: str, var: str) -> list[str]:
        ups, var = _name(ups, "UPS name"), _name(var, "variable")
        return await self._query(
            ("LIST", "ENUM", ups, var), lambda r: p.parse_enum_list(r, ups, var), is_list=True
        )

    async def list_range(self, ups: str, var: str) -> list[tuple[str, str]]:
        ups, var = _name(ups, "UPS name"), _name(var, "variable")
        return await self._query(
            ("LIST", "RANGE", ups, var), lambda r: p.parse_range_list(r, ups, var), is_list=True
        )

    async def get_var(self, ups: str, var: str) -> str:
        ups, var = _name(ups, "UPS name"), _name(var, "variable")
        return await self._query(("GET", "VAR", ups, var), lambda r: p.parse_var(r[0], ups, var))

    async def get_type(self, ups: str, var: str) -> list[str]:
        ups, var = _name(ups, "UPS name"), _name(var, "variable")
        return await self._query(("GET", "TYPE", ups, var), lambda r: p.parse_type(r[0], ups, var))

    async def get_desc(self, ups: str, var: str) -> str:
        ups, var = _name(ups, "UPS name"), _name(var, "variable")
        return await self._query(("GET", "DESC", ups, var), lambda r: p.parse_desc(r[0], ups, var))

    async def get_desc_many(
        self, ups: str, variables: Iterable[str]
    ) -> dict[str, str | NutResponseError]:
        """`GET DESC` for many variables of one UPS in one pipelined exchange.

        Each variable maps to its description or to the `ERR` it got (an older upsd, a
        variable it has no entry for). Connection failures and timeouts still raise.
        """
        ups = _name(ups, "UPS name")
        names = list(dict.fromkeys(_name(v, "variable") for v in variables))
        lines = [p.command("GET", "DESC", ups, name) for name in names]

        async def run() -> dict[str, str | NutResponseError]:
            replies = await self._with_retry(lambda: self._pipeline(lines), True)
            result: dict[str, str | NutResponseError] = {}
            for name, reply in zip(names, replies, strict=True):
                try:
                    result[name] = p.parse_desc(reply[0], ups, name)
                except NutResponseError as err:
                    result[name] = err
            return result

        if not names:
            return {}
        return await self._call(run)

    async def get_upsdesc(self, ups: str) -> str:
        ups = _name(ups, "UPS name")
        return await self._query(("GET", "UPSDESC", ups), lambda r: p.parse_upsdesc(r[0], ups))

    async def get_cmddesc(self, ups: str, cmd: str) -> str:
        ups, cmd = _name(ups, "UPS name"), _name(cmd, "command")
        return await self._query(
            ("GET", "CMDDESC", ups, cmd), lambda r: p.parse_cmddesc(r[0], ups, cmd)
        )

    async def instcmd(self, ups: str, cmd: str, param: str | None = None) -> None:
        """Run an instant command (needs credentials with `instcmds` rights). Never retried."""
        words = [_name(ups, "UPS name"), _name(cmd, "command")]
        if param is not None:
            words.append(_value(param))
        await self._action(p.command("INSTCMD", *words))

    async def fsd(self, ups: str) -> None:
        """`FSD`: set forced shutdown on a UPS, so its upsmon clients shut their hosts down
        (needs `actions = FSD`; no LOGIN: upsd answers `OK FSD-SET`). Never retried."""
        await self._action(p.command("FSD", _name(ups, "UPS name")))

    async def set_var(self, ups: str, var: str, value: str) -> None:
        """Set a writable variable (needs `actions = SET`). Never retried."""
        words = [_name(ups, "UPS name"), _name(var, "variable"), _value(value)]
        await self._action(p.command("SET", "VAR", *words))


# No NUT value may hold a NUL (the protocol cannot send one) and PostgreSQL stores none, in
# text or JSON: a server that sends one anyway gets U+FFFD, as an undecodable byte would.
_NUL, _REPLACEMENT = "\x00", "\ufffd"


def decode_line(raw: bytes) -> str:
    """One reply line as text: UTF-8, or Latin-1 when it is not valid UTF-8 (some drivers send
    Latin-1 names and models). Latin-1 maps every byte, so nothing is lost; only a NUL is
    replaced."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace(_NUL, _REPLACEMENT)


def decode_lines(block: bytes) -> list[str]:
    """A list reply split on newlines, each line decoded on its own (one Latin-1 line does not
    turn the UTF-8 of the others into mojibake)."""
    try:
        return block.decode("utf-8").replace(_NUL, _REPLACEMENT).split("\n")
    except UnicodeDecodeError:
        return [decode_line(line) for line in block.split(b"\n")]


def _name(name: str, what: str) -> str:
    try:
        return p.check_name(name, what)
    except ValueError as err:
        raise NutInvalidValue("INVALID-ARGUMENT", "", str(err)) from None


def _credential(value: str, which: str) -> str:
    try:
        return p.quote(value)
    except ValueError:
        # Never echo the value: it is a credential.
        message = f"the NUT {which.lower()} is not valid"
        raise NutAuthError(f"INVALID-{which}", "", message) from None


def _value(value: str) -> str:
    try:
        return p.quote(str(value))
    except ValueError as err:
        raise NutInvalidValue("INVALID-ARGUMENT", "", str(err)) from None
