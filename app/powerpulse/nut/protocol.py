"""The NUT network protocol as pure functions: tokenize reply lines, build command lines,
validate `BEGIN LIST`/`END LIST` framing and parse each reply type. No I/O here.

Reply grammar (docs/net-protocol.txt): words separated by spaces; a value that may contain
spaces is in double quotes, inside which `\\"` is a quote and `\\\\` a backslash. A reply that
starts with `ERR` carries one error token and optional extra words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from powerpulse.nut.errors import NutProtocolError, error_from_reply

# A quoted token (escapes allowed) or a bare run of non-space, non-quote characters, each
# followed by whitespace or the end of the line.
_TOKEN = re.compile(r'[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))(?=[ \t]|$)')
_ESCAPE = re.compile(r"\\(.)")
# Names (UPS, variable, command) go out unquoted, so they must be one plain word.
_NAME = re.compile(r"[A-Za-z0-9_.@:\-+]+")


def tokenize(line: str) -> list[str]:
    """Split one reply line into tokens, unquoting and unescaping quoted values."""
    tokens: list[str] = []
    pos = 0
    end = len(line.rstrip(" \t\r"))
    while pos < end:
        match = _TOKEN.match(line, pos, end)
        if match is None:
            raise NutProtocolError(f"Malformed reply from NUT server: {line[:120]!r}")
        quoted, bare = match.group(1), match.group(2)
        if bare is not None:
            tokens.append(bare)
        elif "\\" in quoted:
            tokens.append(_ESCAPE.sub(r"\1", quoted))
        else:
            tokens.append(quoted)
        pos = match.end()
    return tokens


def quote(value: str) -> str:
    """Quote a value for a command line: `"` and `\\` escaped; line breaks are refused."""
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError("NUT values cannot contain line breaks or NUL characters")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def check_name(name: str, what: str = "name") -> str:
    """A UPS, variable or command name as sent on the wire: one plain word."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"Invalid NUT {what}: {name!r}")
    return name


def command(*words: str) -> bytes:
    """Join already-checked words into one command line."""
    return (" ".join(words) + "\n").encode()


def raise_for_error(tokens: Sequence[str]) -> None:
    """Raise the typed exception when the reply is `ERR <code> [extra]`."""
    if tokens and tokens[0] == "ERR":
        if len(tokens) < 2:
            raise NutProtocolError("NUT server sent ERR without an error code")
        raise error_from_reply(tokens[1], " ".join(tokens[2:]))


def parse_reply(line: str) -> list[str]:
    """Tokenize a reply line; raise on `ERR` and on an empty line."""
    tokens = tokenize(line)
    if not tokens:
        raise NutProtocolError("Empty reply from NUT server")
    raise_for_error(tokens)
    return tokens


def parse_ok(line: str) -> str:
    """An `OK [...]` reply; returns what follows OK (e.g. `TRACKING <id>`)."""
    tokens = parse_reply(line)
    if tokens[0] != "OK":
        raise NutProtocolError(f"Expected OK from NUT server, got {line[:120]!r}")
    return " ".join(tokens[1:])


def expect(line: str, keyword: str, prefix: Sequence[str], values: int | None) -> list[str]:
    """Check `<keyword> <prefix...> <values...>` and return the values.

    `values=None` accepts one or more trailing tokens (TYPE lists several types).
    """
    tokens = parse_reply(line)
    n = 1 + len(prefix)
    rest = tokens[n:]
    if (
        tokens[0] != keyword
        or tokens[1:n] != list(prefix)
        or (len(rest) != values if values is not None else not rest)
    ):
        raise NutProtocolError(f"Unexpected reply from NUT server: {line[:120]!r}")
    return rest


# -- LIST framing ---------------------------------------------------------------------------


def list_end_line(query: Sequence[str]) -> str:
    """The exact line that closes the list for `LIST <query>` (upsd echoes the query)."""
    return "END LIST " + " ".join(query)


def parse_list(lines: Sequence[str], query: Sequence[str]) -> list[str]:
    """Validate a full `BEGIN LIST …`/`END LIST …` reply; return the item lines between.

    `lines` is everything read for one `LIST <query>` command, the first line may be `ERR`.
    """
    if not lines:
        raise NutProtocolError("Empty reply from NUT server")
    framed = " ".join(query)
    # Exact string compares first: upsd frames lists exactly like this.
    if lines[0] != "BEGIN LIST " + framed:
        head = parse_reply(lines[0])
        if head != ["BEGIN", "LIST", *query]:
            raise NutProtocolError(f"Unexpected reply from NUT server: {lines[0][:120]!r}")
    if len(lines) < 2 or (
        lines[-1] != "END LIST " + framed and tokenize(lines[-1]) != ["END", "LIST", *query]
    ):
        raise NutProtocolError("NUT list reply is not terminated by END LIST")
    return list(lines[1:-1])


