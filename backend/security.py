"""API tokens (random, shown once, stored as sha256) and the failed-authentication rate limit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from backend.cache import Cache

TOKEN_PREFIX = "tsk_"


def generate_token() -> str:
    """A new bearer token: 256 random bits, URL-safe, with a recognisable prefix (for secret scanners)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token: hex sha256. Tokens are high-entropy, so a plain hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hashes_match(expected: str, presented: str) -> bool:
    """Constant-time comparison, so response timing says nothing about how much of a hash matched."""
    return hmac.compare_digest(expected.encode("ascii"), presented.encode("ascii"))


@dataclass
class _Window:
    started: float
    count: int


class FailedAuthLimiter:
    """Counts failed authentications per client IP in a fixed window; blocks the IP past the limit.

    The count lives in Redis (``authfail:<ip>``) so every instance sees the same number. When Redis is down an
    in-process window takes over: weaker across instances, but an attacker still cannot guess freely.
    """

    def __init__(self, cache: Cache, *, limit: int, window_s: int) -> None:
        self._cache = cache
        self._limit = limit
        self._window_s = window_s
        self._local: dict[str, _Window] = {}

    async def retry_after(self, ip: str) -> int:
        """Seconds the IP must wait, or 0 when it may try to authenticate."""
        remote = await self._cache.counter(f"authfail:{ip}")
        if remote is not None:
            count, ttl = remote
            return max(ttl, 1) if count >= self._limit else 0
        window = self._local_window(ip)
        if window.count >= self._limit:
            return max(1, round(window.started + self._window_s - time.monotonic()))
        return 0

    async def record_failure(self, ip: str) -> None:
        """Count one failed authentication from ``ip``."""
        if not await self._cache.increment(f"authfail:{ip}", self._window_s):
            self._local_window(ip).count += 1

    def _local_window(self, ip: str) -> _Window:
        now = time.monotonic()
        window = self._local.get(ip)
        if window is None or now - window.started >= self._window_s:
            if len(self._local) > 10_000:  # bound memory under a spray of source addresses
                self._local.clear()
            window = self._local[ip] = _Window(now, 0)
        return window
