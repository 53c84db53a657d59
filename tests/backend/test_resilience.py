"""Real HTTP (uvicorn processes): two instances racing, Redis dying and returning, Postgres unreachable."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import redis

from tests.backend.helpers import make_actor, stage_release, version_body
from tests.backend.seaweed import SeaweedS3
from tests.backend.servers import RedisServer, TcpProxy, api_server

pytestmark = pytest.mark.slow


def _env(database_url: str, redis_url: str, prefix: str, seaweed: SeaweedS3 | None = None) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "DB_TIMEOUT_S": "1",
        "AUTH_FAIL_LIMIT": "10000",
    }
    if seaweed is not None:  # registering a release verifies it in the bucket
        env |= {
            "SPACES_ENDPOINT": seaweed.endpoint,
            "SPACES_REGION": seaweed.region,
            "SPACES_BUCKET": seaweed.bucket,
            "SPACES_KEY": seaweed.access_key,
            "SPACES_SECRET": seaweed.secret_key,
            "CDN_BASE_URL": f"{seaweed.endpoint}/{seaweed.bucket}",
        }
    return env


def _until(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("condition not reached in time")


def test_two_instances_race_one_version(
    database_url: str, redis_url: str, redis_prefix: str, seaweed: SeaweedS3, s3_admin: Any
) -> None:
    author = make_actor(database_url, "author")
    env = _env(database_url, redis_url, redis_prefix, seaweed)
    with api_server(env) as a, api_server(env) as b:
        theme = httpx.post(f"{a}/v1/themes", json={"name": "Race"}, headers=author.headers).json()["id"]

        async def race(version: str, data_a: bytes, data_b: bytes) -> list[int]:
            stage_release(s3_admin, seaweed.bucket, theme, version, data_a)
            async with httpx.AsyncClient(headers=author.headers, timeout=10) as http:
                results = await asyncio.gather(
                    http.post(f"{a}/v1/themes/{theme}/versions", json=version_body(version, data_a)),
                    http.post(f"{b}/v1/themes/{theme}/versions", json=version_body(version, data_b)),
                )
            return sorted(r.status_code for r in results)

        for i in range(8):
            assert asyncio.run(race(f"1.{i}.0", b":root{--same:1}", b":root{--same:1}")) == [200, 201]
        for i in range(8):
            # The other bytes lose: refused as registered already (409) or, while the first registration is
            # still verifying, because the stored theme.css is not theirs (422); never registered.
            first, second = asyncio.run(race(f"2.{i}.0", b":root{--one:1}", b":root{--two:2}"))
            assert first == 201
            assert second in (409, 422)
        versions = httpx.get(f"{b}/v1/themes/{theme}/versions").json()
        assert len(versions) == 16
        assert httpx.get(f"{a}/v1/themes/{theme}").json()["version"] == "2.7.0"


def test_redis_down_then_back(
    database_url: str, redis_prefix: str, seaweed: SeaweedS3, s3_admin: Any
) -> None:
    server = RedisServer()
    server.start()
    author = make_actor(database_url, "author")
    prefix = redis_prefix + "down:"
    try:
        with api_server(_env(database_url, server.url, prefix, seaweed)) as api:
            theme = httpx.post(f"{api}/v1/themes", json={"name": "Cached"}, headers=author.headers).json()[
                "id"
            ]
            stage_release(s3_admin, seaweed.bucket, theme, "1.0.0")
            httpx.post(
                f"{api}/v1/themes/{theme}/versions", json=version_body("1.0.0"), headers=author.headers
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
