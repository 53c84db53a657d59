"""The psycopg 3 async connection pool: opened on startup, closed on shutdown.

Connections are not checked on checkout (that would be one extra round trip on every request). A connection
that broke (database restarted or unreachable) fails its request with an OperationalError, which the app
answers with 503, and psycopg_pool discards it when it comes back closed or broken. `purge_broken` then
checks the other idle connections once, in the background, so after an outage at most a few requests see
a dead connection before the pool has only live ones again.
"""

from __future__ import annotations

import asyncio
import logging

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from backend.config import Settings

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]
log = logging.getLogger(__name__)
_purges: dict[int, asyncio.Task[None]] = {}


async def open_pool(settings: Settings) -> Pool:
    """Open the pool without waiting for the database: the service starts (and says so) without it."""
    pool: Pool = AsyncConnectionPool(
        settings.database_dsn,
        connection_class=AsyncConnection[DictRow],
        kwargs={
            "autocommit": True,
            "row_factory": dict_row,
            "connect_timeout": max(1, round(settings.db_timeout_s)),
        },
        min_size=settings.db_pool_min,
        max_size=max(settings.db_pool_min, settings.db_pool_max),
        timeout=settings.db_timeout_s,
        # Give up a reconnection loop quickly; the pool grows again on demand once the database answers.
        reconnect_timeout=max(2.0, settings.db_timeout_s * 2),
        open=False,
        name="themesystem",
    )
    await pool.open(wait=False)
    return pool


def saturated(pool: Pool) -> bool:
    """Every connection the pool may open exists and is checked out: a wait here is load, not an outage."""
    stats = pool.get_stats()
    return stats.get("pool_size", 0) >= stats.get("pool_max", 1) and stats.get("pool_available", 0) == 0


def purge_broken(pool: Pool) -> None:
    """Check every idle connection once, in the background (no-op while a check of this pool is running)."""
    running = _purges.get(id(pool))
    if running is not None and not running.done():
        return

    async def purge() -> None:
        try:
            await pool.check()
        except Exception as exc:  # the pool may be closing; the next failure schedules another check
            log.info("pool check failed: %s", type(exc).__name__)
        finally:
            _purges.pop(id(pool), None)

    _purges[id(pool)] = asyncio.get_running_loop().create_task(purge())
