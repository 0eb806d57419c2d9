"""Self-update as the api worker offers it: version, check, start, status.

The Docker SDK blocks, so every engine or registry call goes through `asyncio.to_thread`. The
update itself runs in the background after `POST /api/system/update` has answered: pull the
image; if it is new, start a short-lived updater container from it (`powerpulse update-runner`,
see `runner.py`) that replaces this container and rolls back if the new one does not come up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import docker
import docker.errors

from powerpulse.config import Settings
from powerpulse.timeutil import utcnow
from powerpulse.update import engine, spec, state
from powerpulse.update.engine import SelfInfo, UpdateUnavailable
from powerpulse.update.registry import (
    RegistryError,
    manifest_digest,
    parse_image_ref,
    repo_digests_for,
)

log = logging.getLogger(__name__)

RUNNER_POLL_S = 1.0
DESCRIBE_TTL_S = 15.0  # the version endpoint is public: do not ask the engine on every call
_cache: tuple[float, SelfInfo] | None = None
_tasks: set[asyncio.Task[None]] = set()
_starting = asyncio.Lock()


class UpdateBusy(Exception):
    """An update is already under way."""


async def describe(settings: Settings, *, fresh: bool = False) -> SelfInfo:
    global _cache
    if not fresh and _cache is not None and time.monotonic() - _cache[0] < DESCRIBE_TTL_S:
        return _cache[1]
    info = await asyncio.to_thread(engine.describe, settings)
    _cache = (time.monotonic(), info)
    return info


def image_digest(info: SelfInfo) -> str | None:
    if info.image is None:
        return None
    try:
        ref = parse_image_ref(info.image_ref or "")
    except ValueError:
        return str(info.image.get("Id") or "") or None
    digests = repo_digests_for(ref, info.image.get("RepoDigests") or [])
    return digests[0] if digests else info.image.get("Id")


async def version_info(settings: Settings) -> dict[str, Any]:
    info = await describe(settings)
    return {
        "version": settings.version,
        "imageRef": info.image_ref,
        "imageDigest": image_digest(info),
        "selfUpdate": {"possible": info.possible, "reason": info.reason},
    }


def _check_registry(settings: Settings, info: SelfInfo) -> dict[str, Any]:
    ref = parse_image_ref(info.image_ref or "")
    local = repo_digests_for(ref, (info.image or {}).get("RepoDigests") or [])
    if ref.digest:
        return {
            "updateAvailable": False,
            "currentDigest": ref.digest,
            "latestDigest": ref.digest,
            "imageRef": info.image_ref,
            "reason": "The container runs a pinned digest; change the image reference to update",
        }
    client = engine.connect(settings)
    try:
        insecure = engine.registry_is_insecure(client, ref.registry)
    finally:
        client.close()
    latest = manifest_digest(ref, insecure=insecure)
    return {
        "updateAvailable": latest not in local,
        "currentDigest": latest if latest in local else (local[0] if local else None),
        "latestDigest": latest,
        "imageRef": info.image_ref,
    }


async def check(settings: Settings) -> dict[str, Any]:
    """Compare the local image's repo digest with what the registry serves for its tag."""
    info = await describe(settings, fresh=True)
    if not info.possible:
        raise UpdateUnavailable(info.reason or "Self-update is not possible here")
    return await asyncio.to_thread(_check_registry, settings, info)


async def start(settings: Settings) -> None:
    """Validate and start the update in the background (`UpdateUnavailable`, `UpdateBusy`)."""
    info = await describe(settings, fresh=True)
    if not info.possible:
        raise UpdateUnavailable(info.reason or "Self-update is not possible here")
    async with _starting:  # two clicks at once must not both start an update
        if (await state.read())["inProgress"]:
            raise UpdateBusy("An update is already in progress")
        await state.begin(
            message=f"Pulling {info.image_ref}",
            image=info.image_ref,
            fromVersion=settings.version,
            toVersion=None,
        )
    task = asyncio.create_task(_run(settings, info))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


