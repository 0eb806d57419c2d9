"""Outage records: `recorder` turns on_battery / online events into Outage rows in the poller
worker; `stats` computes their numbers (pure)."""

from __future__ import annotations
