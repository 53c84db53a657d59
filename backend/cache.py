"""Redis as a cache: theme JSON, the popular-themes sorted set, shared counters.

Redis is never the source of truth. Every operation here swallows connection errors and reports "no answer"
(None/False), so callers fall back to Postgres. After a failure a short circuit breaker (one second)
skips Redis entirely, so a dead Redis costs one timeout per second rather than one per request; when it
answers again, caching resumes by itself (redis-py reconnects on the next command).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from backend.metrics import Metrics

log = logging.getLogger(__name__)

T = TypeVar("T")
POPULAR_KEY = "popular:themes"
BREAKER_S = 1.0


def make_client(url: str, *, timeout_s: float) -> aioredis.Redis:
    """A redis.asyncio client for ``redis://`` or ``rediss://`` (TLS): short timeouts, no retries."""
    return aioredis.Redis.from_url(
        url,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=30,
        max_connections=64,
    )


class Cache:
    """The service's view of Redis: prefixed keys, a circuit breaker, and hit/miss metrics."""

    def __init__(self, client: aioredis.Redis, *, prefix: str, theme_ttl: int, metrics: Metrics) -> None:
        self.client = client
        self.prefix = prefix
        self.theme_ttl = theme_ttl
        self._metrics = metrics
        self._down_until = 0.0

    def key(self, name: str) -> str:
        return self.prefix + name

    @property
    def believed_down(self) -> bool:
        return time.monotonic() < self._down_until

    async def _call(self, op: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        if self.believed_down:
            return False, None
        try:
            return True, await op()
        except (RedisError, OSError) as exc:
            log.warning(
                "redis unavailable (%s); serving without cache for %.0f s", type(exc).__name__, BREAKER_S
            )
            self._down_until = time.monotonic() + BREAKER_S
            return False, None

    async def ping(self) -> bool:
        """True when Redis answers now (ignores the breaker, so /readyz sees recovery at once)."""
        try:
            await self.client.ping()
        except (RedisError, OSError):
            self._down_until = time.monotonic() + BREAKER_S
            return False
        self._down_until = 0.0
        return True

    async def get_theme(self, theme_id: str) -> bytes | None:
        """The cached JSON of one theme, or None (miss or Redis down)."""
        _, value = await self._call(lambda: self.client.get(self.key(f"theme:{theme_id}")))
        if value is None:
            self._metrics.cache_misses.inc()
            return None
        self._metrics.cache_hits.inc()
        return value if isinstance(value, bytes) else str(value).encode()

    async def set_theme(self, theme_id: str, payload: bytes) -> None:
        if self.theme_ttl > 0:
            await self._call(
                lambda: self.client.set(self.key(f"theme:{theme_id}"), payload, ex=self.theme_ttl)
            )

    async def invalidate_theme(self, theme_id: str) -> None:
        """Drop the cached theme after a write (a failure here is logged; the TTL bounds staleness)."""
        await self._call(lambda: self.client.delete(self.key(f"theme:{theme_id}")))

    async def get_raw(self, name: str) -> bytes | None:
        _, value = await self._call(lambda: self.client.get(self.key(name)))
        if value is None:
            return None
        return value if isinstance(value, bytes) else str(value).encode()

    async def bump_popular(self, increments: dict[str, float]) -> bool:
        """ZINCRBY each theme in ``popular:themes``; one round trip."""
        if not increments:
            return True

        async def op() -> None:
            async with self.client.pipeline(transaction=False) as pipe:
                for theme_id, amount in increments.items():
                    pipe.zincrby(self.key(POPULAR_KEY), amount, theme_id)
                await pipe.execute()

        ok, _ = await self._call(op)
        return ok

    async def popular(self, limit: int) -> list[tuple[str, float]] | None:
        """Top themes by score, or None when Redis cannot answer."""
        ok, rows = await self._call(
            lambda: self.client.zrevrange(self.key(POPULAR_KEY), 0, limit - 1, withscores=True)
        )
        if not ok or rows is None:
            return None
        pairs: list[tuple[bytes | str, float]] = list(rows)  # type: ignore[arg-type]  # withscores=True
        return [(m.decode() if isinstance(m, bytes) else str(m), float(score)) for m, score in pairs]

    async def counter(self, name: str) -> tuple[int, int] | None:
        """(value, seconds to live) of a counter key, or None when Redis cannot answer."""

        async def op() -> tuple[int, int]:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.get(self.key(name))
                pipe.ttl(self.key(name))
                value, ttl = await pipe.execute()
            return int(value or 0), int(ttl)

        ok, result = await self._call(op)
        return result if ok else None

    async def increment(self, name: str, window_s: int) -> bool:
        """INCR a counter that expires ``window_s`` after its first increment; False when Redis is down."""

        async def op() -> None:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(self.key(name))
                pipe.expire(self.key(name), window_s, nx=True)
                await pipe.execute()

        ok, _ = await self._call(op)
        return ok
