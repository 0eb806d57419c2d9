"""Encode rows as CSV or one JSON array and stream them in chunks (Sanic's `response.send`).

CSV follows RFC 4180 (a header row, CRLF line ends, fields with a comma, quote or line break
quoted, quotes doubled) in UTF-8 with a byte-order mark: without it Excel reads the file as
the local code page and mangles "Küche" or "°C". Text cells that begin with `=`, `+`, `-`, `@`
(or a tab or carriage return) get a leading `'`: a spreadsheet would run them as a formula
(CSV injection, e.g. a UPS named `=HYPERLINK(...)`). Numbers are never touched, so -5 stays -5.

The format is chosen once, before the first byte goes out (`choose`): after that an error
can no longer become a 400, so every check happens first.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sanic import Request

from powerpulse.api.errors import bad_request
from powerpulse.timeutil import iso

CSV, JSON = "csv", "json"
FORMATS = (CSV, JSON)
BOM = "\ufeff"
CHUNK = 64 * 1024  # bytes gathered before one send: few syscalls, little memory
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MEDIA = {CSV: "text/csv; charset=utf-8", JSON: "application/json"}


# --- choosing the format ---------------------------------------------------------------------


def _accepted(header: str) -> dict[str, float]:
    """Media type → q of an Accept header (malformed parts ignored)."""
    out: dict[str, float] = {}
    for part in header.split(",")[:32]:
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
                q = q if math.isfinite(q) else 0.0
        if media:
            out[media.lower()] = max(q, out.get(media.lower(), 0.0))
    return out


def choose(format_arg: str | None, accept: str | None) -> str | None:
    """The export format asked for: `?format=` (csv or json, else ValueError), else CSV when
    the Accept header prefers `text/csv` to JSON; None: the normal (paged JSON) answer."""
    if format_arg:
        if format_arg not in FORMATS:
            raise ValueError("format must be csv or json")
        return format_arg
    accepted = _accepted(accept or "")
    csv_q = accepted.get("text/csv", 0.0)
    return CSV if csv_q > 0 and csv_q > accepted.get("application/json", 0.0) else None


def requested_format(request: Request) -> str | None:
    """`choose` for a request; a bad `?format=` is a 400 naming the field."""
    try:
        return choose(request.args.get("format"), request.headers.get("accept"))
    except ValueError as err:
        raise bad_request("format", str(err)) from None


def file_name(stem: str, start: datetime | None, end: datetime | None, fmt: str) -> str:
    """`powerpulse-<stem>-<from>-<to>.<ext>`, with only characters safe in a header."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")[:64] or "export"
    parts = ["powerpulse", safe]
    parts += [t.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") for t in (start, end) if t]
    return "-".join(parts) + f".{fmt}"


# --- encoding (pure) ---------------------------------------------------------------------------


def guard(text: str) -> str:
    """A text cell a spreadsheet will show, never evaluate."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def cell(value: Any) -> Any:
    """One CSV cell: empty for None and non-finite numbers, ISO times, `true`/`false`, lists
    and objects as compact JSON, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else ""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, list | dict):
        return orjson.dumps(value).decode()
    return guard(str(value))


def csv_lines(rows: Sequence[Sequence[Any]]) -> str:
    """RFC 4180 lines (CRLF) of already-encoded cells (`cell`)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return iso(value)
    return value


@dataclass(frozen=True)
class Table:
    """The columns of one export: JSON member names and CSV headers, in the same order.
    `flatten` turns a row into CSV cells (default: `cell` of each value)."""

    keys: tuple[str, ...]
    headers: tuple[str, ...]
    flatten: Callable[[Sequence[Any]], list[Any]] | None = None

    def csv_row(self, row: Sequence[Any]) -> list[Any]:
        return self.flatten(row) if self.flatten else [cell(v) for v in row]

    def json_row(self, row: Sequence[Any]) -> bytes:
        return orjson.dumps(dict(zip(self.keys, (json_value(v) for v in row), strict=True)))


async def encode(
    table: Table, fmt: str, pages: AsyncIterator[Sequence[Sequence[Any]]]
) -> AsyncIterator[bytes]:
    """The export as byte chunks of about `CHUNK` bytes (a page at a time is held)."""
    if fmt == CSV:
        yield (BOM + csv_lines([table.headers])).encode()
        async for page in pages:
            yield csv_lines([table.csv_row(r) for r in page]).encode()
        return
    first = True
    yield b"["
    async for page in pages:
        if not page:
            continue
        body = b",".join(table.json_row(r) for r in page)
        yield body if first else b"," + body
        first = False
    yield b"]"


async def respond(
    request: Request,
    table: Table,
    fmt: str,
    filename: str,
    pages: AsyncIterator[Sequence[Sequence[Any]]],
) -> None:
    """Stream the export as the answer to `request` (call it after every check passed)."""
    response = await request.respond(
        content_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
    pending: list[bytes] = []
    size = 0
    async for chunk in encode(table, fmt, pages):
        pending.append(chunk)
        size += len(chunk)
        if size >= CHUNK:
            await response.send(b"".join(pending))
            pending, size = [], 0
    if pending:
        await response.send(b"".join(pending))
    await response.eof()