def _pull(settings: Settings, ref_text: str) -> dict[str, Any]:
    ref = parse_image_ref(ref_text)
    client = engine.connect(settings)
    try:
        client.api.pull(ref.name, tag=ref.tag)
        return dict(client.api.inspect_image(f"{ref.name}:{ref.tag}"))
    finally:
        client.close()


def _start_runner(settings: Settings, info: SelfInfo, new_image: dict[str, Any]) -> str:
    """Create and start the updater container from the new image; returns its id."""
    target = info.container or {}
    old_env = ((info.image or {}).get("Config") or {}).get("Env")
    mode = spec.network_mode(target)
    body = {
        "Image": new_image["Id"],
        "Cmd": [
            "powerpulse",
            "update-runner",
            "--target",
            target["Id"],
            "--image",
            info.image_ref,
            "--timeout",
            str(settings.update_health_timeout),
        ],
        # Same database settings and data volume as the app, so it can record progress.
        "Env": spec.user_env((target.get("Config") or {}).get("Env"), old_env),
        "Labels": {engine.UPDATER_LABEL: "updater"},
        "Healthcheck": {"Test": ["NONE"]},
        "HostConfig": {
            "Binds": spec.binds_from_mounts(target.get("Mounts")),
            "NetworkMode": "default" if mode.startswith("container:") else mode,
        },
    }
    client = engine.connect(settings)
    try:
        for old in client.api.containers(
            all=True, filters={"label": f"{engine.UPDATER_LABEL}=updater", "status": "exited"}
        ):
            client.api.remove_container(old["Id"], force=True)
        name = f"{info.name}-updater-{utcnow():%Y%m%d%H%M%S}"
        created = client.api.create_container_from_config(body, name)
        client.api.start(created["Id"])
        return str(created["Id"])
    finally:
        client.close()


def _runner_result(settings: Settings, runner_id: str) -> tuple[int, str] | None:
    """The runner's exit code and last lines once it has exited; None while it runs."""
    client = engine.connect(settings)
    try:
        current = client.api.inspect_container(runner_id)
        if (current.get("State") or {}).get("Running"):
            return None
        logs = client.api.logs(runner_id, tail=5).decode(errors="replace").strip()
        return int((current.get("State") or {}).get("ExitCode") or 0), logs
    finally:
        client.close()


async def _watch_runner(settings: Settings, runner_id: str) -> tuple[int, str]:
    """Short polls rather than one blocking wait: a thread stuck in `wait` would hold this
    worker past SIGTERM when the runner stops the container."""
    deadline = time.monotonic() + settings.update_health_timeout + 60
    while time.monotonic() < deadline:
        result = await asyncio.to_thread(_runner_result, settings, runner_id)
        if result is not None:
            return result
        await asyncio.sleep(RUNNER_POLL_S)
    return -1, "the updater did not finish in time"


async def _run(settings: Settings, info: SelfInfo) -> None:
    try:
        new_image = await asyncio.to_thread(_pull, settings, info.image_ref or "")
        if new_image["Id"] == (info.container or {}).get("Image"):
            await state.step("up-to-date", "PowerPulse is already up to date")
            return
        version = engine.image_version(new_image) or new_image["Id"][7:19]
        await state.step(
            "restarting",
            f"Downloaded version {version}; starting the updater, which restarts PowerPulse",
            toVersion=version,
        )
        runner_id = await asyncio.to_thread(_start_runner, settings, info, new_image)
        code, logs = await _watch_runner(settings, runner_id)
        # Still alive: the runner ended without replacing us (or after restoring us).
        if code != 0 and (await state.read())["state"] not in state.FINAL:
            await state.step("failed", f"The updater stopped with code {code}: {logs[-500:]}")
    except (docker.errors.DockerException, OSError, RegistryError, UpdateUnavailable) as err:
        log.warning("self-update failed: %s", err)
        await state.step("failed", f"Update failed: {err}")
    except Exception as err:  # the background task must always leave a final state
        log.exception("self-update failed")
        await state.step("failed", f"Update failed: {type(err).__name__}")
