"""One uvicorn worker with the configured pool (10) under 50 concurrent authenticated clients, and under a
bogus-token flood: no request fails, none waits for the pool timeout, anonymous requests are not stalled."""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest

from tests.backend.helpers import Actor, make_actor, publish_in_db
from tests.backend.servers import api_server

pytestmark = pytest.mark.slow
CLIENTS = 50
ROUNDS = 4
POOL_TIMEOUT_S = 5.0  # the service's default DB_TIMEOUT_S: how long a request may wait for a connection


def _env(database_url: str, redis_url: str, prefix: str, **extra: str) -> dict[str, str]:
    # DB_POOL_MAX and DB_TIMEOUT_S stay at their defaults (10 connections, 5 s): the configured pool.
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "REDIS_PREFIX": prefix, **extra}


def _pool(base: str) -> dict[str, float]:
    """The server's own pool accounting from /metrics (requests that queued, total wait, timeouts)."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    wanted = ("requests_queued", "wait_seconds", "timeouts")
    values = {}
    for line in text.splitlines():
        for name in wanted:
            if line.startswith(f"themesystem_db_pool_{name} "):
                values[name] = float(line.split()[1])
    return values


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def _timed(call: Callable[[], Awaitable[httpx.Response]], out: list[tuple[float, int]]) -> None:
    t0 = time.perf_counter()
    r = await call()
    out.append((time.perf_counter() - t0, r.status_code))


def test_fifty_authenticated_clients_on_one_worker(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    author = make_actor(database_url, "author")
    clients = [make_actor(database_url, "user") for _ in range(CLIENTS)]
    with api_server(_env(database_url, redis_url, redis_prefix + "conc:")) as base:
        theme = httpx.post(f"{base}/v1/themes", json={"name": "Busy"}, headers=author.headers).json()["id"]
        publish_in_db(database_url, theme)
        results: list[tuple[float, int]] = []

        async def one_client(actor: Actor) -> None:
            async with httpx.AsyncClient(base_url=base, headers=actor.headers, timeout=30) as http:
                for _ in range(ROUNDS):
                    await _timed(lambda: http.get("/v1/me"), results)
                    await _timed(lambda: http.get(f"/v1/themes/{theme}"), results)
                    await _timed(lambda: http.get("/v1/themes", params={"limit": 5}), results)
                    await _timed(lambda: http.put(f"/v1/me/themes/{theme}/favorite"), results)
                    await _timed(lambda: http.get("/v1/me/themes"), results)

        async def everyone() -> float:
            t0 = time.perf_counter()
            await asyncio.gather(*(one_client(actor) for actor in clients))
            return time.perf_counter() - t0

        wall = asyncio.run(everyone())
        pool = _pool(base)
    codes = sorted({code for _, code in results})
    latencies = [seconds for seconds, _ in results]
    p50, p99 = _percentile(latencies, 50), _percentile(latencies, 99)
    print(
        f"\n{len(results)} requests from {CLIENTS} clients in {wall:.2f} s: "
        f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms; "
        f"pool: {pool['requests_queued']:.0f} waits, {pool['wait_seconds']:.2f} s in all, "
        f"{pool['timeouts']:.0f} timeouts"
    )
    assert len(results) == CLIENTS * ROUNDS * 5
    assert codes == [200, 204], codes  # nothing failed: no 503 busy / database_unavailable
    assert pool["timeouts"] == 0
    # the pool was shared, not exhausted: waits are short (the old double checkout waited POOL_TIMEOUT_S)
    assert max(latencies) < POOL_TIMEOUT_S


def test_bogus_token_flood_does_not_stall_anonymous_requests(
    database_url: str, redis_url: str, redis_prefix: str
) -> None:
    author = make_actor(database_url, "author")
    with api_server(_env(database_url, redis_url, redis_prefix + "flood:")) as base:
        theme = httpx.post(f"{base}/v1/themes", json={"name": "Calm"}, headers=author.headers).json()["id"]
        publish_in_db(database_url, theme)
        flood: list[tuple[int, int]] = []
        anonymous: list[tuple[float, int]] = []

        async def attacker(i: int) -> None:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                for j in range(5):
                    # well-formed unknown tokens (each would be looked up), and a rotating X-Forwarded-For,
                    # which must not give the attacker fresh addresses
                    headers = {
                        "Authorization": "Bearer tsk_" + secrets.token_urlsafe(32),
                        "X-Forwarded-For": f"192.0.2.{(i * 5 + j) % 250}",
                    }
                    r = await http.get("/v1/me", headers=headers)
                    flood.append((j, r.status_code))

        async def visitor() -> None:
            async with httpx.AsyncClient(base_url=base, timeout=30) as http:
                for _ in range(4):
                    await _timed(lambda: http.get(f"/v1/themes/{theme}"), anonymous)
                    await _timed(lambda: http.get("/v1/themes", params={"limit": 5}), anonymous)

        async def everyone() -> None:
            await asyncio.gather(*(attacker(i) for i in range(CLIENTS)), *(visitor() for _ in range(20)))

        asyncio.run(everyone())
        pool = _pool(base)
        # the flood came from one address (127.0.0.1, no proxy trusted): it is locked out, whatever it claims
        locked = httpx.get(
            f"{base}/v1/me", headers={**author.headers, "X-Forwarded-For": "198.51.100.77"}, timeout=10
        )
    flood_codes = sorted({code for _, code in flood})
    assert pool["timeouts"] == 0
    latencies = [seconds for seconds, _ in anonymous]
    print(
        f"\nflood of {len(flood)} bogus-token requests: answers {flood_codes}; "
        f"{len(anonymous)} anonymous requests meanwhile: p50 {_percentile(latencies, 50) * 1000:.1f} ms, "
        f"p99 {_percentile(latencies, 99) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    assert flood_codes == [401, 429]
    # AUTH_FAIL_LIMIT (20) failures, plus the lookups already past the check when the count reached it (the
    # check precedes the lookup; each attacker has at most one request in flight); every later one is 429
    # before any query
    assert sum(code == 401 for _, code in flood) <= 20 + CLIENTS
    assert sum(code == 429 for _, code in flood) >= len(flood) - 20 - CLIENTS
    assert {code for _, code in anonymous} == {200}
    assert max(latencies) < POOL_TIMEOUT_S
    assert locked.status_code == 429
