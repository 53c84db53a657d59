"""Fixed-window counters shared by every instance through Redis, with an in-process fallback.

Used by the failed-authentication limit and the analytics ingest limit. A counter ``<key>`` lives in Redis
for one window from its first increment. When Redis cannot answer, each instance counts on its own: weaker
across instances (the limit is multiplied by their number), but never unlimited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from backend.cache import Cache

_LOCAL_KEYS_MAX = 10_000


@dataclass
class _Window:
    started: float
    count: int


class WindowCounters:
    def __init__(self, cache: Cache, *, window_s: int, name: str) -> None:
        self._cache = cache
        self._window_s = window_s
        self._name = name
        self._local: dict[str, _Window] = {}

    def _key(self, key: str) -> str:
        return f"rl:{self._name}:{key}"

    async def over_limit(self, keys: list[str], limit: int) -> int:
        """Seconds until every key is under ``limit`` again; 0 when none has reached it."""
        remote = await self._cache.counters([self._key(k) for k in keys])
        if remote is not None:
            return max((max(ttl, 1) for count, ttl in remote if count >= limit), default=0)
        return max((self._local_wait(k) for k in keys if self._local_window(k).count >= limit), default=0)

    async def add(self, keys: list[str], amount: int) -> list[tuple[int, int]]:
        """Add ``amount`` to each key; returns each key's (new count, seconds left in its window)."""
        remote = await self._cache.increment_many([self._key(k) for k in keys], amount, self._window_s)
        if remote is not None:
            return remote
        result = []
        for key in keys:
            window = self._local_window(key)
            window.count += amount
            result.append((window.count, self._local_wait(key)))
        return result

    async def charge(self, limits: dict[str, int], amount: int) -> int:
        """Count ``amount`` against each key; the seconds to wait when a key went past its limit, else 0.

        A refused request still counts: a client hammering past its limit stays limited.
        """
        counts = await self.add(list(limits), amount)
        over = [ttl for (count, ttl), limit in zip(counts, limits.values(), strict=True) if count > limit]
        return max((max(ttl, 1) for ttl in over), default=0)

    def _local_window(self, key: str) -> _Window:
        now = time.monotonic()
        window = self._local.get(key)
        if window is None or now - window.started >= self._window_s:
            if len(self._local) > _LOCAL_KEYS_MAX:  # bound memory under a spray of keys
                self._local.clear()
            window = self._local[key] = _Window(now, 0)
        return window

    def _local_wait(self, key: str) -> int:
        window = self._local_window(key)
        return max(1, round(window.started + self._window_s - time.monotonic()))