def parse_ups_list(lines: Sequence[str]) -> dict[str, str]:
    """`LIST UPS` → {name: description}."""
    result: dict[str, str] = {}
    for line in parse_list(lines, ["UPS"]):
        tokens = parse_reply(line)
        if tokens[0] != "UPS" or len(tokens) != 3:
            raise NutProtocolError(f"Unexpected reply from NUT server: {line[:120]!r}")
        result[tokens[1]] = tokens[2]
    return result


@functools.lru_cache(maxsize=4096)
def _items_pattern(kind: str, ups: str) -> re.Pattern[str]:
    """All `<kind> <ups> <name> "<value>"` lines of a list body, matched in one scan."""
    return re.compile(
        rf'^{re.escape(kind)} {re.escape(ups)} ([^\s"]+) "([^"\\\n]*(?:\\.[^"\\\n]*)*)"$', re.M
    )


def _name_value_list(lines: Sequence[str], kind: str, ups: str) -> dict[str, str]:
    items = parse_list(lines, [kind, ups])
    # Fast path (a poll parses thousands of these lines): one regex scan over the body; if
    # every line matched, done. Otherwise the line-by-line parser finds and reports the culprit.
    text = "\n".join(items)
    pairs = _items_pattern(kind, ups).findall(text)
    if len(pairs) == len(items):
        if "\\" in text:
            return {name: _ESCAPE.sub(r"\1", value) for name, value in pairs}
        return dict(pairs)
    result: dict[str, str] = {}
    for line in items:
        name, value = expect(line, kind, [ups], 2)
        result[name] = value
    return result


def parse_var_list(lines: Sequence[str], ups: str) -> dict[str, str]:
    """`LIST VAR <ups>` → {variable: value}."""
    return _name_value_list(lines, "VAR", ups)


def parse_rw_list(lines: Sequence[str], ups: str) -> dict[str, str]:
    """`LIST RW <ups>` → {variable: value} for the writable variables."""
    return _name_value_list(lines, "RW", ups)


def parse_cmd_list(lines: Sequence[str], ups: str) -> list[str]:
    """`LIST CMD <ups>` → instant command names."""
    return [expect(line, "CMD", [ups], 1)[0] for line in parse_list(lines, ["CMD", ups])]


def parse_client_list(lines: Sequence[str], ups: str) -> list[str]:
    """`LIST CLIENT <ups>` → the addresses of the upsmon clients logged in to it, in order,
    each once. upsd writes `CLIENT <name> <address>` with the name as the client sent it in
    LOGIN (it matches names case-insensitively), so the name is compared without case."""
    found: dict[str, None] = {}
    for line in parse_list(lines, ["CLIENT", ups]):
        tokens = parse_reply(line)
        if len(tokens) != 3 or tokens[0] != "CLIENT" or tokens[1].lower() != ups.lower():
            raise NutProtocolError(f"Unexpected reply from NUT server: {line[:120]!r}")
        found[tokens[2]] = None
    return list(found)


def parse_enum_list(lines: Sequence[str], ups: str, var: str) -> list[str]:
    """`LIST ENUM <ups> <var>` → allowed values."""
    items = parse_list(lines, ["ENUM", ups, var])
    return [expect(line, "ENUM", [ups, var], 1)[0] for line in items]


def parse_range_list(lines: Sequence[str], ups: str, var: str) -> list[tuple[str, str]]:
    """`LIST RANGE <ups> <var>` → [(min, max), …]."""
    result: list[tuple[str, str]] = []
    for line in parse_list(lines, ["RANGE", ups, var]):
        low, high = expect(line, "RANGE", [ups, var], 2)
        result.append((low, high))
    return result


# -- single-line GET replies -----------------------------------------------------------------


def parse_var(line: str, ups: str, var: str) -> str:
    """`GET VAR` reply `VAR <ups> <var> "<value>"` → value."""
    return expect(line, "VAR", [ups, var], 1)[0]


def parse_type(line: str, ups: str, var: str) -> list[str]:
    """`GET TYPE` reply `TYPE <ups> <var> <type>...` → e.g. ["RW", "STRING:32"]."""
    return expect(line, "TYPE", [ups, var], None)


def parse_desc(line: str, ups: str, var: str) -> str:
    """`GET DESC` reply `DESC <ups> <var> "<description>"` → description."""
    return expect(line, "DESC", [ups, var], 1)[0]


def parse_upsdesc(line: str, ups: str) -> str:
    """`GET UPSDESC` reply `UPSDESC <ups> "<description>"` → description."""
    return expect(line, "UPSDESC", [ups], 1)[0]


def parse_cmddesc(line: str, ups: str, cmd: str) -> str:
    """`GET CMDDESC` reply `CMDDESC <ups> <cmd> "<description>"` → description."""
    return expect(line, "CMDDESC", [ups, cmd], 1)[0]
