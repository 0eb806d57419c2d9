"""upsd's side of the protocol, command by command, as pure functions (quoting included)."""

from __future__ import annotations

import pytest

from powerpulse.simulator.protocol import Session, Site, handle_line, quote, split_args
from powerpulse.simulator.scenario import build_specs


@pytest.fixture
def site() -> Site:
    return Site(build_specs(3), cycle=100.0)


def ask(site: Site, line: str, session: Session | None = None, t: float = 5.0) -> list[str]:
    return handle_line(site, session or Session(), line, t)


def test_quote_and_split_round_trip_escapes() -> None:
    value = 'closet \\ 2nd floor ("small")'
    assert quote(value) == '"closet \\\\ 2nd floor (\\"small\\")"'
    assert split_args(f"SET VAR ups x {quote(value)}") == ["SET", "VAR", "ups", "x", value]
    assert split_args('  GET   VAR "rack a"  x ') == ["GET", "VAR", "rack a", "x"]


def test_list_ups_escapes_descriptions(site: Site) -> None:
    assert ask(site, "LIST UPS") == [
        "BEGIN LIST UPS",
        'UPS rack-a "Rack A (core switches)"',
        'UPS rack-b "Rack B (storage)"',
        'UPS closet "Network closet \\\\ 2nd floor (\\"small\\" one)"',
        "END LIST UPS",
    ]


def test_list_var_frames_and_get_var_agree(site: Site) -> None:
    reply = ask(site, "LIST VAR rack-a")
    assert reply[0] == "BEGIN LIST VAR rack-a" and reply[-1] == "END LIST VAR rack-a"
    assert 'VAR rack-a ups.status "OL"' in reply
    assert ask(site, "GET VAR rack-a battery.charge") == ['VAR rack-a battery.charge "100"']
    assert ask(site, "GET VAR rack-a battery.charge", t=40.0)[0] != (
        'VAR rack-a battery.charge "100"'
    )


@pytest.mark.parametrize(
    ("line", "reply"),
    [
        ("LIST VAR nope", "ERR UNKNOWN-UPS"),
        ("GET VAR nope ups.status", "ERR UNKNOWN-UPS"),
        ("GET VAR rack-a no.such.var", "ERR VAR-NOT-SUPPORTED"),
        ("GET DESC rack-a no.such.var", "ERR VAR-NOT-SUPPORTED"),
        ("GET CMDDESC rack-a load.off", "ERR CMD-NOT-SUPPORTED"),
        ("FLY AWAY", "ERR UNKNOWN-COMMAND"),
        ("GET VAR rack-a", "ERR INVALID-ARGUMENT"),
        ('GET VAR "rack-a ups.status', "ERR INVALID-ARGUMENT"),
        ("LIST", "ERR INVALID-ARGUMENT"),
        ("STARTTLS", "ERR FEATURE-NOT-CONFIGURED"),
        ("LOGIN rack-a", "ERR ACCESS-DENIED"),
    ],
)
def test_errors_are_the_real_upsd_codes(site: Site, line: str, reply: str) -> None:
    assert ask(site, line) == [reply]


def test_descriptions_types_rw_cmd_enum_range(site: Site) -> None:
    assert ask(site, "GET UPSDESC rack-b") == ['UPSDESC rack-b "Rack B (storage)"']
    assert ask(site, "GET DESC rack-a ups.load") == [
        'DESC rack-a ups.load "Load on UPS (percent of full)"'
    ]
    assert ask(site, "GET DESC rack-a ups.firmware") == [
        'DESC rack-a ups.firmware "Description unavailable"'
    ]
    assert ask(site, "GET TYPE rack-a ups.load") == ["TYPE rack-a ups.load NUMBER"]
    assert ask(site, "GET TYPE rack-a device.model") == ["TYPE rack-a device.model STRING:64"]
    assert ask(site, "GET TYPE rack-a ups.delay.shutdown") == [
        "TYPE rack-a ups.delay.shutdown RW RANGE"
    ]
    assert ask(site, "LIST RW rack-a")[1:-1] == [
        'RW rack-a input.sensitivity "medium"',
        'RW rack-a ups.delay.shutdown "20"',
    ]
    assert "CMD rack-a beeper.disable" in ask(site, "LIST CMD rack-a")
    assert ask(site, "LIST ENUM rack-a input.sensitivity")[1:-1] == [
        'ENUM rack-a input.sensitivity "low"',
        'ENUM rack-a input.sensitivity "medium"',
        'ENUM rack-a input.sensitivity "high"',
    ]
    assert ask(site, "LIST RANGE rack-a ups.delay.shutdown")[1] == (
        'RANGE rack-a ups.delay.shutdown "0" "600"'
    )
    assert ask(site, "NETVER") == ["1.3"]
    assert ask(site, "VER")[0].startswith("Network UPS Tools upsd")


def test_writes_need_the_right_credentials(site: Site) -> None:
    anonymous = Session()
    assert ask(site, "INSTCMD rack-a beeper.disable", anonymous) == ["ERR USERNAME-REQUIRED"]
    wrong = Session()
    assert ask(site, "USERNAME admin", wrong) == ["OK"]
    assert ask(site, "USERNAME again", wrong) == ["ERR ALREADY-SET-USERNAME"]
    assert ask(site, "INSTCMD rack-a beeper.disable", wrong) == ["ERR PASSWORD-REQUIRED"]
    assert ask(site, "PASSWORD nope", wrong) == ["OK"]
    assert ask(site, "INSTCMD rack-a beeper.disable", wrong) == ["ERR ACCESS-DENIED"]

    good = Session()
    ask(site, "USERNAME admin", good)
    ask(site, "PASSWORD simulator", good)
    assert ask(site, "INSTCMD rack-a beeper.disable", good) == ["OK"]
    assert ask(site, "GET VAR rack-a ups.beeper.status") == [
        'VAR rack-a ups.beeper.status "disabled"'
    ]
    assert ask(site, 'SET VAR rack-a ups.delay.shutdown "90"', good) == ["OK"]
    assert ask(site, "GET VAR rack-a ups.delay.shutdown") == ['VAR rack-a ups.delay.shutdown "90"']
    assert ask(site, "SET VAR rack-a ups.delay.shutdown 9000", good) == ["ERR INVALID-VALUE"]
    assert ask(site, "SET VAR rack-a ups.load 5", good) == ["ERR READONLY"]
    assert ask(site, "INSTCMD rack-a load.off", good) == ["ERR CMD-NOT-SUPPORTED"]


def test_logout_says_goodbye_and_closes(site: Site) -> None:
    session = Session()
    assert ask(site, "LOGOUT", session) == ["OK Goodbye"]
    assert session.closed
