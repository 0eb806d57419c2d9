"""A real PostgreSQL server (Debian's `postgresql` package) in a temporary directory.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user the
package creates. It listens on 127.0.0.1 on a free port and on a unix socket in its own
directory; nothing under /etc or /var/lib/postgresql is touched. One server per test session;
each test gets a fresh database (`create_database`, or a copy of a migrated template from
`TemplateClones`, which prepares the next copies on a thread of its own while tests run), so
tests never see each other's rows.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
from collections import deque
from pathlib import Path

import asyncpg

from tests.support.nut_server import free_port

_SUFFIX = itertools.count(1)


def pg_bin() -> Path | None:
    """The newest installed server's bin directory, or None when PostgreSQL is missing."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def postgres_available() -> bool:
    return pg_bin() is not None


class PostgresServer:
    """`with PostgresServer() as pg: pg.create_database()` → a postgres:// URL."""

    def __init__(self) -> None:
        bindir = pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run `make test-deps`")
        self.bin = bindir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="powerpulse-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "log"
        self._as_root = os.geteuid() == 0

    # -- helpers ------------------------------------------------------------------------------
    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, timeout=60, cwd=self.dir
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = self._run(
            "psql",
            "-h",
            str(self.dir),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-At",
            "-c",
            sql,
        )
        return result.stdout.strip()

    def url(self, database: str, user: str = "powerpulse", password: str = "pp-test") -> str:  # noqa: S107
        return f"postgres://{user}:{password}@127.0.0.1:{self.port}/{database}"

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> PostgresServer:
        if self._as_root:
            entry = pwd.getpwnam("postgres")
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=300"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start")
        self.psql("CREATE ROLE powerpulse LOGIN PASSWORD 'pp-test' CREATEDB")
        return self

    def create_database(self, prefix: str = "pp") -> str:
        """A new empty database owned by the app's role; returns its URL."""
        name = f"{prefix}_{os.getpid()}_{next(_SUFFIX)}"
        self.psql(f"CREATE DATABASE {name} OWNER powerpulse")
        return self.url(name)

    def name_of(self, url: str) -> str:
        return url.rsplit("/", 1)[1]

    def stop(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class TemplateClones:
    """Fresh databases copied from `template` (already migrated): `take()` one, `release()` it.

    `CREATE DATABASE … TEMPLATE … STRATEGY FILE_COPY` costs ~0.1 s, much less than migrating
    (~0.7 s); the copies are made `ahead` at a time on this object's own thread and event loop
    (one admin connection), so a test usually finds its database ready. Released ones are
    dropped there too.
    """

    def __init__(self, server: PostgresServer, template: str, ahead: int = 2) -> None:
        self.server = server
        self.template = template
        self.ahead = ahead
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._admin: asyncpg.Connection | None = None
        self._lock: asyncio.Lock | None = None
        self._ready: deque[concurrent.futures.Future[str]] = deque()
        self._drops: list[concurrent.futures.Future[None]] = []
        for _ in range(ahead):
            self._ready.append(self._submit(self._create()))

    def _submit(self, coro):  # type: ignore[no-untyped-def]
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _admin_sql(self, sql: str) -> None:
        """One statement on the admin connection; one at a time (a connection runs one)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._admin is None:
                self._admin = await asyncpg.connect(self.server.url("postgres"))
            await self._admin.execute(sql)

    async def _create(self) -> str:
        name = f"pp_{os.getpid()}_{next(_SUFFIX)}"
        await self._admin_sql(
            f"CREATE DATABASE {name} TEMPLATE {self.template} STRATEGY FILE_COPY OWNER powerpulse"
        )
        return self.server.url(name)

    async def _drop(self, name: str) -> None:
        await self._admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def take(self, timeout: float = 60.0) -> str:
        """The URL of a fresh migrated database (made now if none is ready)."""
        future = self._ready.popleft() if self._ready else self._submit(self._create())
        self._ready.append(self._submit(self._create()))
        return future.result(timeout)

    def release(self, url: str) -> None:
        """Drop the database behind `url` (in the background; connections to it are cut)."""
        self._drops = [f for f in self._drops if not f.done()]
        self._drops.append(self._submit(self._drop(self.server.name_of(url))))

    def close(self) -> None:
        for future in [*self._ready, *self._drops]:
            try:
                future.result(60)
            except Exception:  # noqa: S112 (closing: the server goes away anyway)
                continue
        if self._admin is not None:
            self._submit(self._admin.close()).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
