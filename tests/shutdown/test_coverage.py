"""Protection coverage, pure: LIST CLIENT's reply, host matching, the grace and the events."""

from __future__ import annotations

import pytest

from powerpulse.notify.messages import PLAIN, Notice, compose, extra_from_details
from powerpulse.nut.errors import NutProtocolError, NutUnknownUps
from powerpulse.nut.protocol import parse_client_list
from powerpulse.shutdown import coverage
from powerpulse.shutdown.coverage import (
    HOST_PROTECTED,
    HOST_UNPROTECTED,
    OPERATOR,
    PLAN,
    Expected,
    Rules,
    Source,
    evaluate,
)
from powerpulse.timeutil import utcnow

RULES = Rules(grace_reads=2, grace_seconds=20.0)
DB1 = Expected("10.0.0.5", frozenset({"10.0.0.5"}), (Source(OPERATOR, label="db1"),))


# -- the reply ------------------------------------------------------------------------------------
def test_list_client_reply_as_documented() -> None:
    lines = [
        "BEGIN LIST CLIENT ups1",
        "CLIENT ups1 127.0.0.1",
        "CLIENT ups1 ::1",
        "CLIENT ups1 127.0.0.1",  # two upsmon on one host: one address
        "END LIST CLIENT ups1",
    ]
    assert parse_client_list(lines, "ups1") == ["127.0.0.1", "::1"]
    assert parse_client_list(["BEGIN LIST CLIENT ups1", "END LIST CLIENT ups1"], "ups1") == []


def test_the_name_upsd_echoes_is_compared_without_case() -> None:
    # upsd writes the name the client gave in LOGIN; it matches names case-insensitively.
    lines = ["BEGIN LIST CLIENT UPS1", "CLIENT ups1 10.0.0.5", "END LIST CLIENT UPS1"]
    assert parse_client_list(lines, "UPS1") == ["10.0.0.5"]


@pytest.mark.parametrize(
    "lines",
    [
        ["BEGIN LIST CLIENT ups1", "CLIENT ups2 10.0.0.5", "END LIST CLIENT ups1"],
        ["BEGIN LIST CLIENT ups1", "CLIENT ups1", "END LIST CLIENT ups1"],
        ["BEGIN LIST CLIENT ups1", "VAR ups1 10.0.0.5", "END LIST CLIENT ups1"],
        ["BEGIN LIST CLIENT ups1", "CLIENT ups1 10.0.0.5"],
        ["BEGIN LIST VAR ups1", "END LIST VAR ups1"],
    ],
)
def test_malformed_replies_are_protocol_errors(lines: list[str]) -> None:
    with pytest.raises(NutProtocolError):
        parse_client_list(lines, "ups1")


def test_an_err_reply_raises_its_error() -> None:
    with pytest.raises(NutUnknownUps):
        parse_client_list(["ERR UNKNOWN-UPS"], "ups1")


# -- matching ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("10.0.0.5", "10.0.0.5"),
        (" DB1.Example.COM. ", "db1.example.com"),
        ("::ffff:10.0.0.5", "10.0.0.5"),  # how a dual-stack upsd lists an IPv4 client
        ("2001:DB8::1", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
    ],
)
def test_host_key(written: str, key: str) -> None:
    assert coverage.host_key(written) == key


def test_a_name_matches_any_of_its_addresses() -> None:
    name = Expected("db1.lan", frozenset({"10.0.0.5", "2001:db8::5"}))
    assert coverage.is_attached(name, coverage.client_addresses(["2001:DB8::5"])) is True
    assert coverage.is_attached(name, coverage.client_addresses(["10.0.0.6"])) is False
    unresolved = Expected("db1.lan", None)
    assert coverage.is_attached(unresolved, coverage.client_addresses(["10.0.0.5"])) is None
    mapped = coverage.client_addresses(["::ffff:10.0.0.5"])
    assert coverage.is_attached(DB1, mapped) is True


def test_sources_merge_by_host_key() -> None:
    plan = Source(PLAN, plan_id=3, plan_name="night")
    merged = coverage.merge([("10.0.0.5", DB1.sources[0]), ("10.0.0.5 ", plan), ("", plan)])
    assert merged == {"10.0.0.5": [DB1.sources[0], plan]}


# -- the rules ------------------------------------------------------------------------------------
def run(reads: list[tuple[float, list[str] | None]], expected=(DB1,), state=None):
    """Feed reads (time, clients) in turn; the final state and every event kind."""
    kinds: list[str] = []
    for now, clients in reads:
        state, events = evaluate(state, list(expected), clients, now, RULES)
        kinds += [e.kind for e in events]
    return state, kinds


def test_a_host_that_leaves_alerts_after_two_reads_and_the_grace() -> None:
    attached, gone = ["10.0.0.5"], []
    _, kinds = run([(0, attached), (30, gone)])
    assert kinds == []  # one read without it: an upsmon restart, perhaps
    _, kinds = run([(0, attached), (30, gone), (35, gone)])
    assert kinds == []  # two reads, but within 20 s (reads right after reconnects)
    state, kinds = run([(0, attached), (30, gone), (60, gone), (90, gone), (120, gone)])
    assert kinds == [HOST_UNPROTECTED]  # once, however long it stays away
    assert coverage.alerting(state) == {"10.0.0.5"}
    state, kinds = run([(150, attached), (180, attached)], state=state)
    assert kinds == [HOST_PROTECTED]
    assert coverage.alerting(state) == set()


