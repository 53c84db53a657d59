"""Real HTTP (uvicorn processes): two instances racing, Redis dying and returning, Postgres unreachable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis

from tests.backend.helpers import make_actor, version_body
from tests.backend.servers import RedisServer, TcpProxy, api_server

pytestmark = pytest.mark.slow


def _env(database_url: str, redis_url: str, prefix: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "DB_TIMEOUT_S": "1",
        "AUTH_FAIL_LIMIT": "10000",
    }


def _until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def test_two_instances_race_one_version(database_url: str, redis_url: str, redis_prefix: str) -> None:
    author = make_actor(database_url, "author")
    env = _env(database_url, redis_url, redis_prefix)
    with api_server(env) as a, api_server(env) as b:
        theme = httpx.post(f"{a}/v1/themes", json={"name": "Race"}, headers=author.headers).json()["id"]

        async def race(version: str, data_a: bytes, data_b: bytes) -> list[int]:
            async with httpx.AsyncClient(headers=author.headers, timeout=10) as http:
                results = await asyncio.gather(
                    http.post(f"{a}/v1/themes/{theme}/versions", json=version_body(version, data_a, theme)),
                    http.post(f"{b}/v1/themes/{theme}/versions", json=version_body(version, data_b, theme)),
                )
            return sorted(r.status_code for r in results)

        for i in range(8):
            assert asyncio.run(race(f"1.{i}.0", b"same", b"same")) == [200, 201]
        for i in range(8):
            assert asyncio.run(race(f"2.{i}.0", b"one", b"two")) == [201, 409]
        versions = httpx.get(f"{b}/v1/themes/{theme}/versions").json()
        assert len(versions) == 16
        assert httpx.get(f"{a}/v1/themes/{theme}").json()["version"] == "2.7.0"


def test_redis_down_then_back(database_url: str, redis_prefix: str) -> None:
    server = RedisServer()
    server.start()
    author = make_actor(database_url, "author")
    prefix = redis_prefix + "down:"
    try:
        with api_server(_env(database_url, server.url, prefix)) as api:
            theme = httpx.post(f"{api}/v1/themes", json={"name": "Cached"}, headers=author.headers).json()[
                "id"
            ]
            httpx.post(
                f"{api}/v1/themes/{theme}/versions",
                json=version_body("1.0.0", theme_id=theme),
                headers=author.headers,
            ).raise_for_status()
            probe = redis.Redis.from_url(server.url)
            assert httpx.get(f"{api}/v1/themes/{theme}").status_code == 200
            assert probe.exists(f"{prefix}theme:{theme}") == 1
            probe.close()

            server.stop()
            r = httpx.get(f"{api}/v1/themes/{theme}", timeout=5)
            assert r.status_code == 200
            assert r.json()["available_versions"] == ["1.0.0"]
            httpx.patch(
                f"{api}/v1/themes/{theme}", json={"name": "Uncached"}, headers=author.headers
            ).raise_for_status()
            assert httpx.get(f"{api}/v1/themes/{theme}").json()["name"] == "Uncached"
            ready = httpx.get(f"{api}/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "degraded"
            assert (ready.json()["postgres"], ready.json()["redis"]) == ("ok", "down")
            popular = httpx.get(f"{api}/v1/analytics/popular").json()
            assert popular["source"] == "postgres"

            server.start()
            probe = redis.Redis.from_url(server.url)

            def cached_again() -> bool:
                httpx.get(f"{api}/v1/themes/{theme}")
                return bool(probe.exists(f"{prefix}theme:{theme}"))

            _until(cached_again)
            assert httpx.get(f"{api}/readyz").json()["status"] in ("ok",)
            probe.close()
    finally:
        server.stop()


def test_postgres_unreachable_then_recovers(database_url: str, redis_url: str, redis_prefix: str) -> None:
    parts = urlsplit(database_url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    proxy.open()
    proxied = urlunsplit(parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}"))
    try:
        with api_server(_env(proxied, redis_url, redis_prefix + "pg:")) as api:
            assert httpx.get(f"{api}/v1/themes").status_code == 200
            proxy.close()
            r = httpx.get(f"{api}/v1/themes", timeout=10)
            assert r.status_code == 503
            assert r.json() == {
                "error": "database_unavailable",
                "message": "The metadata database is unreachable; retry shortly.",
            }
            assert r.headers["x-content-type-options"] == "nosniff"
            ready = httpx.get(f"{api}/readyz", timeout=10)
            assert ready.status_code == 503
            assert ready.json()["postgres"] == "down"
            proxy.open()
            _until(lambda: httpx.get(f"{api}/v1/themes", timeout=10).status_code == 200)
            assert httpx.get(f"{api}/readyz").json()["postgres"] == "ok"
    finally:
        proxy.close()
