"""API tokens (random, shown once, stored as sha256) and the failed-authentication rate limit."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from backend.ratelimit import WindowCounters

TOKEN_PREFIX = "tsk_"
_TOKEN_SHAPE = re.compile(r"tsk_[A-Za-z0-9_-]{43}")


def generate_token() -> str:
    """A new bearer token: 256 random bits, URL-safe, with a recognisable prefix (for secret scanners)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token: hex sha256. Tokens are high-entropy, so a plain hash is enough."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def hashes_match(expected: str, presented: str) -> bool:
    """Constant-time comparison, so response timing says nothing about how much of a hash matched."""
    return hmac.compare_digest(expected.encode("ascii"), presented.encode("ascii"))


def token_prefix(token: str) -> str | None:
    """The non-secret, stable part of a well-formed token (``tsk_`` and 8 characters), or None.

    The failed-auth limit counts failures per prefix: 48 of the token's 256 random bits, enough that
    strangers' guesses never share a real token's prefix, and harmless to keep in Redis (208 bits remain).
    A token that is not of our shape cannot be valid and never reaches the database.
    """
    return token[:12] if _TOKEN_SHAPE.fullmatch(token) else None


class FailedAuthLimiter:
    """Failed authentications counted per client address and per presented token prefix (fixed windows).

    The address is the one the connection or a *trusted* proxy reports (``backend.api.client_address``), so
    rotating ``X-Forwarded-For`` from an untrusted peer changes nothing. Either key past the limit answers 429
    before any database work. One attacker's failures lock out its own address and the prefixes it presented:
    a valid token used from another address is untouched, since strangers cannot know its prefix.
    """

    def __init__(self, counters: WindowCounters, *, limit: int) -> None:
        self._counters = counters
        self._limit = limit

    @staticmethod
    def _keys(address: str, prefix: str | None) -> list[str]:
        keys = [f"authfail:addr:{address}"]
        if prefix is not None:
            keys.append(f"authfail:tok:{prefix}")
        return keys

    async def retry_after(self, address: str, prefix: str | None) -> int:
        """Seconds the caller must wait, or 0 when it may try to authenticate."""
        return await self._counters.over_limit(self._keys(address, prefix), self._limit)

    async def record_failure(self, address: str, prefix: str | None) -> None:
        await self._counters.add(self._keys(address, prefix), 1)
