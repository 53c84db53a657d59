"""A Redis stall during a yank and an unpublish never leaves the old public record served (real Redis).

Uses its own throwaway ``redis-server`` (never the shared one: other tests run on it), stalled with
``CLIENT PAUSE`` or SIGSTOP while the writes happen; two API instances keep reading throughout.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
import redis

from backend.api.app import create_app
from backend.config import Settings
from tests.backend.helpers import make_actor, publish_in_db
from tests.backend.servers import RedisServer

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
EVIL = "https://evil.example/x.css"
PAUSE_MS = 2500


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@contextlib.asynccontextmanager
async def _instance(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test", timeout=10) as http:
            yield http


def _stall(server: RedisServer, how: str) -> Callable[[], None]:
    """Stall Redis now; returns the function that ends the stall (and waits until Redis answers)."""
    probe = redis.Redis(port=server.port, socket_timeout=10)
    assert server.proc is not None
    if how == "pause":
        probe.client_pause(PAUSE_MS)  # every client, reads included, for PAUSE_MS

        def resume() -> None:
            probe.ping()  # blocks until the pause ends: an event, not a guess
            probe.close()

    else:
        os.kill(server.proc.pid, signal.SIGSTOP)

        def resume() -> None:
            assert server.proc is not None
            os.kill(server.proc.pid, signal.SIGCONT)
            probe.ping()
            probe.close()

    return resume


@pytest.mark.parametrize("how", ["pause", "sigstop"])
async def test_redis_stall_during_yank_and_unpublish_serves_nothing_stale(
    settings: Settings, database_url: str, redis_server: RedisServer, how: str
) -> None:
    own = settings.model_copy(
        update={
            "redis_url": settings.redis_url.__class__(redis_server.url),
            "redis_prefix": f"stall{how}:",
            "redis_timeout_s": 0.3,
            "cache_outbox_interval_s": 0.2,
        }
    )
    author = make_actor(database_url, "author")
    async with _instance(own) as a, _instance(own) as b:
        yanked = (await a.post("/v1/themes", json={"name": "Yanked"}, headers=author.headers)).json()["id"]
        hidden = (await a.post("/v1/themes", json={"name": "Hidden"}, headers=author.headers)).json()["id"]
        publish_in_db(database_url, yanked, "1.0.0")
        publish_in_db(database_url, yanked, "1.1.0", css_url=EVIL)
        publish_in_db(database_url, hidden, "1.0.0")
        for http in (a, b):  # both instances serve (and cache) the current records
            assert (await http.get(f"/v1/themes/{yanked}")).json()["css_url"] == EVIL
            assert (await http.get(f"/v1/themes/{hidden}")).status_code == 200
        probe = redis.Redis(port=redis_server.port)
        assert EVIL.encode() in (probe.get(f"stall{how}:theme:{yanked}") or b"")

        def stale(answers: dict[str, httpx.Response]) -> list[str]:
            problems = []
            record = answers["yanked"]
            if record.status_code != 200 or record.json()["css_url"] == EVIL:
                problems.append(f"yanked: {record.status_code} {record.text[:120]}")
            elif record.json()["available_versions"] != ["1.0.0"]:
                problems.append(f"yanked versions: {record.json()['available_versions']}")
            if answers["hidden"].status_code != 404:
                problems.append(f"hidden: {answers['hidden'].status_code}")
            return problems

        async def read(http: httpx.AsyncClient) -> dict[str, httpx.Response]:
            return {
                "yanked": await http.get(f"/v1/themes/{yanked}"),
                "hidden": await http.get(f"/v1/themes/{hidden}"),
            }

        resume = _stall(redis_server, how)
        try:
            t0 = time.monotonic()
            r = await a.post(f"/v1/themes/{yanked}/versions/1.1.0/yank", headers=author.headers)
            assert r.status_code == 200, r.text
            r = await a.patch(f"/v1/themes/{hidden}", json={"published": False}, headers=author.headers)
            assert r.status_code == 200, r.text
            write_s = time.monotonic() - t0
            # while Redis is stalled, both instances answer from PostgreSQL
            for http in (a, b):
                assert stale(await read(http)) == []
        finally:
            await asyncio.to_thread(resume)
        # after the stall: the instances that saw Redis fail never serve the old records, not even before
        # their drain has rewritten the tombstones the stalled writes could not
        seen: list[str] = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            for http in (a, b):
                seen += stale(await read(http))
            if _pending(database_url, [yanked, hidden]) == 0 and _cached(probe, how, yanked):
                break
        assert seen == []
        assert _pending(database_url, [yanked, hidden]) == 0, "the outbox was never drained"
        # the key in Redis no longer holds the yanked record, and a fresh instance serves the new one
        assert EVIL.encode() not in (probe.get(f"stall{how}:theme:{yanked}") or b"")
        async with _instance(own) as c:
            assert stale(await read(c)) == []
            assert stale(await read(c)) == []  # and again, from the cache it just filled
        assert _cached(probe, how, yanked)
        probe.close()
    print(f"{how}: writes during the stall took {write_s:.2f} s")


def _pending(dsn: str, theme_ids: list[Any]) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM cache_outbox WHERE theme_id = ANY(%s::uuid[])",
            ([str(t) for t in theme_ids],),
        ).fetchone()
    return int(row[0]) if row else 0


def _cached(probe: redis.Redis, how: str, theme_id: Any) -> bool:
    """True once the key holds a record again (JSON), not a tombstone."""
    value = probe.get(f"stall{how}:theme:{theme_id}")
    return bool(value and value.startswith(b"{"))
