"""Base images for building the real Dockerfile where no image registry is reachable.

- Python: a Debian bookworm rootfs made with `debootstrap --variant=minbase` (python3,
  python3-venv), trimmed and imported with `podman import`. It stands in for
  `python:3.11-slim-bookworm` (same Debian, same Python minor version).
- Node: that rootfs plus the host's own Node 20 (`/usr/bin/node` and its bundled npm), standing
  in for `node:20-bookworm-slim`.
- Python wheels for the build stage: `pip wheel` on the host into a wheelhouse that the build
  mounts read-only, so the image build itself needs no index.

The rootfs tarball and the wheelhouse are cached in `/var/tmp/powerpulse-test-cache/` (override
with `POWERPULSE_TEST_CACHE`) under a key made of everything that goes into them, so only the
first run on a machine pays for debootstrap (about 45 s) and the wheel downloads.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.appliance.podman_env import Podman

CACHE = Path(os.environ.get("POWERPULSE_TEST_CACHE", "/var/tmp/powerpulse-test-cache"))
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("python3", "python3-venv", "libstdc++6", "ca-certificates")
# Trimmed from the rootfs: package caches and documentation only a person at a shell would read.
TRIM = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
PYTHON_BASE = "localhost/pp-test-python:bookworm"
NODE_BASE = "localhost/pp-test-node:20"
HOST_CA = os.environ.get("NODE_EXTRA_CA_CERTS") or "/etc/ssl/certs/ca-certificates.crt"
# The host's npm cache, mounted into the web UI build stage so `npm ci` finds what it needs.
NPM_CACHE = Path.home() / ".npm"


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    """Serialise cache creation between test runs that start at the same time."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def rootfs_tarball() -> Path:
    """The cached, trimmed bookworm rootfs as a tar file, made with debootstrap when missing."""
    key = _key(SUITE, MIRROR, *PACKAGES, *TRIM, "v1")
    tarball = CACHE / f"rootfs-{SUITE}-{key}.tar"
    with _locked("rootfs"):
        if tarball.exists():
            return tarball
        work = Path(tempfile.mkdtemp(prefix="pp-rootfs-", dir=CACHE))
        try:
            rootfs = work / "rootfs"
            subprocess.run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    f"--include={','.join(PACKAGES)}",
                    SUITE,
                    str(rootfs),
                    MIRROR,
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
            for sub in TRIM:
                shutil.rmtree(rootfs / sub, ignore_errors=True)
                (rootfs / sub).mkdir(parents=True, exist_ok=True)
            partial = work / "rootfs.tar"
            subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
            partial.rename(tarball)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return tarball


def wheelhouse(repo: Path) -> Path:
    """Wheels for every dependency in pyproject.toml (and the build backend), cached."""
    pyproject = (repo / "pyproject.toml").read_text()
    key = _key(pyproject, sys.version, "v1")
    target = CACHE / f"wheels-{key}"
    with _locked("wheels"):
        if target.exists():
            return target
        partial = Path(tempfile.mkdtemp(prefix="pp-wheels-", dir=CACHE))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "-q",
                "--disable-pip-version-check",
                "--wheel-dir",
                str(partial),
                str(repo),
                "setuptools>=68",
                "wheel",
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
        # The project's own wheel is rebuilt from the source tree by every image build.
        for stale in partial.glob("powerpulse-*.whl"):
            stale.unlink()
        partial.rename(target)
    return target


def import_bases(podman: Podman) -> tuple[str, str]:
    """Import the Python base and build the Node base inside `podman`; returns both names."""
    podman.podman("import", str(rootfs_tarball()), PYTHON_BASE)
    context = podman.root / "node-context"
    context.mkdir()
    node = shutil.which("node") or "/usr/bin/node"
    npm_dir = Path(os.path.realpath(shutil.which("npm") or "/usr/bin/npm")).parents[1]
    shutil.copy2(os.path.realpath(node), context / "node")
    shutil.copytree(npm_dir, context / "npm", symlinks=True)
    # The host may reach the npm registry through a TLS proxy with its own CA: trust what it trusts.
    shutil.copy2(HOST_CA, context / "host-ca.crt")
    (context / "Containerfile").write_text(
        f"FROM {PYTHON_BASE}\n"
        "COPY node /usr/local/bin/node\n"
        "COPY npm /usr/local/lib/node_modules/npm\n"
        "COPY host-ca.crt /usr/local/share/host-ca.crt\n"
        "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt\n"
        "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm"
        " && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx\n"
    )
    podman.podman("build", "-q", "-t", NODE_BASE, str(context))
    shutil.rmtree(context)
    return PYTHON_BASE, NODE_BASE


def build_args(
    repo: Path, tag: str, version: str, revision: str, wheels: Path, npm_cache: Path
) -> list[str]:
    """`podman build` arguments for the real Dockerfile on the imported bases, with no index
    for pip (the wheelhouse) and the host's npm cache for `npm ci`."""
    return [
        "build",
        "--format=docker",  # OCI images drop HEALTHCHECK
        "--network=host",
        f"--volume={wheels}:/wheels:ro",
        f"--volume={npm_cache}:/root/.npm",
        f"--build-arg=PYTHON_IMAGE={PYTHON_BASE}",
        f"--build-arg=NODE_IMAGE={NODE_BASE}",
        "--build-arg=PIP_INSTALL_OPTS=--no-index --find-links /wheels",
        f"--build-arg=VERSION={version}",
        f"--build-arg=REVISION={revision}",
        f"--tag={tag}",
        str(repo),
    ]
