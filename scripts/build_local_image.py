"""Build the PowerPulse image where no image registry is reachable (`make image-local`).

Needs podman and debootstrap (root, for debootstrap), Debian's package mirror and PyPI; not
Docker Hub. The base images are the ones the appliance tests build the real Dockerfile on
(tests/appliance/base_images.py, their one definition): a debootstrapped Debian bookworm with
Python 3.11 instead of python:3.11-slim-bookworm, the same plus the host's Node 20 instead of
node:20-bookworm-slim, and a wheelhouse so that pip in the build needs no index.

    sudo make image-local                 # -> localhost/powerpulse:latest in root's podman
    sudo podman save localhost/powerpulse:latest | docker load    # to run it with Docker
"""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.appliance import base_images  # noqa: E402 (after the path is set)


class HostPodman:
    """The machine's own podman (its normal storage), as base_images expects an engine."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def podman(
        self, *args: str, check: bool = True, timeout: float = 1800, input: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        print("+ podman", " ".join(args[:2]), "...", flush=True)
        proc = subprocess.run(
            ["podman", *args], input=input.decode() if input else None, text=True, timeout=timeout
        )
        if check and proc.returncode != 0:
            raise SystemExit(f"podman {args[0]} failed ({proc.returncode})")
        return proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tag", default="localhost/powerpulse:latest")
    args = parser.parse_args()
    for tool in ("podman", "debootstrap"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install {tool}")
    try:
        version = importlib.metadata.version("powerpulse")
    except importlib.metadata.PackageNotFoundError:
        version = "0.0.0+local"
    revision = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, check=False
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="pp-image-") as work:
        engine = HostPodman(Path(work))
        print("base images (debootstrap on the first run: about a minute)...", flush=True)
        base_images.import_bases(engine)  # type: ignore[arg-type] (duck-typed engine)
        wheels = base_images.wheelhouse(REPO)
        npm_cache = base_images.NPM_CACHE
        if not npm_cache.is_dir():
            npm_cache = Path(work) / "npm-cache"
            npm_cache.mkdir()
        engine.podman(
            *base_images.build_args(REPO, args.tag, version, revision or "local", wheels, npm_cache)
        )
    print(f"built {args.tag}: podman run -d -p 8080:8080 -v powerpulse-data:/app/data {args.tag}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
