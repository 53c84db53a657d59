"""The psycopg 3 async connection pool: opened on startup, closed on shutdown, checked on checkout."""

from __future__ import annotations

from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from backend.config import Settings

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]


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
        # Drop a dead connection at checkout instead of failing the request on it (after a DB restart).
        check=AsyncConnectionPool.check_connection,
        # Give up a reconnection loop quickly; the pool grows again on demand once the database answers.
        reconnect_timeout=max(2.0, settings.db_timeout_s * 2),
        open=False,
        name="themesystem",
    )
    await pool.open(wait=False)
    return pool
