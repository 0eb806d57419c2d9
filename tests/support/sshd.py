"""A real OpenSSH server (`/usr/sbin/sshd`) on a free 127.0.0.1 port, for the ssh action's tests.

Everything it reads lives in a temp dir: its own ed25519 host key, a config, and one
`authorized_keys` holding a freshly generated client key. `sshd -D -e` runs in the foreground
(stop by its Popen). Key login works as root (`PermitRootLogin prohibit-password`); password login
uses a local user `PASSWORD_USER`, created when missing (as root only: `UsePAM no` makes sshd check
/etc/shadow) with a random password (`chpasswd`), kept in a root-only file in the temp dir.

    with Sshd() as server:
        server.host, server.port, server.host_key, server.client_key, server.username
        server.marker_dir  # writable by both users: commands leave marker files here
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support.nut_server import free_port, stop_process

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "/usr/bin/ssh-keygen"
PASSWORD_USER = "powerpulse-ssh-test"
PASSWORD_FILE = Path(tempfile.gettempdir()) / "powerpulse-ssh-test.password"
_password: list[str] = []  # read once per test process


def sshd_available() -> bool:
    return os.path.exists(SSHD) and os.path.exists(SSH_KEYGEN)


def _keygen(path: Path, comment: str, kind: str = "ed25519") -> None:
    size = ["-b", "2048"] if kind == "rsa" else []
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", kind, *size, "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def password_user() -> tuple[str, str] | None:
    """(user, password) of the local password-login user, or None when it cannot exist here.

    The password is random, made once and kept in a root-only file, so that test sessions
    running at the same time (other checkouts, xdist workers) agree on it."""
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("chpasswd"):
        return None
    if _password:
        return PASSWORD_USER, _password[0]
    with open(PASSWORD_FILE.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        exists = subprocess.run(["id", PASSWORD_USER], capture_output=True).returncode == 0
        if not exists:
            subprocess.run(
                [
                    *("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent"),
                    *("--shell", "/bin/sh", PASSWORD_USER),
                ],
                check=True,
                capture_output=True,
            )
        password = PASSWORD_FILE.read_text().strip() if PASSWORD_FILE.exists() else ""
        if not exists or not password:
            password = secrets.token_urlsafe(18)
            PASSWORD_FILE.touch(mode=0o600)
            PASSWORD_FILE.write_text(password)
            subprocess.run(["chpasswd"], input=f"{PASSWORD_USER}:{password}\n".encode(), check=True)
    _password.append(password)
    return PASSWORD_USER, password


class Sshd:
    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.username = "root"
        self.root = Path(tempfile.mkdtemp(prefix="pp-sshd-"))
        self.marker_dir = self.root / "markers"
        self.log_path = self.root / "sshd.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.host_key = ""  # the OpenSSH public key line ("ssh-ed25519 AAAA… comment")
        self.rsa_host_key = ""  # its second host key, an RSA one
        self.host_key_pub = self.root / "host_key.pub"
        self.client_key = ""  # the client's private key (OpenSSH PEM text)
        self.password_login = password_user()

    def _write_config(self) -> Path:
        _keygen(self.root / "host_key", "pp-test-host")
        _keygen(self.root / "host_rsa_key", "pp-test-host", "rsa")
        self.rsa_host_key = (self.root / "host_rsa_key.pub").read_text().strip()
        _keygen(self.root / "client_key", "pp-test-client")
        self.host_key = self.host_key_pub.read_text().strip()
        self.client_key = (self.root / "client_key").read_text()
        authorized = self.root / "authorized_keys"
        authorized.write_text((self.root / "client_key.pub").read_text())
        authorized.chmod(0o644)
        self.marker_dir.mkdir()
        self.marker_dir.chmod(0o777)  # the password user writes markers too
        self.root.chmod(0o755)
        config = self.root / "sshd_config"
        config.write_text(
            f"Port {self.port}\n"
            f"ListenAddress {self.host}\n"
            f"HostKey {self.root / 'host_key'}\n"
            f"HostKey {self.root / 'host_rsa_key'}\n"
            "PidFile none\n"
            "UsePAM no\n"
            "StrictModes no\n"
            f"AuthorizedKeysFile {authorized}\n"
            "PermitRootLogin prohibit-password\n"
            "PubkeyAuthentication yes\n"
            f"PasswordAuthentication {'yes' if self.password_login else 'no'}\n"
            "KbdInteractiveAuthentication no\n"
            "MaxAuthTries 10\n"
            "LogLevel VERBOSE\n"
        )
        return config

    def start(self) -> Sshd:
        config = self._write_config()
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # its privilege-separation dir
        log = open(self.log_path, "wb")  # noqa: SIM115 (sshd holds it; closed by the kernel)
        try:
            self.proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
            )
        finally:
            log.close()
        self._wait_banner()
        return self

    def _wait_banner(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd exited with {self.proc.returncode}: {self.log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), timeout=1) as sock,
            ):
                if sock.recv(64).startswith(b"SSH-"):
                    return
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd never answered: {self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-3000:]
        return ""

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Sshd:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()
