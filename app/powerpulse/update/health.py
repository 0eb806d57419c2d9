"""Is the api worker answering? Used by the image's HEALTHCHECK and by the self-update runner.

Standard library only (no curl in the image): one GET of `/api/system/version` on this
container's own port.
"""

from __future__ import annotations

import json
import urllib.request

from powerpulse.config import Settings


def local_url(settings: Settings, path: str = "/api/system/version") -> str:
    host = settings.host
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}{path}"


def probe(settings: Settings, timeout: float = 4.0) -> tuple[bool, str]:
    """(healthy, the version it reports or what went wrong)."""
    try:
        with urllib.request.urlopen(local_url(settings), timeout=timeout) as resp:  # noqa: S310
            body = json.loads(resp.read() or b"{}")
    except (OSError, ValueError) as err:
        return False, f"api worker not answering: {err}"
    version = body.get("version") if isinstance(body, dict) else None
    if not version:
        return False, "api worker answered without a version"
    return True, str(version)
