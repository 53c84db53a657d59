"""Theme-cache invalidations that cannot be lost: an outbox in PostgreSQL, drained by every instance.

Triggers (migration 0004) add a ``cache_outbox`` row for a theme in the same transaction as any write that
changes its public record (``themes`` updated or deleted, ``theme_versions`` inserted, updated or deleted), so
a committed write always leaves a pending invalidation, whatever code path made it. The route that wrote then
tombstones the key at once (``Cache.invalidate_theme``); every instance also runs :func:`drain_forever`, which
tombstones the themes of pending rows and deletes the rows only once Redis has taken them.

Worst-case staleness of a theme record after a committed write:

- Redis answering: none. The tombstone follows the commit, and a reader's fill is a compare-and-set against
  what it saw before reading PostgreSQL, so a fill that raced the write cannot restore the older record.
- Redis stalled or unreachable during the write: instances that see Redis fail read no record from it until
  one of their drains has succeeded after the failure (their readers use PostgreSQL meanwhile). An instance
  that never saw the failure (a partial network partition) may serve the older record until some instance's
  drain succeeds: at most the stall plus one drain interval (``CACHE_OUTBOX_INTERVAL_S``, 1 s).
- No instance able to drain (PostgreSQL and Redis both unreachable from all of them): the record's TTL
  (``THEME_CACHE_TTL``, 60 s) bounds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from backend.cache import Cache
from backend.db.pool import Pool

log = logging.getLogger(__name__)
BATCH = 1000


async def pending(conn: AsyncConnection[DictRow], limit: int = BATCH) -> list[tuple[int, UUID]]:
    cur = await conn.execute("SELECT id, theme_id FROM cache_outbox ORDER BY id LIMIT %s", (limit,))
    return [(row["id"], row["theme_id"]) for row in await cur.fetchall()]


async def drain_once(pool: Pool, cache: Cache) -> bool:
    """Tombstone every pending theme, then delete its rows; True when the outbox was emptied.

    Several instances may drain the same rows at once: a second tombstone is only one more cache miss.
    """
    failures_before = cache.failure_count
    async with pool.connection() as conn:
        while True:
            rows = await pending(conn)
            if not rows:
                break
            if not await cache.tombstone_themes(sorted({str(theme_id) for _, theme_id in rows})):
                return False
            done = [row_id for row_id, _ in rows]
            await conn.execute("DELETE FROM cache_outbox WHERE id = ANY(%s)", (done,))
            if len(rows) < BATCH:
                break
    cache.mark_drained(failures_before)
    return True


async def drain_forever(pool: Pool, cache: Cache, interval_s: float, stop: asyncio.Event) -> None:
    """Drain every ``interval_s`` until ``stop`` is set (the app's lifespan owns this task).

    Stopped by an event rather than by cancelling: a cancellation arriving inside a driver call can be
    swallowed there, and the loop would then run on.
    """
    while not stop.is_set():
        try:
            await drain_once(pool, cache)
        except Exception as exc:  # PostgreSQL unreachable, pool closing: try again next time
            log.info("cache outbox drain failed: %s", type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
