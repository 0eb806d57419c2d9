"""Moved to `powerpulse.history`; kept only until the last importer (live_state) is updated."""

from __future__ import annotations

from powerpulse.history import write_samples

__all__ = ["write_samples"]
