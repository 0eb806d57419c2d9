"""The image and its self-update against a real container engine: podman serving the Docker
Engine API, a local registry, the repo's Dockerfile built from local base images.

The tests run in order and share one story: v1 is built, pushed as `:latest`, pulled and run
(host network, socket mounted, a named volume for /app/data); v2 is pushed and the running v1
updates itself to it through `POST /api/system/update`; then a broken v3 is pushed and the
update to it is rolled back, leaving v2 running.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.appliance.conftest import SOCKET_GID, Builder
from tests.appliance.podman_env import Podman
from tests.support.nut_server import free_port

pytestmark = pytest.mark.slow

NAME = "powerpulse-it"
ADMIN = ("admin", "Admin-pass-123!")
USER_ENV = {
    "POLL_INTERVAL": "1",
    "MY_SETTING": "kept-across-updates",
    "TZ": "Europe/Berlin",
    "UPDATE_HEALTH_TIMEOUT": "15",
}
LABEL = "com.example.owner=appliance-tests"
# 192 MB at 2.0; asyncpg (PostgreSQL) added about 13 MB, Apprise and Jinja2 about 20 MB, and
# stripping the native extensions' debug symbols took about 30 MB off again.
MAX_IMAGE_BYTES = 220 * 1000 * 1000
NUMBERS: dict[str, Any] = {}


class App:
    """The running appliance, seen from outside: HTTP on its port, the engine's view of it."""

    def __init__(self, podman: Podman, port: int, image: str, volume: str) -> None:
        self.podman = podman
        self.port = port
        self.image = image
        self.volume = volume
        self.token = ""

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def version(self) -> str | None:
        try:
            status, body = self.request("GET", "/api/system/version")
        except (OSError, ValueError):
            return None
        return str(body["version"]) if status == 200 else None

    def wait_version(self, version: str, timeout: float = 120) -> float:
        started = time.monotonic()
        while self.version() != version:
            if time.monotonic() - started > timeout:
                logs = self.podman.podman("logs", "--tail=40", NAME, check=False)
                raise AssertionError(f"{version} never answered:\n{logs.stdout}{logs.stderr}")
            time.sleep(0.25)
        return time.monotonic() - started

    def wait_update_done(self, timeout: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, body = self.request("GET", "/api/system/update/status")
                if status == 200 and not body["inProgress"]:
                    return dict(body)
            except (OSError, ValueError):
                pass  # the container is being replaced
            time.sleep(0.5)
        raise AssertionError(f"the update never finished\n{self.engine_report()}")

    def engine_report(self) -> str:
        """What the engine saw: every container, and the updater's own log (it explains a
        replacement that stopped half-way)."""
        report = [self.podman.podman("ps", "-a", check=False).stdout]
        for name in self.containers():
            if name.startswith(f"{NAME}-updater-"):
                logs = self.podman.podman("logs", "--tail=60", name, check=False)
                report.append(f"--- {name}\n{logs.stdout}{logs.stderr}")
        return "\n".join(report)

    def login(self) -> None:
        self.token = ""
        status, body = self.request(
            "POST", "/api/auth/login", {"username": ADMIN[0], "password": ADMIN[1]}
        )
        assert status == 200, body
        self.token = body["token"]

    def inspect(self) -> dict[str, Any]:
        return self.podman.inspect(NAME)

    def usernames(self) -> set[str]:
        status, body = self.request("GET", "/api/users")
        assert status == 200, body
        users = body if isinstance(body, list) else body.get("users", [])
        return {u["username"] for u in users}

    def containers(self) -> list[str]:
        out = self.podman.podman("ps", "-a", "--format", "{{.Names}}").stdout
        return sorted(out.split())

    def push_version(self, builder: Builder, version: str) -> str:
        tag = builder.build(f"localhost/powerpulse-test:{version}", version)
        builder.push(tag, self.image)
        return tag


@pytest.fixture(scope="module")
def app(podman: Podman, builder: Builder) -> Iterator[App]:
    image = f"{podman.registry}/powerpulse:latest"
    running = App(podman, free_port(), image, f"pp-data-{uuid.uuid4().hex[:8]}")
    running.push_version(builder, "1.0.0")
    NUMBERS["first build s"] = round(builder.seconds["localhost/powerpulse-test:1.0.0"], 1)
    # As a user would get it: pulled from the registry (so the local digest is the registry's).
    podman.podman("rmi", "localhost/powerpulse-test:1.0.0")
    podman.podman("pull", "--tls-verify=false", image)
    env = [f"--env={k}={v}" for k, v in {**USER_ENV, "PORT": str(running.port)}.items()]
    podman.podman(
        "run",
        "--detach",
        f"--name={NAME}",
        "--restart=unless-stopped",
        f"--label={LABEL}",
        *env,
        f"--volume={running.volume}:/app/data",
        f"--volume={podman.socket}:/var/run/docker.sock",
        image,
    )
    running.wait_version("1.0.0", timeout=60)
    podman.podman(
        "exec", "-i", "--user=powerpulse", NAME,
        "powerpulse", "user", "create", ADMIN[0], "--role=admin", "--password-stdin",
        input=f"{ADMIN[1]}\n".encode(),
    )  # fmt: skip
    running.login()
    yield running
    print("\nappliance numbers:", json.dumps(NUMBERS))


def test_image_is_slim_runs_as_uid_1000_and_declares_what_docker_needs(app: App) -> None:
    image = app.podman.client().api.inspect_image(app.image)
    NUMBERS["image MB"] = round(image["Size"] / 1e6, 1)
    assert image["Size"] < MAX_IMAGE_BYTES
    config = image["Config"]
    assert "/app/data" in config["Volumes"]
    assert "8080/tcp" in config["ExposedPorts"]
    assert "POWERPULSE_VERSION=1.0.0" in config["Env"]
    assert config["Labels"]["org.opencontainers.image.version"] == "1.0.0"
    # podman's Docker-compatible inspect leaves the healthcheck out; its own inspect has it.
    native = json.loads(app.podman.podman("image", "inspect", app.image).stdout)[0]
    assert native["Healthcheck"]["Test"] == ["CMD", "powerpulse", "healthcheck"]
    # Nothing that only builds: no compilers, no Node, no node_modules, no tests, no pip.
    found = app.podman.podman(
        "run", "--rm", "--entrypoint=sh", app.image, "-c",
        "command -v gcc cc node npm pip; find / -xdev -name node_modules -o -name tests -path"
        " '/app/*' | head -5; ls /app/webui",
    ).stdout  # fmt: skip
    assert found.split() == ["index.html"] or "index.html" in found.split()
    assert not [line for line in found.split() if line.startswith("/") and "node" in line]


def test_workers_run_unprivileged_with_the_socket_group_and_a_private_data_dir(app: App) -> None:
    status = app.podman.podman("exec", NAME, "cat", "/proc/1/status").stdout
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    assert fields["Uid"].split()[0] == "1000"
    assert str(SOCKET_GID) in fields["Groups"].split()
    listing = app.podman.podman("exec", NAME, "ls", "-ln", "/app/data").stdout
    assert "-rw------- 1 1000 1000" in listing and "jwt_secret" in listing
    assert app.podman.podman("exec", NAME, "powerpulse", "healthcheck").stdout.strip() == "1.0.0"


def test_version_endpoint_says_self_update_is_possible_and_nothing_is_newer(app: App) -> None:
    status, body = app.request("GET", "/api/system/version")
    assert status == 200
    assert body["version"] == "1.0.0"
    assert body["imageRef"] == app.image
    assert body["imageDigest"].startswith("sha256:")
    assert body["selfUpdate"] == {"possible": True, "reason": None}

    status, check = app.request("GET", "/api/system/update/check")
    assert status == 200, check
    assert check["updateAvailable"] is False
    assert check["currentDigest"] == check["latestDigest"]

    status, body = app.request("POST", "/api/system/update")
    assert status == 200
    assert body["message"] == "Update initiated successfully"
    result = app.wait_update_done(timeout=60)
    assert result["state"] == "up-to-date"
    assert "already up to date" in result["message"]
    assert app.version() == "1.0.0"


def test_update_endpoints_are_for_admins_only(app: App) -> None:
    token, app.token = app.token, ""
    try:
        for method, path in (
            ("POST", "/api/system/update"),
            ("GET", "/api/system/update/check"),
            ("GET", "/api/system/update/status"),
        ):
            status, body = app.request(method, path)
            assert status == 401 and body["error"], (path, body)
    finally:
        app.token = token


def test_update_to_v2_keeps_name_settings_and_data(app: App, builder: Builder) -> None:
    status, body = app.request(
        "POST",
        "/api/auth/register",
        {"username": "alice", "password": "Alice-pass-123!", "email": "alice@example.com"},
    )
    assert status in (200, 201), body
    before = app.inspect()
    app.push_version(builder, "2.0.0")
    NUMBERS["rebuild s (v2)"] = round(builder.seconds["localhost/powerpulse-test:2.0.0"], 1)

    status, check = app.request("GET", "/api/system/update/check")
    assert status == 200 and check["updateAvailable"] is True, check
    assert check["latestDigest"] != check["currentDigest"]

    started = time.monotonic()
    status, body = app.request("POST", "/api/system/update")
    assert status == 200 and body["message"] == "Update initiated successfully"
    app.wait_version("2.0.0", timeout=180)
    NUMBERS["update s (POST to v2 answering)"] = round(time.monotonic() - started, 1)

    result = app.wait_update_done()
    assert result["state"] == "succeeded", result
    NUMBERS["update steps"] = [(s["state"], s["at"][11:23]) for s in result["steps"]]
    assert (result["fromVersion"], result["toVersion"]) == ("1.0.0", "2.0.0")

    after = app.inspect()
    assert after["Id"] != before["Id"]
    assert after["Name"].lstrip("/") == NAME and after["State"]["Running"]
    env = set(after["Config"]["Env"])
    assert {f"{k}={v}" for k, v in USER_ENV.items()} <= env
    assert f"PORT={app.port}" in env
    assert "POWERPULSE_VERSION=2.0.0" in env and "POWERPULSE_VERSION=1.0.0" not in env
    assert after["Config"]["Labels"]["com.example.owner"] == "appliance-tests"
    assert after["Config"]["Labels"]["org.opencontainers.image.version"] == "2.0.0"
    assert after["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    assert after["HostConfig"]["NetworkMode"] == "host"
    mounts = {m["Destination"]: m for m in after["Mounts"]}
    assert mounts["/app/data"]["Name"] == app.volume
    assert mounts["/var/run/docker.sock"]["Source"] == str(app.podman.socket)
    # The old container is gone; only the finished updater is left until the next update.
    assert [c for c in app.containers() if not c.startswith(f"{NAME}-updater-")] == [NAME]
    # Same data volume and JWT secret: the old token still works and the users are there.
    assert app.usernames() == {"admin", "alice"}


def test_a_v3_that_never_comes_up_is_rolled_back_and_v2_keeps_running(
    app: App, builder: Builder, tmp_path: Path
) -> None:
    v2_tag = "localhost/powerpulse-test:2.0.0"
    (tmp_path / "Containerfile").write_text(
        f"FROM {v2_tag}\nENV POWERPULSE_VERSION=3.0.0\n"
        'CMD ["sh", "-c", "echo \'v3 cannot start\' >&2; exit 3"]\n'
    )
    app.podman.podman("build", "--format=docker", "--tag=localhost/powerpulse-test:3.0.0",
                      str(tmp_path))  # fmt: skip
    builder.push("localhost/powerpulse-test:3.0.0", app.image)
    v2_id = app.inspect()["Image"]

    status, _ = app.request("POST", "/api/system/update")
    assert status == 200
    status, busy = app.request("POST", "/api/system/update")
    assert status == 409 and busy["error"] == "update_in_progress"
    result = app.wait_update_done()
    assert result["state"] == "rolled-back", result
    assert "exited" in result["error"]
    assert "v3 cannot start" in (result.get("logs") or "")

    app.wait_version("2.0.0", timeout=60)
    after = app.inspect()
    assert after["Image"] == v2_id and after["State"]["Running"]
    assert after["Name"].lstrip("/") == NAME
    assert [c for c in app.containers() if not c.startswith(f"{NAME}-updater-")] == [NAME]
    assert app.usernames() == {"admin", "alice"}


def test_a_v4_that_runs_but_never_answers_is_rolled_back_after_the_timeout(
    app: App, builder: Builder, tmp_path: Path
) -> None:
    (tmp_path / "Containerfile").write_text(
        "FROM localhost/powerpulse-test:2.0.0\nENV POWERPULSE_VERSION=4.0.0\n"
        'CMD ["sleep", "infinity"]\n'
    )
    app.podman.podman("build", "--format=docker", "--tag=localhost/powerpulse-test:4.0.0",
                      str(tmp_path))  # fmt: skip
    builder.push("localhost/powerpulse-test:4.0.0", app.image)
    v2_id = app.inspect()["Image"]

    started = time.monotonic()
    status, _ = app.request("POST", "/api/system/update")
    assert status == 200
    result = app.wait_update_done()
    assert result["state"] == "rolled-back", result
    assert "did not answer within 15 s" in result["error"]
    assert time.monotonic() - started >= 15
    app.wait_version("2.0.0", timeout=60)
    assert app.inspect()["Image"] == v2_id
    assert [c for c in app.containers() if not c.startswith(f"{NAME}-updater-")] == [NAME]


def test_a_v5_whose_health_command_hangs_is_rolled_back_not_left_stopped(
    app: App, tmp_path: Path
) -> None:
    # An exec that never returns is what an engine gives for a container caught exiting or
    # restarting. The updater must give up on it in time and bring v2 back.
    (tmp_path / "hang").mkdir()
    (tmp_path / "hang" / "powerpulse").write_text(
        '#!/bin/sh\n[ "$1" = healthcheck ] && exec sleep 3600\n'
        'exec /opt/powerpulse/bin/powerpulse "$@"\n'
    )
    (tmp_path / "hang" / "powerpulse").chmod(0o755)
    (tmp_path / "Containerfile").write_text(
        "FROM localhost/powerpulse-test:2.0.0\nENV POWERPULSE_VERSION=5.0.0\n"
        "COPY hang /hang\nENV PATH=/hang:$PATH\n"
    )
    app.podman.podman("build", "--format=docker", "--tag=localhost/powerpulse-test:5.0.0",
                      str(tmp_path))  # fmt: skip
    app.podman.podman("push", "--tls-verify=false", "localhost/powerpulse-test:5.0.0", app.image)
    v2_id = app.inspect()["Image"]

    status, _ = app.request("POST", "/api/system/update")
    assert status == 200
    result = app.wait_update_done(timeout=120)
    assert result["state"] == "rolled-back", result
    assert "did not answer within 15 s" in result["error"]
    app.wait_version("2.0.0", timeout=60)
    assert app.inspect()["Image"] == v2_id
    assert [c for c in app.containers() if not c.startswith(f"{NAME}-updater-")] == [NAME]


def test_without_the_socket_update_is_refused_saying_what_to_mount(app: App) -> None:
    bare = App(app.podman, free_port(), app.image, "")
    app.podman.podman(
        "run", "--detach", "--name=pp-no-socket", f"--env=PORT={bare.port}",
        "localhost/powerpulse-test:2.0.0",
    )  # fmt: skip
    try:
        bare.wait_version("2.0.0", timeout=60)
        app.podman.podman(
            "exec", "-i", "--user=powerpulse", "pp-no-socket",
            "powerpulse", "user", "create", ADMIN[0], "--role=admin", "--password-stdin",
            input=f"{ADMIN[1]}\n".encode(),
        )  # fmt: skip
        bare.login()  # the image and self-update details are for admins
        status, body = bare.request("GET", "/api/system/version")
        assert body["selfUpdate"]["possible"] is False
        assert "-v /var/run/docker.sock:/var/run/docker.sock" in body["selfUpdate"]["reason"]
        for method, path in (("POST", "/api/system/update"), ("GET", "/api/system/update/check")):
            status, body = bare.request(method, path)
            assert status == 409, body
            assert body["error"] == "update_unavailable"
            assert "/var/run/docker.sock" in body["message"]
    finally:
        app.podman.podman("rm", "--force", "--time=0", "pp-no-socket", check=False)


def test_docker_stop_ends_both_workers_cleanly_within_the_stop_timeout(app: App) -> None:
    """Last, it stops the appliance: `docker stop` sends SIGTERM to supervisord (PID 1), which
    stops both workers together; each exits on its own well before the engine's SIGKILL."""
    started = time.monotonic()
    app.podman.podman("stop", "--time=10", NAME)
    took = time.monotonic() - started
    NUMBERS["docker stop s"] = round(took, 1)
    state = app.inspect()["State"]
    logs = app.podman.podman("logs", "--tail=40", NAME)
    out = logs.stdout + logs.stderr
    assert not state["Running"] and state["ExitCode"] == 0, (state, out)
    assert took < 10, f"docker stop took {took:.1f} s"
    for worker in ("api", "poller"):
        assert f"stopped: {worker} (exit status 0)" in out, out
