"""Every ERR code of the protocol maps to a typed exception a caller can tell apart."""

from __future__ import annotations

import pytest

from powerpulse.nut import errors as e

# The full list from docs/net-protocol.txt (shared/reference/peers.md §5).
PROTOCOL_CODES = {
    "ACCESS-DENIED": e.NutAccessDenied,
    "UNKNOWN-UPS": e.NutUnknownUps,
    "VAR-NOT-SUPPORTED": e.NutVarNotSupported,
    "CMD-NOT-SUPPORTED": e.NutCmdNotSupported,
    "INVALID-ARGUMENT": e.NutInvalidValue,
    "INSTCMD-FAILED": e.NutCommandFailed,
    "SET-FAILED": e.NutCommandFailed,
    "READONLY": e.NutInvalidValue,
    "TOO-LONG": e.NutInvalidValue,
    "FEATURE-NOT-SUPPORTED": e.NutFeatureError,
    "FEATURE-NOT-CONFIGURED": e.NutFeatureError,
    "ALREADY-SSL-MODE": e.NutFeatureError,
    "DRIVER-NOT-CONNECTED": e.NutDriverNotConnected,
    "DATA-STALE": e.NutDataStale,
    "ALREADY-LOGGED-IN": e.NutAuthError,
    "INVALID-PASSWORD": e.NutAuthError,
    "ALREADY-SET-PASSWORD": e.NutAuthError,
    "INVALID-USERNAME": e.NutAuthError,
    "ALREADY-SET-USERNAME": e.NutAuthError,
    "USERNAME-REQUIRED": e.NutAuthError,
    "PASSWORD-REQUIRED": e.NutAuthError,
    "UNKNOWN-COMMAND": e.NutUnknownCommand,
    "INVALID-VALUE": e.NutInvalidValue,
}


@pytest.mark.parametrize(("nut_code", "cls"), PROTOCOL_CODES.items())
def test_every_protocol_code_is_mapped(nut_code: str, cls: type[e.NutResponseError]) -> None:
    err = e.error_from_reply(nut_code)
    assert type(err) is cls
    assert isinstance(err, e.NutResponseError)
    assert err.nut_code == nut_code
    assert err.code and err.code != "nut-error"
    assert str(err)


def test_table_covers_exactly_the_protocol() -> None:
    assert set(e.ERROR_CLASSES) == set(PROTOCOL_CODES)


def test_no_fresh_data_only_for_stale_and_driver() -> None:
    fresh = {code for code in PROTOCOL_CODES if e.error_from_reply(code).no_fresh_data}
    assert fresh == {"DATA-STALE", "DRIVER-NOT-CONNECTED"}
    assert not e.NutConnectionError("x").no_fresh_data
    assert not e.NutTimeoutError("x").no_fresh_data


def test_machine_codes_of_the_brief() -> None:
    assert e.NutConnectionError("x").code == "unreachable"
    assert e.NutTimeoutError("x").code == "timeout"
    assert isinstance(e.NutTimeoutError("x"), e.NutConnectionError)
    assert e.NutProtocolError("x").code == "protocol"
    expected = {
        "ACCESS-DENIED": "access-denied",
        "INVALID-PASSWORD": "auth-failed",
        "USERNAME-REQUIRED": "auth-failed",
        "UNKNOWN-UPS": "unknown-ups",
        "DATA-STALE": "data-stale",
        "DRIVER-NOT-CONNECTED": "driver-not-connected",
    }
    for nut_code, code in expected.items():
        assert e.error_from_reply(nut_code).code == code


def test_unknown_code_is_still_a_response_error() -> None:
    err = e.error_from_reply("BRAND-NEW", "detail")
    assert type(err) is e.NutResponseError
    assert "BRAND-NEW" in str(err) and "detail" in str(err)
    assert err.code == "nut-error"
