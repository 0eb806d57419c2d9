"""Talking to NUT servers: protocol, client, errors, status words and variable mapping.

Free of database imports: the poller and the API build on it.
"""

from __future__ import annotations

from powerpulse.nut.client import NutClient
from powerpulse.nut.errors import (
    NutAccessDenied,
    NutAuthError,
    NutConnectionError,
    NutDataStale,
    NutDriverNotConnected,
    NutError,
    NutProtocolError,
    NutResponseError,
    NutTimeoutError,
    NutUnknownUps,
)

__all__ = [
    "NutAccessDenied",
    "NutAuthError",
    "NutClient",
    "NutConnectionError",
    "NutDataStale",
    "NutDriverNotConnected",
    "NutError",
    "NutProtocolError",
    "NutResponseError",
    "NutTimeoutError",
    "NutUnknownUps",
]
