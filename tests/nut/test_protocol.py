"""Parser tests on replies recorded from the real upsd 2.8.0 (tests/support/nut_server.py)."""

from __future__ import annotations

import pytest

from powerpulse.nut import protocol as p
from powerpulse.nut.errors import (
    NutAuthError,
    NutDataStale,
    NutDriverNotConnected,
    NutInvalidValue,
    NutProtocolError,
    NutResponseError,
    NutUnknownUps,
    NutVarNotSupported,
)

# Recorded: `LIST VAR ups1` with battery.type set to `"Rack \"A\" \\ left"` in the .dev file.
LIST_VAR = [
    "BEGIN LIST VAR ups1",
    'VAR ups1 battery.charge "100"',
    'VAR ups1 battery.type "Rack \\"A\\" \\\\ left"',
    'VAR ups1 device.model "Smart-UPS 1500"',
    'VAR ups1 driver.parameter.port "/tmp/pp-nut-8sqz42yi/ups1.dev"',
    'VAR ups1 ups.status "OL"',
    "END LIST VAR ups1",
]


def test_tokenizer_unescapes_quotes_and_backslashes() -> None:
    assert p.tokenize('VAR ups1 battery.type "Rack \\"A\\" \\\\ left"') == [
        "VAR",
        "ups1",
        "battery.type",
        'Rack "A" \\ left',
    ]


@pytest.mark.parametrize(
    ("line", "tokens"),
    [
        ('VAR ups1 ups.alarm ""', ["VAR", "ups1", "ups.alarm", ""]),
        ("CMD ups1 load.off", ["CMD", "ups1", "load.off"]),
        ("TYPE ups1 ups.id RW STRING:16", ["TYPE", "ups1", "ups.id", "RW", "STRING:16"]),
        (
            'RANGE ups1 input.transfer.low "160" "190"',
            ["RANGE", "ups1", "input.transfer.low", "160", "190"],
        ),
        ('UPS ups1 "Test  UPS   two spaces"', ["UPS", "ups1", "Test  UPS   two spaces"]),
        ("OK Goodbye\r", ["OK", "Goodbye"]),
        ("", []),
    ],
)
def test_tokenizer_cases(line: str, tokens: list[str]) -> None:
    assert p.tokenize(line) == tokens


@pytest.mark.parametrize("line", ['VAR ups1 x "unterminated', 'VAR ups1 x "a"b', 'VAR ups1 x "\\'])
def test_malformed_lines_raise_protocol_error(line: str) -> None:
    with pytest.raises(NutProtocolError):
        p.tokenize(line)


def test_quote_escapes_and_round_trips() -> None:
    value = 'say "hi" \\ bye'
    quoted = p.quote(value)
    assert quoted == '"say \\"hi\\" \\\\ bye"'
    assert p.tokenize(f"VAR u v {quoted}")[-1] == value
    assert p.quote("") == '""'


@pytest.mark.parametrize("bad", ["two\nlines", "cr\rhere", "nul\0"])
def test_quote_rejects_line_breaks(bad: str) -> None:
    with pytest.raises(ValueError):
        p.quote(bad)


@pytest.mark.parametrize("bad", ["", "has space", 'q"uote', "new\nline", "ups1 ; LOGOUT"])
def test_names_must_be_one_plain_word(bad: str) -> None:
    with pytest.raises(ValueError):
        p.check_name(bad)
    assert p.check_name("ups-1.rack_2@host") == "ups-1.rack_2@host"


def test_list_var_recorded() -> None:
    assert p.parse_var_list(LIST_VAR, "ups1") == {
        "battery.charge": "100",
        "battery.type": 'Rack "A" \\ left',
        "device.model": "Smart-UPS 1500",
        "driver.parameter.port": "/tmp/pp-nut-8sqz42yi/ups1.dev",
        "ups.status": "OL",
    }


def test_list_ups_recorded() -> None:
    lines = [
        "BEGIN LIST UPS",
        'UPS ups1 "Test UPS ups1"',
        'UPS ups2 "Unavailable"',
        "END LIST UPS",
    ]
    assert p.parse_ups_list(lines) == {"ups1": "Test UPS ups1", "ups2": "Unavailable"}
    assert p.parse_ups_list(["BEGIN LIST UPS", "END LIST UPS"]) == {}


def test_other_lists_recorded() -> None:
    cmd = ["BEGIN LIST CMD ups1", "CMD ups1 load.off", "CMD ups1 beeper.mute", "END LIST CMD ups1"]
    assert p.parse_cmd_list(cmd, "ups1") == ["load.off", "beeper.mute"]
    rw = ["BEGIN LIST RW ups1", 'RW ups1 ups.delay.shutdown "20"', "END LIST RW ups1"]
    assert p.parse_rw_list(rw, "ups1") == {"ups.delay.shutdown": "20"}
    enum = [
        "BEGIN LIST ENUM ups1 input.sensitivity",
        'ENUM ups1 input.sensitivity "high"',
        'ENUM ups1 input.sensitivity "low"',
        "END LIST ENUM ups1 input.sensitivity",
    ]
    assert p.parse_enum_list(enum, "ups1", "input.sensitivity") == ["high", "low"]
    rng = [
        "BEGIN LIST RANGE ups1 input.transfer.low",
        'RANGE ups1 input.transfer.low "160" "190"',
        'RANGE ups1 input.transfer.low "200" "210"',
        "END LIST RANGE ups1 input.transfer.low",
    ]
    assert p.parse_range_list(rng, "ups1", "input.transfer.low") == [("160", "190"), ("200", "210")]
    empty = ["BEGIN LIST ENUM ups1 ups.status", "END LIST ENUM ups1 ups.status"]
    assert p.parse_enum_list(empty, "ups1", "ups.status") == []


