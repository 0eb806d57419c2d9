"""Pure parts of the sweep: back-off, which errors are the server's, reading variables."""

from __future__ import annotations

import pytest

from powerpulse.nut.errors import (
    NutAccessDenied,
    NutAuthError,
    NutConnectionError,
    NutDataStale,
    NutDriverNotConnected,
    NutTimeoutError,
    NutUnknownUps,
)
from powerpulse.poller.sweep import _outage_kind, backoff_delay, is_server_failure, observe


def test_backoff_doubles_from_the_interval_and_is_capped_at_30_s() -> None:
    assert [backoff_delay(n, 5.0) for n in range(1, 7)] == [5, 10, 20, 30, 30, 30]
    assert [backoff_delay(n, 0.5) for n in (1, 2, 3)] == [0.5, 1.0, 2.0]
    assert backoff_delay(60, 0.5) == 30  # no overflow after a long outage


@pytest.mark.parametrize(
    ("err", "server", "kind"),
    [
        (NutConnectionError("refused"), True, "is unreachable"),
        (NutTimeoutError("slow"), True, "is unreachable"),
        (NutAuthError("INVALID-PASSWORD"), True, "rejected our login"),
        (NutAccessDenied("ACCESS-DENIED"), True, "rejected our login"),
        (NutDataStale("DATA-STALE"), False, None),
        (NutDriverNotConnected("DRIVER-NOT-CONNECTED"), False, None),
        (NutUnknownUps("UNKNOWN-UPS"), False, None),
    ],
)
def test_server_failures_and_how_they_are_logged(err, server: bool, kind: str | None) -> None:  # type: ignore[no-untyped-def]
    assert is_server_failure(err) is server
    if kind is not None:
        assert _outage_kind(err) == kind


def test_observe_reads_status_and_thresholds() -> None:
    obs = observe(
        {
            "ups.status": "ob dischrg",
            "battery.charge": "15",
            "battery.charge.low": "20",
            "battery.runtime": "not-a-number",
            "ups.load": "41.5",
        }
    )
    assert obs.tokens == ("OB", "DISCHRG") and obs.display == "On Battery"
    assert (obs.charge, obs.charge_low, obs.runtime, obs.load) == (15.0, 20.0, None, 41.5)
    assert obs.flags() == {"LB"}  # below battery.charge.low while on battery
