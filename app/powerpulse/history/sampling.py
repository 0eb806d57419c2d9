"""Which polls become samples, and the sample row one poll makes.

One sample per UPS every `HISTORY_INTERVAL`, and one at once whenever its status tokens change
(an outage's start and end are in the history even between two interval samples).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from powerpulse.db.models import Sample
from powerpulse.energy import integrate
from powerpulse.energy import settings as energy_settings
from powerpulse.energy.power import power
from powerpulse.history import writes
from powerpulse.history.metrics import METRICS

STATUS_MAX = 255  # the samples.status column


class SampleSchedule:
    """Remembers, per UPS, when its last sample was written and with which status."""

    def __init__(self, interval: float) -> None:
        self._last: dict[int, tuple[float, tuple[str, ...]]] = {}
        self.interval = interval

    @property
    def interval(self) -> float:
        return self._interval

    @interval.setter
    def interval(self, value: float) -> None:
        # The energy between samples is integrated up to 3 intervals apart (energy.integrate).
        self._interval = value
        writes.ENERGY.gap = integrate.max_gap(value)

    def seed(self, ups_id: int, at: float, tokens: tuple[str, ...] | None) -> None:
        self._last[ups_id] = (at, tokens or ())

    def known(self, ups_id: int) -> bool:
        return ups_id in self._last

    def due(self, ups_id: int, tokens: tuple[str, ...], now: float) -> bool:
        last = self._last.get(ups_id)
        return last is None or now - last[0] >= self.interval or tokens != last[1]

    def mark(self, ups_id: int, tokens: tuple[str, ...], now: float) -> None:
        self._last[ups_id] = (now, tokens)

    def forget(self, ups_id: int) -> None:
        self._last.pop(ups_id, None)
        writes.ENERGY.forget(ups_id)  # a lost lease or a failed write: the next interval is unknown


def build_sample(
    ups_id: int, variables: Mapping[str, str], tokens: Sequence[str], at: datetime
) -> Sample:
    values = {m.column: m.read(variables) for m in METRICS}
    # Real power through energy.power: measured, else estimated from the load (the source kept).
    values["realpower"], source = power(variables, energy_settings.CURRENT.power_factor)
    return Sample(
        ups_id=ups_id,
        timestamp=at,
        status=" ".join(tokens)[:STATUS_MAX] or None,
        power_source=source,
        **values,
    )