def test_a_host_that_stays_away_leaves_the_state_alone() -> None:
    state, _ = run([(0, ["10.0.0.5"]), (30, []), (60, [])])
    later, kinds = run([(90, []), (120, []), (150, [])], state=state)
    assert kinds == [] and later == state  # nothing to write while nothing changes
    steady, _ = run([(0, ["10.0.0.5"])])
    assert run([(30, ["10.0.0.5"])], state=steady)[0] == steady


def test_an_upsmon_restart_between_reads_alerts_nobody() -> None:
    _, kinds = run([(0, ["10.0.0.5"]), (30, []), (60, ["10.0.0.5"]), (90, []), (120, ["10.0.0.5"])])
    assert kinds == []


def test_unknown_reads_change_nothing() -> None:
    state, _ = run([(0, ["10.0.0.5"]), (30, [])])
    after, kinds = run([(60, None), (90, None), (120, None)], state=state)
    assert kinds == [] and after == state
    unresolved = Expected("db1.lan", None)
    _, kinds = run([(0, []), (30, []), (60, [])], expected=(unresolved,))
    assert kinds == []


def test_a_host_never_seen_attached_alerts_once_and_says_so() -> None:
    state = None
    seen = []
    for now in (0, 30, 60, 90):
        state, events = evaluate(state, [DB1], [], now, RULES)
        seen += events
    assert [e.kind for e in seen] == [HOST_UNPROTECTED]
    event = seen[0]
    assert event.details["neverAttached"] is True
    assert event.previous_status == "" and event.new_status == "Not attached"
    state, events = evaluate(state, [DB1], ["10.0.0.5"], 120, RULES)
    assert [(e.kind, e.details["neverAttached"]) for e in events] == [(HOST_PROTECTED, True)]


def test_the_event_names_the_host_its_label_and_why_it_is_expected() -> None:
    plan = Source(PLAN, plan_id=3, plan_name="night")
    db1 = Expected("10.0.0.5", frozenset({"10.0.0.5"}), (DB1.sources[0], plan))
    state, _ = evaluate(None, [db1], ["10.0.0.5"], 0, RULES)
    state, _ = evaluate(state, [db1], ["10.0.0.9"], 30, RULES)
    state, events = evaluate(state, [db1], ["10.0.0.9"], 60, RULES)
    (event,) = events
    assert event.kind == HOST_UNPROTECTED
    assert event.previous_status == "Attached"
    assert event.details == {
        "host": "10.0.0.5",
        "hostLabel": "db1",
        "shownAs": "db1",
        "addresses": ["10.0.0.5"],
        "sources": [
            {"source": "operator", "label": "db1"},
            {"source": "plan", "planId": 3, "planName": "night"},
        ],
        "clients": ["10.0.0.9"],
        "neverAttached": False,
        "missingSince": 30.0,
    }


def test_a_host_no_longer_expected_is_forgotten_silently() -> None:
    state, _ = run([(0, ["10.0.0.5"]), (30, []), (60, [])])
    assert coverage.alerting(state) == {"10.0.0.5"}
    state, events = evaluate(state, [], [], 90, RULES)
    assert events == [] and state["hosts"] == {}


@pytest.mark.parametrize("stored", [None, [], "x", {"hosts": 3}, {"hosts": {"h": {"misses": "a"}}}])
def test_any_stored_state_is_readable(stored: object) -> None:
    state, events = evaluate(stored, [DB1], ["10.0.0.5"], 0, RULES)
    assert events == [] and state["hosts"]["10.0.0.5"]["seen"] is True


# -- what a user reads -----------------------------------------------------------------------------
def notice(kind: str, details: dict) -> Notice:
    return Notice(
        kind, "ups3", "Not attached", "Attached", utcnow(), extra=extra_from_details(kind, details)
    )


def test_the_messages() -> None:
    details = {"host": "10.0.0.5", "shownAs": "db1", "hostLabel": "db1", "neverAttached": False}
    text = compose(notice(HOST_UNPROTECTED, details), PLAIN)
    assert text.title == "🔌 Host No Longer Protected"
    assert text.body.startswith("Host db1 no longer listens to ups3.")
    assert ("Host", "db1 (10.0.0.5)") in text.facts
    assert notice(HOST_UNPROTECTED, details).severity == "warning"
    back = compose(notice(HOST_PROTECTED, details), PLAIN)
    assert back.title == "🔌 Host Protected Again"
    assert back.body.startswith("Host db1 listens to ups3 again.")
    never = compose(notice(HOST_UNPROTECTED, {**details, "neverAttached": True}), PLAIN)
    assert never.body.startswith("Host db1 does not listen to ups3: it was never seen attached.")
    plain = compose(notice(HOST_UNPROTECTED, {"host": "10.0.0.5", "shownAs": "10.0.0.5"}), PLAIN)
    assert plain.body.startswith("Host 10.0.0.5 no longer listens to ups3.")
    assert ("Host", "10.0.0.5") in plain.facts


def test_rules_and_templates_know_the_kinds() -> None:
    from powerpulse.api.alert_rules import kind_info
    from powerpulse.notify.recipients import wants
    from powerpulse.notify.rules import RULE_KINDS

    for kind in coverage.EVENT_KINDS:
        assert kind in RULE_KINDS
        assert kind_info(kind)["severity"] in ("warning", "ok")

    class Settings:
        notifications_enabled = True
        battery_notifications = False
        low_battery_notifications = False

    assert wants(Settings(), HOST_UNPROTECTED)  # the master switch only, like other warnings
