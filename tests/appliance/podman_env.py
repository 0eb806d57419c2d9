"""A real container engine for the appliance tests: podman serving the Docker Engine API, plus a
local `docker-registry`, both confined to a temporary directory (recipe: shared/TESTING.md).

Nothing outside the temp dir is touched: `CONTAINERS_STORAGE_CONF`, `CONTAINERS_REGISTRIES_CONF`,
`CONTAINERS_CONF` and `TMPDIR` point into it, every container uses the host network (the default
bridge would rewrite the host's firewall), runc and cgroupfs because crun fails on this host.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import docker

from tests.support import leakcheck
from tests.support.nut_server import free_port


class Podman:
    """`podman` CLI + `podman system service` rooted in `root`, and a registry on a free port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.registry_port = free_port()
        self.registry = f"127.0.0.1:{self.registry_port}"
        self.socket = root / "podman.sock"
        self._service: subprocess.Popen[bytes] | None = None
        self._registry: subprocess.Popen[bytes] | None = None
        self.env = self._write_config()

    def _write_config(self) -> dict[str, str]:
        r = self.root
        for sub in ("graph", "run", "tmp", "registry"):
            (r / sub).mkdir(parents=True, exist_ok=True)
        (r / "storage.conf").write_text(
            f'[storage]\ndriver = "overlay"\ngraphroot = "{r}/graph"\nrunroot = "{r}/run"\n'
        )
        (r / "registries.conf").write_text(
            f'unqualified-search-registries = []\n[[registry]]\nlocation = "{self.registry}"\n'
            "insecure = true\n"
        )
        (r / "containers.conf").write_text(
            '[containers]\nnetns = "host"\n'
            'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n'
            '[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\n'
            f'events_logger = "file"\nevents_logfile_path = "{r}/events.log"\n'
        )
        (r / "registry.yml").write_text(
            "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {r}/registry\n  delete:\n    enabled: true\n"
            f"http:\n  addr: {self.registry}\n"
        )
        env = dict(os.environ)
        env.update(
            CONTAINERS_STORAGE_CONF=str(r / "storage.conf"),
            CONTAINERS_REGISTRIES_CONF=str(r / "registries.conf"),
            CONTAINERS_CONF=str(r / "containers.conf"),
            TMPDIR=str(r / "tmp"),
        )
        return env

    def podman(
        self, *args: str, check: bool = True, timeout: float = 600, input: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            ["podman", *args],
            env=self.env,
            input=input.decode() if input is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(
                f"podman {' '.join(args[:3])} failed ({proc.returncode}):\n"
                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            )
        return proc

    def start(self) -> Podman:
        log = (self.root / "service.log").open("wb")
        self._service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", f"unix://{self.socket}"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        reg_log = (self.root / "registry.log").open("wb")
        self._registry = subprocess.Popen(
            ["docker-registry", "serve", str(self.root / "registry.yml")],
            env=self.env,
            stdout=reg_log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.socket.exists() and self._registry_up():
                with contextlib.suppress(Exception):
                    self.client().ping()
                    return self
            time.sleep(0.1)
        raise RuntimeError("podman service or registry did not come up")

    def _registry_up(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.registry}/v2/", timeout=1) as resp:
                return bool(resp.status == 200)
        except OSError:
            return False

    def client(self) -> docker.DockerClient:
        return docker.DockerClient(base_url=f"unix://{self.socket}", version="1.41", timeout=120)

    def inspect(self, name: str) -> dict[str, Any]:
        return dict(self.client().api.inspect_container(name))

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.podman("rm", "-af", "-t", "0", check=False, timeout=120)
        for proc in (self._service, self._registry):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        _kill_conmons_under(self.root)
        # podman bind-mounts <graphroot>/overlay (sometimes more than once) and the layers of
        # containers below it: unmount everything under the root, deepest first, until none is left.
        for _ in range(5):
            mounts = _mounts_under(self.root)
            if not mounts:
                break
            for path in mounts:
                subprocess.run(["umount", "-l", path], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def _kill_conmons_under(root: Path) -> None:
    """SIGKILL what still runs from `root` once the engine is down. Under load (three xdist
    workers on two cores) `rm -af` returned with the conmon of every `podman exec` session still
    running, reparented to init: the engine that would reap them is gone, so nothing else will."""
    marker = str(root.resolve())
    for proc in leakcheck.snapshot().values():
        if marker in proc.cmdline and proc.state not in ("Z", "X"):
            with contextlib.suppress(OSError):
                os.kill(proc.pid, signal.SIGKILL)


def _mounts_under(root: Path) -> list[str]:
    prefix = f"{root}/"
    with open("/proc/mounts") as handle:
        points = [line.split()[1] for line in handle]
    return sorted({p for p in points if p.startswith(prefix)}, key=len, reverse=True)
