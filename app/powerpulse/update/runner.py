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

Once the old container is stopped, nothing else will ever start it again: whatever goes wrong
after that point (an engine call that errors or hangs, a bug here) ends in `roll_back`, and
`roll_back` tries every one of its steps even when an earlier one fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import docker
import docker.errors
import requests.exceptions

from powerpulse.config import Settings
from powerpulse.db.setup import close_db, init_db
from powerpulse.timeutil import utcnow
from powerpulse.update import engine, spec, state

log = logging.getLogger("powerpulse.update.runner")
T = TypeVar("T")

STOP_TIMEOUT_S = 15
POLL_S = 1.0
# One health probe (inspect or exec) may take this long. An exec can hang for good (a health
# command that never returns, a container caught exiting): the SDK's HTTP timeout does not
# cover an exec's output stream, so the probe runs in a thread that is abandoned at the limit.
PROBE_TIMEOUT_S = 10
ROLLBACK_ATTEMPTS = 3
# What an engine call can raise: the SDK's own errors, and requests' for timeouts and
# connection failures, which the SDK passes through unwrapped.
ENGINE_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException, OSError)


def within(seconds: float, action: Callable[[], T]) -> T:
    """`action()`, or `TimeoutError` after `seconds` (its thread is left to end or die with the
    process: a blocked socket read cannot be interrupted)."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, action()))
        except BaseException as err:  # handed to the caller below
            outcome.append((False, err))

    worker = threading.Thread(target=run, name="health-probe", daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise TimeoutError(f"no answer within {seconds:.0f} s")
    ok, value = outcome[0]
    if not ok:
        raise value
    return cast(T, value)


class Replacement:
    """The blocking engine steps of one replacement, each small enough to run in a thread."""

    def __init__(
        self, client: docker.DockerClient, target_id: str, image: str, probe: docker.APIClient
    ) -> None:
        self.client = client
        self.api = client.api
        self.probe = probe  # the same engine with a short timeout, for health probes
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
        exec_id = self.probe.exec_create(self.new_id, ["powerpulse", "healthcheck"])["Id"]
        output = self.probe.exec_start(exec_id).decode(errors="replace").strip()
        code = self.probe.exec_inspect(exec_id).get("ExitCode")
        return (1 if code is None else int(code)), output

    def wait_healthy(self, timeout: float) -> str | None:
        """None once the new container answers with the new version, else why it failed."""
        assert self.new_id is not None
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            try:
                current = self.probe.inspect_container(self.new_id)
            except ENGINE_ERRORS as err:
                last = f"the engine did not describe it: {err}"
                time.sleep(POLL_S)
                continue
            status = current.get("State") or {}
            if not status.get("Running") or int(current.get("RestartCount") or 0) > 0:
                return f"the new container exited (code {status.get('ExitCode')})"
            if (status.get("Health") or {}).get("Status") == "unhealthy":
                return "the new container reports itself unhealthy"
            try:
                code, output = within(PROBE_TIMEOUT_S, self._exec_health)
            except ENGINE_ERRORS as err:
                code, output = 1, f"health command failed: {err}"
            if code == 0 and (not self.version or output.endswith(self.version)):
                return None
            last = output[-200:] or f"health command exited {code}"
            time.sleep(POLL_S)
        return f"the new container did not answer within {timeout:.0f} s ({last})"

    def new_logs(self) -> str:
        if self.new_id is None:
            return ""
        try:
            return str(self.probe.logs(self.new_id, tail=20).decode(errors="replace"))[-2000:]
        except ENGINE_ERRORS:
            return ""

    def finish(self) -> None:
        self.api.remove_container(self.target["Id"], force=True)

    def roll_back(self) -> list[str]:
        """Bring the old container back under its name; what could not be done, in words.

        Never raises: each step is tried even when one before it failed, and retried, because
        a rollback that gives up leaves the appliance stopped."""
        problems: list[str] = []
        if self.new_id is not None and not self._attempt(self._remove_new):
            problems.append("the new container could not be removed")
            # At least free the name for the old container.
            if not self._attempt(self._move_new_aside):
                problems.append("nor renamed")
        if self.renamed and not self._attempt(self._rename_old_back):
            problems.append(f"the old container could not get its name {self.name} back")
        if not self._attempt(self._start_old):
            problems.append("the old container could not be started")
        return problems

    def _remove_new(self) -> None:
        assert self.new_id is not None
        try:
            with contextlib.suppress(docker.errors.APIError):
                self.api.kill(self.new_id)  # a restart policy must not bring it back meanwhile
            self.api.remove_container(self.new_id, force=True)
        except docker.errors.NotFound:
            pass

    def _move_new_aside(self) -> None:
        self.api.rename(self.new_id, f"{self.name}-failed-{utcnow():%Y%m%d%H%M%S}")

    def _rename_old_back(self) -> None:
        self.api.rename(self.target["Id"], self.name)

    def _start_old(self) -> None:
        self.api.start(self.target["Id"])
        running = (self.api.inspect_container(self.target["Id"]).get("State") or {}).get("Running")
        if not running:
            raise RuntimeError("it exited again at once")

    @staticmethod
    def _attempt(action: Callable[[], Any]) -> bool:
        for attempt in range(ROLLBACK_ATTEMPTS):
            try:
                action()
                return True
            except Exception as err:  # any failure here is retried, then reported
                log.warning("rollback step failed (attempt %d): %s", attempt + 1, err)
                time.sleep(POLL_S * (attempt + 1))
        return False


async def _record(step: str, message: str, **fields: Any) -> None:
    log.info("%s: %s", step, message)
    try:
        await state.step(step, message, **fields)
    except Exception as err:  # progress is best effort; the replacement must go on
        log.warning("could not record update progress: %s", err)


async def replace(settings: Settings, target_id: str, image: str, timeout: float) -> int:
    client = engine.connect(settings)
    probe = docker.APIClient(
        base_url=f"unix://{settings.docker_socket}",
        version=engine.API_VERSION,
        timeout=PROBE_TIMEOUT_S,
    )
    try:
        try:
            job = await asyncio.to_thread(Replacement, client, target_id, image, probe)
        except ENGINE_ERRORS as err:  # nothing was touched yet: the old one still runs
            await _record("failed", f"Update failed: {err}", error=str(err))
            return 2
        await _record("stopping", f"Stopping {job.name} to replace it", toVersion=job.version)
        try:
            failure = await _swap(job, timeout)
        except Exception as err:  # the old container is stopped: anything at all rolls back
            log.exception("replacing the container failed")
            failure = f"the updater failed: {err}"
        if failure is None:
            try:
                await asyncio.to_thread(job.finish)
            except ENGINE_ERRORS as err:
                log.warning("the old container is left aside, stopped: %s", err)
            await _record("succeeded", f"Updated to version {job.version}", error=None, logs=None)
            return 0
        return await _roll_back(job, failure)
    finally:
        probe.close()
        client.close()


async def _swap(job: Replacement, timeout: float) -> str | None:
    """Stop the old container and start the new one: None once it answers, else why not."""
    try:
        await asyncio.to_thread(job.stop_old)
        await _record("starting", f"Starting version {job.version or job.body['Image']}")
        await asyncio.to_thread(job.start_new)
        await _record("waiting", "Waiting for the new version to answer")
        return await asyncio.to_thread(job.wait_healthy, timeout)
    except ENGINE_ERRORS as err:
        return f"the container engine failed: {err}"


async def _roll_back(job: Replacement, failure: str) -> int:
    logs = await asyncio.to_thread(job.new_logs)
    problems = await asyncio.to_thread(job.roll_back)
    if problems:
        message = (
            f"Update failed: {failure}. Restoring the previous version failed too "
            f"({'; '.join(problems)}): start it with `docker start {job.name}`."
        )
        await _record("failed", message, error=failure, logs=logs)
        return 3
    await _record(
        "rolled-back",
        f"Update failed: {failure}. The previous version was restored.",
        error=failure,
        logs=logs,
    )
    return 1


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
