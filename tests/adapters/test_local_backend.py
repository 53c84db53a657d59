"""The bundled backend the studio starts: real API process on real local or embedded Postgres/Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

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


def test_starts_on_the_local_servers_and_stops(tmp_path: Path, database: str) -> None:
    assert answers(SERVERS[0]), "this test needs the run's PostgreSQL (tests/local_servers.py)"
    backend = LocalBackend(tmp_path, database=database, servers=SERVERS)
    try:
        backend.start()
        assert backend.services is not None
        assert backend.services.postgres_kind == "local server"
        port = check_running(backend)
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
    finally:
        backend.stop()
    assert not port_open("127.0.0.1", port)
    assert backend.url is None
    assert backend.token is None


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
