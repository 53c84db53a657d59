"""Backend test fixtures: a real PostgreSQL database and a real Redis key space per test session.

The database is created on the server from ``DATABASE_URL`` (else 127.0.0.1:5432), migrated with the real
alembic migrations, and dropped at the end. Redis keys carry a per-run prefix and are deleted at the end (the
servers are shared: never FLUSHALL). A missing server fails the run; nothing is skipped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis

from backend.api.app import create_app
from backend.config import Settings, load_settings
from backend.migrations import upgrade
from tests.backend.helpers import (
    Actor,
    ServerInfo,
    create_database,
    drop_database,
    make_actor,
    server_info,
)
from tests.backend.seaweed import SeaweedS3


@pytest.fixture(scope="session")
def pg_server() -> ServerInfo:
    return server_info()


@pytest.fixture(scope="session")
def database_url(pg_server: ServerInfo) -> Iterator[str]:
    """A fresh, migrated database for this test session."""
    dsn = create_database(pg_server, "ts_test")
    upgrade(dsn)
    yield dsn
    drop_database(pg_server, dsn)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = pg_redis_url()
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} does not answer ({exc}); start one or set REDIS_URL")
    finally:
        client.close()
    return url


def pg_redis_url() -> str:
    import os

    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_prefix(redis_url: str) -> Iterator[str]:
    import secrets

    prefix = f"tstest:{secrets.token_hex(4)}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(database_url: str, redis_url: str, redis_prefix: str) -> Settings:
    return load_settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        db_timeout_s=3.0,
        auth_fail_limit=10_000,  # the role table makes many 401s from one address; the limit has its own test
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (lifespan run: pool, Redis, storage) behind an in-process ASGI transport."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http


@pytest.fixture
def actors(database_url: str) -> dict[str, Actor]:
    """One fresh user + token per role."""
    return {role: make_actor(database_url, role) for role in ("user", "author", "reviewer", "admin")}


def storage_settings(
    seaweed: SeaweedS3, database_url: str, redis_url: str, redis_prefix: str, *, secret: str | None = None
) -> Settings:
    """Settings whose SPACES_* key is SeaweedFS's admin identity (the bucket key only the backend holds)."""
    return load_settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        auth_fail_limit=10_000,
        spaces_endpoint=seaweed.endpoint,
        spaces_region=seaweed.region,
        spaces_bucket=seaweed.bucket,
        spaces_key=seaweed.access_key,
        spaces_secret=seaweed.secret_key if secret is None else secret,
        cdn_base_url=f"{seaweed.endpoint}/{seaweed.bucket}",
    )


@pytest.fixture
async def api(
    seaweed: SeaweedS3, database_url: str, redis_url: str, redis_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app with object storage (a SeaweedFS bucket) behind an in-process ASGI transport."""
    app = create_app(storage_settings(seaweed, database_url, redis_url, redis_prefix))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http
