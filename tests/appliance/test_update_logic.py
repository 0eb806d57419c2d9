"""The pure parts of self-update: image references, which container we are, and how a container
is recreated from a new image (inspect data shaped as Docker and podman return it)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from powerpulse.update import spec
from powerpulse.update.registry import is_loopback, parse_image_ref, repo_digests_for
from powerpulse.update.runner import within
from powerpulse.update.self_id import ids_from_mountinfo

CID = "a" * 64
OTHER = "b" * 64


@pytest.mark.parametrize(
    ("ref", "registry", "repository", "tag"),
    [
        ("nginx", "docker.io", "library/nginx", "latest"),
        ("blinkzero/powerpulse:1.2", "docker.io", "blinkzero/powerpulse", "1.2"),
        ("docker.io/library/python:3.11-slim", "docker.io", "library/python", "3.11-slim"),
        ("ghcr.io/o/powerpulse", "ghcr.io", "o/powerpulse", "latest"),
        ("127.0.0.1:5000/powerpulse:latest", "127.0.0.1:5000", "powerpulse", "latest"),
        ("localhost/powerpulse", "localhost", "powerpulse", "latest"),
    ],
)
def test_image_references_are_normalised_like_docker_does(
    ref: str, registry: str, repository: str, tag: str
) -> None:
    parsed = parse_image_ref(ref)
    assert (parsed.registry, parsed.repository, parsed.tag) == (registry, repository, tag)


def test_a_pinned_digest_is_kept_and_docker_hub_is_asked_at_its_api_host() -> None:
    parsed = parse_image_ref("powerpulse@sha256:" + "1" * 64)
    assert parsed.digest == "sha256:" + "1" * 64
    assert parsed.api_host == "registry-1.docker.io"
    with pytest.raises(ValueError):
        parse_image_ref("")


def test_repo_digests_of_the_same_repository_in_any_spelling_are_found() -> None:
    ref = parse_image_ref("blinkzero/powerpulse:latest")
    digests = [
        "docker.io/blinkzero/powerpulse@sha256:aaa",
        "blinkzero/powerpulse@sha256:bbb",
        "ghcr.io/blinkzero/powerpulse@sha256:ccc",
    ]
    assert repo_digests_for(ref, digests) == ["sha256:aaa", "sha256:bbb"]


def test_only_loopback_registries_count_as_plain_http() -> None:
    assert is_loopback("127.0.0.1:5000") and is_loopback("localhost:5000")
    assert not is_loopback("registry.example.com") and not is_loopback("10.0.0.1:5000")


def test_own_container_id_comes_from_the_bind_mounted_etc_files() -> None:
    mountinfo = "\n".join(
        [
            "1 0 0:1 / / rw - overlay overlay rw",
            f"2 1 8:1 /var/lib/docker/containers/{CID}/hostname /etc/hostname rw - ext4 x rw",
            f"3 1 8:1 /data/overlay-containers/{CID}/userdata/hosts /etc/hosts rw - ext4 x rw",
            f"4 1 8:1 /volumes/{OTHER}/_data /app/data rw - ext4 x rw",
        ]
    )
    assert ids_from_mountinfo(mountinfo) == [CID]
    assert ids_from_mountinfo("1 0 0:1 / / rw - overlay overlay rw") == []


def _container(**config: Any) -> dict[str, Any]:
    return {
        "Id": CID,
        "Name": "/powerpulse",
        "Image": "sha256:old",
        "Config": {
            "Hostname": CID[:12],
            "Env": [
                "PATH=/usr/bin",
                "POWERPULSE_VERSION=1.0.0",
                "PORT=9000",
                "TZ=Europe/Berlin",
                "HOSTNAME=abc",
                "container=podman",
            ],
            "Labels": {"org.opencontainers.image.version": "1.0.0", "owner": "me"},
            "Cmd": None,
            "Entrypoint": ["/app/entrypoint.sh"],
            **config,
        },
        "HostConfig": {
            "Binds": ["powerpulse-data:/app/data"],
            "Mounts": [{"Type": "volume", "Source": "powerpulse-data", "Target": "/app/data"}],
            "NetworkMode": "appnet",
            "PortBindings": {"8080/tcp": [{"HostIp": "", "HostPort": "8081"}]},
            "RestartPolicy": {"Name": "unless-stopped", "MaximumRetryCount": 0},
            "Ulimits": [{"Name": "RLIMIT_NOFILE", "Soft": 1024, "Hard": 2048}],
        },
        "Mounts": [
            {"Type": "volume", "Name": "powerpulse-data", "Destination": "/app/data", "RW": True},
            {"Type": "volume", "Name": "f" * 64, "Destination": "/cache", "RW": True},
            {
                "Type": "bind",
                "Source": "/var/run/docker.sock",
                "Destination": "/var/run/docker.sock",
                "RW": True,
            },
            {"Type": "bind", "Source": "/etc/nut", "Destination": "/nut", "RW": False},
        ],
        "NetworkSettings": {
            "Networks": {
                "appnet": {"Aliases": [CID[:12], "powerpulse"], "IPAMConfig": None},
                "monitoring": {"Aliases": ["pp"]},
            }
        },
    }


OLD_IMAGE = {
    "Config": {
        "Env": ["PATH=/usr/bin", "POWERPULSE_VERSION=1.0.0", "PORT=8080"],
        "Labels": {"org.opencontainers.image.version": "1.0.0"},
        "Entrypoint": ["/app/entrypoint.sh"],
        "Cmd": None,
    }
}


def test_the_clone_keeps_what_the_user_chose_and_leaves_the_image_its_own() -> None:
    body = spec.clone_body(_container(), OLD_IMAGE, "powerpulse:latest")
    assert body["Image"] == "powerpulse:latest"
    # User-set variables stay; baked ones (the old version!) and engine-added ones go.
    assert body["Env"] == ["PORT=9000", "TZ=Europe/Berlin"]
    assert body["Labels"] == {"owner": "me"}
    assert "Entrypoint" not in body and "Cmd" not in body and "Hostname" not in body
    host = body["HostConfig"]
    # Every mount as a bind, anonymous volumes by name, read-only kept; no duplicate Mounts.
    assert host["Binds"] == [
        "powerpulse-data:/app/data",
        f"{'f' * 64}:/cache",
        "/var/run/docker.sock:/var/run/docker.sock",
        "/etc/nut:/nut:ro",
    ]
    assert "Mounts" not in host
    assert host["PortBindings"] == {"8080/tcp": [{"HostIp": "", "HostPort": "8081"}]}
    assert host["RestartPolicy"]["Name"] == "unless-stopped"
    assert host["Ulimits"] == [{"Name": "nofile", "Soft": 1024, "Hard": 2048}]
    # The primary network with its aliases (minus the old short id); the others afterwards.
    assert body["NetworkingConfig"] == {"EndpointsConfig": {"appnet": {"Aliases": ["powerpulse"]}}}
    assert spec.extra_networks(_container()) == {"monitoring": {"Aliases": ["pp"]}}


def test_a_command_the_user_overrode_is_kept_and_host_networking_sets_no_hostname() -> None:
    container = _container(Cmd=["powerpulse", "api"], Hostname="myhost")
    container["HostConfig"]["NetworkMode"] = "host"
    body = spec.clone_body(container, OLD_IMAGE, "powerpulse:2")
    assert body["Cmd"] == ["powerpulse", "api"]
    assert "Hostname" not in body and "NetworkingConfig" not in body
    assert spec.extra_networks(container) == {}


def test_a_probe_that_never_returns_is_given_up_on_at_its_limit() -> None:
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        within(0.3, release.wait)
    assert time.monotonic() - started < 2
    release.set()
    assert within(1, lambda: "2.0.0") == "2.0.0"
    with pytest.raises(ConnectionError):
        within(1, lambda: (_ for _ in ()).throw(ConnectionError("engine gone")))
