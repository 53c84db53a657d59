"""Redis as a cache: theme JSON, the popular-themes sorted set, shared counters.

Redis is never the source of truth. Every operation here swallows connection errors and reports "no answer"
(None/False), so callers fall back to Postgres. After a failure a short circuit breaker (one second)
skips Redis entirely, so a dead Redis costs one timeout per second rather than one per request; when it
answers again, caching resumes by itself (redis-py reconnects on the next command).

Theme records cannot outlive a write (see ``backend.cache_outbox`` for the whole argument):

- a write replaces ``theme:<id>`` with a *tombstone* (a random marker) right after its commit;
- a reader that missed fills the key only if it still holds what the reader saw before reading PostgreSQL
  (compare-and-set in Lua), so a fill racing a write can never put the older record back;
- a tombstone that could not be written stays pending in PostgreSQL's ``cache_outbox`` (written by triggers in
  the writing transaction) until some instance writes it; and an instance that saw Redis fail reads no theme
  record from Redis until its own outbox drain has succeeded since that failure.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from backend.metrics import Metrics

log = logging.getLogger(__name__)

T = TypeVar("T")
POPULAR_KEY = "popular:themes"
# A member every complete ranking holds (score -inf, never listed). Redis lost the ranking (restart,
# eviction, failover) exactly when it is missing: increments are then refused and it is rebuilt from Postgres.
POPULAR_BUILT = "~built"
BREAKER_S = 1.0
TOMBSTONE_TTL_S = 60  # longer than any reader's PostgreSQL round trip (their timeouts are seconds)

# Fill a theme record only if the key still holds what the reader saw ('' = nothing) before reading Postgres.
_FILL_LUA = """
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""
# Increment the ranking only while it is complete (holds the POPULAR_BUILT member).
_BUMP_LUA = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do redis.call('ZINCRBY', KEYS[1], ARGV[i + 1], ARGV[i]) end
return 1
"""
# A theme's place in a complete ranking: [1, 1 + members scored higher, members, score], [1, 0, members]
# when it is not ranked, [0] when the ranking is incomplete. Members exclude POPULAR_BUILT (-inf, below all).
_RANK_LUA = """
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {0} end
local members = redis.call('ZCARD', KEYS[1]) - 1
local score = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not score then return {1, 0, members} end
return {1, redis.call('ZCOUNT', KEYS[1], '(' .. score, '+inf') + 1, members, score}
"""


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


@dataclass(frozen=True)
class ThemeLookup:
    """A theme cache read: the record's JSON (None on a miss), and what the key held, for the fill."""

    payload: bytes | None
    seen: bytes = b""


@dataclass(frozen=True)
class RankLookup:
    """One theme's place in the complete ranking: ``position`` 1 is the most popular (ties share a place),
    None when the theme has no download or install yet; ``ranked`` themes hold a place."""

    position: int | None
    score: float
    ranked: int


@dataclass(frozen=True)
class Ranking:
    """The popular-themes ranking as Redis holds it; ``complete`` is False when Redis lost it."""

    complete: bool
    items: list[tuple[str, float]]


