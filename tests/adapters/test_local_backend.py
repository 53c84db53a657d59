"""The bundled backend the studio starts: real API process on real local or embedded Postgres/Redis."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from studio.adapters.child_env import BASE_NAMES
from studio.adapters.child_process import process_alive
from studio.adapters.local_backend import LocalBackend, answers, drop_database, port_open
from tests.conftest import REPO

# The run's PostgreSQL and Redis (tests/local_servers.py: the local ones, or throwaway ones on other ports).
SERVERS = (os.environ["DATABASE_URL"], os.environ["REDIS_URL"])


@pytest.fixture
def database() -> Iterator[str]:
    name = f"themestudio_local_test_{uuid.uuid4().hex[:8]}"
    yield name
    drop_database(name, SERVERS[0])


def check_running(backend: LocalBackend) -> int:
    url = backend.url
    assert url is not None
    assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    ready = httpx.get(f"{url}/readyz", timeout=5)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["postgres"] == "ok"
    assert body["redis"] == "ok"
    return int(url.rsplit(":", 1)[1])


def environ_of(pid: int) -> dict[str, str]:
    """The environment a running process really got, as the kernel keeps it."""
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


#: What a studio's environment may hold that no child process should ever see.
POISON = {
    "THEMESTUDIO_SPACES_SECRET": "poison-spaces-secret",
    "THEMESTUDIO_BACKEND_TOKEN": "poison-backend-token",
    "AWS_SECRET_ACCESS_KEY": "poison-aws",
    "DIGITALOCEAN_TOKEN": "poison-do",
    "SPACES_SECRET": "poison-spaces",
    "DATABASE_URL": "postgresql://poison@evil.example/db",
}


def assert_clean_environment(env: dict[str, str]) -> None:
    for name, value in POISON.items():
        assert env.get(name) != value, name
        assert value not in "\0".join(env.values())
    assert env["PATH"] == os.environ["PATH"]  # what it needs to run still comes through
    assert set(env) <= BASE_NAMES | {"DATABASE_URL", "REDIS_URL", "REDIS_PREFIX"} | {
        n for n in env if n.startswith(("LC_", "SPACES_", "CDN_"))
    }


def test_starts_on_the_local_servers_and_stops(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert answers(SERVERS[0]), "this test needs the run's PostgreSQL (tests/local_servers.py)"
    for name, value in POISON.items():
        monkeypatch.setenv(name, value)
    backend = LocalBackend(tmp_path, database=database, server_urls=SERVERS)
    try:
        backend.start()
        assert backend.services is not None
        assert backend.services.postgres_kind == "local server"
        port = check_running(backend)
        # The real child got only the allow-list and the values the backend needs.
        assert backend._process is not None
        env = environ_of(backend._process.pid)
        assert_clean_environment(env)
        assert env["DATABASE_URL"] == backend.services.database_url
        assert backend._env() == {k: v for k, v in env.items() if k in backend._env()}
        # The machine's author token works against the API (the studio's local profile uses it).
        assert backend.token
        me = httpx.get(
            f"{backend.url}/v1/me", headers={"Authorization": f"Bearer {backend.token}"}, timeout=5
        )
        assert me.status_code == 200, me.text
        assert me.json()["role"] == "author"
        assert backend.reviewer_token
        auth = {"Authorization": f"Bearer {backend.reviewer_token}"}
        assert httpx.get(f"{backend.url}/v1/me", headers=auth, timeout=5).json()["role"] == "reviewer"
        old_tokens = (backend.token, backend.reviewer_token)
    finally:
        backend.stop()
    assert not port_open("127.0.0.1", port)
    assert backend.url is None
    assert backend.token is None

    # The next start issues new tokens and revokes every earlier one: the old ones get 401.
    try:
        backend.start()
        for old in old_tokens:
            me = httpx.get(f"{backend.url}/v1/me", headers={"Authorization": f"Bearer {old}"}, timeout=5)
            assert me.status_code == 401, me.text
        for new in (backend.token, backend.reviewer_token):
            assert new not in old_tokens
            me = httpx.get(f"{backend.url}/v1/me", headers={"Authorization": f"Bearer {new}"}, timeout=5)
            assert me.status_code == 200, me.text
    finally:
        backend.stop()


# A studio with no local PostgreSQL/Redis: the embedded ones daemonise, so only its reaper can stop them.
STUDIO = """
import json, sys
from pathlib import Path
from studio.adapters.local_backend import LocalBackend
from studio.adapters.reaper import start_reaper
backend = LocalBackend(Path(sys.argv[1]), embedded_only=True)
reaper = start_reaper([backend.lock_path])
url = backend.start(timeout=90)
servers = [[s.name, s.pid, s.start_ticks] for s in backend.servers()]
print(json.dumps({"url": url, "servers": servers}), flush=True)
sys.stdin.read()
"""


def wait_stopped(servers: list[tuple[str, int, int | None]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(process_alive(pid, ticks) for _, pid, ticks in servers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [name for name, pid, ticks in servers if process_alive(pid, ticks)] == []


@pytest.fixture
def embedded_dir() -> Iterator[Path]:
    """A data dir outside pytest's base temp: as root, pgserver runs PostgreSQL as its own user, and every
    pytest session (ours or a parallel one) resets ``/tmp/pytest-of-root`` to mode 0700, locking it out."""
    folder = Path(tempfile.mkdtemp(prefix="themestudio-embedded-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_embedded_servers_stop_when_the_studio_is_killed_and_start_again(embedded_dir: Path) -> None:
    tmp_path = embedded_dir
    with subprocess.Popen(
        [sys.executable, "-c", STUDIO, str(tmp_path)],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as studio:
        assert studio.stdout is not None
        started = json.loads(studio.stdout.readline())
        servers = [(name, pid, ticks) for name, pid, ticks in started["servers"]]
        assert sorted(name for name, _, _ in servers) == ["API", "PostgreSQL", "Redis"]
        assert httpx.get(f"{started['url']}/healthz", timeout=5).status_code == 200
        studio.kill()  # SIGKILL: no atexit, no cleanup of its own
    wait_stopped(servers, timeout=15)  # the API by its death signal, PostgreSQL and Redis by the reaper

    backend = LocalBackend(tmp_path, embedded_only=True)
    try:
        backend.start(timeout=90)
        assert backend.services is not None
        assert (backend.services.postgres_kind, backend.services.redis_kind) == ("embedded", "embedded")
        port = check_running(backend)
        again = [(s.name, s.pid, s.start_ticks) for s in backend.servers()]
        assert sorted(name for name, _, _ in again) == ["API", "PostgreSQL", "Redis"]
    finally:
        backend.stop()
    assert not port_open("127.0.0.1", port)
    wait_stopped(again, timeout=1)  # stop() ends them all, even the PostgreSQL pgserver would leave running
    assert (tmp_path / "postgres").is_dir()  # the data stays under the user data dir for the next start
