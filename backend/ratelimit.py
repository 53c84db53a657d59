"""Fixed-window counters shared by every instance through Redis, with an in-process fallback.

Used by the failed-authentication limit and the analytics ingest limit. A counter ``<key>`` lives in Redis
for one window from its first increment. Each instance also counts what it saw itself, and a key's count is
the larger of the two: when Redis stops answering (or times out under load) nothing already counted here is
forgotten, and the limit stays per instance at worst, never unlimited.
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
        counts = self._merge(keys, remote)
        return max((ttl for count, ttl in counts if count >= limit), default=0)

    async def add(self, keys: list[str], amount: int) -> list[tuple[int, int]]:
        """Add ``amount`` to each key; returns each key's (new count, seconds left in its window)."""
        for key in keys:
            self._local_window(key).count += amount
        remote = await self._cache.increment_many([self._key(k) for k in keys], amount, self._window_s)
        return self._merge(keys, remote)

    def _merge(self, keys: list[str], remote: list[tuple[int, int]] | None) -> list[tuple[int, int]]:
        """(count, seconds to wait) per key: the larger of Redis's and this instance's count."""
        merged = []
        for i, key in enumerate(keys):
            local = self._local_count(key)
            shared = (remote[i][0], max(remote[i][1], 1)) if remote is not None else (0, 0)
            merged.append(max(local, shared))
        return merged

    async def charge(self, limits: dict[str, int], amount: int) -> int:
        """Count ``amount`` against each key; the seconds to wait when a key went past its limit, else 0.

        A refused request still counts: a client hammering past its limit stays limited.
        """
        counts = await self.add(list(limits), amount)
        over = [ttl for (count, ttl), limit in zip(counts, limits.values(), strict=True) if count > limit]
        return max(over, default=0)

    def _local_window(self, key: str) -> _Window:
        now = time.monotonic()
        window = self._local.get(key)
        if window is None or now - window.started >= self._window_s:
            if len(self._local) > _LOCAL_KEYS_MAX:  # bound memory under a spray of keys
                self._local.clear()
            window = self._local[key] = _Window(now, 0)
        return window

    def _local_count(self, key: str) -> tuple[int, int]:
        """(count, seconds left) of this instance's window for ``key``; (0, 0) when it has none running."""
        window = self._local.get(key)
        if window is None:
            return 0, 0
        left = window.started + self._window_s - time.monotonic()
        return (window.count, max(1, round(left))) if left > 0 else (0, 0)
