"""Fixtures for the appliance suite: a real podman + registry, and builds of the real Dockerfile."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.appliance import base_images
from tests.appliance.podman_env import Podman
from tests.support import leakcheck

REPO = Path(__file__).resolve().parents[2]
# Docker's socket is root:docker 0660; podman makes its own 0600. Give it a group like Docker's
# so the entrypoint's "socket group" path is the one exercised.
SOCKET_GID = 2375


class Builder:
    """Builds the repo's Dockerfile inside `podman` from the local base images."""

    def __init__(self, podman: Podman) -> None:
        self.podman = podman
        self.python_base, self.node_base = base_images.import_bases(podman)
        self.wheels = base_images.wheelhouse(REPO)
        npm_cache = base_images.NPM_CACHE
        if not npm_cache.is_dir():
            npm_cache = podman.root / "npm-cache"
            npm_cache.mkdir()
        self.npm_cache = npm_cache
        self.seconds: dict[str, float] = {}

    def build(self, tag: str, version: str) -> str:
        started = time.monotonic()
        self.podman.podman(
            *base_images.build_args(REPO, tag, version, "test", self.wheels, self.npm_cache),
            timeout=900,
        )
        self.seconds[tag] = time.monotonic() - started
        return tag

    def push(self, tag: str, target: str) -> None:
        self.podman.podman("push", "--tls-verify=false", tag, target)


@pytest.fixture(scope="session")
def podman() -> Iterator[Podman]:
    root = Path(tempfile.mkdtemp(prefix="pp-podman-", dir=os.environ.get("TMPDIR", "/var/tmp")))
    # Containers run with their own environment and conmon leaves our process tree: the
    # session-end check finds them by their root, working directory or command line instead.
    leakcheck.own_directory(root)
    engine = Podman(root)
    try:  # stop() also when start() fails half-way (the service up, the registry not)
        engine.start()
        os.chown(engine.socket, 0, SOCKET_GID)
        engine.socket.chmod(0o660)
        yield engine
    finally:
        engine.stop()


@pytest.fixture(scope="session")
def builder(podman: Podman) -> Builder:
    return Builder(podman)
