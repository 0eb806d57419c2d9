"""The container engine as seen from inside the appliance (Docker Engine API via the SDK).

Everything here blocks (the `docker` SDK is synchronous): call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

import docker
import docker.errors

from powerpulse.config import Settings
from powerpulse.update import self_id

API_VERSION = "1.41"  # naming it skips a slow version negotiation; Docker and podman both speak it
UPDATER_LABEL = "io.powerpulse.role"


def no_socket_message(socket: str) -> str:
    return (
        f"Self-update needs the Docker socket, which is not mounted at {socket}: run the container "
        "with -v /var/run/docker.sock:/var/run/docker.sock"
    )


class UpdateUnavailable(Exception):
    """Self-update cannot work here; the message says why and what to do."""


@dataclass(frozen=True)
class SelfInfo:
    """This container and its image as the engine reports them (both None when unknown)."""

    container: dict[str, Any] | None
    image: dict[str, Any] | None
    reason: str | None

    @property
    def possible(self) -> bool:
        return self.reason is None

    @property
    def image_ref(self) -> str | None:
        return str((self.container or {}).get("Config", {}).get("Image") or "") or None

    @property
    def name(self) -> str:
        return str((self.container or {}).get("Name", "")).lstrip("/")


def connect(settings: Settings) -> docker.DockerClient:
    """A client on the mounted socket, or `UpdateUnavailable` naming what is missing."""
    socket = settings.docker_socket
    if not os.path.exists(socket):
        raise UpdateUnavailable(no_socket_message(socket))
    if not os.access(socket, os.R_OK | os.W_OK):
        raise UpdateUnavailable(
            f"The Docker socket {socket} is mounted but this user may not use it: "
            "check the socket's group"
        )
    client = docker.DockerClient(base_url=f"unix://{socket}", version=API_VERSION, timeout=120)
    try:
        client.ping()
    except (docker.errors.DockerException, OSError) as err:
        client.close()
        raise UpdateUnavailable(
            f"The container engine at {socket} does not answer: {err}"
        ) from None
    return client


def find_self(client: docker.DockerClient) -> dict[str, Any] | None:
    """Inspect data of the container this process runs in, or None."""
    for candidate in self_id.candidate_ids():
        try:
            return dict(client.api.inspect_container(candidate))
        except docker.errors.NotFound:
            continue
        except docker.errors.APIError:
            continue
    return None


BY_IMAGE_ID = (
    "This container was created from an image ID, not an image name: there is no tag to update "
    "from. Recreate it from a name such as <registry>/powerpulse:latest"
)
NOT_IN_CONTAINER = "PowerPulse is not running in a container: update it the way it was installed"


def _not_found_reason() -> str:
    if not self_id.in_container():
        return NOT_IN_CONTAINER
    return "This container could not be found through the container engine"


def describe(settings: Settings) -> SelfInfo:
    """Who we are and whether self-update can work here (and if not, why)."""
    try:
        client = connect(settings)
    except UpdateUnavailable as err:
        return SelfInfo(None, None, str(err) if self_id.in_container() else NOT_IN_CONTAINER)
    try:
        container = find_self(client)
        if container is None:
            return SelfInfo(None, None, _not_found_reason())
        image = dict(client.api.inspect_image(container["Image"]))
        ref = str((container.get("Config") or {}).get("Image") or "")
        if re.fullmatch(r"(sha256:)?[0-9a-f]{12,64}", ref):
            return SelfInfo(container, image, BY_IMAGE_ID)
        return SelfInfo(container, image, None)
    except (docker.errors.DockerException, OSError) as err:
        return SelfInfo(None, None, f"The container engine failed: {err}")
    finally:
        client.close()


def registry_is_insecure(client: docker.DockerClient, registry: str) -> bool:
    """True when the engine is configured to talk plain HTTP to `registry`."""
    try:
        index = (client.info().get("RegistryConfig") or {}).get("IndexConfigs") or {}
    except (docker.errors.DockerException, OSError):
        return False
    entry = index.get(registry) or {}
    return entry.get("Secure") is False


def env_value(env: list[str] | None, name: str) -> str:
    for item in env or ():
        key, _, value = item.partition("=")
        if key == name:
            return value
    return ""


def image_version(image: dict[str, Any]) -> str:
    config = image.get("Config") or {}
    return env_value(config.get("Env"), "POWERPULSE_VERSION") or str(
        (config.get("Labels") or {}).get("org.opencontainers.image.version") or ""
    )
