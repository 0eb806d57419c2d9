"""PowerPulse: a self-hosted UPS monitoring appliance for Network UPS Tools servers."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("powerpulse")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
