"""`ssh`: run a command on a host over SSH (asyncssh), trusting only its pinned host key.

The host key is required: a shutdown plan runs unattended, so there is nobody to accept a new
key; a host presenting another key (a reinstall, or someone in the middle) is refused before any
command is sent. `fetch_host_key` gives the API the key to show the admin at first contact.
Exactly one of `password` or `private_key` (both sealed secrets) logs in.
"""

from __future__ import annotations

import asyncio
import shlex
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import asyncssh
from asyncssh.public_key import get_default_public_key_algs

from powerpulse.shutdown.actions import fields as f
from powerpulse.shutdown.actions.base import ActionContext, ActionError, Outcome

# A `poweroff` often takes sshd down before the exit status is sent: the session closing after
# the command started is the command working (a wait_down step after it confirms the host is down).
CLOSED_NOTE = (
    "{host} closed the connection before sending an exit status: expected when the command "
    "powers it off"
)

FIELDS = (
    "host",
    "port",
    "username",
    "password",
    "private_key",
    "command",
    "host_key",
    "timeout_seconds",
)
COMMAND_LIMIT = 4000
KEY_LIMIT = 16_000


@dataclass(frozen=True)
class Params:
    host: str
    port: int
    username: str
    password: str | None  # sealed
    private_key: str | None  # sealed
    command: str
    host_key: str  # OpenSSH public key line
    timeout_seconds: float


@dataclass(frozen=True)
class HostKey:
    key: str  # "ssh-ed25519 AAAA…"
    fingerprint: str  # "SHA256:…"
    algorithm: str  # "ssh-ed25519"


def _host_key(line: str) -> asyncssh.SSHKey:
    try:
        return asyncssh.import_public_key(line.strip())
    except (asyncssh.KeyImportError, ValueError, TypeError):
        raise ActionError(
            "host_key", 'host_key must be an OpenSSH public key line ("ssh-ed25519 AAAA…")'
        ) from None


def _openssh_line(key: asyncssh.SSHKey) -> str:
    return key.export_public_key("openssh").decode().split("\n")[0].strip()


def host_key_of(key: asyncssh.SSHKey) -> HostKey:
    # Only "algorithm base64": the comment is the server's and says nothing useful.
    line = " ".join(_openssh_line(key).split()[:2])
    return HostKey(line, key.get_fingerprint("sha256"), key.get_algorithm())


async def fetch_host_key(host: str, port: int = 22, timeout: float = 10) -> HostKey:
    """The host key `host` presents (first contact: the admin confirms it into `host_key`).
    Raises ActionError("host", …) when the server cannot be reached."""
    try:
        async with asyncio.timeout(timeout):
            key = await asyncssh.get_server_host_key(
                host, port, config=None, server_host_key_algs=_algorithms(FIRST_CONTACT)
            )
    except TimeoutError:
        raise ActionError("host", f"{host}:{port} did not answer within {timeout:g} s") from None
    except (OSError, asyncssh.Error) as err:
        raise ActionError("host", _connect_failure(err, host, port)) from None
    if key is None:
        raise ActionError("host", f"{host}:{port} presented no host key")
    return host_key_of(key)


# The key shown at first contact: the modern kinds first (asyncssh would otherwise pick RSA).
FIRST_CONTACT = (b"ssh-ed25519", b"ecdsa-sha2-nistp256", b"ecdsa-sha2-nistp384", b"rsa-sha2-512")


def _algorithms(preferred: Sequence[bytes]) -> list[str]:
    """`preferred` first, then every other kind: a server holding the pinned kind uses it, and
    one that no longer does still completes the handshake, so the error can show its new key
    (a handshake failure would only say "no matching algorithm")."""
    names = [*preferred, *get_default_public_key_algs()]
    return [n.decode() for n in dict.fromkeys(names)]


def _connect_failure(err: BaseException, host: str, port: int) -> str:
    where = f"{host}:{port}"
    if isinstance(err, ConnectionRefusedError):
        return f"{where} refused the connection (is sshd running on that port?)"
    if isinstance(err, socket.gaierror):
        return f"the host name {host} does not resolve"
    if isinstance(err, OSError):
        return f"cannot connect to {where}: {err.strerror or type(err).__name__}"
    if isinstance(err, asyncssh.PermissionDenied):
        return f"{host} refused the login (wrong password, or the key is not authorised)"
    if isinstance(err, asyncssh.KeyExchangeFailed):
        return f"SSH handshake with {where} failed: {err.reason}"
    if isinstance(err, asyncssh.Error):
        return f"SSH connection to {where} failed: {err.reason}"
    return f"SSH connection to {where} failed"


class _PinnedClient(asyncssh.SSHClient):
    """Remembers the key a server offered when it is not the pinned one (for the error)."""

    def __init__(self) -> None:
        self.offered: asyncssh.SSHKey | None = None

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        self.offered = key
        return False