def test_single_line_replies_recorded() -> None:
    assert p.parse_var('VAR ups1 ups.id "Rack A  left"', "ups1", "ups.id") == "Rack A  left"
    assert p.parse_type("TYPE ups1 ups.id RW STRING:16", "ups1", "ups.id") == ["RW", "STRING:16"]
    assert p.parse_type("TYPE ups1 battery.charge RW NUMBER", "ups1", "battery.charge") == [
        "RW",
        "NUMBER",
    ]
    desc = 'DESC ups1 battery.charge "Battery charge (percent of full)"'
    assert p.parse_desc(desc, "ups1", "battery.charge") == "Battery charge (percent of full)"
    assert p.parse_upsdesc('UPSDESC ups1 "Test UPS ups1"', "ups1") == "Test UPS ups1"
    cmddesc = 'CMDDESC ups1 load.off "Turn off the load immediately"'
    assert p.parse_cmddesc(cmddesc, "ups1", "load.off") == "Turn off the load immediately"
    assert p.parse_ok("OK") == ""
    assert p.parse_ok("OK TRACKING 1bd31808-cb49-4aec-9d75-d056e6f018d2").startswith("TRACKING ")


@pytest.mark.parametrize(
    ("line", "cls", "code"),
    [
        ("ERR UNKNOWN-UPS", NutUnknownUps, "unknown-ups"),
        ("ERR VAR-NOT-SUPPORTED", NutVarNotSupported, "var-not-supported"),
        ("ERR DATA-STALE", NutDataStale, "data-stale"),
        ("ERR DRIVER-NOT-CONNECTED", NutDriverNotConnected, "driver-not-connected"),
        ("ERR USERNAME-REQUIRED", NutAuthError, "auth-failed"),
        ("ERR INVALID-ARGUMENT", NutInvalidValue, "invalid-value"),
    ],
)
def test_err_replies_raise_typed_errors(line: str, cls: type[Exception], code: str) -> None:
    with pytest.raises(cls) as info:
        p.parse_var(line, "ups1", "ups.status")
    assert info.value.code == code  # type: ignore[attr-defined]


def test_err_in_place_of_a_list_and_extra_words() -> None:
    with pytest.raises(NutDataStale):
        p.parse_var_list(["ERR DATA-STALE"], "ups1")
    with pytest.raises(NutResponseError) as info:
        p.parse_ok("ERR SOMETHING-NEW with extra words")
    assert info.value.nut_code == "SOMETHING-NEW"
    assert info.value.extra == "with extra words"
    assert info.value.code == "nut-error"


@pytest.mark.parametrize(
    "lines",
    [
        [],
        ["BEGIN LIST VAR ups2", "END LIST VAR ups2"],  # answer for another UPS
        ["BEGIN LIST VAR ups1", 'VAR ups1 a "1"'],  # not terminated
        ["BEGIN LIST VAR ups1", 'VAR ups1 a "1"', "END LIST VAR ups2"],
        ["BEGIN LIST VAR ups1", 'RW ups1 a "1"', "END LIST VAR ups1"],  # wrong item type
        ["BEGIN LIST VAR ups1", "VAR ups1 a", "END LIST VAR ups1"],  # value missing
        ["OK", "END LIST VAR ups1"],
    ],
)
def test_broken_framing_is_a_protocol_error(lines: list[str]) -> None:
    with pytest.raises(NutProtocolError):
        p.parse_var_list(lines, "ups1")


def test_unexpected_single_line_is_a_protocol_error() -> None:
    with pytest.raises(NutProtocolError):
        p.parse_var('VAR ups1 other.var "1"', "ups1", "ups.status")
    with pytest.raises(NutProtocolError):
        p.parse_ok("BEGIN LIST UPS")
    with pytest.raises(NutProtocolError):
        p.parse_ok("ERR")


def test_command_lines() -> None:
    assert p.command("LIST", "VAR", "ups1") == b"LIST VAR ups1\n"
    assert p.command("SET", "VAR", "ups1", "ups.id", p.quote('a "b"')) == (
        b'SET VAR ups1 ups.id "a \\"b\\""\n'
    )
    assert p.list_end_line(["VAR", "ups1"]) == "END LIST VAR ups1"


def test_list_with_unusual_spacing_takes_the_careful_path() -> None:
    lines = [
        "BEGIN  LIST VAR ups1",
        'VAR ups1  battery.charge   "100"',
        'VAR ups1 ups.status "OL"',
        "END LIST  VAR ups1",
    ]
    assert p.parse_var_list(lines, "ups1") == {"battery.charge": "100", "ups.status": "OL"}


def test_many_escapes_in_one_list() -> None:
    lines = [
        "BEGIN LIST RW ups1",
        'RW ups1 a "\\\\"',
        'RW ups1 b "\\"\\""',
        'RW ups1 c "plain"',
        'RW ups1 d ""',
        "END LIST RW ups1",
    ]
    assert p.parse_rw_list(lines, "ups1") == {"a": "\\", "b": '""', "c": "plain", "d": ""}
