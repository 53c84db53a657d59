"""PostgreSQL and Redis for the test run: the ones configured or answering here, else throwaway servers.

Order, for each: the URL in the environment (``DATABASE_URL`` / ``REDIS_URL``); else the server on its default
local port (127.0.0.1:5432 trust auth as ``postgres``; 127.0.0.1:6379) when it answers; else a throwaway one
started from the installed binaries on a free port, stopped when the run ends. The chosen URLs are exported
into the environment, so fixtures, helpers and the child processes tests start all use the same servers.
Nothing is skipped for a missing server: without binaries the run fails saying what to install.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
INSTALL_HINT = "run scripts/setup --test (or: sudo apt-get install -y postgresql redis-server)"


def _answers(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _postgres_bin(name: str) -> str:
    """A PostgreSQL server binary: on PATH, else Debian's newest /usr/lib/postgresql/<major>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if not candidates:
        raise RuntimeError(f"No PostgreSQL answers on 127.0.0.1:5432 and no {name}; {INSTALL_HINT}")
    return str(candidates[-1])


@dataclass
class LocalServers:
    """What this run uses, and the throwaway processes to stop at its end."""

    started: list[str] = field(default_factory=list)
    local_database: str = ""
    _stops: list[Callable[[], None]] = field(default_factory=list)
    _dirs: list[str] = field(default_factory=list)

    def ensure(self) -> None:
        """Export ``DATABASE_URL`` and ``REDIS_URL`` for servers that answer, starting what is missing."""
        if not os.environ.get("DATABASE_URL"):
            os.environ["DATABASE_URL"] = (
                DEFAULT_POSTGRES if _answers("127.0.0.1", 5432) else self._start_postgres()
            )
        if not os.environ.get("REDIS_URL"):
            os.environ["REDIS_URL"] = DEFAULT_REDIS if _answers("127.0.0.1", 6379) else self._start_redis()
        # The studio's bundled backend (in-process or in a studio process a test starts) uses the same servers
        # and a database of this run's own, dropped at the end: never the developer's `themesystem_local`.
        os.environ["THEMESTUDIO_LOCAL_POSTGRES"] = os.environ["DATABASE_URL"]
        os.environ["THEMESTUDIO_LOCAL_REDIS"] = os.environ["REDIS_URL"]
        self.local_database = f"themestudio_local_test_{secrets.token_hex(4)}"
        os.environ["THEMESTUDIO_LOCAL_DATABASE"] = self.local_database

    def stop(self) -> None:
        if self.local_database:
            dsn = os.environ["DATABASE_URL"]
            with (
                contextlib.suppress(psycopg.Error),
                psycopg.connect(dsn, autocommit=True, connect_timeout=3) as db,
            ):
                db.execute(f'DROP DATABASE IF EXISTS "{self.local_database}" WITH (FORCE)')
        for stop in reversed(self._stops):
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                stop()
        for path in self._dirs:
            shutil.rmtree(path, ignore_errors=True)

    def _start_postgres(self) -> str:
        initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
        base = tempfile.mkdtemp(prefix="themestudio-pg-")
        self._dirs.append(base)
        data = f"{base}/data"
        # initdb and postgres refuse to run as root: run them as the postgres system user then.
        prefix: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(base, "postgres")
            prefix = ["runuser", "-u", "postgres", "--"]
        port = _free_port()
        subprocess.run(
            [*prefix, initdb, "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        subprocess.run(
            [*prefix, pg_ctl, "-D", data, "-w", "-l", f"{base}/log", "-o", options, "start"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        stop = [*prefix, pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"]

        def stop_postgres() -> None:
            subprocess.run(stop, capture_output=True, check=False, timeout=30)

        self._stops.append(stop_postgres)
        self.started.append(f"PostgreSQL on 127.0.0.1:{port}")
        return f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _start_redis(self) -> str:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(f"No Redis answers on 127.0.0.1:6379 and no redis-server; {INSTALL_HINT}")
        base = tempfile.mkdtemp(prefix="themestudio-redis-")
        self._dirs.append(base)
        port = _free_port()
        pidfile = f"{base}/redis.pid"
        settings = f"--port {port} --bind 127.0.0.1 --appendonly no --daemonize yes --dir {base}".split()
        subprocess.run(
            [binary, *settings, "--save", "", "--pidfile", pidfile, "--logfile", f"{base}/log"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _answers("127.0.0.1", port):
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer on port {port}; see {base}/log")
            time.sleep(0.02)
        self._stops.append(lambda: os.kill(int(Path(pidfile).read_text()), signal.SIGKILL))
        self.started.append(f"Redis on 127.0.0.1:{port}")
        return f"redis://127.0.0.1:{port}/0"