class SshType:
    name: ClassVar[str] = "ssh"
    secret_fields: ClassVar[tuple[str, ...]] = ("password", "private_key")

    def parse(self, raw: Mapping[str, Any]) -> Params:
        f.only(raw, FIELDS)
        host_key = f.one_line(raw, "host_key", limit=KEY_LIMIT)
        _host_key(host_key)
        host_key = " ".join(host_key.split()[:2])  # the comment is not part of the key
        password, private_key = f.secret(raw, "password"), f.secret(raw, "private_key")
        if password is None and private_key is None:
            raise ActionError("password", "give a password or a private key")
        if password is not None and private_key is not None:
            raise ActionError(
                "private_key", 'give a password or a private key, not both (send "" to clear one)'
            )
        return Params(
            host=f.host(raw),
            port=f.port(raw, default=22),
            username=f.one_line(raw, "username", limit=64),
            password=password,
            private_key=private_key,
            command=f.required_text(raw, "command", limit=COMMAND_LIMIT),
            host_key=host_key,
            timeout_seconds=f.seconds(raw, "timeout_seconds", 60.0, 1, 3600),
        )

    def check_secret(self, field_name: str, sent: Any) -> None:
        if not isinstance(sent, str):
            raise ActionError(field_name, f"{field_name} must be text")
        if field_name == "private_key":
            try:
                asyncssh.import_private_key(sent)
            except (asyncssh.KeyImportError, ValueError, TypeError):
                # Never echo the key: only say what shape is expected.
                raise ActionError(
                    "private_key",
                    "private_key must be an unencrypted private key (OpenSSH or PEM format)",
                ) from None

    def to_json(self, params: Params) -> dict[str, Any]:
        return {
            "host": params.host,
            "port": params.port,
            "username": params.username,
            "password": params.password,
            "private_key": params.private_key,
            "command": params.command,
            "host_key": params.host_key,
            "timeout_seconds": params.timeout_seconds,
        }

    def describe(self, params: Params) -> str:
        where = params.host if params.port == 22 else f"{params.host}:{params.port}"
        return f"ssh {params.username}@{where}: {params.command}"

    def destructive(self, params: Params) -> str | None:
        return f"runs {params.command} on {params.host}"

    def timeout(self, params: Params) -> float | None:
        return params.timeout_seconds

    def ups_ids(self, params: Params) -> tuple[int, ...]:
        return ()

    async def run(self, params: Params, ctx: ActionContext) -> Outcome:
        try:
            login = self._login(params, ctx)
        except Exception:  # a secret that does not open: say so, never show it
            return Outcome(
                False,
                error=f"the stored password or key for {params.host} cannot be opened "
                "(was SECRETS_KEY or the data directory's secrets_key changed?)",
            )
        # Each value becomes one shell word: a UPS nickname or reason cannot inject a command.
        command = f.fill(params.command, ctx.variables, shlex.quote)
        limit = max(min(params.timeout_seconds, ctx.timeout), 0.1)
        client = _PinnedClient()
        pinned = asyncssh.import_public_key(params.host_key)
        stage = "connect"
        try:
            async with asyncio.timeout(limit):
                conn = await asyncssh.connect(
                    params.host,
                    params.port,
                    username=params.username,
                    known_hosts=([pinned], [], []),
                    server_host_key_algs=_algorithms(pinned.sig_algorithms),
                    client_factory=lambda: client,
                    config=None,
                    agent_path=None,
                    **login,
                )
                async with conn:
                    stage = "run"
                    result = await conn.run(command, check=False)
        except TimeoutError as err:
            partial = _output(getattr(err, "stdout", ""), getattr(err, "stderr", ""))
            if stage == "run":
                return Outcome(
                    False, partial, error=f"the command on {params.host} ran over {limit:g} s"
                )
            return Outcome(
                False, error=f"{params.host}:{params.port} did not answer within {limit:g} s"
            )
        except asyncssh.HostKeyNotVerifiable:
            offered = client.offered
            seen = f": it now presents {offered.get_fingerprint('sha256')}" if offered else ""
            return Outcome(
                False,
                error=f"the host key of {params.host} changed{seen} (pinned "
                f"{_fingerprint(params.host_key)}); no command was sent. If the host was "
                "reinstalled, confirm its new key in the action",
            )
        except (OSError, asyncssh.Error) as err:
            if stage == "run" and isinstance(
                err, asyncssh.ConnectionLost | asyncssh.DisconnectError
            ):
                return Outcome(True, CLOSED_NOTE.format(host=params.host))  # poweroff did it
            if stage == "run" and not isinstance(err, OSError):
                return Outcome(False, error=f"the SSH session with {params.host} broke off")
            return Outcome(False, error=_connect_failure(err, params.host, params.port))
        except Exception as err:  # a run never raises: the plan goes on and the log says why
            return Outcome(False, error=f"ssh to {params.host} failed ({type(err).__name__})")
        output = _output(result.stdout, result.stderr)
        code = result.exit_status
        if code is None and not result.exit_signal:
            return Outcome(
                True, (output + "\n" if output else "") + CLOSED_NOTE.format(host=params.host)
            )
        if code is None or code < 0:
            signal = result.exit_signal[0] if result.exit_signal else "a signal"
            return Outcome(False, output, None, f"the command on {params.host} died of {signal}")
        if code != 0:
            return Outcome(False, output, code, f"the command on {params.host} exited with {code}")
        return Outcome(True, output, 0)

    def _login(self, params: Params, ctx: ActionContext) -> dict[str, Any]:
        if params.private_key is not None:
            key = asyncssh.import_private_key(ctx.reveal(params.private_key))
            return {"client_keys": [key], "password": None, "preferred_auth": "publickey"}
        assert params.password is not None
        return {
            "client_keys": None,
            "password": ctx.reveal(params.password),
            "preferred_auth": "password,keyboard-interactive",
        }


def _fingerprint(line: str) -> str:
    try:
        return str(asyncssh.import_public_key(line).get_fingerprint("sha256"))
    except (asyncssh.KeyImportError, ValueError):
        return "an unreadable key"


def _output(stdout: Any, stderr: Any) -> str:
    parts = [
        p if isinstance(p, str) else (p or b"").decode(errors="replace") for p in (stdout, stderr)
    ]
    return "".join(p for p in parts if p)


TYPE = SshType()
