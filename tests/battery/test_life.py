"""Battery dates in drivers' wordings, and expected life per battery type."""

from __future__ import annotations

from datetime import date

import pytest

from powerpulse.battery import life

TODAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021-04-15", date(2021, 4, 15)),  # apc_modbus
        ("2001/09/25", date(2001, 9, 25)),  # usbhid-ups
        ("11/22/06", date(2006, 11, 22)),  # apcsmart mm/dd/yy
        ("09/02/98", date(1998, 9, 2)),
        ("01012014", date(2014, 1, 1)),  # gamatronic mmddyyyy
        ("20230501", date(2023, 5, 1)),
        (" 2023/05/01 ", date(2023, 5, 1)),
        ("CPS", None),
        ("CW 23/2019", None),
        ("2001/00/00", None),
        ("2624/00/02", None),
        ("3150/08/01", None),  # the future
        ("1980/00/01", None),
        ("1989/12/31", None),  # before 1990
        ("2027/01/01", None),
        ("2023/02/30", None),
        ("", None),
        (None, None),
        ("9" * 500, None),
    ],
)
def test_device_dates_in_drivers_wordings(raw: str | None, expected: date | None) -> None:
    assert life.parse_battery_date(raw, TODAY) == expected


def test_battery_date_is_preferred_and_garbage_falls_back() -> None:
    both = {"battery.date": "2022/03/01", "battery.mfr.date": "2021/12/01"}
    assert life.device_date(both, TODAY) == life.DeviceDate(
        "battery.date", "2022/03/01", date(2022, 3, 1)
    )
    garbage = {"battery.date": "2001/00/00", "battery.mfr.date": "2021/12/01"}
    found = life.device_date(garbage, TODAY)
    assert found is not None and found.variable == "battery.mfr.date"
    assert life.device_date({"battery.mfr.date": "CPS"}, TODAY) is None


@pytest.mark.parametrize(
    ("kind", "months"),
    [
        ("PbAc", 36),
        ("PbAcid", 36),
        ("PbAC", 36),
        ("VRLA", 36),
        ("SLA", 36),
        ("lead-acid", 36),
        ("Li", 96),
        ("LiFePO4", 96),
        ("LiIon", 96),
        ("Li-ion", 96),
        ("LION", 96),
        ("LiPO", 96),
        ("Back-UPS XS 1200 FW", 36),
        (None, 36),
        ("", 36),
    ],
)
def test_default_life_per_type(kind: str | None, months: int) -> None:
    assert life.default_life_months(kind) == months


def test_age_and_due_date() -> None:
    age = life.age_of(date(2023, 12, 5), None, "PbAc", TODAY)
    assert age.due_on == date(2026, 12, 5) and age.due and age.expected_life_months == 36
    assert age.is_default and age.age_days == 1096 and age.age_months == 36.0
    assert not life.age_of(date(2023, 12, 6), None, "PbAc", TODAY).due
    assert life.age_of(date(2023, 12, 5), 60, "PbAc", TODAY).due_on == date(2028, 12, 5)
    assert life.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
