"""The updater: runs in a short-lived container started from the NEW image, with the socket.

`powerpulse update-runner --target <id> --image <ref>` replaces the target container:
stop it, rename it aside (`<name>-old-<timestamp>`), create a container with its name and
settings from the new image (`spec.clone_body`), start it, wait until it answers, then remove
the old one. If the new one exits or does not answer in time it is removed, and the old one gets
its name back and is started again. Every step is written to the shared status record.

"Answers" means the image's own health command (`powerpulse healthcheck`) succeeds when run in
the new container with `exec` and reports the new version. Docker's HEALTHCHECK status is also
honoured when it says "unhealthy", but not waited for: podman (compat API) does not run
healthchecks without systemd timers, and Docker would take a whole interval to report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import docker
import docker.errors

from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db
from powerpulse.timeutil import utcnow
from powerpulse.update import engine, spec, state

log = logging.getLogger("powerpulse.update.runner")

STOP_TIMEOUT_S = 15
POLL_S = 1.0


class Replacement:
    """The blocking engine steps of one replacement, each small enough to run in a thread."""

    def __init__(self, client: docker.DockerClient, target_id: str, image: str) -> None:
        self.client = client
        self.api = client.api
        self.target: dict[str, Any] = dict(self.api.inspect_container(target_id))
        self.name = str(self.target["Name"]).lstrip("/")
        old_image = dict(self.api.inspect_image(self.target["Image"]))
        self.new_image: dict[str, Any] = dict(self.api.inspect_image(image))
        self.body = spec.clone_body(self.target, old_image, image)
        self.networks = spec.extra_networks(self.target)
        self.new_id: str | None = None
        self.renamed = False

    @property
    def version(self) -> str:
        return engine.image_version(self.new_image)

    def stop_old(self) -> None:
        self.api.stop(self.target["Id"], timeout=STOP_TIMEOUT_S)
        aside = f"{self.name}-old-{utcnow():%Y%m%d%H%M%S}"
        self.api.rename(self.target["Id"], aside)
        self.renamed = True

    def start_new(self) -> None:
        created = self.api.create_container_from_config(self.body, self.name)
        self.new_id = str(created["Id"])
        for network, endpoint in self.networks.items():
            self.api.connect_container_to_network(
                self.new_id, network, aliases=endpoint.get("Aliases")
            )
        self.api.start(self.new_id)

    def _exec_health(self) -> tuple[int, str]:
        assert self.new_id is not None
        exec_id = self.api.exec_create(self.new_id, ["powerpulse", "healthcheck"])["Id"]
        output = self.api.exec_start(exec_id).decode(errors="replace").strip()
        code = self.api.exec_inspect(exec_id).get("ExitCode")
        return (1 if code is None else int(code)), output

    def wait_healthy(self, timeout: float) -> str | None:
        """None once the new container answers with the new version, else why it failed."""
        assert self.new_id is not None
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            current = self.api.inspect_container(self.new_id)
            status = current.get("State") or {}
            if not status.get("Running") or int(current.get("RestartCount") or 0) > 0:
                return f"the new container exited (code {status.get('ExitCode')})"
            if (status.get("Health") or {}).get("Status") == "unhealthy":
                return "the new container reports itself unhealthy"
            try:
                code, output = self._exec_health()
            except docker.errors.APIError as err:
                code, output = 1, str(err)
            if code == 0 and (not self.version or output.endswith(self.version)):
                return None
            last = output[-200:] or f"health command exited {code}"
            time.sleep(POLL_S)
        return f"the new container did not answer within {timeout:.0f} s ({last})"

    def new_logs(self) -> str:
        if self.new_id is None:
            return ""
        try:
            return str(self.api.logs(self.new_id, tail=20).decode(errors="replace"))[-2000:]
        except docker.errors.APIError:
            return ""

    def finish(self) -> None:
        self.api.remove_container(self.target["Id"], force=True)

    def roll_back(self) -> None:
        if self.new_id is not None:
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_container(self.new_id, force=True)
        if self.renamed:
            self.api.rename(self.target["Id"], self.name)
        self.api.start(self.target["Id"])


async def _record(step: str, message: str, **fields: Any) -> None:
    log.info("%s: %s", step, message)
    try:
        await state.step(step, message, **fields)
    except Exception as err:  # progress is best effort; the replacement must go on
        log.warning("could not record update progress: %s", err)


async def replace(settings: Settings, target_id: str, image: str, timeout: float) -> int:
    client = engine.connect(settings)
    try:
        job = await asyncio.to_thread(Replacement, client, target_id, image)
        await _record("stopping", f"Stopping {job.name} to replace it", toVersion=job.version)
        try:
            await asyncio.to_thread(job.stop_old)
            await _record("starting", f"Starting version {job.version or image}")
            await asyncio.to_thread(job.start_new)
            await _record("waiting", "Waiting for the new version to answer")
            failure = await asyncio.to_thread(job.wait_healthy, timeout)
        except docker.errors.DockerException as err:
            failure = f"the container engine failed: {err}"
        if failure is None:
            await asyncio.to_thread(job.finish)
            await _record("succeeded", f"Updated to version {job.version}", error=None, logs=None)
            return 0
        logs = await asyncio.to_thread(job.new_logs)
        await asyncio.to_thread(job.roll_back)
        await _record(
            "rolled-back",
            f"Update failed: {failure}. The previous version was restored.",
            error=failure,
            logs=logs,
        )
        return 1
    except docker.errors.DockerException as err:
        await _record("failed", f"Update failed: {err}", error=str(err))
        return 2
    finally:
        client.close()


def run(settings: Settings, target_id: str, image: str, timeout: float) -> int:
    """Entry point of `powerpulse update-runner`."""

    async def main() -> int:
        try:
            await init_db(settings)
        except Exception as err:
            log.warning("no database, progress will only be logged: %s", err)
        try:
            return await replace(settings, target_id, image, timeout)
        finally:
            await close_db()

    return asyncio.run(main())
