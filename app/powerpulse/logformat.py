"""Log lines that a UPS name or a nickname cannot forge: control characters are escaped.

Nicknames (set by any admin), UPS names, driver strings and error texts from upsd reach log
messages as they are; a line break in one could fake a whole log line, an ANSI escape could
rewrite the terminal. `SafeFormatter` escapes every C0/C1 control character, DEL and the
Unicode line separators in the message (`\\n`, `\\x1b`, `\\u2028`). Tracebacks and stack
traces keep their own line breaks (that is their layout) but lose every other control
character.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep: str = "") -> str:
    """`text` with its control characters (except those in `keep`) written as escapes."""
    if keep:
        return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)
    return _CONTROL.sub(_escape, text)


class SafeFormatter(logging.Formatter):
    """A `logging.Formatter` whose lines hold no raw control characters but tracebacks' breaks."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escape_controls(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return escape_controls(super().formatException(ei), keep="\n")

    def formatStack(self, stack_info: str) -> str:
        return escape_controls(super().formatStack(stack_info), keep="\n")
