"""The bundled backend the studio starts: real API process on real local or embedded Postgres/Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from studio.adapters.child_env import BASE_NAMES
from studio.adapters.local_backend import LocalBackend, answers, drop_database, port_open

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
    backend = LocalBackend(tmp_path, database=database, servers=SERVERS)
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


def test_starts_on_embedded_servers_when_none_answer(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path, embedded_only=True)
    try:
        backend.start(timeout=90)
        assert backend.services is not None
        assert (backend.services.postgres_kind, backend.services.redis_kind) == ("embedded", "embedded")
        port = check_running(backend)
    finally:
        backend.stop()
    assert not port_open("127.0.0.1", port)
    assert (tmp_path / "postgres").is_dir()  # the data stays under the user data dir for the next start
