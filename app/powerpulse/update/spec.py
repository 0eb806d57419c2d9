"""How to recreate a container from a new image with the same settings (pure: inspect → body).

Input is what the engine's inspect returns for the running container and its (old) image; the
output is a `POST /containers/create` body. What the user chose is kept: environment, mounts and
volumes (anonymous ones too, by name, so the data volume follows), ports, network mode and
networks, labels, restart policy and the rest of `HostConfig`. What the old image baked in
(its `ENV` such as `POWERPULSE_VERSION`, its labels, `CMD`, healthcheck) is left to the new one.
"""

from __future__ import annotations

from typing import Any

# Variables the engine adds by itself (podman: `container`, `HOSTNAME`, `HOME`).
ENGINE_ENV = frozenset({"HOSTNAME", "container", "HOME"})
# Network modes that are not the name of a network to attach to.
BUILTIN_NETWORK_MODES = frozenset({"host", "none", "bridge", "default", ""})
# Config keys copied only where the container differs from its image (the user overrode them).
OVERRIDABLE = ("Cmd", "Entrypoint", "Healthcheck", "User", "WorkingDir", "StopSignal")


def _env_key(item: str) -> str:
    return item.split("=", 1)[0]


def user_env(container_env: list[str] | None, image_env: list[str] | None) -> list[str]:
    """The container's variables minus those identical to its image's and the engine's own."""
    baked = set(image_env or ())
    return [
        item
        for item in container_env or ()
        if item not in baked and _env_key(item) not in ENGINE_ENV
    ]


def user_labels(
    container_labels: dict[str, str] | None, image_labels: dict[str, str] | None
) -> dict[str, str]:
    image_labels = image_labels or {}
    return {k: v for k, v in (container_labels or {}).items() if image_labels.get(k) != v}


def binds_from_mounts(mounts: list[dict[str, Any]] | None) -> list[str]:
    """`Binds` entries for every volume and bind mount, anonymous volumes included by name."""
    binds: list[str] = []
    for mount in mounts or ():
        kind = mount.get("Type")
        source = mount.get("Name") if kind == "volume" else mount.get("Source")
        target = mount.get("Destination")
        if kind not in ("volume", "bind") or not source or not target:
            continue
        binds.append(f"{source}:{target}" + ("" if mount.get("RW", True) else ":ro"))
    return binds


def _ulimit(limit: dict[str, Any]) -> dict[str, Any]:
    """Docker's name for a limit: podman reports `RLIMIT_NOFILE` but accepts only `nofile`."""
    name = str(limit.get("Name", "")).lower().removeprefix("rlimit_")
    return {**limit, "Name": name}


def _overridden(key: str, value: Any, image_value: Any) -> bool:
    """Did the user set `key` on the container (rather than inherit it from the image)?"""
    if not value or value == image_value:
        return False
    # podman's image inspect leaves these out and fills the container's in by itself: with
    # nothing to compare against, leave them to the new image.
    if key == "Healthcheck":
        return image_value is not None and value.get("Test") != image_value.get("Test")
    if key == "StopSignal":
        return image_value is not None or str(value) not in ("15", "SIGTERM")
    return True


def network_mode(container: dict[str, Any]) -> str:
    return str((container.get("HostConfig") or {}).get("NetworkMode") or "default")


def _endpoint(settings: dict[str, Any], short_id: str) -> dict[str, Any]:
    aliases = [a for a in settings.get("Aliases") or () if a != short_id]
    endpoint: dict[str, Any] = {"Aliases": aliases or None}
    if settings.get("IPAMConfig"):
        endpoint["IPAMConfig"] = settings["IPAMConfig"]
    return endpoint


def extra_networks(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Networks to connect after create (the API attaches only one at create time)."""
    mode = network_mode(container)
    if mode in BUILTIN_NETWORK_MODES or mode.startswith("container:"):
        return {}
    short_id = str(container.get("Id", ""))[:12]
    networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
    return {name: _endpoint(s or {}, short_id) for name, s in networks.items() if name != mode}


def clone_body(
    container: dict[str, Any], old_image: dict[str, Any], new_image: str
) -> dict[str, Any]:
    """The create body for a copy of `container` running `new_image`."""
    config = container.get("Config") or {}
    image_config = old_image.get("Config") or {}
    host_config = dict(container.get("HostConfig") or {})
    host_config["Binds"] = binds_from_mounts(container.get("Mounts"))
    # Mounts are all in Binds now; keeping these too would mount the same targets twice.
    for key in ("Mounts", "VolumesFrom", "ContainerIDFile"):
        host_config.pop(key, None)
    if host_config.get("Ulimits"):
        host_config["Ulimits"] = [_ulimit(u) for u in host_config["Ulimits"]]
    mode = network_mode(container)
    body: dict[str, Any] = {
        "Image": new_image,
        "Env": user_env(config.get("Env"), image_config.get("Env")),
        "Labels": user_labels(config.get("Labels"), image_config.get("Labels")),
        "ExposedPorts": config.get("ExposedPorts") or None,
        "Tty": bool(config.get("Tty")),
        "OpenStdin": bool(config.get("OpenStdin")),
        "HostConfig": host_config,
    }
    for key in OVERRIDABLE:
        if _overridden(key, config.get(key), image_config.get(key)):
            body[key] = config[key]
    hostname = config.get("Hostname") or ""
    if mode not in ("host",) and hostname and not str(container.get("Id", "")).startswith(hostname):
        body["Hostname"] = hostname
    if mode not in BUILTIN_NETWORK_MODES and not mode.startswith("container:"):
        networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
        short_id = str(container.get("Id", ""))[:12]
        body["NetworkingConfig"] = {
            "EndpointsConfig": {mode: _endpoint(networks.get(mode) or {}, short_id)}
        }
    return body
