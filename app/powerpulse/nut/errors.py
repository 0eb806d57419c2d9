"""Typed errors of the NUT client: one class per failure a caller must tell apart.

    NutError                      code
    ├── NutConnectionError        "unreachable"      refused, reset, closed, TLS failure
    │   └── NutTimeoutError       "timeout"          no (complete) reply within the timeout
    ├── NutProtocolError          "protocol"         a reply we cannot parse
    └── NutResponseError          "<err-code>"       an `ERR <code> [extra]` reply
        ├── NutAccessDenied       "access-denied"    ACCESS-DENIED
        ├── NutAuthError          "auth-failed"      INVALID-USERNAME, INVALID-PASSWORD,
        │                                            USERNAME-REQUIRED, PASSWORD-REQUIRED,
        │                                            ALREADY-SET-USERNAME, ALREADY-SET-PASSWORD,
        │                                            ALREADY-LOGGED-IN
        ├── NutUnknownUps         "unknown-ups"      UNKNOWN-UPS
        ├── NutDataStale          "data-stale"       DATA-STALE
        ├── NutDriverNotConnected "driver-not-connected"  DRIVER-NOT-CONNECTED
        ├── NutVarNotSupported    "var-not-supported"     VAR-NOT-SUPPORTED
        ├── NutCmdNotSupported    "cmd-not-supported"     CMD-NOT-SUPPORTED
        ├── NutInvalidValue       "invalid-value"    INVALID-VALUE, INVALID-ARGUMENT,
        │                                            READONLY, TOO-LONG
        ├── NutCommandFailed      "command-failed"   INSTCMD-FAILED, SET-FAILED
        ├── NutFeatureError       "feature-unavailable"   FEATURE-NOT-SUPPORTED,
        │                                            FEATURE-NOT-CONFIGURED, ALREADY-SSL-MODE
        └── NutUnknownCommand     "unknown-command"  UNKNOWN-COMMAND
                                  (any other ERR code: NutResponseError, code "nut-error")

`.code` is a stable machine code for the API and the live state; `.nut_code` keeps the raw
`ERR` token. Messages never contain credentials: USERNAME/PASSWORD failures only name the step.
"""

from __future__ import annotations


class NutError(Exception):
    """Base of every NUT client error."""

    code: str = "nut-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def no_fresh_data(self) -> bool:
        """True when upsd answers but has no current data for the UPS (stale / no driver)."""
        return False


class NutConnectionError(NutError):
    """The server could not be reached, or the connection broke."""

    code = "unreachable"


class NutTimeoutError(NutConnectionError):
    """No complete reply within the timeout; the connection was dropped."""

    code = "timeout"


class NutProtocolError(NutError):
    """The server sent something that is not valid NUT protocol."""

    code = "protocol"


class NutResponseError(NutError):
    """upsd answered `ERR <nut_code> [extra]`."""

    code = "nut-error"

    def __init__(self, nut_code: str, extra: str = "", message: str | None = None) -> None:
        self.nut_code = nut_code
        self.extra = extra
        text = message or f"NUT server error {nut_code}" + (f" ({extra})" if extra else "")
        super().__init__(text)


class NutAccessDenied(NutResponseError):
    code = "access-denied"


class NutAuthError(NutResponseError):
    code = "auth-failed"


class NutUnknownUps(NutResponseError):
    code = "unknown-ups"


class NutDataStale(NutResponseError):
    code = "data-stale"

    @property
    def no_fresh_data(self) -> bool:
        return True


class NutDriverNotConnected(NutResponseError):
    code = "driver-not-connected"

    @property
    def no_fresh_data(self) -> bool:
        return True


class NutVarNotSupported(NutResponseError):
    code = "var-not-supported"


class NutCmdNotSupported(NutResponseError):
    code = "cmd-not-supported"


class NutInvalidValue(NutResponseError):
    code = "invalid-value"


class NutCommandFailed(NutResponseError):
    code = "command-failed"


class NutFeatureError(NutResponseError):
    code = "feature-unavailable"


class NutUnknownCommand(NutResponseError):
    code = "unknown-command"


# Every ERR code of the NUT network protocol (docs/net-protocol.txt, 1.3) → its class.
ERROR_CLASSES: dict[str, type[NutResponseError]] = {
    "ACCESS-DENIED": NutAccessDenied,
    "UNKNOWN-UPS": NutUnknownUps,
    "VAR-NOT-SUPPORTED": NutVarNotSupported,
    "CMD-NOT-SUPPORTED": NutCmdNotSupported,
    "INVALID-ARGUMENT": NutInvalidValue,
    "INSTCMD-FAILED": NutCommandFailed,
    "SET-FAILED": NutCommandFailed,
    "READONLY": NutInvalidValue,
    "TOO-LONG": NutInvalidValue,
    "FEATURE-NOT-SUPPORTED": NutFeatureError,
    "FEATURE-NOT-CONFIGURED": NutFeatureError,
    "ALREADY-SSL-MODE": NutFeatureError,
    "DRIVER-NOT-CONNECTED": NutDriverNotConnected,
    "DATA-STALE": NutDataStale,
    "ALREADY-LOGGED-IN": NutAuthError,
    "INVALID-PASSWORD": NutAuthError,
    "ALREADY-SET-PASSWORD": NutAuthError,
    "INVALID-USERNAME": NutAuthError,
    "ALREADY-SET-USERNAME": NutAuthError,
    "USERNAME-REQUIRED": NutAuthError,
    "PASSWORD-REQUIRED": NutAuthError,
    "UNKNOWN-COMMAND": NutUnknownCommand,
    "INVALID-VALUE": NutInvalidValue,
}

# Human wording for the API/UI; the raw code is kept on the exception.
_MESSAGES: dict[str, str] = {
    "ACCESS-DENIED": "Access denied by the NUT server (check the username, password and rights)",
    "UNKNOWN-UPS": "The NUT server does not know this UPS",
    "DATA-STALE": "The NUT server has no fresh data for this UPS (data stale)",
    "DRIVER-NOT-CONNECTED": "The NUT driver for this UPS is not connected",
    "INVALID-USERNAME": "The NUT server rejected the username",
    "INVALID-PASSWORD": "The NUT server rejected the password",
    "USERNAME-REQUIRED": "The NUT server requires a username for this action",
    "PASSWORD-REQUIRED": "The NUT server requires a password for this action",
    "VAR-NOT-SUPPORTED": "The UPS does not support this variable",
    "CMD-NOT-SUPPORTED": "The UPS does not support this command",
    "READONLY": "This variable is read-only",
    "INVALID-VALUE": "Invalid value for this variable",
    "TOO-LONG": "Value too long for this variable",
    "FEATURE-NOT-CONFIGURED": "The NUT server is not configured for TLS (STARTTLS)",
    "FEATURE-NOT-SUPPORTED": "The NUT server does not support this feature",
}


def error_from_reply(nut_code: str, extra: str = "") -> NutResponseError:
    """Build the typed exception for an `ERR <nut_code> [extra]` reply."""
    cls = ERROR_CLASSES.get(nut_code, NutResponseError)
    message = _MESSAGES.get(nut_code)
    if message is None:
        message = f"NUT server error {nut_code}" + (f" ({extra})" if extra else "")
    return cls(nut_code, extra, message)
