"""Which container are we? Candidate ids read from the inside, checked against the engine later.

Docker and podman bind-mount `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf` from a
per-container directory named after the 64-hex container id (`…/containers/<id>/hostname`,
`…/overlay-containers/<id>/userdata/hostname`), visible in `/proc/self/mountinfo`. cgroup v1
paths name it too. The hostname (Docker's default is the short id) is the last resort.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

_ID_IN_PATH = re.compile(r"/(?:containers|overlay-containers|docker|libpod-)/?([0-9a-f]{64})\b")
_ETC_FILES = ("/etc/hostname", "/etc/hosts", "/etc/resolv.conf")


def ids_from_mountinfo(text: str) -> list[str]:
    """Container ids behind the bind-mounted /etc files, in order of appearance, no repeats."""
    found: list[str] = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 5 or fields[4] not in _ETC_FILES:
            continue
        match = _ID_IN_PATH.search(fields[3])
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def ids_from_cgroup(text: str) -> list[str]:
    found: list[str] = []
    for line in text.splitlines():
        match = re.search(r"([0-9a-f]{64})", line)
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def candidate_ids() -> list[str]:
    """Ids (or names) to look ourselves up by, best first."""
    candidates = ids_from_mountinfo(_read("/proc/self/mountinfo"))
    candidates += [c for c in ids_from_cgroup(_read("/proc/self/cgroup")) if c not in candidates]
    hostname = socket.gethostname()
    if hostname and hostname not in candidates:
        candidates.append(hostname)
    return candidates


def in_container() -> bool:
    """True when the process looks containerised (the engines' marker files or mount ids)."""
    return (
        Path("/.dockerenv").exists()
        or Path("/run/.containerenv").exists()
        or bool(ids_from_mountinfo(_read("/proc/self/mountinfo")))
    )