class Cache:
    """The service's view of Redis: prefixed keys, a circuit breaker, and hit/miss metrics."""

    def __init__(self, client: aioredis.Redis, *, prefix: str, theme_ttl: int, metrics: Metrics) -> None:
        self.client = client
        self.prefix = prefix
        self.theme_ttl = theme_ttl
        self._metrics = metrics
        self._down_until = 0.0
        self._failures = 0  # Redis failures seen by this instance
        self._drained_at = 0  # value of _failures when an outbox drain last fully succeeded
        self._fill = client.register_script(_FILL_LUA)
        self._bump = client.register_script(_BUMP_LUA)
        self._rank = client.register_script(_RANK_LUA)

    def key(self, name: str) -> str:
        return self.prefix + name

    @property
    def believed_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, exc: BaseException) -> None:
        log.warning("redis unavailable (%s); serving without cache for %.0f s", type(exc).__name__, BREAKER_S)
        self._down_until = time.monotonic() + BREAKER_S
        self._failures += 1

    async def _call(self, op: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        if self.believed_down:
            self._failures += 1  # a tombstone skipped here is as missing as one that timed out
            return False, None
        try:
            return True, await op()
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return False, None

    async def ping(self) -> bool:
        """True when Redis answers now (ignores the breaker, so /readyz sees recovery at once)."""
        try:
            await self.client.ping()
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return False
        self._down_until = 0.0
        return True

    # --- theme records ----------------------------------------------------------------------------------

    @property
    def failure_count(self) -> int:
        """Redis failures this instance has seen; an outbox drain records the count it started from."""
        return self._failures

    def mark_drained(self, failures_before: int) -> None:
        """The outbox drain that started when ``failure_count`` was ``failures_before`` fully succeeded."""
        self._drained_at = max(self._drained_at, failures_before)

    @property
    def theme_reads_safe(self) -> bool:
        """False from a Redis failure until an outbox drain has succeeded after it: a tombstone this instance
        failed to write may still be pending, and the record it should have replaced must not be served."""
        return self._drained_at >= self._failures

    async def get_theme(self, theme_id: str) -> ThemeLookup:
        """The cached JSON of one theme, or a miss (Redis down, key absent, tombstone, reads not yet safe)."""
        if not self.theme_reads_safe:
            self._metrics.cache_misses.inc()
            return ThemeLookup(None)
        _, value = await self._call(lambda: self.client.get(self.key(f"theme:{theme_id}")))
        raw = value if isinstance(value, bytes) or value is None else str(value).encode()
        if raw is None or not raw.startswith(b"{"):
            self._metrics.cache_misses.inc()
            return ThemeLookup(None, raw or b"")
        self._metrics.cache_hits.inc()
        return ThemeLookup(raw, raw)

    async def set_theme(self, theme_id: str, payload: bytes, seen: bytes = b"") -> None:
        """Cache a record read from PostgreSQL, unless a write replaced what the reader saw meanwhile."""
        if self.theme_ttl > 0 and self.theme_reads_safe:
            key = self.key(f"theme:{theme_id}")
            await self._call(lambda: self._fill(keys=[key], args=[seen, payload, self.theme_ttl]))

    async def invalidate_theme(self, theme_id: str) -> bool:
        """Replace the cached theme by a tombstone after a write; False when Redis did not take it (the
        outbox row the write's transaction left behind is then retried by every instance's drain)."""
        return await self.tombstone_themes([theme_id])

    async def tombstone_themes(self, theme_ids: list[str]) -> bool:
        if not theme_ids:
            return True

        async def op() -> None:
            async with self.client.pipeline(transaction=False) as pipe:
                for theme_id in theme_ids:
                    marker = "!" + secrets.token_hex(8)
                    pipe.set(self.key(f"theme:{theme_id}"), marker, ex=TOMBSTONE_TTL_S)
                await pipe.execute()

        ok, _ = await self._call(op)
        return ok

    async def get_raw(self, name: str) -> bytes | None:
        _, value = await self._call(lambda: self.client.get(self.key(name)))
        if value is None:
            return None
        return value if isinstance(value, bytes) else str(value).encode()

    # --- popular themes ---------------------------------------------------------------------------------

    async def bump_popular(self, increments: dict[str, float]) -> bool | None:
        """ZINCRBY each theme, atomically and only while the ranking is complete (one round trip).

        True when counted, False when the ranking is incomplete (it needs a rebuild, which will count these
        events from PostgreSQL), None when Redis did not answer.
        """
        if not increments:
            return True
        args: list[str | float] = [POPULAR_BUILT]
        for theme_id, amount in increments.items():
            args += [theme_id, amount]
        ok, done = await self._call(lambda: self._bump(keys=[self.key(POPULAR_KEY)], args=args))
        return bool(done) if ok else None

    async def popular(self, limit: int) -> Ranking | None:
        """The top ``limit`` themes by score, or None when Redis cannot answer."""

        async def op() -> tuple[object, object]:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.zscore(self.key(POPULAR_KEY), POPULAR_BUILT)
                pipe.zrevrange(self.key(POPULAR_KEY), 0, limit, withscores=True)
                built, rows = await pipe.execute()
            return built, rows

        ok, result = await self._call(op)
        if not ok or result is None:
            return None
        built, rows = result
        pairs: list[tuple[bytes | str, float]] = list(rows)  # type: ignore[call-overload]  # withscores
        items = [(m.decode() if isinstance(m, bytes) else str(m), float(score)) for m, score in pairs]
        return Ranking(built is not None, [item for item in items if item[0] != POPULAR_BUILT][:limit])

    async def popular_rank(self, theme_id: str) -> RankLookup | None:
        """The theme's place in the ranking (one round trip), or None when Redis cannot answer or lost it."""
        ok, answer = await self._call(
            lambda: self._rank(keys=[self.key(POPULAR_KEY)], args=[POPULAR_BUILT, theme_id])
        )
        if not ok or not isinstance(answer, list) or not answer or not answer[0]:
            return None
        if not answer[1]:
            return RankLookup(None, 0.0, int(answer[2]))
        return RankLookup(int(answer[1]), float(answer[3]), int(answer[2]))

    async def store_popular(self, scores: list[tuple[str, float]]) -> bool:
        """Replace the ranking by ``scores`` (complete), atomically: built aside, then renamed over."""
        temp = self.key(f"{POPULAR_KEY}:rebuild:{secrets.token_hex(4)}")

        async def op() -> None:
            async with self.client.pipeline(transaction=True) as pipe:
                for start in range(0, len(scores), 10_000):
                    pipe.zadd(temp, dict(scores[start : start + 10_000]))
                pipe.zadd(temp, {POPULAR_BUILT: float("-inf")})
                pipe.rename(temp, self.key(POPULAR_KEY))
                await pipe.execute()

        ok, _ = await self._call(op)
        return ok

    async def try_lock(self, name: str, ttl_s: int) -> bool:
        """SET NX EX: True for the one caller (across instances) that takes ``name`` for ``ttl_s``."""
        ok, taken = await self._call(lambda: self.client.set(self.key(name), b"1", nx=True, ex=ttl_s))
        return bool(ok and taken)

    async def unlock(self, name: str) -> None:
        await self._call(lambda: self.client.delete(self.key(name)))

    # --- counters ---------------------------------------------------------------------------------------

    async def counters(self, names: list[str]) -> list[tuple[int, int]] | None:
        """(value, seconds to live) of each counter key, or None when Redis cannot answer."""

        async def op() -> list[tuple[int, int]]:
            async with self.client.pipeline(transaction=False) as pipe:
                for name in names:
                    pipe.get(self.key(name))
                    pipe.ttl(self.key(name))
                values = await pipe.execute()
            return [(int(values[i] or 0), int(values[i + 1])) for i in range(0, len(values), 2)]

        ok, result = await self._call(op)
        return result if ok else None

    async def increment_many(
        self, names: list[str], amount: int, window_s: int
    ) -> list[tuple[int, int]] | None:
        """INCRBY each counter (expiring ``window_s`` after its first increment); (value, ttl) of each, or
        None when Redis is down."""

        async def op() -> list[tuple[int, int]]:
            async with self.client.pipeline(transaction=True) as pipe:
                for name in names:
                    pipe.incrby(self.key(name), amount)
                    pipe.expire(self.key(name), window_s, nx=True)
                    pipe.ttl(self.key(name))
                values = await pipe.execute()
            return [(int(values[i]), int(values[i + 2])) for i in range(0, len(values), 3)]

        ok, result = await self._call(op)
        return result if ok else None
